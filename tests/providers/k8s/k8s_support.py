"""Helpers for the Kubernetes provider tests: hand files to the plugin the way the CLI does."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from nhiscan.facts import AgentFacts
from nhiscan.model import Identity, Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from nhiscan.providers.k8s import Plugin
from nhiscan.providers.k8s.facts import K8sAgentFacts, K8sIdentityFacts
from nhiscan.providers.k8s.settings import K8sSettings
from support import shared_dir

AS_OF = datetime(2025, 6, 1, tzinfo=timezone.utc)


def real_exports() -> Path:
    """``shared/real-exports/k8s`` (it may not exist: tests reading it carry ``needs_shared``)."""
    return shared_dir() / "real-exports" / "k8s"


BIG_FILE_BYTES = 256 * 1024


def load_file(path: Path) -> LoadedFile:
    """Read a file as the CLI does (``nhiscan.sources.read_file``). Large YAML manifests are
    handed over unparsed (``data=None``), which the provider accepts and parses itself with the
    C YAML loader: the CLI's pure-Python parse of the 1.9 MB Argo CD manifest takes ~10 s."""
    from nhiscan.sources import read_file

    if path.suffix in (".yaml", ".yml") and path.stat().st_size > BIG_FILE_BYTES:
        return _big_file(path)
    loaded, _error = read_file(path)
    return loaded


@lru_cache(maxsize=8)
def _big_file(path: Path) -> LoadedFile:
    """The real exports are read-only, so each is read once per session."""
    return LoadedFile(path=path, text=path.read_text(encoding="utf-8"), data=None)


def build_from(paths: Sequence[Path], **settings: Any) -> Inventory:
    plugin = Plugin()
    files = []
    for p in paths:
        lf = load_file(p)
        doc_type = plugin.recognise(lf)
        if doc_type:
            files.append(RecognisedFile(file=lf, doc_type=doc_type, provider="k8s"))
    return plugin.build(files, CollectOptions(as_of=AS_OF, settings=(K8sSettings(**settings),)))


def k8s(ident: Identity) -> K8sIdentityFacts:
    """The typed Kubernetes facts of an identity (fails when it has none)."""
    assert isinstance(ident.facts, K8sIdentityFacts), ident.id
    return ident.facts


def view(ident: Identity) -> dict[str, Any]:
    """``identity.k8s`` as JSON (enums as their values, tuples as lists): what a rule compares."""
    body: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(k8s(ident))))
    return body


def agent(ident: Identity) -> AgentFacts:
    """The neutral agent facts of an agent or MCP server identity (fails when it has none)."""
    assert isinstance(ident.agent, AgentFacts), ident.id
    return ident.agent


def agent_k8s(ident: Identity) -> K8sAgentFacts:
    """``identity.k8s.agent`` of an agent or MCP server identity."""
    facts = k8s(ident).agent
    assert facts is not None, ident.id
    return facts


def write_list(path: Path, objects: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": objects}))
    return path


__all__ = [
    "AS_OF",
    "agent",
    "agent_k8s",
    "build_from",
    "k8s",
    "load_file",
    "real_exports",
    "view",
    "write_list",
]
