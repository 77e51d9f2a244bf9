"""A custom rule still written against the untyped Kubernetes attributes is refused at load, and
the message names the typed path the fact moved to (engine/schema.py MOVED); the new paths load
and their values are type-checked against providers/k8s/facts.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.errors import RuleError
from support import compile_test_rule


def compile_text(tmp_path: Path, **kw: str) -> None:
    compile_test_rule(tmp_path, "k8s", rule_id="ACME-K8S-001", **kw)


@pytest.mark.parametrize(
    ("target", "old", "value", "new"),
    [
        (
            "identity",
            "identity.attributes.bound_to_cluster_admin",
            "true",
            "identity.k8s.bound_to_cluster_admin",
        ),
        ("identity", "identity.attributes.secret_read_scope", "cluster", "identity.k8s.secret_read_scope"),
        ("identity", "identity.attributes.host_paths", "x", "identity.k8s.agent.host_paths"),
        ("identity", "identity.attributes.detection.score", "3", "identity.agent.detection.score"),
        ("identity", "identity.attributes.username", "x", "identity.aliases"),
        ("credential", "credential.attributes.invalid_since", "x", "credential.k8s.invalid_since"),
        ("edge", "edge.attributes.target_provider", "aws", "edge.k8s.target_provider"),
        ("logging", "logging.attributes.audited_pods", "x", "logging.k8s.audited_pods"),
    ],
)
def test_an_old_k8s_attribute_path_is_refused_with_its_new_path(
    tmp_path: Path, target: str, old: str, value: str, new: str
) -> None:
    with pytest.raises(RuleError) as err:
        compile_text(tmp_path, target=target, field=old, value=value, message="{provider}")
    message = err.value.diagnostics()
    assert f"{old!r} has moved to {new!r}" in message and "ACME-K8S-001" in message


def test_an_old_k8s_path_in_the_message_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"message: .*'identity\.k8s\.namespace_admin_via'"):
        compile_text(
            tmp_path,
            field="identity.k8s.is_default",
            value="true",
            message="{identity.name} via {identity.permissions.reasons.k8s_namespace_admin}",
        )


def test_an_enum_fact_takes_only_its_values(tmp_path: Path) -> None:
    compile_text(tmp_path, field="identity.k8s.secret_read_scope", value="namespace")
    with pytest.raises(RuleError, match="secret_read_scope"):
        compile_text(tmp_path, field="identity.k8s.secret_read_scope", value="everywhere")


def test_the_new_paths_load(tmp_path: Path) -> None:
    compile_text(tmp_path, field="identity.k8s.bound_to_cluster_admin", value="true")
    compile_text(tmp_path, field="identity.k8s.agent.authz_policy", value="false")
    compile_text(tmp_path, target="edge", field="edge.k8s.annotation", value="x", message="{edge.dst}")
    compile_text(
        tmp_path, target="logging", field="logging.k8s.audited_pods", value="x", message="{logging.scope}"
    )
