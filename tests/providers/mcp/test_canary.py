"""Canary secrets planted in every place an MCP config can hold one (env, headers, args, URL
query and userinfo, OAuth blocks, Zed settings) must appear in no output: no report format, no
saved inventory, no table, no log line, no error message."""

from __future__ import annotations

import json
from pathlib import Path

from nhiscan.inventory_io import dump_inventory
from providers.mcp.mcp_support import AS_OF

# Token-shaped (so detection is exercised) but built at run time and obviously fake.
CANARY = "ghp_" + "CANARYcanaryCANARYcanary0123456789AB"
GENERIC = "cAnArY7q9Z2xW4v"  # no known shape: found only by its secret-looking name
NEUTRAL = "canary-neutral-value-7731"  # under innocent names: never detected, never stored either
ALL = (CANARY, GENERIC, NEUTRAL)


def write_configs(folder: Path, *, dot_names: bool) -> None:
    mcp_servers = {
        "mcpServers": {
            "env-server": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": CANARY, "API_KEY": GENERIC, "HELLO": NEUTRAL},
            },
            "header-server": {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": f"Bearer {CANARY}", "x-api-key": GENERIC, "X-Trace": NEUTRAL},
            },
            "args-server": {
                "command": "npx",
                "args": [
                    "-y",
                    "mcp-remote@0.1.29",
                    f"https://mcp.example.com/sse?token={CANARY}",
                    "--header",
                    f"Authorization: Bearer {CANARY}",
                    f"--api-key={GENERIC}",
                    "--password",
                    GENERIC,
                    CANARY,
                ],
            },
            "url-server": {
                "type": "sse",
                "url": f"https://user:{GENERIC}@mcp.example.com/sse?api_key={CANARY}&access_token={GENERIC}",
            },
            "oauth-server": {
                "url": "https://mcp.example.com/mcp",
                "oauth": {"clientId": "client-1", "clientSecret": GENERIC},
                "autoApprove": ["*"],
            },
            "command-server": {"command": f"GITHUB_TOKEN={CANARY} npx -y srv@1.0.0"},
        }
    }
    zed = "// Zed\n" + json.dumps(
        {
            "context_servers": {
                "ext": {"source": "extension", "settings": {"github_token": CANARY, "api_key": GENERIC}},
                "remote": {
                    "url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": f"Bearer {CANARY}"},
                },
            }
        }
    )
    vscode = {
        "inputs": [{"type": "promptString", "id": "tok", "password": True}],
        "servers": {
            "vs": {"type": "stdio", "command": "srv", "env": {"TOKEN": "${input:tok}", "SLACK_TOKEN": CANARY}}
        },
    }
    names = (
        (".mcp.json", ".zed/settings.json", ".vscode/mcp.json")
        if dot_names
        else ("claude_desktop_config.json", "zed-settings.json", "vscode-mcp.json")
    )
    for name, body in zip(names, (json.dumps(mcp_servers, indent=2), zed, json.dumps(vscode)), strict=True):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)


def assert_clean(text: str, where: str) -> None:
    for value in ALL:
        assert value not in text, f"a canary leaked into {where}"
    assert "CANARYcanary" not in text and "cAnArY" not in text, f"part of a canary leaked into {where}"


EXPECTED_SECRETS = 18


def test_collector_finds_every_canary_and_keeps_none(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    write_configs(repo, dot_names=True)
    inv = collect_mcp([repo])
    assert_clean(dump_inventory(inv), "the inventory")
    assert len(inv.credentials) == EXPECTED_SECRETS, sorted(c.location or "" for c in inv.credentials)
    assert all(c.facts.in_repository for c in inv.credentials)
    kinds = {c.location: c.facts.token_kind for c in inv.credentials}
    assert kinds[".mcp.json:mcpServers.header-server.headers.Authorization"] == "github_pat"
    assert kinds[".mcp.json:mcpServers.env-server.env.API_KEY"] == "generic_secret"
    assert kinds[".zed/settings.json:context_servers.ext.settings.github_token"] == "github_pat"
    assert kinds[".vscode/mcp.json:servers.vs.env.SLACK_TOKEN"] == "github_pat"
    assert ".vscode/mcp.json:servers.vs.env.TOKEN" not in kinds  # ${input:tok}


def test_cli_outputs_hold_no_canary(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    configs = tmp_path / "configs"
    write_configs(configs, dot_names=False)
    out = tmp_path / "out"
    out.mkdir()
    files = {fmt: out / f"report.{fmt}" for fmt in ("json", "sarif", "markdown")}
    saved = out / "inventory.json"
    args = ["scan", "--from", str(configs), "--as-of", AS_OF.isoformat(), "--save-inventory", str(saved)]
    for fmt, path in files.items():
        args += ["-f", fmt, "-o", str(path)]
    r = run_cli([*args, "-f", "table", "--debug"])
    assert r.code == 0, r.err
    assert_clean(r.out + r.err, "stdout/stderr")
    for path in [*files.values(), saved]:
        assert_clean(path.read_text(), path.name)
    report = json.loads(files["json"].read_text())
    secret_findings = [f for f in report["findings"] if f["rule_id"] == "NHI-MCP-001"]
    assert len(secret_findings) == EXPECTED_SECRETS
    assert {f["severity"] for f in secret_findings} == {
        "critical"
    }  # files handed over count as repository files
    assert "NHI-MCP-003" in {f["rule_id"] for f in report["findings"]}
    inv = run_cli(["inventory", "--from", str(configs), "-f", "json"])
    assert inv.code == 0, inv.err
    assert_clean(inv.out + inv.err, "nhiscan inventory")


def test_cli_scan_mcp_path_holds_no_canary(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    write_configs(repo, dot_names=True)
    out = tmp_path / "out"
    out.mkdir()
    files = {fmt: out / f"report.{fmt}" for fmt in ("json", "sarif", "markdown")}
    saved = out / "inventory.json"
    args = ["scan", "mcp", str(repo), "--save-inventory", str(saved), "--fail-on", "high"]
    for fmt, path in files.items():
        args += ["-f", fmt, "-o", str(path)]
    r = run_cli([*args, "-f", "table", "--debug"])
    assert r.code == 1, r.err  # critical findings at/above --fail-on high
    assert_clean(r.out + r.err, "stdout/stderr")
    for path in [*files.values(), saved]:
        assert_clean(path.read_text(), path.name)
    findings = json.loads(files["json"].read_text())["findings"]
    assert sum(f["rule_id"] == "NHI-MCP-001" for f in findings) == EXPECTED_SECRETS
    sarif = json.loads(files["sarif"].read_text())
    assert sarif["runs"][0]["results"]
    inv = run_cli(["inventory", "mcp", str(repo), "-f", "json"])
    assert inv.code == 0, inv.err
    assert_clean(inv.out + inv.err, "nhiscan inventory mcp")


def test_malformed_config_is_one_line_exit_2_without_the_content(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "mcp.json"
    bad.write_text('{"mcpServers": {"x": {"env": {"GITHUB_TOKEN": "' + CANARY + '" "oops": 1}}}}')
    r = run_cli(["scan", "--from", str(bad)])
    assert r.code == 2
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "invalid JSON" in lines[0], r.err
    assert_clean(r.out + r.err, "the error message")
