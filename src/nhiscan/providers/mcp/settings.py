"""MCP settings: where to look for AI client configs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nhiscan.providers.settings import ProviderSettings


@dataclass(frozen=True)
class McpSettings(ProviderSettings):
    """What ``nhiscan scan mcp`` reads. ``paths`` comes from the arguments after ``mcp`` on the
    command line (``nhiscan scan mcp ./repo``), not from an option."""

    paths: tuple[Path, ...] = ()
    """Repositories, folders or files to search; empty: this machine's per-user and system-wide
    client configs."""
