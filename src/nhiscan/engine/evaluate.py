"""Evaluate compiled rules against an inventory and produce findings.

Each target (identity, credential, logging state, edge) is turned into a context once: the fields
of the model plus derived ones (ages in days before ``as_of``). Every rule then only reads from it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from nhiscan.engine.conditions import TEMPLATE, resolve
from nhiscan.engine.loader import CompiledRule
from nhiscan.findings import Finding, Hop, Severity, Target
from nhiscan.model import Credential, Edge, Identity, Inventory, LoggingState, Scope, aliases_of


def days_between(earlier: datetime | None, later: datetime) -> int | None:
    if earlier is None:
        return None
    if earlier.tzinfo is None:
        earlier = earlier.replace(tzinfo=timezone.utc)
    return int((later - earlier).total_seconds() // 86400)


def _scope_ns(scope: Scope | None, key: str) -> dict[str, Any]:
    if scope is None:
        provider, _, rest = key.partition(":")
        type_, _, id_ = rest.partition(":")
        return {"key": key, "provider": provider, "type": type_, "id": id_, "name": id_}
    return {
        "key": key,
        "provider": scope.provider,
        "type": scope.type,
        "id": scope.id,
        "name": scope.name or scope.id,
    }


def identity_ns(
    ident: Identity, creds: list[Credential], as_of: datetime, graph: Mapping[str, Any] | None
) -> dict[str, Any]:
    active = [c for c in creds if c.active]
    return {
        "id": ident.id,
        "provider": ident.provider,
        "kind": ident.kind,
        "scope": ident.scope,
        "name": ident.name,
        "created": ident.created,
        "last_used": ident.last_used,
        "owner": ident.owner,
        "tags": dict(ident.tags),
        "usage": ident.usage,
        "managed_by": ident.managed_by,
        "aliases": list(ident.aliases),
        "agent": ident.agent,
        ident.provider: ident.facts,
        "attributes": ident.attributes,
        "permissions": {
            "classes": list(ident.permissions.classes),
            "grants": ident.permissions.grants,
            "reasons": ident.permissions.reasons,
        },
        "age_days": days_between(ident.created, as_of),
        "days_since_last_used": days_between(ident.last_used, as_of),
        "credential_kinds": sorted({c.kind for c in active}),
        "active_credentials": len(active),
        "graph": dict(graph or {}),
    }


def credential_ns(cred: Credential, as_of: datetime, provider: str = "") -> dict[str, Any]:
    until = days_between(as_of, cred.expires) if cred.expires is not None else None
    lifetime = (
        days_between(cred.created, cred.expires)
        if cred.created is not None and cred.expires is not None
        else None
    )
    return {
        "id": cred.id,
        "identity_id": cred.identity_id,
        "kind": cred.kind,
        "created": cred.created,
        "expires": cred.expires,
        "last_used": cred.last_used,
        "active": cred.active,
        "location": cred.location,
        "fingerprint": cred.fingerprint,
        provider: cred.facts,
        "attributes": cred.attributes,
        "age_days": days_between(cred.created, as_of),
        "days_since_last_used": days_between(cred.last_used, as_of),
        "days_until_expiry": until,
        "lifetime_days": lifetime,
    }


def _display(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_display(v) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        # A typed fact's str Enum shows its value, as the attribute string it replaces did.
        return str(value.value)
    return str(value)


def render_message(template: str, ctx: Mapping[str, Any]) -> str:
    """``{path}`` is replaced by the field's value; ``{path|text}`` shows ``text`` when it is empty."""

    def sub(m: re.Match[str]) -> str:
        value = resolve(ctx, m.group(1).split("."))
        # () too: typed facts hold lists as tuples, and () == [] is False
        if m.group(2) is not None and value in (None, "", [], {}, ()):
            return m.group(2)
        return _display(value)

    return TEMPLATE.sub(sub, template)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _path(ctx: Mapping[str, Any]) -> tuple[Hop, ...]:
    hops = resolve(ctx, ("identity", "graph", "path"))
    if not isinstance(hops, (list, tuple)):
        return ()
    return tuple(
        Hop(
            src=h.get("src", ""), dst=h.get("dst", ""), kind=h.get("kind", ""), evidence=h.get("evidence", "")
        )
        for h in hops
        if isinstance(h, Mapping)
    )


def _applies(rule: CompiledRule, provider: str) -> bool:
    return rule.spec.provider in ("any", provider)


def run_rules(rules: Iterable[CompiledRule], ctx: dict[str, Any], emit: Any, **target: Any) -> None:
    """Evaluate each rule that applies to the target's provider against the target's context."""
    for rule in rules:
        if not _applies(rule, target["provider"]):
            continue
        ctx["params"] = rule.params
        if rule.predicate(ctx):
            emit(rule, ctx, **target)


