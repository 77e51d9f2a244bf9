"""Identities of the directory: ``azure.service_principal`` (application, legacy and first-party
SPs), ``azure.managed_identity`` (SPs of type ManagedIdentity), ``azure.application`` (an app
registration with no service principal in the tenant), and SPs known only from a role
assignment. Entra agent identities and blueprints reuse :func:`sp_identity` and
:func:`app_only_identity` (see :mod:`.agents.build`).

Facts
    :class:`~nhiscan.providers.azure.facts.AzureIdentityFacts` in ``Identity.facts``; a Microsoft
    first-party application is ``managed_by: provider``, another tenant's application
    ``managed_by: third_party``; the appId and application object id are ``Identity.aliases``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from nhiscan.facts import ManagedBy
from nhiscan.model import Credential, Edge, Evidence, Identity, Usage
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure.agents.ai_resources import mi_facts
from nhiscan.providers.azure.context import PROVIDER, TenantIndex
from nhiscan.providers.azure.credentials import credentials, mi_federated
from nhiscan.providers.azure.facts import AzureEdgeFacts, AzureIdentityFacts, RbacRole
from nhiscan.providers.azure.fields import field_time, lower, notes_owner, owners, tags
from nhiscan.providers.azure.grants import PrincipalGrants, Summary, summarise

MULTI_TENANT = frozenset({"AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"})

Built = tuple[Identity, list[Credential], list[Edge]]
"""An identity with its credentials and the edges it starts or ends."""


def _verified(publisher: Any) -> bool:
    return bool(isinstance(publisher, Mapping) and publisher.get("verifiedPublisherId"))


def _merged_owners(app: Mapping[str, Any] | None, sp: Mapping[str, Any]) -> tuple[list[str], list[str], bool]:
    """Owners of the application and of its service principal: both can add a credential."""
    names, ids, known = owners(app)
    sp_names, sp_ids, sp_known = owners(sp)
    for n, i in zip(sp_names, sp_ids, strict=True):
        if i not in ids:
            names.append(n)
            ids.append(i)
    return names, ids, known or sp_known


def managed_by(owner_org: str | None, tenant: str) -> ManagedBy:
    """Microsoft's tenants publish first-party apps; any other tenant but this one is a third
    party."""
    if owner_org in cat.MICROSOFT_TENANTS:
        return ManagedBy.PROVIDER
    if owner_org and owner_org != tenant:
        return ManagedBy.THIRD_PARTY
    return ManagedBy.CUSTOMER


def _sp_facts(
    t: TenantIndex,
    sp: Mapping[str, Any],
    app: Mapping[str, Any] | None,
    who: tuple[list[str], list[str], bool],
) -> dict[str, Any]:
    """Publisher, tenancy and ownership facts of a service principal (AzureIdentityFacts
    fields)."""
    audience = (app or {}).get("signInAudience") or sp.get("signInAudience")
    publisher = sp.get("verifiedPublisher") or (app or {}).get("verifiedPublisher") or {}
    names, ids, known = who
    return {
        "tenant_id": t.tenant,
        "app_id": lower(sp["appId"]),
        "app_object_id": lower(app["id"]) if app else None,
        "sp_type": str(sp.get("servicePrincipalType") or "Application"),
        "multi_tenant": audience in MULTI_TENANT,
        "app_owner_organization_id": lower(sp.get("appOwnerOrganizationId")) or None,
        "verified_publisher": _verified(publisher),
        "publisher": (publisher.get("displayName") if isinstance(publisher, Mapping) else None)
        or sp.get("publisherName"),
        "owners": tuple(names),
        "owner_ids": tuple(ids),
        "owners_known": known,
        "account_enabled": sp.get("accountEnabled", True) is not False,
    }


def _managed_identity(
    t: TenantIndex, oid: str, sp: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], list[Edge]]:
    """A managed identity's type and resource, and the edge from the resource that carries a
    system-assigned one (user-assigned ones are linked from the resource export)."""
    alt = [str(a) for a in sp.get("alternativeNames") or []]
    resource = next((a for a in alt if a.lower().startswith("/subscriptions/")), None)
    user_assigned = any(a.lower() == "isexplicit=true" for a in alt)
    facts: dict[str, Any] = {
        "mi_type": "user" if user_assigned else "system",
        "mi_resource_id": resource.lower() if resource else None,
        **mi_facts(t.ai_by_principal.get(oid)),
    }
    edges: list[Edge] = []
    if resource and not user_assigned:
        edges.append(
            Edge(
                src=resource.lower(),
                dst=oid,
                kind="azure.managed_identity",
                evidence=(Evidence(where, f"servicePrincipal {oid} alternativeNames"),),
                facts=AzureEdgeFacts(mi_type="system"),
            )
        )
    return facts, edges


def _grant_facts(t: TenantIndex, s: Summary) -> dict[str, Any]:
    return {
        "graph_app_permissions": tuple(s.graph_permissions),
        "directory_roles": tuple(s.directory_roles),
        "rbac_roles": tuple(RbacRole(**r) for r in s.rbac_roles),
        "rbac_roles_at_broad_scope": tuple(s.broad_roles),
        "privileged": s.privileged,
        "sign_in_known": t.sign_in_known,
    }


def _takeover_edge(t: TenantIndex, oid: str, pg: PrincipalGrants, s: Summary) -> list[Edge]:
    """A Graph permission that can add a credential to any SP reaches the tenant hub."""
    takeover = [p for p in s.graph_permissions if p in cat.GRAPH_TAKEOVER_PERMISSIONS]
    if not takeover:
        return []
    return [
        Edge(
            src=oid,
            dst=t.any_sp,
            kind="azure.app_permission",
            evidence=tuple(Evidence("appRoleAssignments", g.source) for g, p, _ in pg.graph if p in takeover),
            facts=AzureEdgeFacts(permissions=tuple(takeover)),
        )
    ]


def owner_edges(ids: list[str], names: list[str], target: str, via_app: bool) -> list[Edge]:
    """An owner can add a credential to what it owns, and so become it."""
    return [
        Edge(
            src=owner_id,
            dst=target,
            kind="azure.owner_add_credential",
            evidence=(Evidence("owners", f"{name} owns {'the application of ' if via_app else ''}{target}"),),
            facts=AzureEdgeFacts(owner=name),
        )
        for owner_id, name in zip(ids, names, strict=True)
        if owner_id
    ]


def _created(
    t: TenantIndex, oid: str, sp: Mapping[str, Any], where: str, app: Mapping[str, Any] | None
) -> datetime | None:
    """The application's creation time, else the service principal's."""
    created = None
    if app is not None:
        created = field_time(app, "createdDateTime", t.apps[lower(app["id"])][1], f"application {app['id']}")
    return created or field_time(sp, "createdDateTime", where, f"service principal {oid}")


def sp_identity(
    t: TenantIndex,
    oid: str,
    sp: dict[str, Any],
    where: str,
    app: dict[str, Any] | None,
    pg: PrincipalGrants,
    sign_in: Mapping[str, datetime | None],
) -> Built:
    """A service principal (or managed identity) with its application's credentials and owners."""
    app_id = lower(sp["appId"])
    kind = (
        "azure.managed_identity"
        if sp.get("servicePrincipalType") == "ManagedIdentity"
        else "azure.service_principal"
    )
    names, ids, known = _merged_owners(app, sp)
    facts = _sp_facts(t, sp, app, (names, ids, known))
    evidence = [Evidence(where, f"servicePrincipal {oid}")]
    edges: list[Edge] = []
    if kind == "azure.managed_identity":
        mi, mi_edges = _managed_identity(t, oid, sp, where)
        facts.update(mi)
        edges += mi_edges
    summary = summarise(pg)
    facts.update(_grant_facts(t, summary))
    edges += _takeover_edge(t, oid, pg, summary)

    seen: set[str] = set()
    creds = credentials(t, oid, sp, "service_principal", where, seen)
    if facts.get("mi_type") == "user" and facts.get("mi_resource_id"):
        creds += mi_federated(t, oid, str(facts["mi_resource_id"]))
    if app is not None:
        app_where = t.apps[lower(app["id"])][1]
        creds += credentials(t, oid, app, "application", app_where, seen)
        evidence.append(Evidence(app_where, f"application {lower(app['id'])}"))
    edges += owner_edges(ids, names, oid, app is not None)

    sp_tags, owner_tag = tags(sp.get("tags"))
    # A user-assigned identity's ARM resource (`az identity list`) carries the Azure tags.
    arm_tags, arm_owner = tags(t.mi_resources.get(oid, {}).get("tags"))
    sp_tags.update(arm_tags)
    owner_tag = owner_tag or arm_owner
    owner = names[0] if names else owner_tag or notes_owner(sp.get("notes") or (app or {}).get("notes"))
    identity = Identity(
        id=oid,
        provider=PROVIDER,
        kind=kind,
        scope=t.tenant_key,
        name=str(sp.get("displayName") or app_id),
        created=_created(t, oid, sp, where, app),
        last_used=sign_in.get(app_id),
        owner=owner,
        tags=sp_tags,
        usage=Usage.MACHINE.value,
        evidence=tuple(evidence),
        permissions=summary.permissions,
        managed_by=managed_by(facts["app_owner_organization_id"], t.tenant).value,
        aliases=tuple(a for a in (facts["app_id"], facts["app_object_id"]) if a),
        facts=AzureIdentityFacts(**facts),
    )
    return identity, creds, edges


