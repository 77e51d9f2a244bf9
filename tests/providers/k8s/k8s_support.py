"""Helpers for the Kubernetes provider tests: hand files to the plugin the way the CLI does."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from nhiscan.providers.k8s import Plugin
from nhiscan.providers.k8s.settings import K8sSettings
from support import shared_dir

AS_OF = datetime(2025, 6, 1, tzinfo=timezone.utc)


def real_exports() -> Path:
    """``shared/real-exports/k8s``; fails loudly when the shared folder is missing."""
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


def write_list(path: Path, objects: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": objects}))
    return path


__all__ = ["AS_OF", "build_from", "load_file", "real_exports", "write_list"]
