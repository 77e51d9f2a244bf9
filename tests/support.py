"""Paths and helpers shared by tests (importable as ``support``; tests/ is on pythonpath)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"


def shared_dir() -> Path:
    """``shared/`` sits beside the repository (CI clones main next to it)."""
    env = os.environ.get("NHISCAN_SHARED_DIR")
    candidates = [Path(env)] if env else []
    candidates += [p / "shared" for p in REPO.parents]
    for c in candidates:
        if (c / "sarif-schema-2.1.0.json").is_file():
            return c
    raise AssertionError("the shared/ reference folder was not found beside the repository")