def rbac_only_identity(
    t: TenantIndex, principal: str, obj: Mapping[str, Any], where: str, pg: PrincipalGrants
) -> Identity:
    """A service principal known only from a role assignment: either the SP export was not
    given, or the SP was deleted and its role assignment left behind."""
    fake_sp = {"id": principal, "appId": "", "displayName": obj.get("principalName") or principal}
    ident, _, _ = sp_identity(t, principal, fake_sp, where, None, pg, {})
    unknown = replace(
        ident.facts,
        app_id=None,
        sp_type=None,
        multi_tenant=None,
        verified_publisher=None,
        in_directory_export=False,
        orphaned_role_assignment=t.sp_listed,
    )
    return Identity(
        id=ident.id,
        provider=ident.provider,
        kind=ident.kind,
        scope=ident.scope,
        name=ident.name,
        usage=ident.usage,
        evidence=(Evidence(where, f"role assignment principal {principal}"),),
        permissions=ident.permissions,
        facts=unknown,
    )


def app_only_identity(t: TenantIndex, oid: str, app: dict[str, Any], where: str) -> Built:
    """An application registered here with no service principal in the tenant."""
    names, ids, known = owners(app)
    app_tags, owner_tag = tags(app.get("tags"))
    facts = AzureIdentityFacts(
        tenant_id=t.tenant,
        app_id=lower(app["appId"]),
        app_object_id=oid,
        sp_type=None,
        multi_tenant=app.get("signInAudience") in MULTI_TENANT,
        verified_publisher=_verified(app.get("verifiedPublisher") or {}),
        owners=tuple(names),
        owner_ids=tuple(ids),
        owners_known=known,
        sign_in_known=t.sign_in_known,
    )
    identity = Identity(
        id=oid,
        provider=PROVIDER,
        kind="azure.application",
        scope=t.tenant_key,
        name=str(app.get("displayName") or oid),
        created=field_time(app, "createdDateTime", where, f"application {oid}"),
        owner=names[0] if names else owner_tag or notes_owner(app.get("notes")),
        tags=app_tags,
        usage=Usage.MACHINE.value,
        evidence=(Evidence(where, f"application {oid}"),),
        aliases=(lower(app["appId"]),),
        facts=facts,
    )
    creds = credentials(t, oid, app, "application", where, set())
    return identity, creds, owner_edges(ids, names, oid, False)
