"""The demo's findings, committed: tests/snapshots/demo-findings.txt holds one sorted line
``RULE-ID<TAB>target-id`` per finding of ``nhiscan scan --from examples/demo --as-of
2026-11-01T00:00:00Z`` with the built-in rules, so any change to what the demo reports shows up in
review as a diff of that file.

After a deliberate change, regenerate it and review the diff::

    NHISCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_demo_snapshot.py
"""

from __future__ import annotations

import os

from golden_estates import Estates, scan, stable_id
from nhiscan.engine import load_rules
from nhiscan.timeutil import parse_time
from support import REPO

SNAPSHOT = REPO / "tests" / "snapshots" / "demo-findings.txt"
AS_OF = "2026-11-01T00:00:00Z"


def test_demo_findings_match_the_snapshot(estates: Estates) -> None:
    as_of = parse_time(AS_OF)
    assert as_of is not None
    inventory = estates.get("demo", as_of)
    findings = scan(inventory, load_rules(), as_of)
    assert findings, "the demo scan found nothing"
    lines = sorted(f"{f.rule_id}\t{stable_id(inventory, f.target_id)}" for f in findings)
    text = "".join(f"{line}\n" for line in lines)
    if os.environ.get("NHISCAN_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.is_file(), f"{SNAPSHOT} missing; run NHISCAN_UPDATE_SNAPSHOTS=1 pytest {__file__}"
    assert SNAPSHOT.read_text(encoding="utf-8") == text, (
        "the demo's findings changed; if that is intended, run "
        "NHISCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_demo_snapshot.py and review the diff"
    )
