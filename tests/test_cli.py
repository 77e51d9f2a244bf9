"""The command line end to end, in-process: exit codes, output pairing, errors, config."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from support import DEMO, REPO

AS_OF = ["--as-of", "2026-11-20T12:00:00Z"]


def test_demo_scan_shows_findings_and_exits_0(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), *AS_OF])
    assert r.code == 0, r.err
    assert "NHI-AWS-006" in r.out and "CRITICAL" in r.out
    assert "Summary:" in r.out


def test_fail_on_sets_exit_code(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli(["scan", "--from", str(DEMO), *AS_OF, "--fail-on", "critical", "-q"]).code == 1
    assert run_cli(["scan", "--from", str(DEMO), *AS_OF, "--fail-on", "none", "-q"]).code == 0


def test_fail_on_below_everything_found_passes(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    assert (
        run_cli(["scan", "--from", str(DEMO / "aws"), *AS_OF, "-q", "-f", "json", "-o", str(out)]).code == 0
    )
    critical = sorted(
        {f["rule_id"] for f in json.loads(out.read_text())["findings"] if f["severity"] == "critical"}
    )
    assert critical
    cfg = tmp_path / "nhiscan.yaml"
    cfg.write_text(f"disable: [{', '.join(critical)}]\n")  # only lower severities remain
    r = run_cli(
        ["scan", "--from", str(DEMO / "aws"), *AS_OF, "--config", str(cfg), "--fail-on", "critical", "-q"]
    )
    assert r.code == 0, r.out


def test_formats_pair_with_outputs(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    j, s, m = tmp_path / "r.json", tmp_path / "r.sarif", tmp_path / "r.md"
    r = run_cli(
        [
            "scan",
            "--from",
            str(DEMO),
            *AS_OF,
            "-f",
            "table",
            "-f",
            "json",
            "-o",
            str(j),
            "-f",
            "sarif",
            "-o",
            str(s),
            "-f",
            "markdown",
            "-o",
            str(m),
        ]
    )
    assert r.code == 0, r.err
    assert "Summary:" in r.out  # the table went to stdout
    report = json.loads(j.read_text())
    assert report["findings"] and report["schema_version"]
    assert json.loads(s.read_text())["version"] == "2.1.0"
    assert m.read_text().startswith("## nhiscan")


def test_two_formats_on_stdout_is_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), "-f", "json", "-f", "sarif"])
    assert r.code == 2
    assert "only one format can go to standard output" in r.err


def test_output_without_format_is_rejected(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), "-o", str(tmp_path / "x.json")])
    assert r.code == 2 and "must follow the -f FORMAT" in r.err


def test_truncated_json_is_one_line_exit_2_and_writes_nothing(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "gaad.json"
    text = (DEMO / "aws" / "iam-authorization-details.json").read_text()
    bad.write_text(text[: len(text) // 2])
    out = tmp_path / "out.json"
    r = run_cli(["scan", "--from", str(bad), "-f", "json", "-o", str(out)])
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "invalid JSON at line" in lines[0]
    assert "Traceback" not in r.err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_debug_shows_the_traceback(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "x.json"
    bad.write_text("{")
    r = run_cli(["--debug", "scan", "--from", str(bad)])
    assert r.code == 2 and "Traceback" in r.err


def test_unrecognised_file_is_named(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "notes.json"
    f.write_text('{"hello": "world"}')
    r = run_cli(["scan", "--from", str(f)])
    assert r.code == 2 and str(f) in r.err and "not a saved nhiscan inventory or a recognised export" in r.err


def test_missing_path(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(tmp_path / "nope")])
    assert r.code == 2 and "no such file or directory" in r.err


def test_unknown_rule_in_config_is_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "nhiscan.yaml"
    cfg.write_text("rules:\n  NHI-AWS-999: {enabled: false}\n")
    r = run_cli(["scan", "--from", str(DEMO), "--config", str(cfg)])
    assert r.code == 2 and "unknown rule id 'NHI-AWS-999'" in r.err and len(r.err.strip().splitlines()) == 1


def test_config_typo_is_named(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "nhiscan.yaml"
    cfg.write_text("fail_onn: high\n")
    r = run_cli(["scan", "--from", str(DEMO), "--config", str(cfg)])
    assert r.code == 2 and str(cfg) in r.err and "fail_onn: unknown key" in r.err


def test_config_overrides_params(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "nhiscan.yaml"
    out = tmp_path / "r.json"
    base = run_cli(["scan", "--from", str(DEMO), *AS_OF, "-f", "json", "-o", str(out)])
    assert base.code == 0
    before = sum(f["rule_id"] == "NHI-AWS-001" for f in json.loads(out.read_text())["findings"])
    cfg.write_text("params:\n  max_key_age_days: 10\nfail_on: high\n")
    r = run_cli(["scan", "--from", str(DEMO), *AS_OF, "--config", str(cfg), "-f", "json", "-o", str(out)])
    after = sum(f["rule_id"] == "NHI-AWS-001" for f in json.loads(out.read_text())["findings"])
    assert after > before
    assert r.code == 1  # fail_on from the config


def test_saved_inventory_gives_the_same_findings(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inv, a, b = tmp_path / "inv.json", tmp_path / "a.json", tmp_path / "b.json"
    assert (
        run_cli(
            ["scan", "--from", str(DEMO), *AS_OF, "--save-inventory", str(inv), "-f", "json", "-o", str(a)]
        ).code
        == 0
    )
    assert run_cli(["scan", "--from", str(inv), *AS_OF, "-f", "json", "-o", str(b)]).code == 0
    fa = [(f["fingerprint"], f["message"]) for f in json.loads(a.read_text())["findings"]]
    fb = [(f["fingerprint"], f["message"]) for f in json.loads(b.read_text())["findings"]]
    assert fa == fb and fa


def test_inventory_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["inventory", "--from", str(DEMO), *AS_OF])
    assert r.code == 0
    assert "ci-deployer" in r.out and "aws.iam_role" in r.out
    j = run_cli(["inventory", "--from", str(DEMO), "-f", "json"])
    assert json.loads(j.out)["format"] == "nhiscan-inventory"


def test_rules_commands(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["rules", "list"])
    assert r.code == 0 and "NHI-AWS-001" in r.out
    r = run_cli(["rules", "show", "NHI-AWS-012"])
    assert r.code == 0 and "fail_when" in r.out
    r = run_cli(["rules", "show", "NHI-XXX-001"])
    assert r.code == 2 and "unknown rule id" in r.err
    r = run_cli(["rules", "validate", str(REPO / "rules")])
    assert r.code == 0 and "rule(s) valid" in r.out
    bad = tmp_path / "NHI-TST-001.yaml"
    bad.write_text("id: NHI-TST-001\ntitle: x\n")
    r = run_cli(["rules", "validate", str(tmp_path)])
    assert r.code == 2 and str(bad) in r.err


def test_unknown_provider(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "oracle"])
    assert r.code == 2 and "unknown provider 'oracle'" in r.err


def test_version(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["--version"])
    assert r.code == 0 and re.match(r"nhiscan \d+\.\d+", r.out)


def test_help_does_not_import_cloud_sdks() -> None:
    code = (
        "import sys; from nhiscan import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('boto3', 'botocore', 'kubernetes', 'google.cloud', 'azure.identity', 'httpx', 'rustworkx')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_only_the_cli_prints_or_exits() -> None:
    offenders = []
    for path in (REPO / "src" / "nhiscan").rglob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        text = path.read_text()
        # console.print() into a StringIO is rendering, not printing; a bare print() is not allowed
        for needle in (r"sys\.exit\(", r"typer\.Exit", r"(?<![\w.])print\(", r"sys\.stdout", r"sys\.stderr"):
            if re.search(needle, text):
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert not offenders, offenders


def test_no_provider_named_and_no_credentials_says_why(run_cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    for var in list(os.environ):
        if var.startswith(("AWS_", "AZURE_", "GOOGLE_", "CLOUDSDK_", "KUBE", "MSI_", "IDENTITY_")):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.chdir(tmp_path)
    r = run_cli(["scan"])
    assert r.code == 3
    assert "nothing to scan" in r.err
    for provider in ("aws", "azure", "gcp"):
        assert f"{provider}:" in r.err
    assert "no AWS credentials found" in r.err


def test_hidden_editor_files_are_passed_over_but_mcp_configs_are_read(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(DEMO / "aws", tmp_path / "aws")
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "launch.json").write_text('{"version": "0.2.0", "configurations": []}')
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".mcp.json").write_text(
        '{"mcpServers": {"remote": {"type": "http", "url": "https://mcp.example.com/mcp"}}}'
    )
    out = tmp_path / "r.json"
    r = run_cli(["scan", "--from", str(tmp_path), *AS_OF, "-q", "-f", "json", "-o", str(out)])
    assert r.code == 0, r.err
    report = json.loads(out.read_text())
    kinds = {i["kind"] for i in report["identities"]}
    assert "agent.mcp_server" in kinds and "aws.iam_role" in kinds


def test_graph_command(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["graph", "--from", str(DEMO / "aws"), "--to-admin"])
    assert r.code == 0, r.err
    assert r.out.startswith("flowchart LR") and "admin of aws:account:210987654321" in r.out
    assert "agent.delegates_to" in r.out  # the demo supervisor delegates to a sub-agent that runs as admin
    dot = tmp_path / "g.dot"
    r = run_cli(
        ["graph", "--from", str(DEMO / "aws"), "--identity", "ops-worker", "-f", "dot", "-o", str(dot)]
    )
    assert r.code == 0 and dot.read_text().startswith("digraph")
    data = run_cli(["graph", "--from", str(DEMO / "aws"), "-f", "json"]).out
    assert json.loads(data)["edges"]
    r = run_cli(["graph", "--from", str(DEMO / "aws"), "--identity", "nobody-here"])
    assert r.code == 2 and "--identity" in r.err and len(r.err.strip().splitlines()) == 1


def test_saved_inventory_with_a_bad_timestamp_is_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inv = tmp_path / "inv.json"
    assert (
        run_cli(
            [
                "scan",
                "--from",
                str(DEMO / "aws"),
                *AS_OF,
                "-q",
                "--save-inventory",
                str(inv),
                "-f",
                "json",
                "-o",
                str(tmp_path / "r.json"),
            ]
        ).code
        == 0
    )
    data = json.loads(inv.read_text())
    data["identities"][0]["created"] = "last tuesday"
    inv.write_text(json.dumps(data))
    r = run_cli(["scan", "--from", str(inv)])
    assert r.code == 2 and str(inv) in r.err and "last tuesday" in r.err
    assert len(r.err.strip().splitlines()) == 1
