"""Managed identities that AI resources run as: Azure AI Foundry / Cognitive Services accounts and
projects and Azure Machine Learning workspaces carry a system- or user-assigned identity; the
agent code they host acts with that identity's grants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from nhiscan.model import Edge, Evidence
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.fields import lower

AI_RESOURCE_TYPES = frozenset(
    {
        "microsoft.cognitiveservices/accounts",
        "microsoft.cognitiveservices/accounts/projects",
        "microsoft.machinelearningservices/workspaces",
    }
)
UAMI_TYPE = "microsoft.managedidentity/userassignedidentities"


def ai_resources_by_principal(c: Collected) -> dict[str, list[tuple[str, str]]]:
    """Managed-identity principal id -> [(AI resource id, resource type)]."""
    rows = c.items.get(dt.RESOURCES, [])
    # A resource may name its user-assigned identity without the principal id: look it up.
    uami_principal = {
        lower(obj.get("id")): lower(obj.get("principalId"))
        for obj, _ in rows
        if lower(obj.get("type")) == UAMI_TYPE and obj.get("principalId")
    }
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for obj, _ in rows:
        rtype = lower(obj.get("type"))
        identity = obj.get("identity")
        if rtype not in AI_RESOURCE_TYPES or not isinstance(identity, Mapping):
            continue
        rid = lower(obj.get("id"))
        principals = [lower(identity.get("principalId"))] if identity.get("principalId") else []
        user = identity.get("userAssignedIdentities")
        for key, value in user.items() if isinstance(user, Mapping) else []:
            pid = value.get("principalId") if isinstance(value, Mapping) else None
            principals.append(lower(pid) if pid else uami_principal.get(str(key).lower(), ""))
        for pid in principals:
            if pid and (rid, rtype) not in out[pid]:
                out[pid].append((rid, rtype))
    return out


def mi_facts(resources: list[tuple[str, str]] | None) -> dict[str, Any]:
    """The AI-resource facts (AzureIdentityFacts fields) of a managed identity ({} when no AI
    resource uses it)."""
    if not resources:
        return {}
    ordered = sorted(resources)
    return {
        "ai_resource": ordered[0][0],
        "ai_resources": tuple(r for r, _ in ordered),
        "ai_resource_types": tuple(sorted({t for _, t in ordered})),
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
            # No edge facts: `agent.*` edges belong to no provider's facts class; the managed
            # identity's type and the resource's type are on the identity (identity.azure.*).
            evidence=(Evidence(where, f"{rid} identity"),),
        )
        for mi, _mi_type in targets
    ]