def evaluate(
    inventory: Inventory,
    rules: Iterable[CompiledRule],
    as_of: datetime,
    graph_facts: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Run every rule against every target of its kind. Pure: no I/O."""
    by_target: dict[Target, list[CompiledRule]] = defaultdict(list)
    for r in rules:
        by_target[r.spec.target].append(r)
    scopes = {s.key: s for s in inventory.scopes}
    creds_by_identity: dict[str, list[Credential]] = defaultdict(list)
    for c in inventory.credentials:
        creds_by_identity[c.identity_id].append(c)
    graph_facts = graph_facts or {}
    findings: list[Finding] = []
    id_ns: dict[str, dict[str, Any]] = {}
    identities = {i.id: i for i in inventory.identities}

    def ns_for(ident: Identity) -> dict[str, Any]:
        ns = id_ns.get(ident.id)
        if ns is None:
            ns = identity_ns(ident, creds_by_identity.get(ident.id, []), as_of, graph_facts.get(ident.id))
            id_ns[ident.id] = ns
        return ns

    def emit(rule: CompiledRule, ctx: dict[str, Any], **target: Any) -> None:
        severity = rule.spec.severity
        for pred, sev in rule.overrides:
            if pred(ctx):
                severity = sev
                break
        evidence = {
            f: _jsonable(resolve(ctx, f.split("."))) for f in rule.fields if not f.startswith("params.")
        }
        findings.append(
            Finding(
                rule_id=rule.id,
                title=rule.spec.title,
                severity=Severity(severity),
                message=render_message(rule.spec.message, ctx),
                evidence=evidence,
                path=_path(ctx) if rule.uses_graph_path else (),
                **target,
            )
        )

    id_rules = by_target.get(Target.IDENTITY, [])
    cred_rules = by_target.get(Target.CREDENTIAL, [])
    for ident in inventory.identities:
        if id_rules:
            ctx: dict[str, Any] = {
                "identity": ns_for(ident),
                "scope": _scope_ns(scopes.get(ident.scope), ident.scope),
            }
            run_rules(
                id_rules,
                ctx,
                emit,
                provider=ident.provider,
                scope=ident.scope,
                resource_id=ident.id,
                resource_name=ident.name,
                resource_kind=ident.kind,
            )
    if cred_rules:
        for cred in inventory.credentials:
            owner = identities.get(cred.identity_id)
            if owner is None:
                continue
            cctx: dict[str, Any] = {
                "credential": credential_ns(cred, as_of, owner.provider),
                "identity": ns_for(owner),
                "scope": _scope_ns(scopes.get(owner.scope), owner.scope),
            }
            run_rules(
                cred_rules,
                cctx,
                emit,
                provider=owner.provider,
                scope=owner.scope,
                resource_id=owner.id,
                resource_name=owner.name,
                resource_kind=owner.kind,
                credential_id=cred.id,
            )
    for state in inventory.logging:
        _logging(state, by_target.get(Target.LOGGING, []), scopes, emit)
    edge_rules = by_target.get(Target.EDGE, [])
    if edge_rules:
        # edges may name an identity by an alias (an Azure appId, a GCP unique id)
        by_alias = {a: i for i in inventory.identities for a in aliases_of(i)}
        resolvable = {**by_alias, **identities}
        for edge in inventory.edges:
            _edge(edge, edge_rules, scopes, resolvable, ns_for, emit)
    return findings


def _logging(state: LoggingState, rules: list[CompiledRule], scopes: Mapping[str, Scope], emit: Any) -> None:
    scope_ns = _scope_ns(scopes.get(state.scope), state.scope)
    ctx: dict[str, Any] = {
        "logging": {
            "scope": state.scope,
            "provider": state.provider,
            "status": state.status,
            "summary": state.summary,
            state.provider: state.facts,
            "attributes": state.attributes,
        },
        "scope": scope_ns,
    }
    run_rules(
        rules,
        ctx,
        emit,
        provider=state.provider,
        scope=state.scope,
        resource_id=state.scope,
        resource_name=str(scope_ns["name"]),
        resource_kind=f"{state.provider}.logging",
    )


def _edge(
    edge: Edge,
    rules: list[CompiledRule],
    scopes: Mapping[str, Scope],
    identities: Mapping[str, Identity],
    ns_for: Any,
    emit: Any,
) -> None:
    if not rules:
        return
    src, dst = identities.get(edge.src), identities.get(edge.dst)
    provider = src.provider if src else edge.kind.split(".")[0]
    scope_key = src.scope if src else f"{provider}:unknown:"
    ctx: dict[str, Any] = {
        "edge": {
            "src": edge.src,
            "dst": edge.dst,
            "kind": edge.kind,
            "conditional": edge.conditional,
            edge.kind.partition(".")[0]: edge.facts,
            "attributes": edge.attributes,
        },
        "src": ns_for(src) if src else None,
        "dst": ns_for(dst) if dst else None,
        "scope": _scope_ns(scopes.get(scope_key), scope_key),
    }
    run_rules(
        rules,
        ctx,
        emit,
        provider=provider,
        scope=scope_key,
        resource_id=f"{edge.src}->{edge.dst}",
        resource_name=f"{src.name if src else edge.src} -> {dst.name if dst else edge.dst}",
        resource_kind=edge.kind,
    )
