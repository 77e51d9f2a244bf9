"""MCP: the servers that AI clients (Claude Desktop and Code, VS Code, Cursor, Windsurf, Cline,
Continue, Zed, Gemini CLI, Codex, Kiro, ...) are configured to start or call, read from their
config files on this machine or in a repository. No SDK and no network: files only.

Each server is an ``agent.mcp_server`` identity; each secret written into a config is an
``mcp.static_token`` credential known by its JSON path, kind and a short SHA-256 fingerprint (the
value is never stored). What the file says about a server is ``Identity.facts``
(:class:`~nhiscan.providers.mcp.facts.McpIdentityFacts`, rules read ``identity.mcp.*``) plus the
neutral ``Identity.agent`` (platform ``mcp_config``, source ``config``, ``endpoint``,
``inbound_auth``); a secret's facts are ``credential.mcp.*``
(:class:`~nhiscan.providers.mcp.facts.McpCredentialFacts`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, ProviderPlugin, RecognisedFile
from nhiscan.providers.mcp import documents as d
from nhiscan.providers.mcp import jsonc
from nhiscan.providers.mcp.facts import McpCredentialFacts, McpIdentityFacts
from nhiscan.providers.mcp.settings import McpSettings

MAX_JSONC_CHARS = 4 * 1024 * 1024


def _data(file: LoadedFile) -> Any:
    """The parsed document; the loader leaves ``data`` None for JSONC and TOML, so parse here."""
    if file.data is not None:
        return file.data
    text = file.text.lstrip("\ufeff").lstrip()
    if len(text) > MAX_JSONC_CHARS:
        return None  # no client config is this big; don't run the character scanner over a dump
    if text.startswith(("{", "//", "/*")):
        try:
            return jsonc.loads(text)
        except jsonc.JsoncError:
            return None
    if d.looks_like_toml(text) and d.toml_supported():
        try:
            return d.parse_text(file.text, str(file.path), toml=True)
        except Exception:  # noqa: BLE001 - an unparsable file is simply not ours
            return None
    return None


class Plugin(ProviderPlugin):
    name: ClassVar[str] = "mcp"
    extra: ClassVar[str] = ""
    description: ClassVar[str] = "MCP servers in AI client configs on this machine and in repositories"
    display_name: ClassVar[str] = "MCP"
    settings_class = McpSettings
    identity_facts: ClassVar[type | None] = McpIdentityFacts
    credential_facts: ClassVar[type | None] = McpCredentialFacts
    identity_kinds: ClassVar[Mapping[str, str]] = {
        "agent.mcp_server": "MCP server an AI client is configured to start or call"
    }
    credential_kinds: ClassVar[Mapping[str, str]] = {
        "mcp.static_token": "secret written into an MCP client configuration (known by path and fingerprint)"
    }

    def credentials_hint(self, options: CollectOptions) -> str | None:
        if options.settings_for(McpSettings).paths:
            return None
        from nhiscan.providers.mcp.collector import existing_user_files

        if existing_user_files(os.environ):
            return None
        return "no MCP client configuration files found in the well-known locations"

    def collect(self, options: CollectOptions) -> Inventory:
        from nhiscan.providers.mcp.collector import collect

        return collect(options)

    def recognise(self, file: LoadedFile) -> str | None:
        if file.data is None and d.looks_like_toml(file.text) and not d.toml_supported():
            return d.CODEX  # claimed by its [mcp_servers.x] tables; build reports it as a gap
        return d.recognise_data(_data(file))

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        from nhiscan.providers.mcp.imported import build_imported

        return build_imported(
            [(rf.file.path, rf.doc_type, _data(rf.file), rf.file.text) for rf in files], options
        )
