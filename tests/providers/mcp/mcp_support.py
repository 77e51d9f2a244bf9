"""Constants and helpers shared by the MCP provider tests (import as ``providers.mcp.mcp_support``)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from nhiscan.providers.mcp.documents import toml_supported

FIXTURES = Path(__file__).parent / "fixtures"
# Python 3.10 has no tomllib: Codex TOML files are then a coverage gap instead of servers.
TOML = toml_supported()
CODEX_SERVERS = {("codex", "context7"), ("codex", "figma"), ("codex", "docs")}
AS_OF = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
# fixture file -> where the client keeps it, relative to $HOME (Linux layout, XDG default)
HOME_LAYOUT: dict[str, str] = {
    "claude_desktop_config.json": ".config/Claude/claude_desktop_config.json",
    "claude.json": ".claude.json",
    "cursor_mcp.json": ".cursor/mcp.json",
    "vscode_mcp.json": ".config/Code/User/mcp.json",
    "vscode_settings.json": ".config/Code/User/settings.json",
    "windsurf_mcp_config.json": ".codeium/windsurf/mcp_config.json",
    "cline_mcp_settings.json": ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    "continue_config.yaml": ".continue/config.yaml",
    "zed_settings.json": ".config/zed/settings.json",
    "gemini_settings.json": ".gemini/settings.json",
    "codex_config.toml": ".codex/config.toml",
    "kiro_mcp.json": ".kiro/settings/mcp.json",
}


def place(home: Path, files: Mapping[str, str]) -> None:
    for fixture, rel in files.items():
        target = home / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / fixture, target)
