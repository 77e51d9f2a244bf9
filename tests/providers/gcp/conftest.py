"""Fixtures for the GCP provider tests: the gRPC and REST fakes wired to the real Google clients."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import grpc
import pytest

from providers.gcp.gcp_fakes import FakeIam, FakeRest


@pytest.fixture
def gcp_fakes() -> Iterator[SimpleNamespace]:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

    from nhiscan.providers.gcp.live import make_clients

    iam = FakeIam()
    port = iam.start()
    rest = FakeRest()
    rest.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    clients = make_clients(
        AnonymousCredentials(),
        iam_transport=IAMGrpcTransport(channel=channel),
        rest_endpoint=rest.endpoint,
        aiplatform_endpoint=rest.endpoint,
    )
    yield SimpleNamespace(iam=iam, rest=rest, clients=clients)
    channel.close()
    iam.stop()
    rest.stop()
    assert not iam.violations, f"non-read-only IAM calls: {iam.violations}"
    assert not rest.violations, f"non-read-only REST calls: {rest.violations}"
