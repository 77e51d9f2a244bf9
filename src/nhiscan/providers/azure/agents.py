"""AI-agent identities in Microsoft Entra and Azure: Entra Agent ID agent identities and agent
identity blueprints (Microsoft Graph), and managed identities that AI resources run as (Azure AI
Foundry / Cognitive Services accounts and projects, Azure Machine Learning workspaces).

Graph model (docs ``resources/agentidentity.md``, ``agentidentityblueprint.md``): a blueprint is
an application subtype and holds the credentials (client secret, certificate, federated
credential); its service principal in the tenant (``agentIdentityBlueprintPrincipal``) holds the
app role assignments every child agent inherits (``inheritedAppRoleAssignments``); an agent
identity is a service principal subtype with ``agentIdentityBlueprintId`` = the blueprint's
appId and no credentials of its own. The blueprint's ``inheritablePermissions`` name the delegated
scopes children get "without additional consent".

Agent types are subtypes of servicePrincipal / application, so the plain ``/servicePrincipals``
and ``/applications`` listings (and ``az ad sp list``) contain them too: :func:`reclassify`
sorts every object by ``@odata.type`` (and ``agentIdentityBlueprintId`` / the blueprint's appId)
so nothing is counted twice.

Inventory
    ``agent.entra_agent_identity`` (id = object id, lower-case) and ``agent.entra_agent_blueprint``
    (id = the blueprint application's object id; its credentials are ``azure.client_secret`` /
    ``azure.certificate`` / ``azure.federated_credential`` with ``source: application``).

Attributes (besides the service-principal ones of :mod:`.build`)
    both: ``sponsors``, ``sponsor_ids``, ``sponsors_known``, ``owners``, ``owner_ids``,
    ``owners_known``, ``account_enabled``, ``inheritable_scopes`` (list of {resource_app_id,
    resource, kind, scopes}; kind ``allAllowedScopes`` | ``enumeratedScopes`` | ``noScopes``),
    ``inheritable_scopes_known``, ``inheritable_all_scopes`` (some resource's scopes are all
    inheritable), ``inheritable_all_scopes_resources`` (their names),
    ``inheritable_high_privilege_scopes`` (high-privilege Microsoft Graph scopes
    among the enumerated ones), ``runs_as``, ``runs_as_classes`` (permission classes of the
    principal the agent acts as: its own grants plus those inherited from the blueprint principal);
    agent identity: ``blueprint_id`` (blueprint object id, or its appId when the blueprint is not in
    the inventory), ``blueprint_app_id``, ``blueprint_name``, ``inherited_graph_app_permissions``,
    ``created_by_app_id``, ``disabled_by_microsoft``, ``lifecycle_expires``; blueprint:
    ``blueprint_principal_id``, ``agent_ids``, ``agent_count``, ``sign_in_audience``.
    Managed identities that AI resources run as get ``ai_resource`` (the first such resource id),
    ``ai_resources`` and ``ai_resource_types``.

Edges
    ``agent.inherits_from`` agent -> blueprint; ``azure.blueprint_impersonation`` blueprint -> agent
    (whoever holds a blueprint credential obtains tokens as each of its agents);
    ``agent.runs_as`` AI resource id -> its managed identity (beside ``azure.managed_identity``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nhiscan.errors import InputError
from nhiscan.model import Credential, Edge, Evidence, Grant, Identity
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure import documents as d

if TYPE_CHECKING:
    from nhiscan.providers.azure.build import Collected, _Builder

AGENT_KIND = "agent.entra_agent_identity"
BLUEPRINT_KIND = "agent.entra_agent_blueprint"

_AGENT = "#microsoft.graph.agentidentity"
_BLUEPRINT = "#microsoft.graph.agentidentityblueprint"
_BLUEPRINT_PRINCIPAL = "#microsoft.graph.agentidentityblueprintprincipal"
# The OData cast in a Graph page's @odata.context: `$metadata#servicePrincipals/microsoft.graph.agentIdentity`.
_CAST = re.compile(
    r"#(?:servicePrincipals|applications)/(?:microsoft\.graph\.|graph\.)?"
    r"(agentIdentityBlueprintPrincipal|agentIdentityBlueprint|agentIdentity)\b",
    re.IGNORECASE,
)
# `$metadata#applications('<object id>')/inheritablePermissions` names the blueprint.
_INHERITABLE_PARENT = re.compile(r"applications\('([0-9a-fA-F-]{36})'\)", re.IGNORECASE)

AI_RESOURCE_TYPES = frozenset(
    {
        "microsoft.cognitiveservices/accounts",
        "microsoft.cognitiveservices/accounts/projects",
        "microsoft.machinelearningservices/workspaces",
    }
)

# Resource applications whose names an export may not carry (their SPs are often left out).
_RESOURCE_NAMES = {
    cat.MICROSOFT_GRAPH_APP_ID: "Microsoft Graph",
    "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
    "00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
    "00000004-0000-0ff1-ce00-000000000000": "Skype for Business Online",
}

_SCOPE_KINDS = {
    "allallowed": "allAllowedScopes",
    "allallowedscopes": "allAllowedScopes",
    "enumerated": "enumeratedScopes",
    "enumeratedscopes": "enumeratedScopes",
    "none": "noScopes",
    "noscopes": "noScopes",
}
# Delegated Microsoft Graph scopes that let a child agent change the directory, read or send mail,
# or read and write every file: inheriting them silently hands each new agent that reach.
HIGH_PRIVILEGE_GRAPH_SCOPES = frozenset(
    {
        "Directory.AccessAsUser.All",
        "Directory.Read.All",
        "Mail.Read",
        "Mail.ReadWrite",
        "Mail.Send",
        "Files.Read.All",
        "Sites.FullControl.All",
        "Calendars.ReadWrite",
        "MailboxSettings.ReadWrite",
        "RoleManagement.ReadWrite.Directory",
        "Policy.ReadWrite.ConditionalAccess",
    }
)


def _odata(obj: Mapping[str, Any]) -> str:
    return str(obj.get("@odata.type") or "").lower()


def _lower(value: Any) -> str:
    return str(value).lower() if value is not None else ""


# -- recognising documents -------------------------------------------------------------------


def agent_doc_type(item: Mapping[str, Any], context: str) -> str | None:
    """The document type of an Entra Agent ID export, or None for other documents."""
    if "/inheritablePermissions" in context or ("inheritableScopes" in item and "resourceAppId" in item):
        return d.INHERITABLE_PERMISSIONS
    cast = _CAST.search(context)
    if cast:
        name = cast.group(1).lower()
        if name == "agentidentity":
            return d.AGENT_IDENTITIES
        if name == "agentidentityblueprint":
            return d.AGENT_BLUEPRINTS
        return d.SERVICE_PRINCIPALS  # blueprint principals are service principals
    if "$metadata#" in context:
        return None  # a plain listing: the builder sorts its objects one by one
    kind = _odata(item)
    if kind == _AGENT or (item.get("agentIdentityBlueprintId") and kind != _BLUEPRINT_PRINCIPAL):
        return d.AGENT_IDENTITIES
    if kind == _BLUEPRINT:
        return d.AGENT_BLUEPRINTS
    return None


def cast_type(context: str) -> str | None:
    """The ``@odata.type`` every object of a cast listing has (Graph omits it on each object when
    it equals the cast), e.g. ``#microsoft.graph.agentIdentity``; None for other pages."""
    cast = _CAST.search(context)
    return f"#microsoft.graph.{cast.group(1)}" if cast else None


