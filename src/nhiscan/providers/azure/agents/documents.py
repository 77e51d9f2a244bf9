"""Recognising Entra Agent ID exports: the Graph pages and objects of agent identities, agent
identity blueprints, blueprint principals and blueprints' inheritable permissions.

The generic recogniser (:mod:`nhiscan.providers.azure.documents`) asks here first, because agent
types are subtypes of servicePrincipal and application and would otherwise be taken for them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.azure import doctypes as dt

AGENT_ODATA = "#microsoft.graph.agentidentity"
BLUEPRINT_ODATA = "#microsoft.graph.agentidentityblueprint"
BLUEPRINT_PRINCIPAL_ODATA = "#microsoft.graph.agentidentityblueprintprincipal"
# The OData cast in a Graph page's @odata.context: `$metadata#servicePrincipals/microsoft.graph.agentIdentity`.
_CAST = re.compile(
    r"#(?:servicePrincipals|applications)/(?:microsoft\.graph\.|graph\.)?"
    r"(agentIdentityBlueprintPrincipal|agentIdentityBlueprint|agentIdentity)\b",
    re.IGNORECASE,
)
# `$metadata#applications('<object id>')/inheritablePermissions` names the blueprint.
_INHERITABLE_PARENT = re.compile(r"applications\('([0-9a-fA-F-]{36})'\)", re.IGNORECASE)


def odata_type(obj: Mapping[str, Any]) -> str:
    """The object's ``@odata.type``, lower-case ("" when absent)."""
    return str(obj.get("@odata.type") or "").lower()


def agent_doc_type(item: Mapping[str, Any], context: str) -> str | None:
    """The document type of an Entra Agent ID export, or None for other documents."""
    if "/inheritablePermissions" in context or ("inheritableScopes" in item and "resourceAppId" in item):
        return dt.INHERITABLE_PERMISSIONS
    cast = _CAST.search(context)
    if cast:
        name = cast.group(1).lower()
        if name == "agentidentity":
            return dt.AGENT_IDENTITIES
        if name == "agentidentityblueprint":
            return dt.AGENT_BLUEPRINTS
        return dt.SERVICE_PRINCIPALS  # blueprint principals are service principals
    if "$metadata#" in context:
        return None  # a plain listing: the builder sorts its objects one by one
    kind = odata_type(item)
    if kind == AGENT_ODATA or (item.get("agentIdentityBlueprintId") and kind != BLUEPRINT_PRINCIPAL_ODATA):
        return dt.AGENT_IDENTITIES
    if kind == BLUEPRINT_ODATA:
        return dt.AGENT_BLUEPRINTS
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
