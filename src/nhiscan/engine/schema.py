"""The fields a rule may read, and the check that every path and value in a rule fits them.

The schema is built from types, not written twice: the core namespaces below name the model's
fields and the derived ones the evaluator adds (:mod:`nhiscan.engine.evaluate`), and everything
under ``identity.<provider>``, ``identity.agent`` and ``identity.graph`` is the frozen dataclass
that declares it (:mod:`nhiscan.facts`, each provider's registered facts classes). A path that
does not resolve, or a value of the wrong type for its field, is an error naming the field and
suggesting the nearest valid one: a check that silently never fires is the failure this prevents.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Final, NewType, Union

from nhiscan.fact_registry import registered_facts
from nhiscan.facts import (
    AgentFacts,
    CredentialKind,
    EdgeKind,
    GraphFacts,
    IdentityKind,
    ManagedBy,
    PermissionClass,
)
from nhiscan.model import Grant, LoggingStatus, Usage

Struct = Mapping[str, Any]
"""A namespace: field name -> type hint, or a nested namespace."""

UNCHECKED = NewType("UNCHECKED", object)
"""Below this, paths are not checked: the untyped ``attributes`` bag providers are moving off."""

ProviderName = NewType("ProviderName", str)
"""A registered provider name."""

# Paths that moved when the untyped attributes became typed facts; a rule that still uses one is
# told where it went. A key ending in ``.*`` moves everything below it (not the key itself, whose
# name another provider's attributes may still use).
MOVED: Final[Mapping[str, str]] = {
    "identity.attributes.aliases": "identity.aliases",
    "edge.attributes.conditional": "edge.conditional",
    # MCP (providers/mcp/facts.py). Only keys no other provider writes: MOVED is not per provider,
    # so identity.attributes.url, .command, .args, .transport, .package, .env_names, .trust,
    # .disabled and credential.attributes.source stay valid for the providers that still use them.
    "identity.attributes.auth": "identity.mcp.auth",
    "identity.attributes.auto_approve": "identity.mcp.auto_approve",
    "identity.attributes.auto_approve_all": "identity.mcp.auto_approve_all",
    "identity.attributes.auto_approve_source": "identity.mcp.auto_approve_source",
    "identity.attributes.broad_filesystem": "identity.mcp.broad_filesystem",
    "identity.attributes.client": "identity.mcp.client",
    "identity.attributes.config_file": "identity.mcp.config_file",
    "identity.attributes.cwd": "identity.mcp.cwd",
    "identity.attributes.env_file": "identity.mcp.env_file",
    "identity.attributes.filesystem_roots": "identity.mcp.filesystem_roots",
    "identity.attributes.hardcoded_secrets": "identity.mcp.hardcoded_secrets",
    "identity.attributes.header_names": "identity.mcp.header_names",
    "identity.attributes.in_repository": "identity.mcp.in_repository",
    "identity.attributes.json_path": "identity.mcp.json_path",
    "identity.attributes.loopback": "identity.mcp.loopback",
    "identity.attributes.package_runner": "identity.mcp.package_runner",
    "identity.attributes.plain_http": "identity.mcp.plain_http",
    "identity.attributes.remote": "identity.mcp.remote",
    "identity.attributes.unpinned_package": "identity.mcp.unpinned_package",
    "credential.attributes.client": "credential.mcp.client",
    "credential.attributes.config_file": "credential.mcp.config_file",
    "credential.attributes.in_repository": "credential.mcp.in_repository",
    "credential.attributes.server": "credential.mcp.server",
    "credential.attributes.token_kind": "credential.mcp.token_kind",
    # Azure (first_party / third_party became who manages the app)
    "identity.attributes.first_party": "identity.managed_by",
    "identity.attributes.third_party": "identity.managed_by",
    "identity.attributes.account_enabled": "identity.azure.account_enabled",
    "identity.attributes.app_owner_organization_id": "identity.azure.app_owner_organization_id",
    "identity.attributes.directory_roles": "identity.azure.directory_roles",
    "identity.attributes.graph_app_permissions": "identity.azure.graph_app_permissions",
    "identity.attributes.inheritable_all_scopes": "identity.azure.inheritable_all_scopes",
    "identity.attributes.inheritable_all_scopes_resources": "identity.azure.inheritable_all_scopes_resources",
    "identity.attributes.inheritable_high_privilege_scopes": "identity.azure.inheritable_high_privilege_scopes",
    "identity.attributes.owners": "identity.azure.owners",
    "identity.attributes.owners_known": "identity.azure.owners_known",
    "identity.attributes.privileged": "identity.azure.privileged",
    "identity.attributes.rbac_roles_at_broad_scope": "identity.azure.rbac_roles_at_broad_scope",
    "identity.attributes.sign_in_known": "identity.azure.sign_in_known",
    "identity.attributes.sponsors": "identity.azure.sponsors",
    "identity.attributes.sponsors_known": "identity.azure.sponsors_known",
    "identity.attributes.verified_publisher": "identity.azure.verified_publisher",
    "credential.attributes.claims_matching_expression": "credential.azure.claims_matching_expression",
    "credential.attributes.display_name": "credential.azure.display_name",
    "credential.attributes.issuer": "credential.azure.issuer",
    "credential.attributes.key_usage": "credential.azure.key_usage",
    "credential.attributes.sign_in_known": "credential.azure.sign_in_known",
    "credential.attributes.source": "credential.azure.source",
    "credential.attributes.subject": "credential.azure.subject",
    # GCP (providers/gcp/facts.py; a Google-managed service agent became managed_by: provider).
    # identity.attributes.disabled and .runs_as stay valid: the MCP and agent rules still read them.
    "identity.attributes.service_agent": "identity.managed_by",
    "identity.attributes.default_sa": "identity.gcp.default_service_account",
    "identity.attributes.admin_roles": "identity.gcp.admin_roles",
    "identity.attributes.basic_roles": "identity.gcp.basic_roles",
    "identity.attributes.role_names": "identity.gcp.role_names",
    "identity.attributes.user_managed_keys": "identity.gcp.user_managed_keys",
    "identity.attributes.project_level_impersonators": "identity.gcp.project_level_impersonators",
    "identity.attributes.non_sa_impersonators": "identity.gcp.non_sa_impersonators",
    "identity.attributes.listed": "identity.gcp.listed",
    "identity.attributes.description": "identity.gcp.description",
    "identity.attributes.default_service_agent": "identity.gcp.agent_engine.identity_type",
    "credential.attributes.key_type": "credential.gcp.key_type",
    "identity.attributes.service_linked": "identity.managed_by",
    "identity.attributes.active_access_keys": "identity.aws.active_access_keys",
    "identity.attributes.mfa_active": "identity.aws.mfa_active",
    "identity.attributes.password_enabled": "identity.aws.password_enabled",
    "identity.attributes.password_last_used": "identity.aws.password_last_used",
    "identity.attributes.in_credential_report": "identity.aws.in_credential_report",
    "identity.attributes.permissions_boundary": "identity.aws.permissions_boundary",
    "identity.attributes.instance_profiles": "identity.aws.instance_profiles",
    "identity.attributes.user_id": "identity.aws.unique_id",
    "identity.attributes.role_id": "identity.aws.unique_id",
    "identity.attributes.last_used_region": "identity.aws.last_used_region",
    "identity.attributes.trust.*": "identity.aws.trust.*",
    "credential.attributes.key_id": "credential.aws.key_id",
    "credential.attributes.last_used_service": "credential.aws.last_used_service",
    "credential.attributes.last_used_region": "credential.aws.last_used_region",
    "logging.attributes.complete_trails": "logging.aws.complete_trails",
    "logging.attributes.trails": "logging.aws.trails",
    # Kubernetes (providers/k8s/facts.py). system, env_names, tools, transport, url and source stay
    # valid: other providers or the agent rules still use them.
    "identity.attributes.username": "identity.aliases",
    "identity.attributes.service_account": "identity.k8s.agent.service_account",
    "identity.attributes.images": "identity.k8s.agent.images",
    "identity.attributes.used_by": "identity.agent.referenced_by",
    "identity.attributes.detection.*": "identity.agent.detection.*",
    "edge.attributes.derived": "edge.k8s.derived",
    "identity.attributes.cluster": "identity.k8s.cluster",
    "identity.attributes.namespace": "identity.k8s.namespace",
    "identity.attributes.uid": "identity.k8s.uid",
    "identity.attributes.automount": "identity.k8s.automount",
    "identity.attributes.workloads": "identity.k8s.workloads",
    "identity.attributes.pods": "identity.k8s.pods",
    "identity.attributes.pods_automounting": "identity.k8s.pods_automounting",
    "identity.attributes.workloads_automounting": "identity.k8s.workloads_automounting",
    "identity.attributes.is_default": "identity.k8s.is_default",
    "identity.attributes.cloud_identities": "identity.k8s.cloud_identities",
    "identity.attributes.legacy_tokens": "identity.k8s.legacy_tokens",
    "identity.attributes.secret_read_scope": "identity.k8s.secret_read_scope",
    "identity.attributes.escalation_primitives": "identity.k8s.escalation_primitives",
    "identity.attributes.escalation_scopes": "identity.k8s.escalation_scopes",
    "identity.attributes.bound_to_cluster_admin": "identity.k8s.bound_to_cluster_admin",
    "identity.attributes.cluster_admin_scope": "identity.k8s.cluster_admin_scope",
    "identity.permissions.reasons.k8s_namespace_admin": "identity.k8s.namespace_admin_via",
    "identity.attributes.rbac_rule_count": "identity.k8s.rbac_rule_count",
    "identity.attributes.direct_bindings": "identity.k8s.direct_bindings",
    "identity.attributes.direct_binding_count": "identity.k8s.direct_binding_count",
    "identity.attributes.detection": "identity.agent.detection",
    "identity.attributes.model": "identity.agent.model",
    "identity.attributes.agent_type": "identity.k8s.agent.agent_type",
    "identity.attributes.model_config": "identity.k8s.agent.model_config",
    "identity.attributes.model_provider": "identity.k8s.agent.model_provider",
    "identity.attributes.model_tls_verify_disabled": "identity.k8s.agent.model_tls_verify_disabled",
    "identity.attributes.uses_tools": "identity.k8s.agent.uses_tools",
    "identity.attributes.require_approval": "identity.k8s.agent.require_approval",
    "identity.attributes.tools_without_approval": "identity.k8s.agent.tools_without_approval",
    "identity.attributes.inbound_auth_detail": "identity.k8s.agent.inbound_auth_detail",
    "identity.attributes.authz_policy": "identity.k8s.agent.authz_policy",
    "identity.attributes.permission_profile": "identity.k8s.agent.permission_profile",
    "identity.attributes.host_paths": "identity.k8s.agent.host_paths",
    "credential.attributes.namespace": "credential.k8s.namespace",
    "credential.attributes.invalid_since": "credential.k8s.invalid_since",
    "edge.attributes.annotation": "edge.k8s.annotation",
    "edge.attributes.target_provider": "edge.k8s.target_provider",
    "logging.attributes.apiserver_pods": "logging.k8s.apiserver_pods",
    "logging.attributes.audited_pods": "logging.k8s.audited_pods",
}

_NUMBER = (int, float)


class SchemaError(ValueError):
    """A path or value does not fit the fact schema; the message says where and what instead."""


# The core fields of each target, as the evaluator builds them; Registry.namespaces adds one
# ``<provider>`` field per provider that registers facts for the section.
IDENTITY: Final[Struct] = {
    "id": str,
    "provider": ProviderName,
    "kind": IdentityKind,
    "scope": str,
    "name": str,
    "created": datetime | None,
    "last_used": datetime | None,
    "owner": str | None,
    "tags": Mapping[str, str],
    "usage": Usage,
    "managed_by": ManagedBy,
    "aliases": tuple[str, ...],
    "agent": AgentFacts | None,
    "attributes": UNCHECKED,
    "permissions": {
        "classes": tuple[PermissionClass, ...],
        "grants": tuple[Grant, ...],
        "reasons": Mapping[str, tuple[str, ...]],
    },
    "age_days": int | None,
    "days_since_last_used": int | None,
    "credential_kinds": tuple[CredentialKind, ...],
    "active_credentials": int,
    "graph": GraphFacts,
}
CREDENTIAL: Final[Struct] = {
    "id": str,
    "identity_id": str,
    "kind": CredentialKind,
    "created": datetime | None,
    "expires": datetime | None,
    "last_used": datetime | None,
    "active": bool,
    "location": str | None,
    "fingerprint": str | None,
    "attributes": UNCHECKED,
    "age_days": int | None,
    "days_since_last_used": int | None,
    "days_until_expiry": int | None,
    "lifetime_days": int | None,
}
LOGGING: Final[Struct] = {
    "scope": str,
    "provider": ProviderName,
    "status": LoggingStatus,
    "summary": str,
    "attributes": UNCHECKED,
}
EDGE: Final[Struct] = {
    "src": str,
    "dst": str,
    "kind": EdgeKind,
    "conditional": bool,
    "attributes": UNCHECKED,
}
SCOPE: Final[Struct] = {"key": str, "provider": ProviderName, "type": str, "id": str, "name": str}


@dataclasses.dataclass(frozen=True)
class Registry:
    """What the registered providers declare: their facts classes and kinds."""

    providers: tuple[str, ...]
    facts: Mapping[str, Mapping[str, type]]
    """section (identity, credential, edge, logging) -> provider -> facts class"""
    kinds: Mapping[Any, frozenset[str]]
    """IdentityKind / CredentialKind / EdgeKind -> registered kinds"""

    def _with_facts(self, core: Struct, section: str) -> dict[str, Any]:
        facts = self.facts.get(section, {})
        return {**core, **{p: cls | None for p, cls in facts.items()}}

    def namespaces(self, target: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The top-level names a rule of ``target`` may read, with their types."""
        identity = self._with_facts(IDENTITY, "identity")
        param_types = {name: _type_of_value(v) for name, v in params.items()}
        common = {"scope": SCOPE, "params": param_types}
        if target == "identity":
            return {"identity": identity, **common}
        if target == "credential":
            return {"credential": self._with_facts(CREDENTIAL, "credential"), "identity": identity, **common}
        if target == "logging":
            return {"logging": self._with_facts(LOGGING, "logging"), **common}
        if target == "edge":
            return {"edge": self._with_facts(EDGE, "edge"), "src": identity, "dst": identity, **common}
        raise SchemaError(f"unknown target {target!r}")


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """Read every registered provider's declarations (cheap: plugin modules import no SDK)."""
    from nhiscan import providers

    kinds: dict[Any, set[str]] = {IdentityKind: set(), CredentialKind: set(), EdgeKind: set()}
    names = tuple(providers.PROVIDER_MODULES)
    undeclared = False
    for name in names:
        plugin = providers.get(name)
        undeclared |= not plugin.identity_kinds
        kinds[IdentityKind] |= set(plugin.identity_kinds)
        kinds[CredentialKind] |= set(plugin.credential_kinds)
        kinds[EdgeKind] |= set(plugin.edge_kinds)
    if undeclared:
        # agent.* kinds are emitted by several providers: while one declares none, the others'
        # agent.* kinds are not the whole list, so agent.* values are not checked.
        kinds = {k: {v for v in vs if not v.startswith("agent.")} for k, vs in kinds.items()}
    return Registry(names, registered_facts(), {k: frozenset(v) for k, v in kinds.items()})


