"""Compare a scan with a previous JSON report (``--baseline``): each finding is new or unchanged
by fingerprint, and fingerprints of the baseline that are gone are fixed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from nhiscan.errors import InputError
from nhiscan.findings import Finding


@dataclass(frozen=True)
class Compared:
    findings: tuple[Finding, ...]
    fixed: tuple[str, ...]


def load_fingerprints(path: Path) -> set[str]:
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
    prints = set()
    for i, f in enumerate(data["findings"]):
        fp = f.get("fingerprint") if isinstance(f, dict) else None
        if not isinstance(fp, str) or not fp:
            raise InputError(where, f"findings[{i}] has no fingerprint")
        prints.add(fp)
    return prints


def compare(findings: Sequence[Finding], baseline: set[str]) -> Compared:
    marked = tuple(replace(f, baseline="unchanged" if f.fingerprint in baseline else "new") for f in findings)
    current = {f.fingerprint for f in findings}
    return Compared(findings=marked, fixed=tuple(sorted(baseline - current)))
