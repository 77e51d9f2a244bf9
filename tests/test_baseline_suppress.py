"""Baselines, suppressions with expiry, and the exit codes they lead to (issue: nhiscan in CI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reporters.sarif_lint import github_lint
from support import DEMO, needs_shared, shared_path

AS_OF = ["--as-of", "2026-11-20T12:00:00Z"]
LEGACY = "arn:aws:iam::210987654321:user/legacy-backup"


def report(run_cli, src: Path, tmp: Path, *extra: str, name: str = "r.json") -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    out = tmp / name
    r = run_cli(["scan", "--from", str(src), *AS_OF, "-q", "-f", "json", "-o", str(out), *extra])
    assert r.code in (0, 1, 3), r.err
    return r.code, json.loads(out.read_text())


def changed_estate(tmp: Path) -> Path:
    """The demo with legacy-backup deleted and a new machine user with an old key."""
    dst = tmp / "estate"
    shutil.copytree(DEMO / "aws", dst)
    gaad = json.loads((dst / "iam-authorization-details.json").read_text())
    gaad["UserDetailList"] = [u for u in gaad["UserDetailList"] if u["UserName"] != "legacy-backup"]
    new = dict(next(u for u in gaad["UserDetailList"] if u["UserName"] == "partner-sftp"))
    new.update(UserName="new-bot", Arn="arn:aws:iam::210987654321:user/new-bot", UserId="AIDANEWBOT00000000")
    gaad["UserDetailList"].append(new)
    (dst / "iam-authorization-details.json").write_text(json.dumps(gaad))
    lines = (dst / "credential-report.csv").read_text().splitlines()
    lines = [ln for ln in lines if not ln.startswith("legacy-backup,")]
    partner = next(ln for ln in lines if ln.startswith("partner-sftp,"))
    lines.append(partner.replace("partner-sftp", "new-bot"))
    (dst / "credential-report.csv").write_text("\n".join(lines) + "\n")
    return dst


def test_baseline_marks_new_unchanged_and_fixed(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, before = report(run_cli, DEMO, tmp_path, name="before.json")
    estate = changed_estate(tmp_path)
    _, after = report(
        run_cli, estate, tmp_path, "--baseline", str(tmp_path / "before.json"), name="after.json"
    )
    by_state: dict[str, set[str]] = {}
    for f in after["findings"]:
        by_state.setdefault(f["baseline"], set()).add(f["resource"]["name"])
    assert by_state["new"] == {"new-bot"}
    assert "legacy-backup" not in by_state["unchanged"] and "ci-deployer" in by_state["unchanged"]
    legacy = {f["fingerprint"] for f in before["findings"] if f["resource"]["id"] == LEGACY}
    assert legacy and legacy <= set(after["fixed"])
    assert after["summary"]["new"] == sum(1 for f in after["findings"] if f["baseline"] == "new")
    assert after["summary"]["fixed"] == len(after["fixed"])


SEVERE = {"medium": ("critical", "high", "medium")}


def test_fail_on_new_only_fails_for_new_findings(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, before = report(run_cli, DEMO, tmp_path, name="base.json")
    base = str(tmp_path / "base.json")
    same = run_cli(
        [
            "scan",
            "--from",
            str(DEMO),
            *AS_OF,
            "-q",
            "-f",
            "json",
            "-o",
            str(tmp_path / "x.json"),
            "--baseline",
            base,
            "--fail-on",
            "low",
            "--fail-on-new",
        ]
    )
    assert same.code == 0 and same.err == ""
    changed = run_cli(
        [
            "scan",
            "--from",
            str(changed_estate(tmp_path)),
            *AS_OF,
            "-q",
            "-f",
            "json",
            "-o",
            str(tmp_path / "y.json"),
            "--baseline",
            base,
            "--fail-on",
            "medium",
            "--fail-on-new",
        ]
    )
    assert changed.code == 1
    y = json.loads((tmp_path / "y.json").read_text())["findings"]
    new_at_medium = [
        f for f in y if f["baseline"] == "new" and f["status"] == "open" and f["severity"] in SEVERE["medium"]
    ]
    assert new_at_medium and changed.err == (
        f"nhiscan: exit 1: {len(new_at_medium)} new finding(s) at or above medium since the baseline"
        " (--fail-on-new)\n"
    )
    without = run_cli(
        [
            "scan",
            "--from",
            str(DEMO),
            *AS_OF,
            "-q",
            "-f",
            "json",
            "-o",
            str(tmp_path / "z.json"),
            "--baseline",
            base,
            "--fail-on",
            "low",
        ]
    )
    assert without.code == 1
    open_at_low = sum(1 for f in before["findings"] if f["status"] == "open" and f["severity"] != "info")
    assert without.err == (
        f"nhiscan: exit 1: {open_at_low} open finding(s) at or above low (--fail-on), 0 of them new"
        " since the baseline\n"
    )


def test_fail_on_new_needs_a_baseline(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(DEMO), "--fail-on-new"])
    assert r.code == 2 and "needs --baseline" in r.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "baseline is not valid JSON"),
        ('{"findings": []}', "not an nhiscan JSON report"),
        ('{"format": "nhiscan-report", "findings": [{"rule_id": "x"}]}', "findings[0] has no fingerprint"),
    ],
)
def test_bad_baseline_is_one_line_exit_2(run_cli, tmp_path: Path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "base.json"
    bad.write_text(content)
    r = run_cli(["scan", "--from", str(DEMO), "--baseline", str(bad)])
    assert r.code == 2 and str(bad) in r.err and message in r.err and len(r.err.strip().splitlines()) == 1


def write_ignore(tmp: Path, body: str) -> Path:
    p = tmp / ".nhiscan-ignore.yaml"
    p.write_text(body)
    return p


def test_suppression_by_exact_id_and_glob(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ignore = write_ignore(
        tmp_path,
        f"""\
