"""Fixtures for the Kubernetes provider tests: the fake API server, kubeconfigs, and a loader that
hands files to the plugin the way the CLI does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from k8s_fake_apiserver import FakeApiServer, kubeconfig, serve
from k8s_objects import fixture_cluster

from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from nhiscan.providers.k8s import Plugin

AS_OF = datetime(2025, 6, 1, tzinfo=timezone.utc)
REPO_ROOT = Path(__file__).parents[3]


def _real_exports() -> Path:
    """``shared/real-exports/k8s`` beside the repository root (CI), or beside an ancestor of it
    (a git worktree nested under the checkout's parent). Missing means the tests fail loudly."""
    for base in (REPO_ROOT, *REPO_ROOT.parents):
        candidate = base.parent / "shared" / "real-exports" / "k8s"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT / "../shared/real-exports/k8s"


REAL_EXPORTS = _real_exports()


def load_file(path: Path) -> LoadedFile:
    """Read a file as the CLI does: parsed JSON or single-document YAML in ``data``, else None."""
    text = path.read_text(encoding="utf-8")
    data: Any = None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            data = None
    return LoadedFile(path=path, text=text, data=data)


def build_from(paths: Sequence[Path], **settings: Any) -> Inventory:
    plugin = Plugin()
    files = []
    for p in paths:
        lf = load_file(p)
        doc_type = plugin.recognise(lf)
        if doc_type:
            files.append(RecognisedFile(file=lf, doc_type=doc_type, provider="k8s"))
    return plugin.build(files, CollectOptions(as_of=AS_OF, settings=settings))


@pytest.fixture
def offline(tmp_path: Path) -> Callable[..., Inventory]:
    """Write objects as a ``kubectl get -A -o json`` List and import it."""

    def run(objects: list[dict[str, Any]], name: str = "demo", **settings: Any) -> Inventory:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": objects}))
        return build_from([path], **settings)

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
