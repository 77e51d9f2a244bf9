"""Entra agent identities and blueprints -> identities and edges, with the same grant and
credential machinery as service principals (:mod:`nhiscan.providers.azure.identities`).

Facts
    ``Identity.facts`` is :class:`~nhiscan.providers.azure.facts.AzureIdentityFacts` with the
    sponsor, blueprint and ``inheritable_*`` fields filled; ``Identity.agent`` is
    :class:`~nhiscan.facts.AgentFacts` (platform ``entra``, ``runs_as`` = the principal whose
    grants the agent uses: the blueprint's principal, or the agent identity itself);
    ``Identity.aliases`` the appId (and for a blueprint its principal's object id).
    ``attributes`` keeps only the cross-identity agent keys the shared agent rules still read and
    the neutral analysis moves: ``runs_as`` (that principal's id, as in ``agent.runs_as``),
    ``runs_as_classes`` (its permission classes, the inherited grants included) and, on
    blueprints, ``agent_count``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.facts import AgentFacts
from nhiscan.model import Credential, Edge, Evidence, Identity
from nhiscan.providers.azure.agents.scopes import inheritable_scopes, scope_facts
from nhiscan.providers.azure.context import TenantIndex
from nhiscan.providers.azure.facts import AzureEdgeFacts
from nhiscan.providers.azure.fields import field_time, lower, people
from nhiscan.providers.azure.grants import Grants, PrincipalGrants
from nhiscan.providers.azure.identities import Built, app_only_identity, sp_identity

AGENT_KIND = "agent.entra_agent_identity"
BLUEPRINT_KIND = "agent.entra_agent_blueprint"


@dataclass
class Blueprints:
    """What the agent identities need to know about the blueprints built before them."""

    scopes: dict[str, list[dict[str, Any]] | None] = field(default_factory=dict)
    """Blueprint id -> inheritable scopes (None when not read)."""
    names: dict[str, str] = field(default_factory=dict)
    """Blueprint id -> display name."""
    by_app_id: dict[str, str] = field(default_factory=dict)
    """Blueprint appId -> blueprint identity id."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


Target = tuple[str, dict[str, Any] | None, str, dict[str, Any] | None]
"""(identity id, application, where, blueprint principal) of one blueprint."""


def build_agents(
    t: TenantIndex, grants: Grants, sign_in: Mapping[str, datetime | None]
) -> tuple[list[Identity], list[Credential], list[Edge]]:
    """Every blueprint, then every agent identity (which reads its blueprint's scopes)."""
    identities: list[Identity] = []
    credentials: list[Credential] = []
    edges: list[Edge] = []
    children: dict[str, list[str]] = defaultdict(list)
    for aid, (obj, _) in t.agents.agents.items():
        children[lower(obj.get("agentIdentityBlueprintId"))].append(aid)
    known = Blueprints()
    for target in blueprint_targets(t):
        ident, creds, own = blueprint_identity(t, grants, sign_in, target, children, known)
        identities.append(ident)
        credentials += creds
        edges += own
    for aid, (obj, where) in sorted(t.agents.agents.items()):
        ident, _creds, own = agent_identity(t, grants, sign_in, aid, obj, where, known)
        identities.append(ident)
        edges += own
    return identities, credentials, edges


def blueprint_targets(t: TenantIndex) -> list[Target]:
    """Blueprints registered in this tenant, then principals of blueprints registered elsewhere
    (multi-tenant), known only by their SP."""
    targets: list[Target] = []
    for app_oid in sorted(t.agents.blueprint_ids):
        if app_oid in t.apps:
            found_app, found_where = t.apps[app_oid]
            targets.append((app_oid, found_app, found_where, t.sp_by_app.get(lower(found_app["appId"]))))
    covered = {lower(p["id"]) for _, _, _, p in targets if p is not None}
    targets.extend(
        (poid, None, t.sps[poid][1], t.sps[poid][0])
        for poid in sorted(t.agents.principal_ids - covered)
        if poid in t.sps
    )
    return targets


