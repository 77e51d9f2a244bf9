"""End to end through the CLI: kubectl exports and a live scan, every output format, and the
canary Secret that must appear in none of them."""

from __future__ import annotations

import json
from pathlib import Path

from nhiscan.inventory_io import load_inventory
from providers.k8s.k8s_fake_apiserver import FakeApiServer, kubeconfig, serve
from providers.k8s.k8s_objects import CANARY, CANARY_PLAIN, fixture_cluster
from providers.k8s.k8s_support import write_list

AS_OF = ["--as-of", "2025-06-01T00:00:00Z"]


def _all_formats(tmp_path: Path) -> list[str]:
    return [
        "-f",
        "table",
        "-f",
        "json",
        "-o",
        str(tmp_path / "r.json"),
        "-f",
        "sarif",
        "-o",
        str(tmp_path / "r.sarif"),
        "-f",
        "markdown",
        "-o",
        str(tmp_path / "r.md"),
        "--save-inventory",
        str(tmp_path / "inventory.json"),
    ]


def _outputs(tmp_path: Path) -> list[str]:
    return [p.read_text() for p in sorted(tmp_path.glob("r.*"))] + [(tmp_path / "inventory.json").read_text()]


def test_export_scan_in_every_format_never_shows_a_secret(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = write_list(tmp_path / "prod.json", fixture_cluster())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = run_cli(["--debug", "scan", "--from", str(export), *AS_OF, *_all_formats(out_dir)])
    assert r.code == 0, r.err
    report = json.loads((out_dir / "r.json").read_text())
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"NHI-K8S-001", "NHI-K8S-004", "NHI-K8S-007", "NHI-K8S-008"} <= rules
    for text in [r.out, r.err, *_outputs(out_dir)]:
        assert CANARY not in text and CANARY_PLAIN not in text
    saved = load_inventory(out_dir / "inventory.json")
    assert len(saved.identities) == 10
    # the saved inventory scans to the same findings
    again = run_cli(["scan", "--from", str(out_dir / "inventory.json"), *AS_OF, "-f", "json"])
    assert {f["rule_id"] for f in json.loads(again.out)["findings"]} == rules


def test_live_scan_through_the_cli(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for server in serve(FakeApiServer(objects=fixture_cluster(), leak_secret_data=True)):
        cfg = tmp_path / "kubeconfig"
        cfg.write_text(kubeconfig({"live-1": server.url}))
        r = run_cli(["scan", "k8s", "--kubeconfig", str(cfg), *AS_OF, *_all_formats(tmp_path)])
        assert server.violations == []
    assert r.code == 0, r.err
    report = json.loads((tmp_path / "r.json").read_text())
    assert any(f["rule_id"] == "NHI-K8S-001" for f in report["findings"])
    for text in [r.out, r.err, *_outputs(tmp_path)]:
        assert CANARY not in text and CANARY_PLAIN not in text


def test_malformed_export_exits_2_with_one_line(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "export.json"
    bad.write_text('{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Role", "metadata": {}}]}')
    r = run_cli(["scan", "--from", str(bad), *AS_OF])
    assert r.code == 2
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1, r.err
    assert str(bad) in lines[0] and "items[0].metadata.name" in lines[0]
    assert "Traceback" not in r.err


def test_truncated_export_exits_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": fixture_cluster()})[:500])
    r = run_cli(["scan", "--from", str(bad), *AS_OF])
    assert r.code == 2
    assert "invalid JSON" in r.err and str(bad) in r.err
