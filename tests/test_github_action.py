"""Run the GitHub Action's script locally, exactly as action.yml runs it (same shell, env inputs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from support import DEMO, REPO

SCRIPT = REPO / "scripts" / "github-action.sh"


def run_action(tmp: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    out, summary = tmp / "github_output", tmp / "step_summary"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "NHISCAN_OUTPUT_DIR": str(tmp / "reports"),
        "NO_COLOR": "1",
        **{f"NHISCAN_{k.upper()}": v for k, v in inputs.items()},
    }
    proc = subprocess.run(
        ["bash", str(SCRIPT)], env=env, cwd=tmp, capture_output=True, text=True, timeout=120
    )
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines()) if out.exists() else {}
    return proc.returncode, outputs, summary.read_text() if summary.exists() else ""


def test_action_scans_writes_summary_and_outputs(tmp_path: Path) -> None:
    code, outputs, summary = run_action(tmp_path, **{"from": str(DEMO), "fail_on": "high"})
    assert code == 1  # the demo has critical findings
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert json.loads(Path(outputs["json-file"]).read_text())["format"] == "nhiscan-report"
    assert summary.startswith("## nhiscan") and "NHI-AWS-006" in summary


def test_action_fail_on_none_passes(tmp_path: Path) -> None:
    code, outputs, _ = run_action(tmp_path, **{"from": str(DEMO), "fail_on": "none"})
    assert code == 0 and outputs["exit-code"] == "0"


def test_action_baseline_and_fail_on_new(tmp_path: Path) -> None:
    (tmp_path / "first").mkdir()
    _, first, _ = run_action(tmp_path / "first", **{"from": str(DEMO), "fail_on": "none"})
    code, _, summary = run_action(
        tmp_path,
        **{"from": str(DEMO), "fail_on": "low", "baseline": first["json-file"], "fail_on_new": "true"},
    )
    assert code == 0, summary  # nothing is new against itself, so findings at low do not fail
    first_report = json.loads(Path(first["json-file"]).read_text())
    open_count = sum(f["status"] == "open" for f in first_report["findings"])
    assert f"| 0 | {open_count} | 0 |" in summary  # new | unchanged | fixed


def test_action_input_error_gives_exit_2_and_no_sarif(tmp_path: Path) -> None:
    code, outputs, _ = run_action(tmp_path, **{"from": str(tmp_path / "missing")})
    assert code == 2 and outputs["exit-code"] == "2" and "sarif-file" not in outputs


def test_action_inputs_cannot_inject_shell(tmp_path: Path) -> None:
    code, _, _ = run_action(tmp_path, providers="aws;touch${IFS}pwned $(touch pwned2)")
    assert code == 2
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_action_yml_passes_every_input_through_env() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    scan = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    assert "${{" not in scan["run"]  # inputs never interpolated into the script
    for name in action["inputs"]:
        if name == "python-version":
            continue
        assert f"NHISCAN_{name.upper().replace('-', '_')}" in scan["env"], name
    script = SCRIPT.read_text()
    for var in scan["env"]:
        if var.startswith("NHISCAN_"):
            assert var in script, var
