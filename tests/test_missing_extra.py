"""A provider whose pip extra is not installed: named, it stops with the install advice (exit 2);
not named, a scan skips it with that reason. The real CLI runs in a subprocess whose
``sitecustomize`` hides the SDK modules, as if ``pip install .`` had been run without extras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import DEMO, REPO

HIDER = """
import sys

HIDDEN = {hidden!r}


class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN or name in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _Hide())
"""


def _run(tmp_path: Path, hidden: set[str], *args: str) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(HIDER.format(hidden=sorted(hidden)))
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AZURE_", "GOOGLE_", "KUBE"))}
    env |= {"PYTHONPATH": str(site), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env |= {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}
    env["KUBECONFIG"] = str(home / "no-kubeconfig")
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_the_hider_really_hides(tmp_path: Path) -> None:
    r = _run(tmp_path, {"botocore"}, "--version")
    assert r.returncode == 0
    probe = subprocess.run(
        [sys.executable, "-c", "import botocore"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    assert "ModuleNotFoundError" in probe.stderr


@pytest.mark.parametrize(
    ("provider", "hidden", "module"),
    [
        ("aws", {"botocore"}, "botocore"),
        ("azure", {"azure.identity"}, "azure.identity"),
        ("gcp", {"google.cloud.asset_v1"}, "google.cloud.asset_v1"),
        ("k8s", {"kubernetes"}, "kubernetes"),
    ],
)
def test_naming_a_provider_without_its_extra_says_how_to_install_it(
    tmp_path: Path, provider: str, hidden: set[str], module: str
) -> None:
    r = _run(tmp_path, hidden, "scan", provider)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        f"nhiscan: error: {provider}: the {module!r} package is not installed; "
        f"install it with: pip install 'nhiscan[{provider}]'\n"
    )


def test_a_scan_naming_no_provider_skips_one_without_its_extra(tmp_path: Path) -> None:
    # AWS credentials are set, so without the check the scan would try AWS and fail on botocore;
    # an MCP client config gives the scan something to read
    cursor = tmp_path / "home" / ".cursor"
    cursor.mkdir(parents=True)
    (cursor / "mcp.json").write_text(
        '{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "fs-server"]}}}'
    )
    r = _run(tmp_path, {"boto3", "botocore"}, "scan", "-f", "json")
    assert r.returncode == 0, r.stderr
    scan = json.loads(r.stdout)["scan"]
    assert "mcp" in scan["providers"] and "aws" not in scan["providers"]
    assert "pip install 'nhiscan[aws]'" in scan["skipped_providers"]["aws"]
    assert (
        "skipped aws: the 'boto3' package is not installed; install it with: pip install 'nhiscan[aws]'"
        in r.stderr
    )
    assert "Traceback" not in r.stderr and "ModuleNotFoundError" not in r.stderr


def test_imported_files_need_no_extra(tmp_path: Path) -> None:
    r = _run(tmp_path, {"boto3", "botocore"}, "scan", "aws", "--from", str(DEMO / "aws"), "-q")
    assert r.returncode == 0, r.stderr
    assert "NHI-AWS-" in r.stdout
