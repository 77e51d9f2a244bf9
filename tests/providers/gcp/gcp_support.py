"""Helpers shared by the GCP provider tests: paths to the demo project and the shared real-world
exports, and importing files the way ``nhiscan scan --from`` does."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from nhiscan.model import Inventory
from nhiscan.providers.gcp import Plugin
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from support import shared_dir

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "examples" / "demo" / "gcp"
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
REAL = shared_dir() / "real-exports" / "gcp"


def load(path: Path) -> LoadedFile:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    return LoadedFile(path, text, data)


def import_files(*paths: Path, as_of: datetime = AS_OF) -> Inventory:
    """Recognise and build like ``nhiscan scan --from``; every file must be recognised."""
    plugin = Plugin()
    recognised = []
    for p in paths:
        f = load(p)
        doc_type = plugin.recognise(f)
        assert doc_type is not None, f"{p.name} not recognised"
        recognised.append(RecognisedFile(f, doc_type, "gcp"))
    return plugin.build(recognised, CollectOptions(as_of=as_of))