def _blueprint_scopes(
    t: TenantIndex, bid: str, app: Mapping[str, Any] | None, where: str
) -> list[dict[str, Any]] | None:
    """Inheritable scopes from the blueprint object and from separate inheritablePermissions
    exports; None when neither was read."""
    label = f"agent identity blueprint {bid}"
    entries: list[tuple[Any, str]] = []
    known = app is not None and app.get("inheritablePermissions") is not None
    if app is not None and known:
        raw = app["inheritablePermissions"]
        if not isinstance(raw, list):
            raise InputError(where, f"{label}: field 'inheritablePermissions' should be a list")
        entries += [(p, where) for p in raw]
    if bid in t.agents.inheritable:
        known = True
        entries += t.agents.inheritable[bid]
    return inheritable_scopes(entries, t.sp_by_app, label) if known else None


def _rewrap(
    ident: Identity,
    new_id: str,
    kind: str,
    extra: dict[str, Any],
    runs_as: str | None,
    aliases: tuple[str, ...],
    attributes: dict[str, Any],
) -> Identity:
    """The service-principal (or application) identity re-keyed as an agent object, with its
    agent facts; sponsors are the accountable people of an agent, owners come next."""
    facts = replace(ident.facts, **extra)
    owners = facts.owners
    owner = facts.sponsors[0] if facts.sponsors else owners[0] if owners else ident.owner
    return replace(
        ident,
        id=new_id,
        kind=kind,
        facts=facts,
        owner=owner,
        aliases=aliases,
        agent=AgentFacts(platform="entra", runs_as=(runs_as,) if runs_as else ()),
        attributes=attributes,
    )


def blueprint_identity(
    t: TenantIndex,
    grants: Grants,
    sign_in: Mapping[str, datetime | None],
    target: Target,
    children: Mapping[str, list[str]],
    known: Blueprints,
) -> Built:
    """One blueprint: its principal's grants and the application's credentials, under the
    application's object id."""
    bid, app, where, principal = target
    source: dict[str, Any] = app if app is not None else (principal if principal is not None else {})
    app_id = lower(source.get("appId"))
    poid = lower(principal["id"]) if principal is not None else None
    if principal is not None and poid is not None:
        ident, creds, own_edges = sp_identity(
            t, poid, principal, t.sps[poid][1], app, grants.of(poid), sign_in
        )
    else:
        ident, creds, own_edges = app_only_identity(t, bid, source, where)
    scopes = _blueprint_scopes(t, bid, app, where)
    known.scopes[bid] = scopes
    known.names[bid] = str(source.get("displayName") or bid)
    known.by_app_id[app_id] = bid
    sponsors, sponsor_ids, sponsors_known = people(source, "sponsors", where)
    agent_ids = sorted(children.get(app_id, []))
    extra: dict[str, Any] = {
        "app_object_id": bid if app is not None else None,
        "blueprint_principal_id": poid,
        "sponsors": tuple(sponsors),
        "sponsor_ids": tuple(sponsor_ids),
        "sponsors_known": sponsors_known,
        "sign_in_audience": _text(source.get("signInAudience")),
        "agent_ids": tuple(agent_ids),
        **scope_facts(scopes),
    }
    if principal is None:
        extra["account_enabled"] = None
    aliases = tuple(a for a in (app_id, poid) if a and a != bid)
    # Cross-identity agent facts stay in attributes until the neutral agent analysis owns them.
    attributes = {
        "agent_count": len(agent_ids),
        "runs_as": poid,
        "runs_as_classes": list(ident.permissions.classes),
    }
    identity = _rewrap(ident, bid, BLUEPRINT_KIND, extra, poid, aliases, attributes)
    edges = [
        replace(e, src=bid if e.src == poid else e.src, dst=bid if e.dst == poid else e.dst)
        for e in own_edges
    ]
    return identity, [replace(c, identity_id=bid) for c in creds], edges


