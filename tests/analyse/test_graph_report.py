"""End to end: a scan of the NHI-GRAPH golden estate puts the delegation path in every format
(table ``A -> B -> admin``, JSON hops with evidence, SARIF message and properties)."""

from __future__ import annotations

import json
from pathlib import Path

from analyse.test_graph_goldens import estate  # type: ignore[import-not-found]
from nhiscan.inventory_io import dump_inventory

VENDOR = "arn:aws:iam::111122223333:role/vendor-audit"


def test_scan_reports_paths_in_every_format(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_json, out_sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    saved = tmp_path / "inventory.json"
    saved.write_text(dump_inventory(estate()))
    r = run_cli(
        [
            "scan",
            "--from",
            str(saved),
            "--as-of",
            "2026-11-01T00:00:00Z",
            "-f",
            "table",
            "-f",
            "json",
            "-o",
            str(out_json),
            "-f",
            "sarif",
            "-o",
            str(out_sarif),
            "--fail-on",
            "none",
        ]
    )
    assert r.code == 0, r.err
    assert "vendor-audit -> ci-deployer -> admin" in " ".join(r.out.split())

    report = json.loads(out_json.read_text())
    finding = next(
        f for f in report["findings"] if f["rule_id"] == "NHI-GRAPH-001" and VENDOR in json.dumps(f)
    )
    hops = finding["path"]
    assert [h["kind"] for h in hops] == ["aws.assume_role", "aws.assume_role", "admin"]
    assert hops[0]["src"] == VENDOR and hops[-1]["dst"] == "admin:aws:account:111122223333"
    assert all(h["evidence"] for h in hops)

    sarif = json.loads(out_sarif.read_text())
    results = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "NHI-GRAPH-001"]
    vendor = next(x for x in results if "vendor-audit" in x["message"]["text"])
    assert "->" in vendor["message"]["text"]
    assert "path" in json.dumps(vendor.get("properties", {}))


def test_graph_rules_are_listed(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["rules", "list"])
    assert r.code == 0
    for rule_id in ("NHI-GRAPH-001", "NHI-GRAPH-002", "NHI-GRAPH-003", "NHI-GRAPH-004"):
        assert rule_id in r.out