def _type_of_value(value: Any) -> Any:
    if isinstance(value, bool):
        return bool
    if isinstance(value, (int, float)):
        return float
    if isinstance(value, str):
        return str
    if isinstance(value, list):
        return tuple[Any, ...]
    return UNCHECKED


# --------------------------------------------------------------------------- type walking


def unwrap(hint: Any) -> Any:
    """``X | None`` -> ``X``."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return unwrap(args[0])
    return hint


@functools.lru_cache(maxsize=256)
def fields_of(cls: type) -> dict[str, Any]:
    """A facts dataclass's fields and their resolved type hints."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def children_of(hint: Any) -> Mapping[str, Any] | None:
    """The named children of a type, or None when it has none (a scalar or a list)."""
    if isinstance(hint, Mapping):
        return hint
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return fields_of(hint)
    return None


def element_of(hint: Any) -> Any | None:
    """The element type of a list-like type, else None."""
    origin = typing.get_origin(hint)
    if origin in (tuple, list, frozenset, set, Sequence):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return args[0] if args else Any
    return None


def _is_mapping(hint: Any) -> bool:
    return typing.get_origin(hint) in (Mapping, dict) or hint is dict


def describe(hint: Any) -> str:
    hint = unwrap(hint)
    if isinstance(hint, Mapping) or (dataclasses.is_dataclass(hint) and isinstance(hint, type)):
        return "an object"
    if (el := element_of(hint)) is not None:
        return f"a list of {describe(el)}"
    if _is_mapping(hint):
        return "a mapping"
    if isinstance(hint, type) and issubclass(hint, Enum):
        members = [str(m.value) for m in hint]
        return "one of " + ", ".join(members) if len(members) <= 8 else f"a {hint.__name__}"
    name = getattr(hint, "__name__", str(hint))
    return {"str": "a string", "int": "a whole number", "float": "a number", "bool": "true or false"}.get(
        name, name
    )