def inheritable_parent(context: str, where: str) -> str:
    """The blueprint object id an inheritablePermissions page belongs to."""
    m = _INHERITABLE_PARENT.search(context)
    if not m:
        raise InputError(
            where,
            "an inheritablePermissions list without an @odata.context naming its blueprint "
            "(applications('<id>')); export it with az rest as in docs/providers/azure.md",
        )
    return m.group(1).lower()


# -- sorting objects ----------------------------------------------------------------------------


@dataclass
class AgentIndex:
    """Which objects are agents, blueprints and blueprint principals."""

    agents: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    blueprint_ids: set[str] = field(default_factory=set)  # application object ids
    blueprint_app_ids: dict[str, str] = field(default_factory=dict)  # appId -> object id
    principal_ids: set[str] = field(default_factory=set)
    inheritable: dict[str, list[tuple[dict[str, Any], str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _merge_into(
    out: dict[str, tuple[dict[str, Any], str]], oid: str, obj: dict[str, Any], where: str
) -> None:
    if oid in out:
        merged = dict(out[oid][0])
        for k, v in obj.items():
            if k not in merged or (merged[k] in (None, [], "") and v not in (None, [], "")):
                merged[k] = v
        out[oid] = (merged, out[oid][1])
    else:
        out[oid] = (dict(obj), where)


def reclassify(c: Collected) -> tuple[Collected, AgentIndex]:
    """A copy of ``c`` whose service-principal and application lists hold no agent identities,
    with blueprints among the applications, and the index of agent objects."""
    from nhiscan.providers.azure.build import Collected

    index = AgentIndex()
    for obj, _where in c.items.get(d.AGENT_BLUEPRINTS, []):
        oid = _lower(obj.get("id"))
        if oid:
            index.blueprint_ids.add(oid)
            if obj.get("appId"):
                index.blueprint_app_ids[_lower(obj["appId"])] = oid
    for obj, _where in c.items.get(d.APPLICATIONS, []):
        if _odata(obj) == _BLUEPRINT and obj.get("id"):
            index.blueprint_ids.add(_lower(obj["id"]))
            if obj.get("appId"):
                index.blueprint_app_ids[_lower(obj["appId"])] = _lower(obj["id"])
    for obj, _where in c.items.get(d.APPLICATIONS, []):
        # A blueprint listed without its type (a `$select` export) is still a blueprint.
        if _lower(obj.get("appId")) in index.blueprint_app_ids and obj.get("id"):
            index.blueprint_ids.add(_lower(obj["id"]))

    sps: list[tuple[dict[str, Any], str]] = []
    for doc_type in (d.SERVICE_PRINCIPALS, d.AGENT_IDENTITIES):
        for position, (obj, where) in enumerate(c.items.get(doc_type, [])):
            kind = _odata(obj)
            is_agent = kind == _AGENT or (
                kind != _BLUEPRINT_PRINCIPAL and bool(obj.get("agentIdentityBlueprintId"))
            )
            if not is_agent and doc_type == d.AGENT_IDENTITIES and not kind:
                is_agent = str(obj.get("servicePrincipalType") or "ServiceIdentity") == "ServiceIdentity"
            if not is_agent:
                if kind == _BLUEPRINT_PRINCIPAL or _lower(obj.get("appId")) in index.blueprint_app_ids:
                    index.principal_ids.add(_lower(obj.get("id")))
                sps.append((obj, where))
                continue
            raw_id = obj.get("id")
            if not isinstance(raw_id, str) or not raw_id:
                raise InputError(where, f"agent identity [{position}]: field 'id' is missing or not a string")
            # Checked before merging, so the error names the file the bad field came from.
            _check_lists(obj, ("sponsors", "owners"), where, f"agent identity {raw_id}")
            b_time(obj, "createdDateTime", where, f"agent identity {raw_id}")
            if isinstance(obj.get("lifecycle"), Mapping):
                b_time(obj["lifecycle"], "expirationDateTime", where, f"agent identity {raw_id} lifecycle")
            _merge_into(index.agents, raw_id.lower(), obj, where)
    for doc_type in (d.APPLICATIONS, d.AGENT_BLUEPRINTS):
        for obj, where in c.items.get(doc_type, []):
            if _lower(obj.get("id")) in index.blueprint_ids:
                what = f"agent identity blueprint {obj.get('id')}"
                _check_lists(obj, ("sponsors", "owners", "inheritablePermissions"), where, what)
    for obj, where in c.items.get(d.INHERITABLE_PERMISSIONS, []):
        index.inheritable[_lower(obj.get("blueprintObjectId"))].append((obj, where))

    out = Collected(
        read=set(c.read),
        activity_log_read=c.activity_log_read,
        subscriptions=c.subscriptions,
        tenant_id=c.tenant_id,
        tenant_name=c.tenant_name,
        coverage=c.coverage,
    )
    skip = {
        d.SERVICE_PRINCIPALS,
        d.AGENT_IDENTITIES,
        d.APPLICATIONS,
        d.AGENT_BLUEPRINTS,
        d.INHERITABLE_PERMISSIONS,
    }
    for doc_type, items in c.items.items():
        if doc_type not in skip:
            out.items[doc_type] = list(items)
    out.items[d.SERVICE_PRINCIPALS] = sps
    out.items[d.APPLICATIONS] = list(c.items.get(d.APPLICATIONS, [])) + list(
        c.items.get(d.AGENT_BLUEPRINTS, [])
    )
    return out, index


def _check_lists(obj: Mapping[str, Any], keys: tuple[str, ...], where: str, what: str) -> None:
    for key in keys:
        value = obj.get(key)
        if value is not None and not isinstance(value, list):
            raise InputError(where, f"{what}: field {key!r} should be a list, got {type(value).__name__}")


# -- managed identities of AI resources ------------------------------------------------------


def ai_resources_by_principal(c: Collected) -> dict[str, list[tuple[str, str]]]:
    """Managed-identity principal id -> [(AI resource id, resource type)]."""
    rows = c.items.get(d.RESOURCES, [])
    uami_principal = {
        _lower(obj.get("id")): _lower(obj.get("principalId"))
        for obj, _ in rows
        if _lower(obj.get("type")) == "microsoft.managedidentity/userassignedidentities"
        and obj.get("principalId")
    }
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for obj, _ in rows:
        rtype = _lower(obj.get("type"))
        identity = obj.get("identity")
        if rtype not in AI_RESOURCE_TYPES or not isinstance(identity, Mapping):
            continue
        rid = _lower(obj.get("id"))
        principals = [_lower(identity.get("principalId"))] if identity.get("principalId") else []
        user = identity.get("userAssignedIdentities")
        for key, value in user.items() if isinstance(user, Mapping) else []:
            pid = value.get("principalId") if isinstance(value, Mapping) else None
            principals.append(_lower(pid) if pid else uami_principal.get(str(key).lower(), ""))
        for pid in principals:
            if pid and (rid, rtype) not in out[pid]:
                out[pid].append((rid, rtype))
    return out


def mi_attributes(resources: list[tuple[str, str]] | None) -> dict[str, Any]:
    if not resources:
        return {}
    ordered = sorted(resources)
    return {
        "ai_resource": ordered[0][0],
        "ai_resources": [r for r, _ in ordered],
        "ai_resource_types": sorted({t for _, t in ordered}),
    }


def runs_as_edges(rid: str, rtype: str, targets: list[tuple[str, str]], where: str) -> list[Edge]:
    """``agent.runs_as`` from an AI resource to each managed identity it carries."""
    if rtype not in AI_RESOURCE_TYPES:
        return []
    return [
        Edge(
            src=rid,
            dst=mi,
            kind="agent.runs_as",
            evidence=(Evidence(where, f"{rid} identity"),),
            attributes={"mi_type": mi_type, "resource_type": rtype},
        )
        for mi, mi_type in targets
    ]


# -- building agent identities and blueprints --------------------------------------------------


def _people(obj: Mapping[str, Any], key: str, where: str) -> tuple[list[str], list[str], bool]:
    if key not in obj or obj.get(key) is None:
        return [], [], False
    raw = obj[key]
    if not isinstance(raw, list):
        raise InputError(where, f"{obj.get('id')}: field {key!r} should be a list, got {type(raw).__name__}")
    names: list[str] = []
    ids: list[str] = []
    for p in raw:
        if isinstance(p, Mapping):
            pid = _lower(p.get("id"))
            ids.append(pid)
            names.append(str(p.get("userPrincipalName") or p.get("displayName") or pid))
        elif isinstance(p, str):
            ids.append(p.lower())
            names.append(p)
        else:
            raise InputError(where, f"{obj.get('id')}: {key} entries must be objects")
    return names, ids, True


def _inheritable(b: _Builder, entries: list[tuple[Any, str]], label: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for perm, where in entries:
        if not isinstance(perm, Mapping):
            raise InputError(where, f"{label}: inheritablePermissions entries must be objects")
        app_id = perm.get("resourceAppId")
        if not isinstance(app_id, str) or not app_id:
            raise InputError(where, f"{label} inheritablePermissions: field 'resourceAppId' is missing")
        scopes_obj = perm.get("inheritableScopes")
        if not isinstance(scopes_obj, Mapping):
            raise InputError(
                where, f"{label} inheritablePermissions: field 'inheritableScopes' is not an object"
            )
        raw_kind = str(scopes_obj.get("kind") or _odata(scopes_obj).rsplit(".", 1)[-1])
        kind = _SCOPE_KINDS.get(raw_kind.lower(), raw_kind)
        scopes = scopes_obj.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise InputError(
                where, f"{label} inheritablePermissions: field 'scopes' should be a list of strings"
            )
        resource_sp = b.sp_by_app.get(app_id.lower())
        resource = _RESOURCE_NAMES.get(app_id.lower()) or str(
            (resource_sp or {}).get("displayName") or app_id
        )
        entry = {
            "resource_app_id": app_id.lower(),
            "resource": resource,
            "kind": kind,
            "scopes": list(scopes),
        }
        if entry not in out:
            out.append(entry)
    return out


def _scope_attributes(scopes: list[dict[str, Any]] | None) -> dict[str, Any]:
    if scopes is None:
        return {
            "inheritable_scopes": [],
            "inheritable_scopes_known": False,
            "inheritable_all_scopes": False,
            "inheritable_all_scopes_resources": [],
            "inheritable_high_privilege_scopes": [],
        }
    high: list[str] = []
    for entry in scopes:
        if entry["resource_app_id"] != cat.MICROSOFT_GRAPH_APP_ID or entry["kind"] != "enumeratedScopes":
            continue
        for s in entry["scopes"]:
            if (
                s in HIGH_PRIVILEGE_GRAPH_SCOPES or s.endswith(".ReadWrite.All") or s.startswith("Directory.")
            ) and (s not in high):
                high.append(s)
    return {
        "inheritable_scopes": scopes,
        "inheritable_scopes_known": True,
        "inheritable_all_scopes": any(e["kind"] == "allAllowedScopes" for e in scopes),
        "inheritable_all_scopes_resources": [
            e["resource"] for e in scopes if e["kind"] == "allAllowedScopes"
        ],
        "inheritable_high_privilege_scopes": high,
    }


def _rewrap(ident: Identity, new_id: str, kind: str, extra: dict[str, Any], owner: str | None) -> Identity:
    attrs = dict(ident.attributes)
    attrs.update(extra)
    return replace(ident, id=new_id, kind=kind, attributes=attrs, owner=owner)


def build_agents(
    b: _Builder,
    index: AgentIndex,
    rbac: Mapping[str, list[Any]],
    graph: Mapping[str, list[tuple[Grant, str, set[str]]]],
    directory: Mapping[str, list[Any]],
    sign_in: Mapping[str, Any],
) -> tuple[list[Identity], list[Credential], list[Edge]]:
    identities: list[Identity] = []
    credentials: list[Credential] = []
    edges: list[Edge] = []
    children: dict[str, list[str]] = defaultdict(list)
    for aid, (obj, _) in index.agents.items():
        children[_lower(obj.get("agentIdentityBlueprintId"))].append(aid)

    blueprint_scopes: dict[str, list[dict[str, Any]] | None] = {}
    blueprint_names: dict[str, str] = {}
    built: dict[str, str] = {}  # blueprint appId -> blueprint identity id
    # (identity id, application, where, blueprint principal): blueprints registered in this tenant,
    # then principals of blueprints registered elsewhere (multi-tenant), known only by their SP.
    targets: list[tuple[str, dict[str, Any] | None, str, dict[str, Any] | None]] = []
    for app_oid in sorted(index.blueprint_ids):
        if app_oid in b.apps:
            found_app, found_where = b.apps[app_oid]
            targets.append((app_oid, found_app, found_where, b.sp_by_app.get(_lower(found_app["appId"]))))
    covered = {_lower(p["id"]) for _, _, _, p in targets if p is not None}
    targets.extend(
        (poid, None, b.sps[poid][1], b.sps[poid][0])
        for poid in sorted(index.principal_ids - covered)
        if poid in b.sps
    )

    for bid, app, where, principal in targets:
        source: dict[str, Any] = app if app is not None else (principal if principal is not None else {})
        app_id = _lower(source.get("appId"))
        poid = _lower(principal["id"]) if principal is not None else None
        if principal is not None and poid is not None:
            ident, creds, own_edges = b._sp_identity(
                poid,
                principal,
                b.sps[poid][1],
                app,
                rbac.get(poid, []),
                graph.get(poid, []),
                directory.get(poid, []),
                dict(sign_in),
            )
        else:
            ident, creds, own_edges = b._app_only_identity(bid, source, where)
        label = f"agent identity blueprint {bid}"
        entries: list[tuple[Any, str]] = []
        known = app is not None and app.get("inheritablePermissions") is not None
        if app is not None and known:
            raw = app["inheritablePermissions"]
            if not isinstance(raw, list):
                raise InputError(where, f"{label}: field 'inheritablePermissions' should be a list")
            entries += [(p, where) for p in raw]
        if bid in index.inheritable:
            known = True
            entries += index.inheritable[bid]
        scopes = _inheritable(b, entries, label) if known else None
        blueprint_scopes[bid] = scopes
        blueprint_names[bid] = str(source.get("displayName") or bid)
        built[app_id] = bid
        sponsors, sponsor_ids, sponsors_known = _people(source, "sponsors", where)
        agent_ids = sorted(children.get(app_id, []))
        extra = {
            "app_object_id": bid if app is not None else None,
            "aliases": [a for a in (app_id, poid) if a and a != bid],
            "blueprint_principal_id": poid,
            "sponsors": sponsors,
            "sponsor_ids": sponsor_ids,
            "sponsors_known": sponsors_known,
            "sign_in_audience": source.get("signInAudience"),
            "agent_ids": agent_ids,
            "agent_count": len(agent_ids),
            "runs_as": poid,
            "runs_as_classes": list(ident.permissions.classes),
            **_scope_attributes(scopes),
        }
        if principal is None:
            extra["account_enabled"] = None
        owners = list(ident.attributes.get("owners") or [])
        owner = sponsors[0] if sponsors else owners[0] if owners else ident.owner
        identities.append(_rewrap(ident, bid, BLUEPRINT_KIND, extra, owner))
        credentials += [replace(c, identity_id=bid) for c in creds]
        edges += [
            replace(e, src=bid if e.src == poid else e.src, dst=bid if e.dst == poid else e.dst)
            for e in own_edges
        ]

    for aid, (obj, where) in sorted(index.agents.items()):
        label = f"agent identity {aid}"
        bp_app_id = _lower(obj.get("agentIdentityBlueprintId")) or None
        bp_oid = built.get(bp_app_id or "")
        principal = b.sp_by_app.get(bp_app_id or "")
        poid = _lower(principal["id"]) if principal else None
        bp_name = blueprint_names.get(bp_oid or "") or (
            str(principal.get("displayName")) if principal else None
        )
        inherited = [
            (replace(g, via=f"inherited from blueprint {bp_name or bp_app_id}"), perm, classes)
            for g, perm, classes in (graph.get(poid, []) if poid else [])
        ]
        sp = dict(obj)
        if not isinstance(sp.get("appId"), str):
            sp["appId"] = ""
        ident, _creds, own_edges = b._sp_identity(
            aid,
            sp,
            where,
            None,
            rbac.get(aid, []),
            list(graph.get(aid, [])) + inherited,
            directory.get(aid, []),
            dict(sign_in),
        )
        sponsors, sponsor_ids, sponsors_known = _people(obj, "sponsors", where)
        lifecycle = obj.get("lifecycle")
        expires = (
            b_time(lifecycle, "expirationDateTime", where, label) if isinstance(lifecycle, Mapping) else None
        )
        created = b_time(obj, "createdDateTime", where, label)
        agent_app_id = _lower(obj.get("appId")) or None
        inherited_perms = [perm for _, perm, _ in inherited if perm]
        extra = {
            "app_id": agent_app_id,
            "aliases": [agent_app_id] if agent_app_id and agent_app_id != aid else [],
            "sp_type": str(obj.get("servicePrincipalType") or "ServiceIdentity"),
            "blueprint_id": bp_oid or bp_app_id,
            "blueprint_app_id": bp_app_id,
            "blueprint_name": bp_name,
            "sponsors": sponsors,
            "sponsor_ids": sponsor_ids,
            "sponsors_known": sponsors_known,
            "created_by_app_id": _lower(obj.get("createdByAppId")) or None,
            "disabled_by_microsoft": obj.get("disabledByMicrosoftStatus") not in (None, "", "NotDisabled"),
            "lifecycle_expires": expires.isoformat() if expires else None,
            "inherited_graph_app_permissions": list(dict.fromkeys(inherited_perms)),
            "runs_as": aid,
            "runs_as_classes": list(ident.permissions.classes),
            **_scope_attributes(blueprint_scopes.get(bp_oid or "")),
        }
        owners = list(ident.attributes.get("owners") or [])
        owner = sponsors[0] if sponsors else owners[0] if owners else ident.owner
        identities.append(replace(_rewrap(ident, aid, AGENT_KIND, extra, owner), created=created))
        # Agent identities cannot hold credentials, so their owners cannot add one to become them.
        edges += [e for e in own_edges if e.kind != "azure.owner_add_credential"]
        if bp_app_id:
            target = bp_oid or bp_app_id
            edges.append(
                Edge(
                    src=aid,
                    dst=target,
                    kind="agent.inherits_from",
                    evidence=(Evidence(where, f"agentIdentityBlueprintId {bp_app_id}"),),
                    attributes={"blueprint_app_id": bp_app_id},
                )
            )
            edges.append(
                Edge(
                    src=target,
                    dst=aid,
                    kind="azure.blueprint_impersonation",
                    evidence=(Evidence(where, f"agent identity of blueprint {bp_app_id}"),),
                    attributes={"blueprint_app_id": bp_app_id},
                )
            )
    return identities, credentials, edges


def b_time(obj: Mapping[str, Any], key: str, where: str, what: str) -> Any:
    try:
        return d.parse_time(obj.get(key))
    except ValueError as exc:
        raise InputError(where, f"{what}: field {key!r} is not a date ({exc})") from exc


# -- live collection ---------------------------------------------------------------------------

_PEOPLE = "($select=id,displayName,userPrincipalName)"
AGENTS_PATH = "/beta/servicePrincipals/microsoft.graph.agentIdentity"
BLUEPRINTS_PATH = "/beta/applications/microsoft.graph.agentIdentityBlueprint"


def collect_agents(run: Any) -> None:
    """Entra Agent ID through Microsoft Graph (GETs only). These APIs need AgentIdentity.Read.All /
    AgentIdentityBlueprint.Read.All and reject Azure CLI tokens (403): each refusal is a coverage
    gap and the scan goes on."""
    from nhiscan.providers.azure.http import ApiError

    agents_ = run.graph_list(
        d.AGENT_IDENTITIES, f"GET {AGENTS_PATH}", f"{AGENTS_PATH}?$top=100&$expand=owners{_PEOPLE}"
    )
    if agents_:
        # `$expand=sponsors` is not documented for agent identities: try it once, and fall back to
        # the documented per-agent sponsors listing.
        try:
            expanded = list(run.graph.pages(f"{AGENTS_PATH}?$top=100&$expand=sponsors{_PEOPLE}"))
        except ApiError:
            expanded = None
        if expanded is not None:
            run.c.add(
                d.AGENT_IDENTITIES, (d.camel_keys(a) for a in expanded), f"graph:GET {AGENTS_PATH} (sponsors)"
            )
        else:
            _per_object_sponsors(
                run,
                d.AGENT_IDENTITIES,
                [
                    (str(a.get("id")), {"agentIdentityBlueprintId": a.get("agentIdentityBlueprintId")})
                    for a in agents_
                ],
                "/beta/servicePrincipals/{id}/microsoft.graph.agentIdentity/sponsors",
            )
    blueprints = run.graph_list(
        d.AGENT_BLUEPRINTS, f"GET {BLUEPRINTS_PATH}", f"{BLUEPRINTS_PATH}?$top=100&$expand=owners{_PEOPLE}"
    )
    if not blueprints:
        return
    run.graph_list(
        d.AGENT_BLUEPRINTS,
        f"GET {BLUEPRINTS_PATH} (federatedIdentityCredentials)",
        f"{BLUEPRINTS_PATH}?$top=100&$select=id,appId&$expand=federatedIdentityCredentials",
    )
    pairs = [(str(b.get("id")), {"appId": b.get("appId")}) for b in blueprints]
    _per_object_sponsors(
        run,
        d.AGENT_BLUEPRINTS,
        pairs,
        "/beta/applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors",
    )
    source = "GET /beta/applications/{id}/microsoft.graph.agentIdentityBlueprint/inheritablePermissions"
    for bid, extra in pairs:
        try:
            perms = list(
                run.graph.pages(
                    f"/beta/applications/{bid}/microsoft.graph.agentIdentityBlueprint/inheritablePermissions"
                )
            )
        except ApiError as exc:
            run.c.coverage.append(_gap(run, source, exc))
            break
        run.c.add(
            d.AGENT_BLUEPRINTS,
            [{"id": bid, **extra, "inheritablePermissions": d.camel_keys(perms)}],
            f"graph:{source}",
        )


def _gap(run: Any, source: str, exc: Any) -> Any:
    from nhiscan.model import CoverageEntry

    return CoverageEntry("azure", run._scope(), source, exc.status, str(exc))


def _per_object_sponsors(
    run: Any, doc_type: str, objects: list[tuple[str, dict[str, Any]]], template: str
) -> None:
    """One documented ``/sponsors`` listing per object; the first refusal is recorded once and
    the rest are skipped (the same token is refused for every object)."""
    from nhiscan.providers.azure.http import ApiError

    for oid, extra in objects:
        try:
            people = list(run.graph.pages(template.format(id=oid)))
        except ApiError as exc:
            run.c.coverage.append(_gap(run, f"GET {template}", exc))
            return
        run.c.add(doc_type, [{"id": oid, **extra, "sponsors": people}], f"graph:GET {template}")
