"""The shapes MCP clients store their server definitions in, and how to find the servers in them.

Every client keeps a map (or, for Continue, a list) of server name -> definition, under a root key
that differs per client:

========================  ===========================================================
``mcpServers``             Claude Desktop, Claude Code, Cursor, Windsurf, Cline, Gemini
                           CLI, Kiro, Kilo, Copilot CLI, Continue (a list in YAML)
``servers`` (+``inputs``)  VS Code ``mcp.json``; ``mcp.servers`` in VS Code settings.json
``projects[p].mcpServers`` Claude Code's local scope in ``~/.claude.json``
``context_servers``        Zed ``settings.json``
``mcp_servers``            Codex ``config.toml``
========================  ===========================================================

:func:`recognise` decides by content whether a parsed document is one of these; :func:`servers`
lists ``(json_path, name, definition)`` for every server in it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.mcp import jsonc

MCP_SERVERS = "mcp.mcp_servers"
VSCODE = "mcp.vscode"
VSCODE_SETTINGS = "mcp.vscode_settings"
CLAUDE_CODE = "mcp.claude_code"
ZED = "mcp.zed"
CONTINUE = "mcp.continue"
CODEX = "mcp.codex"

SERVER_KEYS = frozenset({"command", "url", "serverUrl", "httpUrl", "type", "transport", "args"})
TRANSPORT_TYPES = frozenset(
    {"stdio", "http", "sse", "streamable-http", "streamablehttp", "streamable_http", "ws"}
)
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
TOML_TABLE = re.compile(r"^\s*\[\s*mcp_servers\.", re.MULTILINE)


def key_path(base: str, key: str | int) -> str:
    """``mcpServers`` + ``github`` -> ``mcpServers.github``; odd names are quoted (``servers["a b"]``)."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    if IDENT.match(key):
        return f"{base}.{key}" if base else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{base}["{quoted}"]'


def _server_like(value: object) -> bool:
    return isinstance(value, Mapping) and bool(SERVER_KEYS & set(value))


def _server_map(value: object, *, allow_empty: bool) -> bool:
    """A name -> definition map in which the definitions look like MCP servers."""
    if not isinstance(value, Mapping):
        return False
    if not value:
        return allow_empty
    return all(isinstance(v, Mapping) for v in value.values()) and any(
        _server_like(v) for v in value.values()
    )


def _continue_list(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, Mapping) and "name" in v for v in value)
        and any(_server_like(v) for v in value)
    )


def recognise_data(data: object) -> str | None:
    """The document type of a parsed document, or None when it is not an MCP client config."""
    if not isinstance(data, Mapping):
        return None
    projects = data.get("projects")
    if isinstance(projects, Mapping) and any(
        isinstance(p, Mapping) and _server_map(p.get("mcpServers"), allow_empty=False)
        for p in projects.values()
    ):
        return CLAUDE_CODE
    if "mcpServers" in data:
        servers = data["mcpServers"]
        if _continue_list(servers):
            return CONTINUE
        if _server_map(servers, allow_empty=True):
            return MCP_SERVERS
        return None
    if "servers" in data:
        # An empty map is VS Code's shape only when nothing else is at the top (all commented out).
        only_vscode_keys = set(data) <= {"servers", "inputs"}
        if _server_map(data["servers"], allow_empty=only_vscode_keys):
            return VSCODE
        return None
    if "context_servers" in data and _server_map(data["context_servers"], allow_empty=True):
        if all(isinstance(v, Mapping) for v in data["context_servers"].values()):
            return ZED
    mcp = data.get("mcp")
    if isinstance(mcp, Mapping) and _server_map(mcp.get("servers"), allow_empty=False):
        return VSCODE_SETTINGS
    if "mcp_servers" in data and _server_map(data["mcp_servers"], allow_empty=True):
        return CODEX
    return None


TOML_UNSUPPORTED = "TOML configs need Python 3.11 or later (tomllib); this file was not read"


def toml_supported() -> bool:
    """Codex configs are TOML; the stdlib reads TOML from Python 3.11 (``tomli`` is not a
    dependency), so on 3.10 they are a coverage gap."""
    return sys.version_info >= (3, 11)


def parse_text(text: str, where: str, *, toml: bool = False) -> Any:
    """Parse a config file's text: JSON/JSONC, or TOML for Codex. Raises InputError naming the file."""
    if toml:
        if not toml_supported():
            raise InputError(where, TOML_UNSUPPORTED)
        return _parse_toml(text, where)
    try:
        return jsonc.loads(text)
    except jsonc.JsoncError as exc:
        raise InputError(where, str(exc)) from None


def _parse_toml(text: str, where: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(where, f"invalid TOML: {exc}") from None
    raise InputError(where, TOML_UNSUPPORTED)  # pragma: no cover - Python 3.10 only


def looks_like_toml(text: str) -> bool:
    return bool(TOML_TABLE.search(text))


def servers(doc_type: str, data: Any) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Every server definition in a recognised document: (json_path, name, definition)."""
    if not isinstance(data, Mapping):
        return
    if doc_type == CONTINUE:
        for i, entry in enumerate(data.get("mcpServers") or []):
            if isinstance(entry, Mapping):
                yield key_path("mcpServers", i), str(entry.get("name") or f"server-{i}"), entry
        return
    roots: list[tuple[str, object]] = []
    if doc_type in (MCP_SERVERS, CLAUDE_CODE):
        roots.append(("mcpServers", data.get("mcpServers")))
    if doc_type == CLAUDE_CODE:
        projects = data.get("projects")
        if isinstance(projects, Mapping):
            for project, settings in projects.items():
                if isinstance(settings, Mapping):
                    roots.append(
                        (
                            key_path(key_path("projects", str(project)), "mcpServers"),
                            settings.get("mcpServers"),
                        )
                    )
    if doc_type == VSCODE:
        roots.append(("servers", data.get("servers")))
    if doc_type == VSCODE_SETTINGS:
        mcp = data.get("mcp")
        roots.append(("mcp.servers", mcp.get("servers") if isinstance(mcp, Mapping) else None))
    if doc_type == ZED:
        roots.append(("context_servers", data.get("context_servers")))
    if doc_type == CODEX:
        roots.append(("mcp_servers", data.get("mcp_servers")))
    for base, mapping in roots:
        if isinstance(mapping, Mapping):
            for name, definition in mapping.items():
                if isinstance(definition, Mapping):
                    yield key_path(base, str(name)), str(name), definition


def require_server(definition: Any, where: str, path: str) -> None:
    if not isinstance(definition, Mapping):
        raise InputError(where, f"{path} is not an object")
