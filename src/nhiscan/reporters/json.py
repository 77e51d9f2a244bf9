"""The native JSON report: the source of truth for machines, validated by the published schema
``nhiscan/schemas/report.schema.json``.

Unlike SARIF it carries the whole picture: every coverage entry (so readers can tell "read and
clean" from "not read"), suppressed findings with their justification, baseline state, and a
compact inventory of every identity, including the ones with no finding.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nhiscan.findings import Finding, FindingSummary, ScanResult, Status
from nhiscan.inventory_io import to_jsonable
from nhiscan.model import CoverageEntry, Identity
from nhiscan.reporters._common import (
    baseline_counts,
    severity_counts,
    sorted_findings,
)
from nhiscan.reporters.interface import Reporter, ReportOptions
from nhiscan.timeutil import format_time

REPORT_SCHEMA_VERSION = "1.1"
REPORT_FORMAT = "nhiscan-report"
REPORT_SCHEMA_ID = "https://github.com/nhiscan/nhiscan/blob/main/src/nhiscan/schemas/report.schema.json"


def _coverage(entry: CoverageEntry) -> dict[str, Any]:
    return {
        "provider": entry.provider,
        "scope": entry.scope,
        "source": entry.source,
        "status": entry.status,
        "detail": entry.detail,
    }


def _coverage_key(entry: CoverageEntry) -> tuple[str, str, str, str]:
    return (entry.provider, entry.scope, entry.source, entry.status)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "message": f.message,
        "provider": f.provider,
        "scope": f.scope,
        "resource": {"id": f.resource_id, "name": f.resource_name, "kind": f.resource_kind},
        "credential_id": f.credential_id,
        "evidence": to_jsonable(f.evidence),
        "path": [{"src": h.src, "dst": h.dst, "kind": h.kind, "evidence": h.evidence} for h in f.path],
        "suppression": to_jsonable(f.suppression) if f.suppression is not None else None,
        "baseline": f.baseline,
    }


def _fixed(s: FindingSummary) -> dict[str, Any]:
    return {
        "fingerprint": s.fingerprint,
        "rule_id": s.rule_id,
        "title": s.title,
        "severity": s.severity,
        "provider": s.provider,
        "scope": s.scope,
        "resource": {"id": s.resource_id, "name": s.resource_name, "kind": s.resource_kind},
        "credential_id": s.credential_id,
    }


def _identity(i: Identity) -> dict[str, Any]:
    return {
        "id": i.id,
        "kind": i.kind,
        "name": i.name,
        "provider": i.provider,
        "scope": i.scope,
        "usage": i.usage,
        "owner": i.owner,
        "created": format_time(i.created) if i.created else None,
        "last_used": format_time(i.last_used) if i.last_used else None,
        "classes": sorted(i.permissions.classes),
    }


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return {k: counter[k] for k in sorted(counter)}


def report_dict(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """The report as plain JSON values (what :class:`JsonReporter` serialises)."""
    inv = result.inventory
    findings = sorted_findings(result.findings)
    open_ = [f for f in findings if f.status == Status.OPEN]
    coverage = sorted(inv.coverage, key=_coverage_key)
    baseline = baseline_counts(result)
    fixed = sorted(result.fixed, key=lambda s: s.fingerprint)
    return {
        "format": REPORT_FORMAT,
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "nhiscan", "version": options.tool_version},
        "scan": {
            "started": format_time(result.started),
            "as_of": format_time(result.as_of),
            "providers": list(result.providers),
            "skipped_providers": {p: result.skipped_providers[p] for p in sorted(result.skipped_providers)},
            "complete": result.complete,
            "coverage": [_coverage(c) for c in coverage],
            "gaps": [_coverage(c) for c in coverage if c.is_gap],
        },
        "inventory_summary": {
            "identities": len(inv.identities),
            "by_provider": _sorted_counts(Counter(i.provider for i in inv.identities)),
            "by_kind": _sorted_counts(Counter(i.kind for i in inv.identities)),
            "credentials": len(inv.credentials),
            "edges": len(inv.edges),
            "scopes": len(inv.scopes),
        },
        "summary": {
            # by_severity counts open findings only: those are what --fail-on gates on.
            "by_severity": severity_counts(open_),
            "open": len(open_),
            "suppressed": len(findings) - len(open_),
            "new": baseline["new"],
            "unchanged": baseline["unchanged"],
            "fixed": baseline["fixed"],
        },
        "findings": [_finding(f) for f in findings],
        # Fingerprints alone, as in 1.0; fixed_findings (1.1) names each one's rule and target.
        "fixed": [s.fingerprint for s in fixed],
        "fixed_findings": [_fixed(s) for s in fixed],
        "identities": [_identity(i) for i in sorted(inv.identities, key=lambda i: (i.provider, i.id))],
    }


class JsonReporter(Reporter):
    """Pretty-printed, deterministic JSON (same input -> byte-identical output)."""

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return json.dumps(report_dict(result, options), indent=2, ensure_ascii=False, default=str) + "\n"
