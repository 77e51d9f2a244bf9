"""Helpers shared by the reporters: one ordering, one way to name identities and paths, one set
of counts, so every format tells the same story about the same scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.findings import Finding, FindingSummary, ScanResult, Severity, Status
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


def identity_label(f: Finding, kind: str | None = None) -> str:
    """``name (kind) / credential``; ``kind`` replaces the raw kind (a human view's label)."""
    name = f.resource_name or f.resource_id
    kind = f.resource_kind if kind is None else kind
    label = f"{name} ({kind})" if kind else name
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


def at_or_above(findings: Iterable[Finding], level: Severity | None) -> list[Finding]:
    """The findings a human view lists under ``--severity level`` (all of them for None)."""
    return [f for f in findings if level is None or f.severity.rank >= level.rank]


@dataclass(frozen=True)
class TargetGroup:
    """The findings of one target (identity, or scope for logging rules), for the grouped views."""

    provider: str
    """Provider of the target."""
    scope: str
    """Scope key of the target."""
    resource_id: str
    """Canonical id of the target."""
    name: str
    """Display name (the id when the target has none)."""
    kind: str
    """Identity kind, or the logging source's kind."""
    findings: tuple[Finding, ...]
    """Its findings, most severe first, then by rule id."""

    @property
    def worst(self) -> Severity:
        """The most severe of its findings."""
        return self.findings[0].severity


def group_by_target(findings: Iterable[Finding]) -> list[TargetGroup]:
    """One group per target; groups with the most severe finding first, then the most findings,
    then by name, so the identities to look at first come first."""
    by_key: dict[tuple[str, str, str], list[Finding]] = {}
    for f in sorted_findings(findings):
        by_key.setdefault((f.provider, f.scope, f.resource_id), []).append(f)
    groups = [
        TargetGroup(
            provider=key[0],
            scope=key[1],
            resource_id=key[2],
            name=items[0].resource_name or key[2],
            kind=items[0].resource_kind,
            findings=tuple(items),
        )
        for key, items in by_key.items()
    ]
    return sorted(groups, key=lambda g: (-g.worst.rank, -len(g.findings), g.name, g.resource_id))


@dataclass(frozen=True)
class RuleCount:
    """How often one rule fired, for the summary views."""

    rule_id: str
    """The rule."""
    title: str
    """Its title."""
    severity: Severity
    """The most severe of its findings (overrides can raise or lower a rule's severity)."""
    count: int
    """Number of findings."""


def rule_counts(findings: Iterable[Finding]) -> list[RuleCount]:
    """Per rule, most severe first, then most frequent, then by id."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    counts = [
        RuleCount(rid, items[0].title, max((f.severity for f in items), key=lambda s: s.rank), len(items))
        for rid, items in by_rule.items()
    ]
    return sorted(counts, key=lambda c: (-c.severity.rank, -c.count, c.rule_id))


def provider_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per provider, most first (then by name)."""
    counts = Counter(f.provider for f in findings)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fixed_at_or_above(fixed: Iterable[FindingSummary], level: Severity | None) -> list[FindingSummary]:
    """The fixed findings a human view lists under ``--severity level``, most severe first (then
    by rule and target); one whose baseline severity this version does not know is kept rather
    than guessed away, and listed last."""
    known = {s.value: s for s in Severity}

    def rank(s: FindingSummary) -> int:
        return known[s.severity].rank if s.severity in known else -1

    kept = [s for s in fixed if level is None or rank(s) < 0 or rank(s) >= level.rank]
    return sorted(kept, key=lambda s: (-rank(s), s.rule_id, s.resource_name or s.resource_id, s.fingerprint))
