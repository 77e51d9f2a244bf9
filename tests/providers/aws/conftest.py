"""Fixtures for the live AWS tests: one moto server for the whole session, wiped before each
test, and an environment in which the CLI finds that server and nothing of the real machine's
AWS configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .moto_server import MotoAws, fill_moto_gaps


@pytest.fixture(scope="session")
def moto_aws() -> Iterator[MotoAws]:
    server = MotoAws()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws(moto_aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> MotoAws:
    moto_aws.reset()
    fill_moto_gaps(lambda obj, name, value: monkeypatch.setattr(obj, name, value, raising=False))
    return moto_aws


@pytest.fixture
def aws_env(aws: MotoAws, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MotoAws:
    """Environment for ``nhiscan scan aws``: endpoint and test credentials, no profile or config
    file of the machine running the tests."""
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)  # no ./nhiscan.yaml of the developer's
    from nhiscan import cli

    for switch in ("debug", "quiet", "no_color"):  # --debug in one test must not leak into the next
        monkeypatch.setattr(cli.STATE, switch, False)
    return aws
