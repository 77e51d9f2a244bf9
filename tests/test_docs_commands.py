"""The documentation agrees with the code: every ``nhiscan ...`` command in a code block of
README.md and docs/ runs against the demo with the exit code the docs imply (a small, explicit list
of commands that need a live cloud is skipped, each with its reason); the configuration snippets
load; the rule guide's example is the real rule; the JSON report example is valid; the pre-commit
snippets name the published hook; two scans of the same inputs give the same bytes but
``scan.started``."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from nhiscan.findings import fingerprint
from support import DEMO, REPO

DOCS = [REPO / "README.md", *sorted(p for p in (REPO / "docs").rglob("*.md") if p.name != "rules.md")]
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.M | re.S)

# Commands that cannot run against the demo, each with why.
LIVE = "reads a live cloud account"
SKIP: dict[str, str] = {
    "nhiscan scan aws": LIVE,
    "nhiscan scan aws --profile prod --region eu-west-1": LIVE,
    "nhiscan scan": "reads every live provider whose credentials are found",
    "nhiscan scan aws --save-inventory inv.json": LIVE,
    "nhiscan scan aws --fail-on high --baseline last-night.json --fail-on-new -f json -o tonight.json "
    "-f sarif -o nhiscan.sarif": LIVE,
    "nhiscan scan aws --fail-on high": LIVE,
    'nhiscan scan aws -f sarif -o nhiscan.sarif -f markdown -o "$GITHUB_STEP_SUMMARY" -f json -o '
    "nhiscan.json --fail-on none --sarif-category nhiscan/aws/123456789012": LIVE,
    "nhiscan graph [--from PATH] [--identity ID] [--to-admin] --format dot|mermaid|json": "a synopsis",
    "nhiscan scan azure": LIVE,
    "nhiscan scan azure --tenant TENANT_ID --subscription SUB_A --subscription SUB_B": LIVE,
    "nhiscan scan azure --all-subscriptions": LIVE,
    "nhiscan scan gcp --project acme-prod --project acme-dev": LIVE,
    "nhiscan scan gcp --organization 123456789012": LIVE,
    "nhiscan scan k8s": "reads a live cluster",
    "nhiscan scan k8s --context prod --context staging": "reads a live cluster",
    "nhiscan scan k8s --all-contexts": "reads a live cluster",
    "nhiscan scan k8s --kubeconfig ./ci-kubeconfig": "reads a live cluster",
}


# README's AWS export section runs `nhiscan scan --from .` in the folder of exported files
CWD = {"nhiscan scan --from .": "exports/aws"}


def code_blocks() -> list[tuple[Path, str, str]]:
    """(file, language, body) of every fenced block, continuation lines joined."""
    out = []
    for path in DOCS:
        for m in FENCE.finditer(path.read_text(encoding="utf-8")):
            body = textwrap.dedent(m.group(3))
            out.append((path, m.group(2), re.sub(r"\\\n\s*", " ", body)))
    return out


def documented_commands() -> list[str]:
    """Every ``nhiscan ...`` command line in the code blocks, without its trailing comment."""
    found: dict[str, None] = {}
    for _, _, body in code_blocks():
        for line in body.splitlines():
            line = re.sub(r"^\s*(?:- |run: |\$ )?", "", line)
            line = line.split(" && ")[-1]
            if re.match(r"nhiscan(\s|$)", line):
                found[" ".join(re.sub(r"\s+#.*$", "", line).split())] = None
    return list(found)


COMMANDS = documented_commands()


def test_commands_were_found_and_the_skip_list_is_current() -> None:
    assert len(COMMANDS) >= 25
    assert sorted(set(SKIP) - set(COMMANDS)) == []  # a skip entry whose command left the docs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory where every path the docs use exists, filled from the demo."""
    work = tmp_path_factory.mktemp("docs")
    shutil.copytree(DEMO, work / "examples" / "demo")
    shutil.copytree(DEMO, work / "exports")
    shutil.copytree(DEMO / "azure", work / "azure-export")
    shutil.copytree(DEMO / "gcp", work / "gcp-export")
    shutil.copytree(DEMO / "mcp", work / "path" / "to" / "configs")
    shutil.copy(DEMO / "k8s" / "prod-eu-1.json", work / "prod-eu-1.json")
    (work / ".vscode").mkdir()
    shutil.copy(DEMO / "mcp" / ".vscode" / "mcp.json", work / ".vscode" / "mcp.json")
    (work / "my-rules").mkdir()
    rule = yaml.safe_load((REPO / "rules" / "aws" / "NHI-AWS-001.yaml").read_text())
    rule["id"] = "ACME-AWS-001"
    (work / "my-rules" / "ACME-AWS-001.yaml").write_text(yaml.safe_dump(rule))
    r = run(
        work, ["scan", "--from", str(DEMO), "-q", "--save-inventory", "inv.json", "-f", "json", "-o", "-"]
    )
    assert r.returncode == 0, r.stderr
    (work / "home").mkdir()
    return work


