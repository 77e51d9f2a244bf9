"""The human views through the real CLI on the demo (issue 12, "Reports people can read"): the
table grouped by identity at the width COLUMNS asks for, whole rule ids, --severity, --summary,
baseline marks and fixed findings by name, messages in the reader's words."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from support import DEMO

AS_OF = ["--as-of", "2026-11-01T00:00:00Z"]
SEVERITY_WORDS = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")
FINDING_LINE = re.compile(r"^  (CRITICAL|HIGH|MEDIUM|LOW|INFO) +(\S+) ")


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from nhiscan import cli

    out = tmp_path_factory.mktemp("demo") / "demo.json"
    with pytest.raises(SystemExit) as exc:
        cli.main(["scan", "--from", str(DEMO), *AS_OF, "-q", "-f", "json", "-o", str(out)])
    assert exc.value.code == 0
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def table(run_cli, monkeypatch: pytest.MonkeyPatch, columns: int, *extra: str, src: Path = DEMO) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", str(columns))
    r = run_cli(["scan", "--from", str(src), *AS_OF, *extra])
    assert r.code == 0, r.err
    out: str = r.out
    return out


@pytest.mark.parametrize(("columns", "most"), [(80, 650), (120, 450)])
def test_table_fits_columns_and_stays_short(run_cli, monkeypatch, demo_json, columns: int, most: int) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, columns)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    # Before grouping, the 163 demo findings took 1,040 lines at 80 columns and 617 at 120.
    assert len(demo_json["findings"]) <= len(lines) <= most


def test_rule_ids_are_never_broken(run_cli, monkeypatch, demo_json) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 80)
    per_rule = Counter(f["rule_id"] for f in demo_json["findings"])
    found = Counter(m.group(2) for line in out.splitlines() if (m := FINDING_LINE.match(line)))
    # every finding has a line that starts with its severity and its whole rule id
    assert found == per_rule


def test_one_header_per_identity(run_cli, monkeypatch, demo_json) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 250)
    body = out.split("FINDINGS (", 1)[1].split("\nSummary:", 1)[0].splitlines()[1:]
    headers = [line for line in body if line and not line.startswith(" ")]
    targets = {(f["provider"], f["scope"], f["resource"]["id"]) for f in demo_json["findings"]}
    assert len(headers) == len(targets)
    assert f"on {len(targets)} identities" in out
    assert "OrganizationAccountAccessRole  IAM role · aws · 210987654321" in headers
    # a group's findings follow its header, most severe first
    start = body.index("OrganizationAccountAccessRole  IAM role · aws · 210987654321")
    group = []
    for line in body[start + 1 :]:
        if not line.startswith("  "):
            break
        if m := FINDING_LINE.match(line):
            group.append(m.group(1))
    assert group and group == sorted(group, key=SEVERITY_WORDS.index)
    assert "NHI-AWS-009" in body[start + 1]


def test_messages_speak_the_users_language(run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 250)
    # names instead of ids, labels instead of class names, no statement index
    assert "runs as OrganizationAccountAccessRole, which has admin, assume any role" in out
    assert "read every token-vault credential" in out and "credential_vault_any" not in out
    assert "AdministratorAccess#0" not in out and "(via AdministratorAccess)" in out
    assert "administrator of tenant Northwind Robotics (demo) in 3 hop(s)" in out
    assert "delegation cycle with: graph-automation, helpdesk-bot." in out
    assert "000000c3-4a2b-4c3d-8e4f-0000000000c3" not in out
    assert "azure.client_secret" not in out


def test_json_keeps_raw_messages(demo_json) -> None:  # type: ignore[no-untyped-def]
    messages = " ".join(f["message"] for f in demo_json["findings"])
    assert "credential_vault_any" in messages and "AdministratorAccess#0" in messages


def test_severity_filters_human_views_only(run_cli, monkeypatch, tmp_path: Path, demo_json) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 120, "--severity", "HIGH")
    levels = {m.group(1) for line in out.splitlines() if (m := FINDING_LINE.match(line))}
    assert levels == {"CRITICAL", "HIGH"}
    high_up = sum(1 for f in demo_json["findings"] if f["severity"] in ("critical", "high"))
    assert f"FINDINGS ({high_up} at high or above" in out
    assert f"{len(demo_json['findings']) - high_up} open finding(s) below high not shown" in out
    # the summary line still counts everything
    assert f"{len(demo_json['findings'])} open" in out
    md = run_cli(["scan", "--from", str(DEMO), *AS_OF, "-f", "markdown", "--severity", "critical"]).out
    rows = [line for line in md.split("### Findings", 1)[1].splitlines() if line.startswith("| ")][2:]
    assert rows and all(r.startswith("| critical |") for r in rows)
    # machine formats are complete and --fail-on is unchanged by --severity
    j = tmp_path / "r.json"
    r = run_cli(
        ["scan", "--from", str(DEMO), *AS_OF, "-q", "--severity", "critical", "-f", "json", "-o", str(j)]
    )
    assert r.code == 0
    assert [f["fingerprint"] for f in json.loads(j.read_text())["findings"]] == [
        f["fingerprint"] for f in demo_json["findings"]
    ]
    r = run_cli(["scan", "--from", str(DEMO), *AS_OF, "--severity", "critical", "--fail-on", "medium"])
    assert r.code == 1
    assert "exit 1: 133 open finding(s) at or above medium (--fail-on)" in r.err


@pytest.mark.parametrize("value", ["bogus", "none", ""])
def test_unknown_severity_is_a_one_line_usage_error(run_cli, value: str) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), *AS_OF, "--severity", value])
    assert r.code == 2
    assert r.out == ""
    assert r.err.count("\n") == 1 and "--severity" in r.err and "critical, high, medium, low, info" in r.err


def test_summary_view(run_cli, monkeypatch, demo_json) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 100, "--summary")
    for title in (
        "BY SEVERITY",
        "BY PROVIDER (163 open findings)",
        "BY RULE (20 of",
        "TOP IDENTITIES (10 of 68)",
    ):
        assert title in out
    assert len(out.splitlines()) < 120
    # counts, not findings: no message text, no per-finding lines
    assert "has no owner tag" not in out and not any(FINDING_LINE.match(line) for line in out.splitlines())
    by_provider = Counter(f["provider"] for f in demo_json["findings"])
    for provider, n in by_provider.items():
        assert re.search(rf"^ {provider} +{n}$", out, re.M), provider
    assert re.search(r"^ CRITICAL +25 +0$", out, re.M)
    md = run_cli(
        ["scan", "--from", str(DEMO), *AS_OF, "-f", "markdown", "--summary", "--severity", "high"]
    ).out
    assert "### Findings by rule" in md and "### Top identities" in md
    assert "| Severity | Rule | Identity | Message |" not in md
    assert "| medium |" not in md.split("### Findings by provider", 1)[1]


@pytest.fixture(scope="module")
def aws_baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of the AWS part of the demo only: scanning the whole demo against it makes every
    non-AWS finding new."""
    from nhiscan import cli

    out = tmp_path_factory.mktemp("baseline") / "aws.json"
    with pytest.raises(SystemExit):
        cli.main(["scan", "--from", str(DEMO / "aws"), *AS_OF, "-q", "-f", "json", "-o", str(out)])
    return out


