"""Fixtures for the Kubernetes provider tests: the fake API server, kubeconfigs, offline import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nhiscan.model import Inventory
from providers.k8s.k8s_fake_apiserver import FakeApiServer, kubeconfig, serve
from providers.k8s.k8s_objects import fixture_cluster
from providers.k8s.k8s_support import build_from, write_list


@pytest.fixture
def offline(tmp_path: Path) -> Callable[..., Inventory]:
    """Write objects as a ``kubectl get -A -o json`` List and import it."""

    def run(objects: list[dict[str, Any]], name: str = "demo", **settings: Any) -> Inventory:
        return build_from([write_list(tmp_path / f"{name}.json", objects)], **settings)

    return run


@pytest.fixture
def fake_server() -> Iterator[FakeApiServer]:
    yield from serve(FakeApiServer(objects=fixture_cluster()))


@pytest.fixture
def kubeconfig_for(tmp_path: Path) -> Callable[..., Path]:
    def write(servers: dict[str, str], current: str | None = None) -> Path:
        path = tmp_path / "kubeconfig"
        path.write_text(kubeconfig(servers, current))
        return path

    return write