def run(cwd: Path, args: list[str], home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AZURE_", "GOOGLE_", "KUBE"))}
    # `nhiscan scan mcp` with no path reads this machine's client configs: give it an empty home
    home = home or cwd / "home"
    env |= {"NO_COLOR": "1", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env |= {"KUBECONFIG": str(home / "none"), "AWS_CONFIG_FILE": str(home / "none")}
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def expected_code(args: list[str]) -> int:
    """The demo has open findings of every severity: a run fails (1) only with a --fail-on."""
    level = args[args.index("--fail-on") + 1] if "--fail-on" in args else "none"
    return 0 if level == "none" else 1


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_command_runs_against_the_demo(workdir: Path, command: str) -> None:
    if command in SKIP:
        pytest.skip(f"{command!r}: {SKIP[command]}")
    args = shlex.split(command)[1:]
    if args[:2] == ["scan", "mcp"] and len(args) == 2 or args == ["inventory", "mcp"]:
        # this machine's configs: the empty home of `run` holds none, so put one there
        cursor = workdir / "home" / ".cursor"
        cursor.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEMO / "mcp" / ".mcp.json", cursor / "mcp.json")
    r = run(workdir / CWD.get(command, ""), args, home=workdir / "home")
    assert r.returncode == expected_code(args), f"{command}\n{r.stderr[-2000:]}"
    assert "Traceback" not in r.stderr


def config_snippets() -> list[tuple[str, str]]:
    keys = {"fail_on", "params", "rules", "disable", "rules_dirs", "suppressions"}
    out = []
    for path, lang, body in code_blocks():
        if lang != "yaml":
            continue
        data = yaml.safe_load(body)
        if isinstance(data, dict) and data and set(data) <= keys:
            out.append((f"{path.relative_to(REPO)}:{list(data)}", body))
    return out


@pytest.mark.parametrize(("where", "body"), config_snippets(), ids=[w for w, _ in config_snippets()])
def test_documented_configuration_loads(workdir: Path, tmp_path: Path, where: str, body: str) -> None:
    (tmp_path / "our-rules").mkdir()  # README's rules_dirs, relative to the config file
    config = tmp_path / "nhiscan.yaml"
    config.write_text(body)
    r = run(workdir, ["scan", "--from", str(DEMO), "--config", str(config), "-q", "-f", "json", "-o", "-"])
    assert r.returncode in (0, 1), f"{where}: {r.stderr}"
    assert json.loads(r.stdout)["findings"]


def test_there_are_configuration_snippets() -> None:
    assert len(config_snippets()) >= 3


def test_the_rule_guide_example_is_the_real_rule() -> None:
    guide = (REPO / "src" / "nhiscan" / "engine" / "rules_guide.md").read_text()
    example = next(
        yaml.safe_load(m.group(3)) for m in FENCE.finditer(guide) if "id: NHI-AWS-001" in m.group(3)
    )
    real = yaml.safe_load((REPO / "rules" / "aws" / "NHI-AWS-001.yaml").read_text())
    for key in ("id", "title", "severity", "provider", "target", "params", "fail_when", "message"):
        assert example[key] == real[key], key
    assert example["severity_overrides"] == real["severity_overrides"]
    assert example["references"]["cis"] == real["references"]["cis"]


def _json_example() -> dict[str, Any]:
    text = (REPO / "docs" / "output.md").read_text()
    body = next(m.group(3) for m in FENCE.finditer(text) if m.group(2) == "json")
    doc: dict[str, Any] = json.loads(body)
    return doc


def test_the_json_report_example_is_valid_and_names_real_rules() -> None:
    doc = _json_example()
    doc["fixed"] = ["0" * 32]  # the example's placeholder text stands for fingerprints
    schema = json.loads((REPO / "src" / "nhiscan" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
    rules = {
        p.stem: yaml.safe_load(p.read_text())
        for p in (REPO / "rules").rglob("*.yaml")
        if p.stem.startswith("NHI-")
    }
    for f in doc["findings"]:
        rule = rules[f["rule_id"]]
        assert (f["title"], f["severity"]) == (rule["title"], rule["severity"])
        want = fingerprint(f["rule_id"], f["provider"], f["scope"], f["resource"]["id"], f["credential_id"])
        assert f["fingerprint"] == want


def test_pre_commit_snippets_name_the_published_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    published = {h["id"]: h for h in hooks}
    snippets = [
        yaml.safe_load(body) for _, lang, body in code_blocks() if lang == "yaml" and "repos:" in body
    ]
    assert len(snippets) >= 2
    repos = [repo for s in snippets for repo in s["repos"]]
    assert {(r["repo"], r["rev"]) for r in repos} == {("https://github.com/nhiscan/nhiscan", "<commit sha>")}
    assert {h["id"] for r in repos for h in r["hooks"]} <= set(published)
    header = (REPO / ".pre-commit-hooks.yaml").read_text().split("\n- id:")[0]
    assert "https://github.com/nhiscan/nhiscan" in header and "<commit sha>" in header
    # the comment in docs/providers/mcp.md says what the hook runs
    hook = published["nhiscan-mcp"]
    runs = " ".join([hook["entry"], *hook["args"]])
    assert f"runs: {runs}" in (REPO / "docs" / "providers" / "mcp.md").read_text()


def test_two_scans_give_the_same_bytes_but_the_start_time(tmp_path: Path) -> None:
    reports = []
    for name in ("a", "b"):
        args = ["scan", "--from", str(DEMO), "--as-of", "2026-11-01T00:00:00Z", "-q"]
        r = run(tmp_path, [*args, "-f", "json", "-o", f"{name}.json", "-f", "sarif", "-o", f"{name}.sarif"])
        assert r.returncode == 0, r.stderr
        reports.append(((tmp_path / f"{name}.json").read_text(), (tmp_path / f"{name}.sarif").read_text()))
    (json_a, sarif_a), (json_b, sarif_b) = reports
    started = re.compile(r'^\s*"(started|startTimeUtc)": "[^"]+",?$', re.M)
    assert json_a != json_b  # the wall-clock start differs ...
    assert started.sub("", json_a) == started.sub("", json_b)  # ... and nothing else
    assert started.sub("", sarif_a) == started.sub("", sarif_b)