def test_baseline_marks_new_findings(run_cli, monkeypatch, aws_baseline: Path, demo_json) -> None:  # type: ignore[no-untyped-def]
    out = table(run_cli, monkeypatch, 120, "--baseline", str(aws_baseline))
    marks = {}
    for line in out.splitlines():
        m = re.match(r"^  (CRITICAL|HIGH|MEDIUM|LOW|INFO) +(\S+) +(NEW )?", line)
        if m:
            marks.setdefault(m.group(2), set()).add(bool(m.group(3)))
    assert marks["NHI-AWS-006"] == {False} and marks["NHI-AZ-006"] == {True}
    new = sum(1 for f in demo_json["findings"] if f["provider"] != "aws")
    assert f"{new} new, {len(demo_json['findings']) - new} unchanged, 0 fixed" in out
    md = run_cli(["scan", "--from", str(DEMO), *AS_OF, "-f", "markdown", "--baseline", str(aws_baseline)]).out
    assert "| Severity | Rule | New | Identity | Message |" in md
    assert re.search(r"^\| critical \| `NHI-AZ-006` \| \*\*new\*\* \| helpdesk-bot", md, re.M)
    assert re.search(r"^\| critical \| `NHI-AWS-006` \| \| root", md, re.M)
    r = run_cli(
        ["scan", "--from", str(DEMO), *AS_OF, "-q", "--baseline", str(aws_baseline), "--fail-on", "critical"]
    )
    assert r.code == 1  # -q: no reason on stderr
    assert r.err == ""
    r = run_cli(
        ["scan", "--from", str(DEMO), *AS_OF, "--baseline", str(aws_baseline), "--fail-on", "critical"]
    )
    assert (
        "exit 1: 25 open finding(s) at or above critical (--fail-on), 16 of them new since the baseline"
        in r.err
    )


