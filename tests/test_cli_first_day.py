"""What a new user tries first, through the real CLI in a subprocess: ``--version``, ``-h`` on
every command, shell completion, and live-only options given with ``--from``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from nhiscan import __version__
from support import DEMO


def nhiscan(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **env},
    )


def command_paths() -> list[list[str]]:
    """Every command and group of the app, as argv prefixes (``[]`` is ``nhiscan`` itself)."""
    from nhiscan.cli import app

    out: list[list[str]] = []

    def walk(cmd: Any, prefix: list[str]) -> None:
        out.append(prefix)
        # a group (typer vendors its click, so no isinstance check against click.Group)
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return out


def test_every_command_is_listed() -> None:
    names = {" ".join(p) for p in command_paths()}
    assert {"", "scan", "inventory", "graph", "rules", "rules list", "rules show", "rules docs"} <= names


@pytest.mark.parametrize("prefix", command_paths(), ids=lambda p: " ".join(p) or "nhiscan")
def test_dash_h_is_help_on_every_command(prefix: list[str]) -> None:
    short, long = nhiscan(*prefix, "-h"), nhiscan(*prefix, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout
    assert short.stdout.startswith(f"Usage: nhiscan {' '.join(prefix)}".rstrip() + " ")
    assert "-h, --help" in short.stdout


@pytest.mark.parametrize("args", [["--version"], ["scan", "--version"], ["rules", "list", "--version"]])
def test_version(args: list[str]) -> None:
    r = nhiscan(*args)
    assert (r.returncode, r.stdout, r.stderr) == (0, f"nhiscan {__version__}\n", "")


def test_show_completion_prints_a_script_for_the_shell() -> None:
    r = nhiscan("--show-completion", "bash")
    assert r.returncode == 0, r.stderr
    assert "_NHISCAN_COMPLETE=complete_bash" in r.stdout and "complete -o default -F" in r.stdout


def test_install_completion_writes_into_the_users_shell_config(tmp_path: Path) -> None:
    r = nhiscan("--install-completion", "bash", HOME=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "nhiscan" in (tmp_path / ".bashrc").read_text()


@pytest.mark.parametrize(
    ("words", "expected", "absent"),
    [
        ("nhiscan sc", {"scan"}, {"inventory"}),
        ("nhiscan rules ", {"list", "show", "validate", "docs"}, {"scan"}),
        ("nhiscan scan --pro", {"--profile", "--project"}, {"--region"}),
        ("nhiscan scan --fail-on h", {"high"}, {"low"}),
    ],
)
def test_completion_through_the_environment_variable(
    words: str, expected: set[str], absent: set[str]
) -> None:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    r = nhiscan(_NHISCAN_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(cword))
    assert r.returncode == 0, r.stderr
    offered = set(r.stdout.split())
    assert expected <= offered and not (absent & offered), offered


def test_live_only_options_are_exactly_these() -> None:
    from nhiscan.cli_options import provider_options

    live = {o.option.flag for o in provider_options() if o.option.live_only}
    assert live == {
        "--profile",
        "--region",
        "--key-details",
        "--subscription",
        "--all-subscriptions",
        "--project",
        "--organization",
        "--location",
        "--context",
        "--all-contexts",
        "--kubeconfig",
    }


@pytest.mark.parametrize("command", ["scan", "inventory", "graph"])
def test_live_only_options_with_from_are_warned_about(command: str, tmp_path: Path) -> None:
    r = nhiscan(
        command, "--from", str(DEMO), "--profile", "prod", "--region", "eu-west-1", "--region", "us-east-1",
        "--kubeconfig", str(tmp_path / "kc"), "--key-details", "--tenant", "t", "--cluster-name", "c", "-q",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"nhiscan: warning: {flag} only applies to live collection; ignored with --from"
        for flag in ("--profile", "--region", "--key-details", "--kubeconfig")
    ]


def test_options_that_name_imported_files_are_not_warned_about() -> None:
    r = nhiscan("scan", "--from", str(DEMO / "k8s"), "--cluster-name", "prod", "-f", "json", "-q")
    assert r.returncode == 0 and r.stderr == ""
    assert '"k8s:cluster:prod"' in r.stdout
