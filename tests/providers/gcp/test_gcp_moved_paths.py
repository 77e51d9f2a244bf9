"""A custom rule still written against the untyped GCP attributes is refused at load, and the
message names the typed path the fact moved to (engine/schema.py MOVED)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.errors import RuleError
from support import compile_test_rule


def compile_text(tmp_path: Path, **kw: str) -> None:
    compile_test_rule(tmp_path, "gcp", rule_id="ACME-GCP-001", **kw)


@pytest.mark.parametrize(
    ("target", "old", "value", "new"),
    [
        ("identity", "identity.attributes.default_sa", "compute", "identity.gcp.default_service_account"),
        ("identity", "identity.attributes.service_agent", "true", "identity.managed_by"),
        ("credential", "credential.attributes.key_type", "USER_MANAGED", "credential.gcp.key_type"),
    ],
)
def test_an_old_gcp_attribute_path_is_refused_with_its_new_path(
    tmp_path: Path, target: str, old: str, value: str, new: str
) -> None:
    with pytest.raises(RuleError) as err:
        compile_text(tmp_path, target=target, field=old, value=value, message=f"{{{target}.id}}")
    message = err.value.diagnostics()
    assert f"{old!r} has moved to {new!r}" in message and "ACME-GCP-001" in message


def test_an_old_gcp_path_in_the_message_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"message: .*'identity\.gcp\.basic_roles'"):
        compile_text(
            tmp_path,
            field="identity.gcp.listed",
            value="true",
            message="{identity.name} holds {identity.attributes.basic_roles}",
        )


def test_the_new_paths_load(tmp_path: Path) -> None:
    compile_text(tmp_path, field="identity.gcp.default_service_account", value="compute")
    compile_text(
        tmp_path,
        target="credential",
        field="credential.gcp.key_type",
        value="USER_MANAGED",
        message="{credential.id}",
    )
