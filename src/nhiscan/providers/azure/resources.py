"""Edges from Azure resources to the managed identities they carry (``az resource list``, Azure
Resource Graph): whoever controls the resource acts as its identity."""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.model import Edge, Evidence, Identity
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.agents.ai_resources import runs_as_edges
from nhiscan.providers.azure.context import TenantIndex
from nhiscan.providers.azure.facts import AzureEdgeFacts, AzureIdentityFacts
from nhiscan.providers.azure.fields import lower, require


def resource_edges(t: TenantIndex, identities: list[Identity]) -> list[Edge]:
    """Compute resources -> their managed identities; user-assigned identities are matched by
    their resource id. AI resources also get ``agent.runs_as``."""
    by_resource = {
        i.facts.mi_resource_id: i.id
        for i in identities
        if i.kind == "azure.managed_identity"
        and isinstance(i.facts, AzureIdentityFacts)
        and i.facts.mi_resource_id
    }
    edges: list[Edge] = []
    for index, (obj, where) in enumerate(t.c.items.get(dt.RESOURCES, [])):
        rid = lower(require(obj, "id", where, f"resource [{index}]"))
        identity = obj.get("identity")
        if not isinstance(identity, Mapping):
            continue
        targets: list[tuple[str, str]] = []
        if identity.get("principalId"):
            targets.append((lower(identity["principalId"]), "system"))
        for uami in (identity.get("userAssignedIdentities") or {}).keys():
            mi = by_resource.get(uami.lower())
            if mi:
                targets.append((mi, "user"))
        edges += [
            Edge(
                src=rid,
                dst=mi,
                kind="azure.managed_identity",
                evidence=(Evidence(where, f"{rid} identity"),),
                facts=AzureEdgeFacts(mi_type=mi_type),
            )
            for mi, mi_type in targets
        ]
        edges += runs_as_edges(rid, lower(obj.get("type")), targets, where)
    return edges
