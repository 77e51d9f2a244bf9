"""Compare a scan with a previous JSON report (``--baseline``): each finding is new or unchanged
by fingerprint, and the baseline's findings that are gone are fixed.

Only ``findings[].fingerprint`` is required of the baseline, so reports of any 1.x version (and
hand-trimmed ones) still load; the rule, target and title of each baseline finding are kept when
present, so a fixed finding can be named, not only fingerprinted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nhiscan.errors import InputError
from nhiscan.findings import Finding, FindingSummary


@dataclass(frozen=True)
class Baseline:
    """The findings of a previous report, by fingerprint."""

    findings: Mapping[str, FindingSummary]
    """Fingerprint -> what the report said about that finding."""

    @property
    def fingerprints(self) -> frozenset[str]:
        """Every fingerprint in the baseline."""
        return frozenset(self.findings)


@dataclass(frozen=True)
class Compared:
    """A scan's findings marked against a baseline."""

    findings: tuple[Finding, ...]
    """Every finding, with ``baseline`` set to ``new`` or ``unchanged``."""
    fixed: tuple[FindingSummary, ...]
    """Baseline findings that no longer occur, sorted by rule id, target and fingerprint."""


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def _summary(fp: str, entry: Mapping[str, Any]) -> FindingSummary:
    resource = entry.get("resource")
    resource = resource if isinstance(resource, Mapping) else {}
    cred = entry.get("credential_id")
    return FindingSummary(
        fingerprint=fp,
        rule_id=_text(entry, "rule_id"),
        title=_text(entry, "title"),
        severity=_text(entry, "severity"),
        provider=_text(entry, "provider"),
        scope=_text(entry, "scope"),
        resource_id=_text(resource, "id"),
        resource_name=_text(resource, "name"),
        resource_kind=_text(resource, "kind"),
        credential_id=cred if isinstance(cred, str) else None,
    )


def load_baseline(path: Path) -> Baseline:
    """Read a previous nhiscan JSON report; raises InputError naming the file when it is not one."""
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(where, f"cannot read baseline: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"baseline is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("format") != "nhiscan-report"
        or not isinstance(data.get("findings"), list)
    ):
        raise InputError(where, "not an nhiscan JSON report (write one with: nhiscan scan -f json -o FILE)")
    found: dict[str, FindingSummary] = {}
    for i, f in enumerate(data["findings"]):
        entry: Mapping[str, Any] = f if isinstance(f, dict) else {}
        fp = entry.get("fingerprint")
        if not isinstance(fp, str) or not fp:
            raise InputError(where, f"findings[{i}] has no fingerprint")
        found.setdefault(fp, _summary(fp, entry))
    return Baseline(found)


def compare(findings: Sequence[Finding], baseline: Baseline) -> Compared:
    prints = baseline.fingerprints
    marked = tuple(replace(f, baseline="unchanged" if f.fingerprint in prints else "new") for f in findings)
    current = {f.fingerprint for f in findings}
    gone = [baseline.findings[fp] for fp in prints - current]
    return Compared(
        findings=marked,
        fixed=tuple(
            sorted(gone, key=lambda s: (s.rule_id, s.resource_id, s.credential_id or "", s.fingerprint))
        ),
    )