def agent_identity(
    t: TenantIndex,
    grants: Grants,
    sign_in: Mapping[str, datetime | None],
    aid: str,
    obj: dict[str, Any],
    where: str,
    known: Blueprints,
) -> Built:
    """One agent identity: its own grants plus those its blueprint's principal holds."""
    label = f"agent identity {aid}"
    bp_app_id = lower(obj.get("agentIdentityBlueprintId")) or None
    bp_oid = known.by_app_id.get(bp_app_id or "")
    principal = t.sp_by_app.get(bp_app_id or "")
    poid = lower(principal["id"]) if principal else None
    bp_name = known.names.get(bp_oid or "") or (str(principal.get("displayName")) if principal else None)
    inherited = [
        (replace(g, via=f"inherited from blueprint {bp_name or bp_app_id}"), perm, classes)
        for g, perm, classes in (grants.graph.get(poid, []) if poid else [])
    ]
    own = grants.of(aid)
    sp = dict(obj)
    if not isinstance(sp.get("appId"), str):
        sp["appId"] = ""
    pg = PrincipalGrants(own.rbac, own.graph + inherited, own.directory)
    ident, _creds, own_edges = sp_identity(t, aid, sp, where, None, pg, sign_in)
    sponsors, sponsor_ids, sponsors_known = people(obj, "sponsors", where)
    lifecycle = obj.get("lifecycle")
    expires = (
        field_time(lifecycle, "expirationDateTime", where, label) if isinstance(lifecycle, Mapping) else None
    )
    agent_app_id = lower(obj.get("appId")) or None
    extra: dict[str, Any] = {
        "app_id": agent_app_id,
        "sp_type": str(obj.get("servicePrincipalType") or "ServiceIdentity"),
        "blueprint_id": bp_oid or bp_app_id,
        "blueprint_app_id": bp_app_id,
        "blueprint_name": bp_name,
        "sponsors": tuple(sponsors),
        "sponsor_ids": tuple(sponsor_ids),
        "sponsors_known": sponsors_known,
        "created_by_app_id": lower(obj.get("createdByAppId")) or None,
        "disabled_by_microsoft": obj.get("disabledByMicrosoftStatus") not in (None, "", "NotDisabled"),
        "lifecycle_expires": expires.isoformat() if expires else None,
        "inherited_graph_app_permissions": tuple(dict.fromkeys(perm for _, perm, _ in inherited if perm)),
        **scope_facts(known.scopes.get(bp_oid or "")),
    }
    created = field_time(obj, "createdDateTime", where, label)
    aliases = (agent_app_id,) if agent_app_id and agent_app_id != aid else ()
    attributes = {"runs_as": aid, "runs_as_classes": list(ident.permissions.classes)}
    identity = replace(_rewrap(ident, aid, AGENT_KIND, extra, aid, aliases, attributes), created=created)
    # Agent identities cannot hold credentials, so their owners cannot add one to become them.
    edges = [e for e in own_edges if e.kind != "azure.owner_add_credential"]
    if bp_app_id:
        edges += blueprint_edges(aid, bp_oid or bp_app_id, bp_app_id, where)
    return identity, [], edges


def blueprint_edges(aid: str, blueprint: str, bp_app_id: str, where: str) -> list[Edge]:
    """The agent inherits from its blueprint; the blueprint's credential holders become it."""
    return [
        Edge(
            src=aid,
            dst=blueprint,
            kind="agent.inherits_from",
            evidence=(Evidence(where, f"agentIdentityBlueprintId {bp_app_id}"),),
        ),
        Edge(
            src=blueprint,
            dst=aid,
            kind="azure.blueprint_impersonation",
            evidence=(Evidence(where, f"agent identity of blueprint {bp_app_id}"),),
            facts=AzureEdgeFacts(blueprint_app_id=bp_app_id),
        ),
    ]
