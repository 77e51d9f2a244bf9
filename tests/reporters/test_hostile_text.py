"""Untrusted text from the estate (here: MCP server names) through the real CLI, as a
subprocess: no view may parse it as rich markup, HTML or table syntax."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EVIL = "[/bold]evil"
PIPE = "a|b<script>`x`"
AS_OF = ["--as-of", "2026-11-01T00:00:00Z"]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one MCP client config whose server names are hostile."""
    root = tmp_path_factory.mktemp("hostile")
    servers = {
        EVIL: {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        PIPE: {"url": "http://x.example/mcp"},
        "[bold red]styled[/]": {"url": "http://y.example/mcp"},
    }
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return root


def nhiscan(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_inventory_prints_hostile_names_literally(estate: Path) -> None:
    r = nhiscan("inventory", "--from", str(estate), *AS_OF)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert EVIL in r.stdout and "[bold red]styled[/]" in r.stdout
    assert "a|b<script>" in r.stdout


def test_table_prints_hostile_names_literally(estate: Path) -> None:
    r = nhiscan("scan", "--from", str(estate), *AS_OF)
    assert r.returncode == 0, r.stderr
    assert EVIL in r.stdout and "[bold red]styled[/]" in r.stdout and PIPE in r.stdout


def test_markdown_escapes_cells(estate: Path) -> None:
    r = nhiscan("scan", "--from", str(estate), *AS_OF, "-f", "markdown")
    assert r.returncode == 0, r.stderr
    assert "<script>" not in r.stdout
    assert "a\\|b&lt;script>\\`x\\`" in r.stdout
    rows = [line for line in r.stdout.splitlines() if line.startswith("| ") and "NHI-MCP" in line]
    assert rows
    for row in rows:
        # unescaped pipes delimit exactly the table's columns: nothing from a name adds one
        cells = row.replace("\\|", "").count("|")
        assert cells == rows[0].replace("\\|", "").count("|"), row


def test_graph_escapes_labels(estate: Path) -> None:
    mermaid = nhiscan("graph", "--from", str(estate), "--identity", PIPE)
    assert mermaid.returncode == 0, mermaid.stderr
    assert "<script>" not in mermaid.stdout and "#lt;script#gt;" in mermaid.stdout
    dot = nhiscan("graph", "--from", str(estate), "-f", "dot", "--identity", EVIL)
    assert dot.returncode == 0, dot.stderr
    assert f'label="{EVIL}\\n' in dot.stdout


def test_rules_list_and_scan_with_hostile_rule_text(estate: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ACME-MCP-001.yaml").write_text(
        "id: ACME-MCP-001\n"
        "title: '[/bold] closes nothing'\n"
        "severity: low\n"
        "provider: mcp\n"
        "target: identity\n"
        "description: A test rule with a hostile title.\n"
        "remediation: None needed.\n"
        "message: '{identity.name} [/red] matched.'\n"
        "fail_when: {all: [{field: identity.kind, eq: agent.mcp_server}]}\n",
        encoding="utf-8",
    )
    r = nhiscan("rules", "list", "--rules", str(rules))
    assert r.returncode == 0, r.stderr
    assert "[/bold] closes nothing" in r.stdout
    scan = nhiscan("scan", "--from", str(estate), *AS_OF, "--rules", str(rules))
    assert scan.returncode == 0, scan.stderr
    assert f"\n{EVIL}  MCP server" in scan.stdout  # the group header
    assert "[/red] matched." in scan.stdout
