"""The Azure typed facts contract: every fact field is documented, every path the Azure rules read
exists and is typed, every kind the provider emits is registered, the old attribute keys are gone,
and the delegation reads the typed tenant id."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import typing
from pathlib import Path

import pytest
import yaml

from nhiscan.engine.loader import compile_rule, parse_rule
from nhiscan.engine.schema import MOVED
from nhiscan.errors import Gap, RuleError
from nhiscan.facts import ManagedBy
from nhiscan.model import Identity, Inventory
from nhiscan.providers.azure import facts as azure_facts
from nhiscan.providers.azure.delegation import AzureDelegation
from nhiscan.providers.azure.facts import AzureIdentityFacts
from nhiscan.providers.azure.http import ApiError
from providers.azure.azure_support import DEMO, PLUGIN, TENANT, build
from support import REPO

RULES = sorted((REPO / "rules" / "azure").glob("*.yaml"))
SECTIONS = {
    "identity": PLUGIN.identity_facts,
    "credential": PLUGIN.credential_facts,
    "edge": PLUGIN.edge_facts,
    "logging": PLUGIN.logging_facts,
}
# The cross-identity agent facts a separate analysis moves out of attributes (CONTRACT.md).
AGENT_KEYS = {"runs_as", "runs_as_classes", "agent_count"}


def _documented_fields(cls: type) -> set[str]:
    """Fields followed by a string literal (an attribute docstring) in the class body."""
    body = ast.parse(inspect.getsource(cls)).body[0]
    assert isinstance(body, ast.ClassDef)
    out = set()
    for stmt, nxt in zip(body.body, body.body[1:], strict=False):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if (
                isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            ):
                out.add(stmt.target.id)
    return out


FACT_CLASSES = [c for _, c in inspect.getmembers(azure_facts, inspect.isclass) if dataclasses.is_dataclass(c)]


@pytest.mark.parametrize("cls", FACT_CLASSES, ids=lambda c: c.__name__)
def test_every_fact_field_has_a_default_and_a_docstring(cls: type) -> None:
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    fields = dataclasses.fields(cls)
    assert {f.name for f in fields} == _documented_fields(cls)
    for f in fields:
        assert f.default is not dataclasses.MISSING, f"{cls.__name__}.{f.name} has no default"
    cls()  # constructible from defaults alone


def test_plugin_registers_the_facts_classes() -> None:
    assert SECTIONS == {
        "identity": azure_facts.AzureIdentityFacts,
        "credential": azure_facts.AzureCredentialFacts,
        "edge": azure_facts.AzureEdgeFacts,
        "logging": azure_facts.AzureLoggingFacts,
    }


def _field_type(cls: type, path: list[str]) -> object:
    hints = typing.get_type_hints(cls)
    assert path[0] in hints, f"{cls.__name__} has no field {path[0]!r}"
    hint = hints[path[0]]
    if len(path) == 1:
        return hint
    return _field_type(hint, path[1:])


def _paths(rule: dict[str, object]) -> list[str]:
    text = yaml.safe_dump(rule)
    return sorted(set(re.findall(r"\b(?:identity|credential|edge|logging)\.[a-z_]+(?:\.[a-z_]+)*", text)))


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_azure_rules_read_only_typed_paths_that_exist(path: Path) -> None:
    rule = yaml.safe_load(path.read_text())
    for ref in _paths(rule):
        section, *rest = ref.split(".")
        if rest[0] == "azure":
            _field_type(SECTIONS[section], rest[1:])  # raises naming the missing field
        elif rest[0] == "attributes":
            assert section == "identity" and rest[1] in AGENT_KEYS, f"{path.stem} still reads {ref}"
    for cond in re.findall(r"identity\.managed_by, (?:eq|ne): (\w+)", path.read_text()):
        assert cond in {m.value for m in ManagedBy}


@pytest.fixture(scope="module")
def demo() -> Inventory:
    return build(sorted(DEMO.glob("*.json")))


def test_every_emitted_kind_is_registered(demo: Inventory) -> None:
    from nhiscan.providers.interface import DelegationContext

    assert {i.kind for i in demo.identities} <= set(PLUGIN.identity_kinds)
    assert {c.kind for c in demo.credentials} <= set(PLUGIN.credential_kinds)
    derived = PLUGIN.delegation(DelegationContext(inventory=demo, sink_of=lambda i: f"admin:{i.scope}"))
    assert derived is not None
    kinds = {e.kind for e in demo.edges} | {e.kind for e in derived.edges()}
    assert "azure.any_service_principal" in kinds
    assert kinds <= set(PLUGIN.edge_kinds)
    assert set(PLUGIN.external_source_edge_kinds) <= set(PLUGIN.edge_kinds)


def test_no_attribute_keys_left_but_the_agent_ones(demo: Inventory) -> None:
    assert {k for i in demo.identities for k in i.attributes} == AGENT_KEYS
    assert all(i.kind.startswith("agent.") for i in demo.identities if i.attributes)
    assert not [c for c in demo.credentials if c.attributes or c.facts is None]
    assert not [e for e in demo.edges if e.attributes]
    assert not [lg for lg in demo.logging if lg.attributes]
    assert all(isinstance(i.facts, AzureIdentityFacts) for i in demo.identities)
    # agent.* edges cannot carry facts: their prefix names no provider's facts class.
    assert not [e for e in demo.edges if e.kind.startswith("agent.") and e.facts is not None]
    assert {i.managed_by for i in demo.identities} == {"customer", "provider", "third_party"}


def _sp(ident_id: str, scope: str, tenant_id: str | None) -> Identity:
    return Identity(
        id=ident_id,
        provider="azure",
        kind="azure.service_principal",
        scope=scope,
        name=ident_id,
        facts=AzureIdentityFacts(tenant_id=tenant_id),
    )


def test_delegation_expands_the_hub_by_the_typed_tenant_id() -> None:
    from nhiscan.model import Edge

    hub = f"azure-tenant:{TENANT}/any-sp"
    inv = Inventory(
        identities=(
            _sp("by-scope", f"azure:tenant:{TENANT}", None),
            _sp("by-fact", "azure:tenant:elsewhere", TENANT),
            _sp("other", "azure:tenant:elsewhere", "elsewhere"),
            Identity(
                id="untyped",
                provider="azure",
                kind="azure.service_principal",
                scope="azure:tenant:elsewhere",
                name="untyped",
                attributes={"tenant_id": TENANT},  # the old key is no longer read
            ),
        ),
        edges=(Edge(src="attacker", dst=hub, kind="azure.app_permission"),),
    )
    reached = {e.dst for e in AzureDelegation(inv).edges()}
    assert reached == {"by-scope", "by-fact"}


def test_api_error_is_a_gap_with_the_coverage_status() -> None:
    err = ApiError("https://graph.microsoft.com/v1.0/x", 403, "denied", "Authorization_RequestDenied: no")
    assert isinstance(err, Gap) and err.status == "denied"
    assert str(err) == "https://graph.microsoft.com/v1.0/x: HTTP 403 Authorization_RequestDenied: no"


OLD_RULE = """\
id: ACME-AZ-001
title: Old-style rule
severity: low
provider: azure
target: {target}
description: A rule written against the untyped attributes.
remediation: Nothing to do.
fail_when: {{field: {field}, eq: true}}
message: "{{{target}.id}}"
"""


@pytest.mark.parametrize(
    ("target", "old", "new"),
    [
        ("identity", "identity.attributes.first_party", "identity.managed_by"),
        ("identity", "identity.attributes.privileged", "identity.azure.privileged"),
        ("credential", "credential.attributes.key_usage", "credential.azure.key_usage"),
    ],
)
def test_a_rule_reading_an_old_attribute_is_refused_naming_the_new_path(
    tmp_path: Path, target: str, old: str, new: str
) -> None:
    path = tmp_path / "ACME-AZ-001.yaml"
    path.write_text(OLD_RULE.format(target=target, field=old))
    with pytest.raises(RuleError) as err:
        compile_rule(parse_rule(path), path, None)
    message = err.value.diagnostics()
    assert f"{old!r} has moved to {new!r}" in message and str(path) in message


def test_every_azure_moved_entry_points_at_a_typed_path() -> None:
    moved = {old: new for old, new in MOVED.items() if new.split(".")[1] == "azure"}
    assert len(moved) == 22
    for old, new in moved.items():
        section, _, *rest = new.split(".")
        assert old == f"{section}.attributes.{rest[-1]}"
        _field_type(SECTIONS[section], rest)
    managed = [old for old, new in MOVED.items() if new == "identity.managed_by"]
    assert set(managed) >= {"identity.attributes.first_party", "identity.attributes.third_party"}


def test_another_providers_agent_kind_loads_while_that_provider_declares_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Azure declares agent.entra_* kinds; a rule naming an agent kind of a provider that
    declares no kinds yet must still load, while a misspelt azure.* kind is refused."""
    from nhiscan import providers
    from nhiscan.engine import schema

    real_get = providers.get
    # One provider with no kinds declared: agent.* can no longer be checked as a whole list.
    monkeypatch.setattr(
        providers,
        "get",
        lambda name: (
            type("Undeclared", (type(real_get(name)),), {"identity_kinds": {}})()
            if name == "k8s"
            else real_get(name)
        ),
    )
    schema.registry.cache_clear()
    try:
        rule = OLD_RULE.replace("eq: true", "eq: {value}")
        good = tmp_path / "good" / "ACME-AZ-001.yaml"
        good.parent.mkdir()
        good.write_text(rule.format(target="identity", field="identity.kind", value="agent.k8s_agent"))
        compile_rule(parse_rule(good), good, None)
        bad = tmp_path / "bad" / "ACME-AZ-001.yaml"
        bad.parent.mkdir()
        bad.write_text(rule.format(target="identity", field="identity.kind", value="azure.managed_identty"))
        with pytest.raises(RuleError, match="did you mean 'azure.managed_identity'"):
            compile_rule(parse_rule(bad), bad, None)
    finally:
        schema.registry.cache_clear()
