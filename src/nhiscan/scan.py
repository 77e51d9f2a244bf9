"""The pipeline after collection: analyse, evaluate rules, suppress, compare, order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nhiscan.baseline import Baseline, compare
from nhiscan.engine import CompiledRule, evaluate
from nhiscan.findings import Finding, FindingSummary, ScanResult
from nhiscan.model import Inventory
from nhiscan.suppress import EXPIRED_RULE, Applied, Suppression
from nhiscan.suppress import apply as apply_suppressions


def analyse(inventory: Inventory) -> dict[str, Mapping[str, Any]]:
    """Derived per-identity facts that need the whole inventory: the delegation graph, then the
    agent facts built on it (what an agent's identity can do, who shares it, how far its
    sub-agents reach). Returns ``{identity id: facts}``, read by rules as ``identity.graph.*``."""
    from nhiscan.analyse.agents import agent_facts, with_agent_facts
    from nhiscan.analyse.graph import graph_facts

    return with_agent_facts(graph_facts(inventory), agent_facts(inventory))


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
    suppressions: Sequence[Suppression] = (),
    baseline: Baseline | None = None,
) -> tuple[ScanResult, Applied]:
    """Analyse, evaluate, apply suppressions, compare with a baseline. Returns the result and what
    the suppressions did (unused and expired entries, for the CLI to mention)."""
    facts = analyse(inventory)
    findings = evaluate(inventory, rules, as_of, facts)
    applied = apply_suppressions(findings, suppressions, as_of)
    findings = list(applied.findings)
    fixed: tuple[FindingSummary, ...] = ()
    if baseline is not None:
        compared = compare(findings, baseline)
        findings, fixed = list(compared.findings), compared.fixed
    infos = tuple(r.info() for r in rules)
    if suppressions:
        infos += (EXPIRED_RULE,)
    result = ScanResult(
        inventory=inventory,
        findings=sort_findings(findings),
        rules=infos,
        started=started,
        as_of=as_of,
        providers=tuple(providers),
        skipped_providers=dict(skipped or {}),
        fixed=fixed,
        baseline_used=baseline is not None,
    )
    return result, applied