def _suggest(part: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(part, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def moved_to(field: str) -> str | None:
    """Where ``field`` went, from :data:`MOVED` (an exact entry, else a ``.*`` entry above it)."""
    if field in MOVED:
        return MOVED[field]
    for old, new in MOVED.items():
        if old.endswith(".*") and field.startswith(old[:-1]):
            return new[:-1] + field[len(old) - 1 :]
    return None


def resolve_path(namespaces: Mapping[str, Any], field: str) -> Any:
    """The type of ``field`` (a dotted path), or SchemaError naming the first part that does not
    exist, with the nearest valid name or where a moved path went."""
    moved = moved_to(field)
    if moved is not None:
        raise SchemaError(f"field {field!r} has moved to {moved!r}")
    parts = field.split(".")
    hint: Any = namespaces
    walked: list[str] = []
    for part in parts:
        hint = unwrap(hint)
        if hint is UNCHECKED or hint is Any:
            return UNCHECKED
        if _is_mapping(hint):
            args = typing.get_args(hint)
            hint = args[1] if len(args) == 2 else UNCHECKED
            walked.append(part)
            continue
        children = children_of(hint)
        where = ".".join(walked) or "(top)"
        if children is None:
            raise SchemaError(
                f"field {field!r}: {where} is {describe(hint)} and has no field {part!r}"
                + (" (test lists with contains, any_in or empty)" if element_of(hint) is not None else "")
            )
        if part not in children:
            if not walked:
                raise SchemaError(
                    f"field {field!r} is not available here (use {', '.join(children)})"
                    + _suggest(part, list(children))
                )
            raise SchemaError(
                f"unknown field {field!r}: {where} has no {part!r}" + _suggest(part, sorted(children))
            )
        hint = children[part]
        walked.append(part)
    return hint


# --------------------------------------------------------------------------- value checks


def _scalar_ok(
    hint: Any, value: Any, kinds: Mapping[Any, frozenset[str]], providers: Sequence[str]
) -> str | None:
    """None when ``value`` can be compared with a field of type ``hint``, else what it should be."""
    hint = unwrap(hint)
    if value is None or hint is UNCHECKED or hint is Any:
        return None
    if hint in kinds:
        if not isinstance(value, str):
            return "a kind name (a string)"
        registered = kinds[hint]
        prefix = value.partition(".")[0]
        same_prefix = {k for k in registered if k.partition(".")[0] == prefix}
        # Only prefixes some provider registers can be checked (agent.* only once every provider
        # declares its kinds: see registry())
        if same_prefix and value not in registered:
            return "a registered kind" + _suggest(value, sorted(same_prefix))
        return None
    if hint is ProviderName:
        return None if value in providers else "one of " + ", ".join(providers)
    if isinstance(hint, type) and issubclass(hint, Enum):
        values = [str(m.value) for m in hint]
        if value in values:
            return None
        listed = ", ".join(values) if len(values) <= 8 else f"a {hint.__name__} value (see docs/rules.md)"
        return ("one of " if len(values) <= 8 else "") + listed + _suggest(str(value), values)
    if hint is bool:
        return None if isinstance(value, bool) else "true or false"
    if hint in _NUMBER:
        return None if isinstance(value, _NUMBER) and not isinstance(value, bool) else "a number"
    if hint is str:
        return None if isinstance(value, str) else "a string"
    if hint is datetime:
        return None if isinstance(value, (str, datetime)) else "a timestamp"
    return None


def check_test(
    namespaces: Mapping[str, Any],
    field: str,
    op: str,
    value: Any,
    reg: Registry,
) -> None:
    """Check one field test: the path exists and the operator's value fits the field's type."""
    hint = unwrap(resolve_path(namespaces, field))
    if hint is UNCHECKED or hint is Any:
        return
    if isinstance(hint, Mapping) or (dataclasses.is_dataclass(hint) and isinstance(hint, type)):
        if op != "empty":
            raise SchemaError(
                f"field {field!r} is an object; name one of its fields ({', '.join(children_of(hint) or {})})"
            )
        return
    element = element_of(hint)
    kinds, providers = reg.kinds, reg.providers

    def fail(expected: str, got: Any) -> None:
        raise SchemaError(f"field {field!r} ({describe(hint)}): {op} expects {expected}, got {got!r}")

    if op == "empty":
        return
    if op in ("gt", "gte", "lt", "lte"):
        if hint not in (*_NUMBER, datetime) or not isinstance(value, _NUMBER) or isinstance(value, bool):
            fail("a number and a numeric field", value)
        return
    if op in ("eq", "ne"):
        if element is not None and isinstance(value, list):
            for v in value:
                if (why := _scalar_ok(element, v, kinds, providers)) is not None:
                    fail(f"list items that are {why}", v)
            return
        if (why := _scalar_ok(hint, value, kinds, providers)) is not None:
            fail(why, value)
        return
    if op in ("in", "not_in", "any_in", "not_all_in"):
        items = value if isinstance(value, list) else [value]
        base = element if element is not None else hint
        for v in items:
            if (why := _scalar_ok(base, v, kinds, providers)) is not None:
                fail(f"values that are {why}", v)
        return
    if op in ("contains", "not_contains"):
        if _is_mapping(hint):
            if not isinstance(value, str):
                fail("a key (a string)", value)
            return
        base = element if element is not None else hint
        if (why := _scalar_ok(base, value, kinds, providers)) is not None:
            fail(why, value)
        return
    if op in ("matches", "glob"):
        base = element if element is not None else hint
        if unwrap(base) not in (str, *kinds, ProviderName) and not (
            isinstance(base, type) and issubclass(base, Enum)
        ):
            fail("a text field", value)
        if op == "glob" and base in kinds and isinstance(value, str):
            registered = kinds[base]
            prefix = value.partition(".")[0]
            if any(k.partition(".")[0] == prefix for k in registered) and not fnmatch.filter(
                registered, value
            ):
                fail("a pattern that matches a registered kind", value)
        return
    if op == "has_any_key":
        if not _is_mapping(hint):
            fail("a mapping field", value)
        return


def check_template_field(namespaces: Mapping[str, Any], field: str) -> None:
    """A ``{path}`` in a message must exist too."""
    resolve_path(namespaces, field)