def _schema() -> Any:
    schema = json.loads(resources.files("nhiscan").joinpath("schemas/report.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_fixed_findings_carry_rule_and_target(run_cli, monkeypatch, tmp_path: Path, demo_json) -> None:  # type: ignore[no-untyped-def]
    full = tmp_path / "full.json"
    full.write_text(json.dumps(demo_json))
    out = tmp_path / "aws.json"
    r = run_cli(
        [
            "scan",
            "--from",
            str(DEMO / "aws"),
            *AS_OF,
            "-q",
            "--baseline",
            str(full),
            "-f",
            "json",
            "-o",
            str(out),
        ]
    )
    assert r.code == 0, r.err
    doc = json.loads(out.read_text())
    assert list(_schema().iter_errors(doc)) == []
    gone = {f["fingerprint"]: f for f in demo_json["findings"] if f["provider"] != "aws"}
    assert sorted(doc["fixed"]) == sorted(gone) == doc["fixed"]
    assert [f["fingerprint"] for f in doc["fixed_findings"]] == doc["fixed"]
    for f in doc["fixed_findings"]:
        was = gone[f["fingerprint"]]
        assert (f["rule_id"], f["resource"], f["credential_id"]) == (
            was["rule_id"],
            was["resource"],
            was["credential_id"],
        )
        assert f["severity"] == was["severity"] and f["title"] == was["title"]
    text = table(run_cli, monkeypatch, 120, "--baseline", str(full), src=DEMO / "aws")
    assert f"FIXED SINCE THE BASELINE ({len(gone)})" in text
    assert re.search(r"^  NHI-AZ-006 +helpdesk-bot: Service principal holds a privileged", text, re.M)
    assert "... and" in text  # capped; the JSON lists them all
    md = run_cli(["scan", "--from", str(DEMO / "aws"), *AS_OF, "-f", "markdown", "--baseline", str(full)]).out
    assert f"### Fixed since the baseline ({len(gone)})" in md
    assert "| `NHI-AZ-006` | helpdesk-bot (service principal) | Service principal holds a privileged" in md


def test_old_baselines_still_load(run_cli, tmp_path: Path, demo_json) -> None:  # type: ignore[no-untyped-def]
    """A 1.0 report (no fixed_findings) and a hand-trimmed one (fingerprints only) are baselines."""
    old = dict(demo_json, schema_version="1.0")
    del old["fixed_findings"]
    assert list(_schema().iter_errors(old)) == []
    trimmed = {"format": "nhiscan-report", "findings": [{"fingerprint": "f" * 32}]}
    for name, doc in (("old.json", old), ("trimmed.json", trimmed)):
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        out = tmp_path / f"out-{name}"
        r = run_cli(
            [
                "scan",
                "--from",
                str(DEMO / "mcp"),
                *AS_OF,
                "-q",
                "--baseline",
                str(path),
                "-f",
                "json",
                "-o",
                str(out),
            ]
        )
        assert r.code == 0, r.err
        report = json.loads(out.read_text())
        assert list(_schema().iter_errors(report)) == []
        assert report["summary"]["fixed"] == len(report["fixed_findings"]) > 0
    assert report["fixed_findings"] == [
        {
            "fingerprint": "f" * 32,
            "rule_id": "",
            "title": "",
            "severity": "",
            "provider": "",
            "scope": "",
            "resource": {"id": "", "name": "", "kind": ""},
            "credential_id": None,
        }
    ]
