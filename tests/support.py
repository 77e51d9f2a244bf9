"""Paths and helpers shared by tests (importable as ``support``; tests/ is on pythonpath).

The shared reference folder (third-party real exports, the OASIS SARIF schema) is not part of
the repository: it is ``$NHISCAN_SHARED_DIR``, else ``shared/`` beside the repository. Tests that
read it carry ``@needs_shared(...)`` and are skipped, all with one reason, when it is absent; with
``NHISCAN_REQUIRE_SHARED=1`` (set by ``.ci/run``, where the folder is always laid) a missing folder
fails the run instead (see ``tests/conftest.py``). Nothing else needs anything outside the
repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"

SHARED_ENV = "NHISCAN_SHARED_DIR"
REQUIRE_ENV = "NHISCAN_REQUIRE_SHARED"
# What the tests read from the shared folder; NHISCAN_REQUIRE_SHARED=1 checks these.
SHARED_CONTENTS = ("real-exports", "sarif-schema-2.1.0.json")


def shared_dir() -> Path:
    """``$NHISCAN_SHARED_DIR``, else ``shared/`` beside the repository (it may not exist)."""
    env = os.environ.get(SHARED_ENV)
    return Path(env) if env else REPO.parent / "shared"


def _shown(path: Path) -> str:
    """The path as a reader of the skip line thinks of it: ``../shared/...`` by default."""
    try:
        return str(Path("..") / path.relative_to(REPO.parent))
    except ValueError:
        return str(path)


def shared_missing(*parts: str) -> str | None:
    """None when ``shared_dir()/parts`` exists; else the one-line reason naming the first missing
    folder on the way (so a clone with no shared folder at all gives a single reason)."""
    path = shared_dir()
    for part in ("", *parts):
        path = path / part if part else path
        if not path.exists():
            return (
                f"{_shown(path)} not found (set {SHARED_ENV}); "
                "tests that read the shared reference files skipped"
            )
    return None


def shared_required() -> bool:
    """True under ``NHISCAN_REQUIRE_SHARED=1``: a missing shared folder is a failure."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Mark a test (or, as ``pytestmark``, a module) that reads ``shared_dir()/parts``."""
    return pytest.mark.needs_shared(*parts)


def shared_path(*parts: str) -> Path:
    """``shared_dir()/parts`` for a test that is running; skips it when absent (fixtures use
    this, so a test reaching the folder through one is covered even without the marker)."""
    reason = shared_missing(*parts)
    if reason is not None:
        if shared_required():
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
        pytest.skip(reason)
    return shared_dir().joinpath(*parts)


TEST_RULE = """\
id: {rule_id}
title: Test rule
severity: low
provider: {provider}
target: {target}
description: A rule used by the tests only.
remediation: Nothing to do.
fail_when: {{field: {field}, {op}: {value}}}
message: "{message}"
"""


def compile_test_rule(
    tmp_path: Path,
    provider: str,
    *,
    field: str,
    target: str = "identity",
    op: str = "eq",
    value: str = "true",
    message: str = "{identity.name}",
    rule_id: str | None = None,
) -> None:
    """Write a one-condition custom rule for ``provider`` and compile it (raises RuleError when
    the engine refuses it): the moved-path and schema tests of every provider share it."""
    from nhiscan.engine.loader import compile_rule, parse_rule

    rule_id = rule_id or f"ACME-{provider.upper()}-900"
    path = tmp_path / f"{rule_id}.yaml"
    path.write_text(
        TEST_RULE.format(
            rule_id=rule_id,
            provider=provider,
            target=target,
            field=field,
            op=op,
            value=value,
            message=message,
        )
    )
    compile_rule(parse_rule(path), path)
