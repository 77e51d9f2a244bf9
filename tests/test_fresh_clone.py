"""The README's test command on a fresh clone with nothing beside it (no ``../shared``): every
test collects, and the tests that read the shared reference files skip with one clear reason, or
fail the run under ``NHISCAN_REQUIRE_SHARED=1`` (as in ``.ci/run``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

REASON = "../shared not found (set NHISCAN_SHARED_DIR); tests that read the shared reference files skipped"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a git checkout"
)


def readme_pytest_args() -> list[str]:
    """The pytest part of README.md's test command (``... && python -m pytest -q``)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in text.splitlines() if "-m pytest" in ln and "pip install" in ln]
    command = shlex.split(line.rsplit("&&", 1)[1])
    assert command[:3] == ["python", "-m", "pytest"], command
    return command[3:]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the committed HEAD, alone in an empty folder."""
    dest = tmp_path_factory.mktemp("fresh") / "nhiscan"
    subprocess.run(["git", "clone", "-q", str(REPO), str(dest)], check=True, timeout=120)
    assert not (dest.parent / "shared").exists()
    return dest


def run_pytest(clone: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    child = {k: v for k, v in os.environ.items() if k not in ("NHISCAN_SHARED_DIR", "NHISCAN_REQUIRE_SHARED")}
    # the clone's own source, not the checkout this venv has installed
    child |= {"PYTHONPATH": str(clone / "src"), "NO_COLOR": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *readme_pytest_args(), "-p", "no:cacheprovider", *args],
        cwd=clone,
        env=child,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_readme_command_collects_everything_without_errors(clone: Path) -> None:
    r = run_pytest(clone, "--collect-only")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    last = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in [\d.]+s", last), last
    assert int(last.split()[0]) > 500
    assert not re.search(r"^(ERROR|=+ ERRORS)", r.stdout, re.M)


def test_shared_tests_skip_with_one_reason(clone: Path) -> None:
    r = run_pytest(clone, "-m", "needs_shared", "-rs")
    assert r.returncode == 0, r.stdout[-3000:]
    reasons = set(re.findall(r"^SKIPPED \[\d+\] [^:]+:\d+: (.*)$", r.stdout, re.M))
    assert reasons == {REASON}
    assert re.search(r"^\d+ skipped, \d+ deselected in ", r.stdout, re.M), r.stdout[-500:]


def test_the_clone_imports_its_own_source(clone: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", "import nhiscan; print(nhiscan.__file__)"],
        env={**os.environ, "PYTHONPATH": str(clone / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(r.stdout.strip()).is_relative_to(clone)


def test_required_shared_folder_missing_fails_the_run(clone: Path) -> None:
    r = run_pytest(clone, "--collect-only", "tests/test_timeutil.py", NHISCAN_REQUIRE_SHARED="1")
    assert r.returncode != 0
    assert "../shared not found (set NHISCAN_SHARED_DIR), and NHISCAN_REQUIRE_SHARED=1 requires it" in (
        r.stdout + r.stderr
    )
