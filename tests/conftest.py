"""Shared test helpers: locating the shared reference folder and running the CLI in-process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from support import DEMO, REPO, shared_dir  # noqa: F401  (re-exported for tests)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``nhiscan ARGS`` in-process; returns exit code, stdout and stderr."""
    from nhiscan import cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    # Reports follow COLUMNS; tests that care set it themselves.
    monkeypatch.delenv("COLUMNS", raising=False)

    def run(args: Sequence[str]) -> CliResult:
        cli.STATE.debug = cli.STATE.quiet = cli.STATE.no_color = False
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def estates(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The exported estates of tests/rules/estates.yaml, each imported once per session."""
    from golden_estates import Estates

    return Estates(tmp_path_factory)
