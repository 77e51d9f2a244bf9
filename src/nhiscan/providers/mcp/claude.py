"""Claude Code approves MCP tools outside the server definitions: ``permissions.allow`` in its
settings files lists ``mcp__<server>`` (every tool of the server, as does ``mcp__<server>__*``) or
``mcp__<server>__<tool>``. Those entries are folded into the servers' ``auto_approve`` so the
auto-approval rule sees them like Cline's ``autoApprove``.

Settings files: ``~/.claude/settings.json`` (every project on the machine) and, in a repository,
``.claude/settings.json`` (committed) and ``.claude/settings.local.json`` (personal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nhiscan.model import Evidence, Identity
from nhiscan.providers.mcp.facts import McpIdentityFacts

PREFIX = "mcp__"


def allow_entries(settings: Any) -> list[str]:
    if not isinstance(settings, Mapping):
        return []
    permissions = settings.get("permissions")
    allow = permissions.get("allow") if isinstance(permissions, Mapping) else None
    return (
        [a for a in allow if isinstance(a, str) and a.startswith(PREFIX)] if isinstance(allow, list) else []
    )


def _names(server: str) -> set[str]:
    # Tool names are built from the server name; be lenient about how odd characters are mapped.
    return {server, re.sub(r"[^A-Za-z0-9_-]", "_", server), re.sub(r"[^A-Za-z0-9_]", "_", server)}


def approvals(server: str, entries: Iterable[str]) -> tuple[bool, list[str]]:
    """(every tool approved, the individually approved tools) for one server."""
    everything = False
    tools: list[str] = []
    for name in _names(server):
        base = f"{PREFIX}{name}"
        for entry in entries:
            if entry in (base, f"{base}__*"):
                everything = True
            elif entry.startswith(f"{base}__"):
                tools.append(entry[len(base) + 2 :])
    return everything, sorted(set(tools))


def apply(identities: Sequence[Identity], entries: Sequence[str], settings_label: str) -> list[Identity]:
    """Claude Code servers among ``identities`` with the approvals from one scope's settings."""
    if not entries:
        return list(identities)
    out: list[Identity] = []
    for ident in identities:
        facts = ident.facts
        if not isinstance(facts, McpIdentityFacts) or facts.client != "claude-code":
            out.append(ident)
            continue
        everything, tools = approvals(ident.name, entries)
        if not everything and not tools:
            out.append(ident)
            continue
        if everything or facts.auto_approve_all:
            facts = replace(facts, auto_approve=("*",), auto_approve_all=True)
        else:
            facts = replace(facts, auto_approve=tuple(sorted(set(facts.auto_approve) | set(tools))))
        facts = replace(facts, auto_approve_source=settings_label)
        evidence = (*ident.evidence, Evidence(source=settings_label, detail="permissions.allow"))
        out.append(replace(ident, facts=facts, evidence=evidence))
    return out
