"""The plugin contract: registry entry, light import, rule severities and goldens in sync."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from nhiscan import providers
from nhiscan.engine import evaluate, load_rules
from nhiscan.inventory_io import dump_inventory
from providers.mcp.goldens import golden_inventory
from providers.mcp.mcp_support import AS_OF
from support import DEMO, REPO


def test_registered_without_an_extra() -> None:
    plugin = providers.get("mcp")
    assert plugin.name == "mcp" and plugin.extra == "" and "mcp" in providers.available()


def test_import_is_light() -> None:
    code = (
        "import sys, nhiscan.providers.mcp as m; m.Plugin();"
        "heavy = [n for n in ('yaml', 'tomllib', 'boto3', 'pydantic', 'rich', 'nhiscan.providers.mcp.collector')"
        " if n in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
    assert out.stdout.strip() == "[]", out.stdout


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def test_secret_severity_depends_on_where_the_file_lives() -> None:
    inv = golden_inventory("NHI-MCP-001")
    rule = next(r for r in load_rules() if r.id == "NHI-MCP-001")
    severities = {f.target_id.split("#")[0]: f.severity.value for f in evaluate(inv, [rule], AS_OF)}
    assert severities == {
        "mcp://acme-app/.mcp.json": "critical",
        "mcp://dev-laptop/~/.cursor/mcp.json": "high",
    }


def test_demo_repository_reports_each_problem(collect_mcp) -> None:  # type: ignore[no-untyped-def]
    inv = collect_mcp([DEMO / "mcp"])
    rules = [r for r in load_rules() if r.id.startswith("NHI-MCP-")]
    found = {(f.rule_id, f.target_id.split("#")[1], f.severity.value) for f in evaluate(inv, rules, AS_OF)}
    assert found == {
        ("NHI-MCP-001", "github", "critical"),
        ("NHI-MCP-005", "github", "medium"),
        ("NHI-MCP-004", "files", "high"),
        ("NHI-MCP-002", "wiki", "medium"),
        ("NHI-MCP-006", "wiki", "high"),
        ("NHI-MCP-003", "shell", "high"),
    }
    assert "NHISCANdemoFAKE" not in dump_inventory(inv)


def test_demo_is_invisible_to_the_loaders_folder_walk() -> None:
    # `nhiscan scan --from examples/demo` skips dot-files, so the MCP demo never changes that demo.
    visible = [
        p
        for p in (DEMO / "mcp").rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(DEMO).parts)
    ]
    assert [p.name for p in visible] == ["README.md"]


def test_pre_commit_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "nhiscan-mcp")
    assert hook["entry"].split()[:3] == ["nhiscan", "scan", "mcp"]
    assert "--fail-on" in hook["args"] and "high" in hook["args"] and hook["pass_filenames"] is False
    from nhiscan.providers.mcp.collector import REPO_FILES

    files = re.compile(hook["files"])
    for rel in (*REPO_FILES, ".continue/mcpServers/a.yaml"):
        assert files.search(rel), rel
    # the scan reads configs at the root only, so the hook triggers on those only
    for rel in ("src/main.py", "package.json", "sub/dir/.mcp.json", "tests/fixtures/mcp.json"):
        assert not files.search(rel), rel


def test_repository_scan_is_fast(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    for rel in (".mcp.json", ".vscode/mcp.json", ".cursor/mcp.json", ".gemini/settings.json"):
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(
                {"mcpServers": {f"s{i}": {"command": "npx", "args": ["-y", f"p{i}"]} for i in range(20)}}
            )
        )
    start = time.perf_counter()
    inv = collect_mcp([repo])
    elapsed = time.perf_counter() - start
    assert len(inv.identities) == 60 + 20  # .vscode/mcp.json has mcpServers too: still claimed
    assert elapsed < 0.5, elapsed
