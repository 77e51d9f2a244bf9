"""Helpers shared by the reporters: one ordering, one way to name identities and paths, one set
of counts, so every format tells the same story about the same scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from nhiscan.findings import Finding, ScanResult, Severity, Status
from nhiscan.model import Inventory, aliases_of

SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))


def sort_key(f: Finding) -> tuple[int, str, str, str]:
    """Most severe first, then rule id, then target; the fingerprint breaks any remaining tie
    (same rule and target in two scopes) so the order never depends on the engine's."""
    return (-f.severity.rank, f.rule_id, f.target_id, f.fingerprint)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)


def open_findings(result: ScanResult) -> list[Finding]:
    return sorted_findings(f for f in result.findings if f.status == Status.OPEN)


def suppressed_findings(result: ScanResult) -> list[Finding]:
    return sorted_findings(f for f in result.findings if f.status == Status.SUPPRESSED)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts for every severity, zeros included, most severe first."""
    counts = Counter(f.severity for f in findings)
    return {s.value: counts.get(s, 0) for s in SEVERITIES_DESC}


def baseline_used(result: ScanResult) -> bool:
    return result.baseline_used


def baseline_counts(result: ScanResult) -> dict[str, int]:
    states = Counter(f.baseline for f in result.findings if f.status == Status.OPEN)
    return {"new": states.get("new", 0), "unchanged": states.get("unchanged", 0), "fixed": len(result.fixed)}


def identity_names(inv: Inventory) -> dict[str, str]:
    """id (and every alias) -> display name, for rendering delegation paths."""
    names: dict[str, str] = {}
    for ident in inv.identities:
        names.setdefault(ident.id, ident.name or ident.id)
        for alias in aliases_of(ident):
            names.setdefault(alias, ident.name or ident.id)
    return names


def path_nodes(f: Finding, names: Mapping[str, str]) -> list[str]:
    """The delegation path as display names: the first hop's source, then every destination."""
    if not f.path:
        return []
    nodes = [f.path[0].src, *(h.dst for h in f.path)]
    return [names.get(n, n) for n in nodes]


def path_text(f: Finding, names: Mapping[str, str]) -> str:
    """``A -> B -> admin``, or "" when the finding has no path."""
    return " -> ".join(path_nodes(f, names))


def scope_id(result: ScanResult, scope: str) -> str:
    """The bare id of a scope (account number, project id, cluster name) from its key."""
    for s in result.inventory.scopes:
        if s.key == scope:
            return s.id
    parts = scope.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[2] else scope


def scope_label(result: ScanResult, scope: str) -> str:
    """A human label for a scope: its name when the inventory has one, else its id."""
    for s in result.inventory.scopes:
        if s.key == scope:
            return f"{s.name} ({s.id})" if s.name and s.name != s.id else s.id
    return scope_id(result, scope)


def identity_label(f: Finding) -> str:
    name = f.resource_name or f.resource_id
    label = f"{name} ({f.resource_kind})" if f.resource_kind else name
    if f.credential_id:
        label += f" / {f.credential_id}"
    return label


def suppression_reason(suppression: Mapping[str, Any] | None) -> str:
    """The human justification of a suppression, whatever key the engine stored it under."""
    if not suppression:
        return ""
    for key in ("reason", "justification", "statement", "comment"):
        value = suppression.get(key)
        if value:
            return str(value)
    return "suppressed"
