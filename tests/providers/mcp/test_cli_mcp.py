"""`nhiscan scan mcp [PATH...]` and `nhiscan inventory mcp` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from providers.mcp.mcp_support import HOME_LAYOUT, TOML, place
from support import DEMO

AS_OF = ["--as-of", "2026-11-20T12:00:00Z"]


def test_demo_fails_a_pre_commit_style_run(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "mcp", str(DEMO / "mcp"), *AS_OF, "--fail-on", "high"])
    assert r.code == 1, r.err
    assert "NHI-MCP-001" in r.out and "CRITICAL" in r.out
    assert "NHISCANdemoFAKE" not in r.out + r.err
    assert run_cli(["scan", "mcp", str(DEMO / "mcp"), *AS_OF, "--fail-on", "none"]).code == 0


def test_empty_repository_scans_clean(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "r.json"
    r = run_cli(["scan", "mcp", str(tmp_path), *AS_OF, "--fail-on", "low", "-f", "json", "-o", str(report)])
    assert r.code == 0, r.err
    body = json.loads(report.read_text())
    assert body["findings"] == [] and body["inventory_summary"]["identities"] == 0


def test_malformed_repository_config_exits_2_with_one_line(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x",}}')
    r = run_cli(["scan", "mcp", str(tmp_path)])
    assert r.code == 2
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert (
        len(lines) == 1 and str(tmp_path / ".mcp.json") in lines[0] and "invalid JSON at line 1" in lines[0]
    )


def test_scan_mcp_without_paths_reads_the_home_directory(run_cli, fake_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, HOME_LAYOUT)
    saved = tmp_path / "inv.json"
    r = run_cli(
        ["scan", "mcp", *AS_OF, "--save-inventory", str(saved), "-f", "json", "-o", str(tmp_path / "r.json")]
    )
    assert r.code == 0, r.err
    inv = json.loads(saved.read_text())
    assert len(inv["identities"]) == (25 if TOML else 22)
    assert {s["type"] for s in inv["scopes"]} == {"host"}
    rules = {f["rule_id"] for f in json.loads((tmp_path / "r.json").read_text())["findings"]}
    assert {"NHI-MCP-002", "NHI-MCP-003", "NHI-MCP-005"} <= rules


def test_inventory_lists_servers(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["inventory", "mcp", str(DEMO / "mcp"), "-f", "json"])
    assert r.code == 0, r.err
    assert "agent.mcp_server" in r.out and "NHISCANdemoFAKE" not in r.out
