"""Fixtures for the GCP provider tests: the gRPC and REST fakes wired to the real Google clients,
and the location of the shared real-world exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import grpc
import pytest
from gcp_fakes import FakeIam, FakeRest

from nhiscan.providers.gcp import Plugin
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "examples" / "demo" / "gcp"
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _real_exports() -> Path:
    # shared/ sits beside the repository root (main checkout) or beside the worktrees' folder.
    for base in REPO.parents:
        candidate = base / "shared" / "real-exports" / "gcp"
        if candidate.is_dir():
            return candidate
    raise AssertionError(f"shared/real-exports/gcp not found beside {REPO}; the GCP import tests need it")


REAL = _real_exports()


def load(path: Path) -> LoadedFile:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    return LoadedFile(path, text, data)


def import_files(*paths: Path, as_of: datetime = AS_OF):  # type: ignore[no-untyped-def]
    """Recognise and build like ``nhiscan scan --from``; every file must be recognised."""
    plugin = Plugin()
    recognised = []
    for p in paths:
        f = load(p)
        doc_type = plugin.recognise(f)
        assert doc_type is not None, f"{p.name} not recognised"
        recognised.append(RecognisedFile(f, doc_type, "gcp"))
    return plugin.build(recognised, CollectOptions(as_of=as_of))


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
        AnonymousCredentials(), iam_transport=IAMGrpcTransport(channel=channel), rest_endpoint=rest.endpoint
    )
    yield SimpleNamespace(iam=iam, rest=rest, clients=clients)
    channel.close()
    iam.stop()
    rest.stop()
    assert not iam.violations, f"non-read-only IAM calls: {iam.violations}"
    assert not rest.violations, f"non-read-only REST calls: {rest.violations}"