suppressions:
  - rule: NHI-AWS-00[12]
    identity: "{LEGACY}"
    reason: Decommissioning in SEC-42
    owner: "@platform"
    ticket: SEC-42
    expires: 2027-01-31
  - rule: NHI-AWS-021
    identity: "*:role/never-used-*"
    reason: Migration role, owner pending
""",
    )
    code, rep = report(run_cli, DEMO, tmp_path, "--ignore-file", str(ignore), "--fail-on", "low")
    suppressed = [f for f in rep["findings"] if f["status"] == "suppressed"]
    assert {(f["rule_id"], f["resource"]["name"]) for f in suppressed} == {
        ("NHI-AWS-001", "legacy-backup"),
        ("NHI-AWS-002", "legacy-backup"),
        ("NHI-AWS-021", "never-used-migration"),
    }
    assert suppressed[0]["suppression"]["reason"]
    assert any(f["suppression"].get("ticket") == "SEC-42" for f in suppressed)
    # the other rules still fire on legacy-backup
    assert any(f["status"] == "open" and f["resource"]["name"] == "legacy-backup" for f in rep["findings"])
    assert rep["summary"]["suppressed"] == 3
    assert code == 1


def test_suppressed_findings_do_not_fail_the_build(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ignore = write_ignore(
        tmp_path, "suppressions:\n  - {rule: 'NHI-*', identity: '*', reason: accepted for the test}\n"
    )
    r = run_cli(
        ["scan", "--from", str(DEMO / "aws"), *AS_OF, "-q", "--ignore-file", str(ignore), "--fail-on", "low"]
    )
    assert r.code == 0, r.out


def test_expired_suppression_reopens_and_reports_itself(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ignore = write_ignore(
        tmp_path,
        f"suppressions:\n  - {{rule: NHI-AWS-001, identity: '{LEGACY}', reason: old exception, expires: 2026-01-01}}\n",
    )
    code, rep = report(run_cli, DEMO, tmp_path, "--ignore-file", str(ignore))
    legacy_001 = [
        f for f in rep["findings"] if f["rule_id"] == "NHI-AWS-001" and f["resource"]["id"] == LEGACY
    ]
    assert legacy_001 and legacy_001[0]["status"] == "open"
    meta = [f for f in rep["findings"] if f["rule_id"] == "NHI-META-001"]
    assert len(meta) == 1 and "expired on 2026-01-01" in meta[0]["message"]


def test_suppressions_in_config(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "nhiscan.yaml"
    cfg.write_text("suppressions:\n  - {rule: NHI-AWS-006, reason: root key is being removed this week}\n")
    _, rep = report(run_cli, DEMO, tmp_path, "--config", str(cfg))
    assert [f["status"] for f in rep["findings"] if f["rule_id"] == "NHI-AWS-006"] == ["suppressed"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("suppressions:\n  - {rule: NHI-AWS-001, identity: x}\n", "suppressions[0]: reason: is required"),
        ("suppressions:\n  - {rule: NHI-AWS-001, reason: '   '}\n", "suppressions[0]: reason"),
        (
            "suppressions:\n  - {rule: NHI-AWS-001, reason: ok reason, expires: someday}\n",
            "suppressions[0]: expires",
        ),
        (
            "suppressions:\n  - {rule: NHI-AWS-001, reason: ok reason, why: x}\n",
            "suppressions[0]: why: unknown key",
        ),
        ("suppressions: {rule: x}\n", "suppressions must be a list"),
        ("rules: [x]\n", "expected a mapping with a 'suppressions' list"),
        ("suppressions:\n  - [x\n", "invalid YAML"),
    ],
)
def test_bad_suppression_file_names_file_and_entry(run_cli, tmp_path: Path, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    ignore = write_ignore(tmp_path, body)
    r = run_cli(["scan", "--from", str(DEMO), "--ignore-file", str(ignore)])
    assert r.code == 2, r.out
    assert str(ignore) in r.err and message in r.err and len(r.err.strip().splitlines()) == 1


def _validate(doc: dict[str, Any]) -> None:
    schema = json.loads(shared_path("sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert github_lint(doc) == []


@needs_shared("sarif-schema-2.1.0.json")
def test_sarif_with_and_without_suppressed_results(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ignore = write_ignore(
        tmp_path, f"suppressions:\n  - {{rule: 'NHI-AWS-*', identity: '{LEGACY}', reason: accepted}}\n"
    )
    plain, full = tmp_path / "a.sarif", tmp_path / "b.sarif"
    base = ["scan", "--from", str(DEMO / "aws"), *AS_OF, "-q", "--ignore-file", str(ignore)]
    assert run_cli([*base, "-f", "sarif", "-o", str(plain)]).code == 0
    assert run_cli([*base, "-f", "sarif", "-o", str(full), "--sarif-include-suppressed"]).code == 0
    a, b = json.loads(plain.read_text()), json.loads(full.read_text())
    _validate(a)
    _validate(b)
    ra, rb = a["runs"][0]["results"], b["runs"][0]["results"]
    assert not any("suppressions" in r for r in ra)
    sup = [r for r in rb if "suppressions" in r]
    assert sup and len(rb) == len(ra) + len(sup)
    assert sup[0]["suppressions"][0] == {
        "kind": "external",
        "status": "accepted",
        "justification": "accepted",
    }
    assert a["runs"][0]["automationDetails"]["id"] == "nhiscan/aws/210987654321/"


@pytest.mark.parametrize(
    ("fail_on", "strict", "gap", "expected"),
    [
        ("none", False, False, 0),
        ("critical", False, False, 1),
        ("none", True, False, 0),
        ("none", True, True, 3),
        ("critical", True, True, 1),  # findings take precedence over gaps
        ("none", False, True, 0),
    ],
)
def test_exit_code_matrix(
    run_cli, tmp_path: Path, fail_on: str, strict: bool, gap: bool, expected: int
) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    shutil.copytree(DEMO / "aws", src)
    if gap:
        (src / "credential-report.csv").unlink()
    args = ["scan", "--from", str(src), *AS_OF, "-q", "--fail-on", fail_on] + (["--strict"] if strict else [])
    assert run_cli(args).code == expected
