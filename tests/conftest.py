"""Shared test helpers: locating the shared reference folder and running the CLI in-process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from support import (  # noqa: F401  (DEMO, REPO and shared_dir are re-exported for tests)
    DEMO,
    REPO,
    REQUIRE_ENV,
    SHARED_CONTENTS,
    shared_dir,
    shared_missing,
    shared_required,
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under NHISCAN_REQUIRE_SHARED=1 (.ci/run) a missing shared folder fails the run up front,
    so the reference-export tests can never pass there by being skipped."""
    if not shared_required():
        return
    missing = [r for r in (shared_missing(part) for part in SHARED_CONTENTS) if r is not None]
    if missing:
        raise pytest.UsageError(f"{missing[0].split(';')[0]}, and {REQUIRE_ENV}=1 requires it")


def pytest_report_header(config: pytest.Config) -> str:
    reasons = {r for r in (shared_missing(part) for part in SHARED_CONTENTS) if r is not None}
    return f"shared reference folder: {shared_dir()}" + (
        f" ({'; '.join(sorted(reasons))})" if reasons else ""
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@needs_shared(parts)`` becomes a skip with the one reason when the path is absent."""
    for item in items:
        for mark in item.iter_markers("needs_shared"):
            reason = shared_missing(*mark.args)
            if reason is not None:
                # skipif is evaluated before skip, so this reason also wins over pytest's own
                # "got empty parameter set" for a parametrize over the missing folder's files
                item.add_marker(pytest.mark.skipif(True, reason=reason))
                break


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
