"""``nhiscan scan --from`` over GCP exports, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from providers.gcp.gcp_support import DEMO, REAL
from support import needs_shared

AS_OF = ["--as-of", "2026-11-01T00:00:00Z"]


def test_demo_project_scan_reports_gcp_findings(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), *AS_OF, "-f", "json"])
    assert r.code == 0, r.err
    report = json.loads(r.out)
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"NHI-GCP-001", "NHI-GCP-002", "NHI-GCP-005", "NHI-GCP-006", "NHI-GCP-007", "NHI-GCP-008"} <= rules
    assert {"NHI-GCP-011", "NHI-GCP-012", "NHI-GCP-013"} <= rules


@needs_shared("real-exports", "gcp")
def test_real_exports_scan_with_gaps_reported(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for f in REAL.iterdir():
        if "gce3" in f.name:
            (tmp_path / f.name).write_text(f.read_text())
    r = run_cli(["scan", "--from", str(tmp_path), *AS_OF, "--strict", "-q"])
    # gcpdiag has no key list and roles outside the shipped table: gaps, so --strict exits 3.
    assert r.code == 3, (r.out, r.err)


def test_malformed_export_is_exit_2_with_one_line(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "keys.json"
    bad.write_text(
        '[{"name": "projects/p/serviceAccounts/a@p-1234.iam.gserviceaccount.com/keys/k",'
        ' "keyType": "USER_MANAGED", "validAfterTime": "yesterday"}]'
    )
    r = run_cli(["scan", "--from", str(bad), *AS_OF])
    assert r.code == 2
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "keys.json" in lines[0] and "validAfterTime" in lines[0], r.err
    assert "Traceback" not in r.err
