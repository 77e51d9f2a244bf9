"""Fixtures for the Azure provider tests: the demo tenant, the real exported files, a static
token credential and the local Graph + ARM server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from azure_fake_server import FakeAzure, StaticTokenCredential, Tenant

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "examples" / "demo" / "azure"
# The real exports sit beside the repository (never copied into it); CI provides them. A git
# worktree lives one level deeper, so take the nearest ancestor that has them.
REAL = next(
    (
        p / "shared" / "real-exports" / "azure"
        for p in REPO.parents
        if (p / "shared" / "real-exports").is_dir()
    ),
    REPO.parent / "shared" / "real-exports" / "azure",
)
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
CANARY = "nhiscan-CANARY-Zq8~secret-value-4f1d2c"


@pytest.fixture
def demo_dir() -> Path:
    return DEMO


@pytest.fixture
def real_dir() -> Path:
    assert REAL.is_dir(), f"real exports missing at {REAL}"
    return REAL


@pytest.fixture
def credential() -> StaticTokenCredential:
    return StaticTokenCredential()


@pytest.fixture
def tenant() -> Tenant:
    return Tenant.from_demo(DEMO)


@pytest.fixture
def fake(tenant: Tenant) -> Iterator[FakeAzure]:
    with FakeAzure(tenant) as server:
        yield server
