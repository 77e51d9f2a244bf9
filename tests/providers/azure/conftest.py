"""Fixtures for the Azure provider tests: the demo tenant, the real exported files, a static
token credential and the local Graph + ARM server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.azure import azure_support
from providers.azure.azure_fake_server import FakeAzure, StaticTokenCredential, Tenant


@pytest.fixture
def demo_dir() -> Path:
    return azure_support.DEMO


@pytest.fixture
def real_dir() -> Path:
    return azure_support.real_dir()


@pytest.fixture
def credential() -> StaticTokenCredential:
    return StaticTokenCredential()


@pytest.fixture
def tenant() -> Tenant:
    return Tenant.from_demo(azure_support.DEMO)


@pytest.fixture
def fake(tenant: Tenant) -> Iterator[FakeAzure]:
    with FakeAzure(tenant) as server:
        yield server
