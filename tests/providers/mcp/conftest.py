"""Fixtures for the MCP provider tests: a fake home directory and the collector run against it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.mcp.settings import McpSettings
from providers.mcp.mcp_support import AS_OF


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home directory; every location variable points into it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var in ("APPDATA", "XDG_CONFIG_HOME", "CODEX_HOME"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def collect_mcp() -> Callable[..., Inventory]:
    from nhiscan.providers.mcp.collector import collect

    def run(paths: Sequence[Path] | None = None) -> Inventory:
        return collect(CollectOptions(as_of=AS_OF, settings=(McpSettings(paths=tuple(paths or ())),)))

    return run
