"""The pipeline after collection: analyse, evaluate rules, order the findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nhiscan.engine import CompiledRule, evaluate
from nhiscan.findings import Finding, ScanResult
from nhiscan.model import Inventory


def analyse(inventory: Inventory) -> dict[str, Mapping[str, Any]]:
    """Derived per-identity facts that need the whole inventory (the delegation graph).
    Returns ``{identity id: facts}``, read by rules as ``identity.graph.*``."""
    from nhiscan.analyse.graph import graph_facts

    return graph_facts(inventory)


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id, f.target_id, f.fingerprint)))


def run(
    inventory: Inventory,
    rules: Sequence[CompiledRule],
    *,
    as_of: datetime,
    started: datetime,
    providers: Sequence[str],
    skipped: Mapping[str, str] | None = None,
) -> ScanResult:
    facts = analyse(inventory)
    findings = evaluate(inventory, rules, as_of, facts)
    return ScanResult(
        inventory=inventory,
        findings=sort_findings(findings),
        rules=tuple(r.info() for r in rules),
        started=started,
        as_of=as_of,
        providers=tuple(providers),
        skipped_providers=dict(skipped or {}),
    )
