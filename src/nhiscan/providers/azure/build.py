"""Build the Azure part of the inventory from canonical documents (see :mod:`.documents`).

The jobs live in their own modules: :mod:`.context` indexes the inputs, :mod:`.grants` reads
what each principal is granted, :mod:`.identities` and :mod:`.credentials` build the directory's
identities, :mod:`.agents.build` the Entra agent identities and blueprints, :mod:`.resources`
the edges from resources to their managed identities and :mod:`.logs` the logging state. This
module runs them in order and assembles the inventory.

Edges (all from the principal that can act to the identity it can become)
    ``azure.owner_add_credential`` owner -> owned app's SP; ``azure.app_permission`` SP holding
    Application.ReadWrite.All / AppRoleAssignment.ReadWrite.All / RoleManagement.ReadWrite.Directory
    -> ``azure-tenant:<tenant>/any-sp``; ``azure.directory_role_add_credential`` holder of Global,
    Application or Cloud Application Administrator -> ``azure-tenant:<tenant>/any-sp`` (or the one
    app's SP for an app-scoped assignment); ``azure.managed_identity`` compute resource id -> MI.
    "Any SP" is one virtual node per tenant so the edge count stays O(principals), not
    O(principals x SPs); the delegation graph expands it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from nhiscan.model import Credential, Edge, Identity, Inventory, Scope
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.activity import sp_sign_in
from nhiscan.providers.azure.agents.build import build_agents
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.context import PROVIDER, TenantIndex, index_tenant, subscriptions
from nhiscan.providers.azure.fields import lower
from nhiscan.providers.azure.grants import Grants, PrincipalGrants, read_grants
from nhiscan.providers.azure.identities import app_only_identity, rbac_only_identity, sp_identity
from nhiscan.providers.azure.logs import logging_states
from nhiscan.providers.azure.resources import resource_edges


def build_inventory(collected: Collected, tenant_hint: str | None, as_of: datetime) -> Inventory:
    """The inventory for one tenant. Raises InputError naming the file and field for malformed
    objects."""
    t = index_tenant(collected, tenant_hint, as_of)
    grants = read_grants(t)
    sign_in = sp_sign_in(t.c)
    identities, credentials, edges = directory_identities(t, grants, sign_in)
    agent_ids, agent_creds, agent_edges = build_agents(t, grants, sign_in)
    identities += agent_ids
    credentials += agent_creds
    edges += agent_edges
    edges += resource_edges(t, identities)
    logging, log_coverage = logging_states(t)
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        edges=tuple(dedupe_edges(edges)),
        logging=tuple(logging),
        coverage=tuple(t.c.coverage) + tuple(log_coverage),
        scopes=tuple(tenant_scopes(t)),
        providers=(PROVIDER,),
        generated_at=as_of,
    )


def directory_identities(
    t: TenantIndex, grants: Grants, sign_in: Mapping[str, datetime | None]
) -> tuple[list[Identity], list[Credential], list[Edge]]:
    """Service principals, principals known only from role assignments, and applications
    without a service principal (agent objects excluded: :mod:`.agents.build` builds them)."""
    identities: list[Identity] = []
    credentials: list[Credential] = []
    edges: list[Edge] = list(grants.directory_edges)
    for oid, (sp, where) in t.sps.items():
        if oid in t.agents.principal_ids:
            continue  # a blueprint's service principal: part of the blueprint identity
        app_entry = t.app_by_app.get(lower(sp["appId"]))
        ident, creds, own_edges = sp_identity(t, oid, sp, where, app_entry, grants.of(oid), sign_in)
        identities.append(ident)
        credentials += creds
        edges += own_edges
    for principal, (obj, where) in grants.rbac_principals.items():
        if principal in t.sps or str(obj.get("principalType")) not in ("ServicePrincipal", "MSI"):
            continue
        if principal in t.agents.agents:
            continue
        # Only its role assignments: a principal missing from the SP export has no other grants here.
        rbac = PrincipalGrants(rbac=list(grants.rbac[principal]))
        identities.append(rbac_only_identity(t, principal, obj, where, rbac))
    for oid, (app, where) in t.apps.items():
        if lower(app["appId"]) in t.sp_by_app or oid in t.agents.blueprint_ids:
            continue
        ident, creds, own_edges = app_only_identity(t, oid, app, where)
        identities.append(ident)
        credentials += creds
        edges += own_edges
    return identities, credentials, edges


def tenant_scopes(t: TenantIndex) -> list[Scope]:
    """The tenant and its subscriptions."""
    name = t.c.tenant_name or next(
        (
            str(obj["tenantDisplayName"])
            for obj, _ in t.c.items.get(dt.SUBSCRIPTIONS, [])
            if obj.get("tenantDisplayName") and lower(obj.get("tenantId")) == t.tenant
        ),
        None,
    )
    scopes = [Scope(provider=PROVIDER, type="tenant", id=t.tenant, name=name)]
    for sub_id, sub_name in sorted(subscriptions(t.c).items()):
        scopes.append(
            Scope(provider=PROVIDER, type="subscription", id=sub_id, name=sub_name, parent=t.tenant_key)
        )
    return scopes


def dedupe_edges(edges: list[Edge]) -> list[Edge]:
    """One edge per (src, dst, kind): the first seen keeps its evidence."""
    seen: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        seen.setdefault((e.src, e.dst, e.kind), e)
    return list(seen.values())
