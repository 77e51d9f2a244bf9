"""A rule that still reads an AWS attribute path from before the typed facts is refused at load,
and the error names where the fact went (``engine.schema.MOVED``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.engine.loader import load_rules
from nhiscan.engine.schema import MOVED, moved_to
from nhiscan.errors import RuleError
from support import compile_test_rule


def _compile(
    tmp_path: Path, field: str, value: str = "true", message: str = "old path", target: str = "identity"
) -> None:
    compile_test_rule(tmp_path, "aws", field=field, value=value, message=message, target=target)


@pytest.mark.parametrize(
    ("old", "new", "value", "target"),
    [
        ("identity.attributes.service_linked", "identity.managed_by", "true", "identity"),
        ("identity.attributes.active_access_keys", "identity.aws.active_access_keys", "1", "identity"),
        ("identity.attributes.trust.any_principal", "identity.aws.trust.any_principal", "true", "identity"),
        ("identity.attributes.trust.oidc_issues", "identity.aws.trust.oidc_issues", "x", "identity"),
        ("credential.attributes.key_id", "credential.aws.key_id", "x", "credential"),
        ("logging.attributes.complete_trails", "logging.aws.complete_trails", "x", "logging"),
    ],
)
def test_an_old_aws_path_is_refused_with_the_new_one(
    tmp_path: Path, old: str, new: str, value: str, target: str
) -> None:
    with pytest.raises(RuleError) as err:
        _compile(tmp_path, old, value, target=target)
    message = err.value.diagnostics()
    assert f"{old!r} has moved to {new!r}" in message
    assert "ACME-AWS-900" in message


def test_an_old_path_in_a_message_placeholder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"identity\.aws\.trust\.services_without_source_condition"):
        _compile(
            tmp_path,
            "identity.kind",
            "aws.iam_role",
            message="{identity.attributes.trust.services_without_source_condition}",
        )


def test_the_new_paths_load(tmp_path: Path) -> None:
    _compile(tmp_path, "identity.aws.trust.any_principal", message="{identity.aws.trust.oidc_issues}")
    assert "ACME-AWS-900" in {r.id for r in load_rules([tmp_path])}


def test_a_prefix_entry_moves_what_is_below_it_and_not_the_key_itself() -> None:
    assert "identity.attributes.trust.*" in MOVED
    assert moved_to("identity.attributes.trust.principals") == "identity.aws.trust.principals"
    # MCP servers still write an untyped ``trust`` flag: the bare key is not moved
    assert moved_to("identity.attributes.trust") is None
    assert moved_to("identity.attributes.trusted") is None
    assert moved_to("identity.attributes.service_linked") == "identity.managed_by"
