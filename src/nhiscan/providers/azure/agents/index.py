"""Sorting Entra objects into agent identities, blueprints and blueprint principals.

Agent types are subtypes of servicePrincipal and application, so a plain ``az ad sp list`` holds
agent identities and blueprint principals, and ``az ad app list`` holds blueprints.
:func:`reclassify` takes the agent identities out of the service-principal list and adds the
blueprints to the applications, so each object is built once, by the right builder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.agents.documents import (
    AGENT_ODATA,
    BLUEPRINT_ODATA,
    BLUEPRINT_PRINCIPAL_ODATA,
    odata_type,
)
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.fields import Located, check_lists, field_time, lower, merge_object


@dataclass
class AgentIndex:
    """Which objects are agents, blueprints and blueprint principals (filled by
    :func:`reclassify`, then only read)."""

    agents: dict[str, Located] = field(default_factory=dict)
    """Agent identity object id -> its (merged) object."""
    blueprint_ids: set[str] = field(default_factory=set)
    """Object ids of the blueprint applications."""
    blueprint_app_ids: dict[str, str] = field(default_factory=dict)
    """Blueprint appId -> blueprint application object id."""
    principal_ids: set[str] = field(default_factory=set)
    """Object ids of blueprint principals (the blueprints' service principals)."""
    inheritable: dict[str, list[Located]] = field(default_factory=lambda: defaultdict(list))
    """Blueprint object id -> its separately exported inheritablePermissions entries."""


def reclassify(c: Collected) -> tuple[Collected, AgentIndex]:
    """A copy of ``c`` whose service-principal and application lists hold no agent identities,
    with blueprints among the applications, and the index of agent objects."""
    index = AgentIndex()
    _index_blueprints(c, index)
    sps = _sort_principals(c, index)
    for doc_type in (dt.APPLICATIONS, dt.AGENT_BLUEPRINTS):
        for obj, where in c.items.get(doc_type, []):
            if lower(obj.get("id")) in index.blueprint_ids:
                what = f"agent identity blueprint {obj.get('id')}"
                check_lists(obj, ("sponsors", "owners", "inheritablePermissions"), where, what)
    for obj, where in c.items.get(dt.INHERITABLE_PERMISSIONS, []):
        index.inheritable[lower(obj.get("blueprintObjectId"))].append((obj, where))

    out = Collected(
        read=set(c.read),
        activity_log_read=c.activity_log_read,
        subscriptions=c.subscriptions,
        tenant_id=c.tenant_id,
        tenant_name=c.tenant_name,
        coverage=c.coverage,
    )
    moved = {
        dt.SERVICE_PRINCIPALS,
        dt.AGENT_IDENTITIES,
        dt.APPLICATIONS,
        dt.AGENT_BLUEPRINTS,
        dt.INHERITABLE_PERMISSIONS,
    }
    for doc_type, items in c.items.items():
        if doc_type not in moved:
            out.items[doc_type] = list(items)
    out.items[dt.SERVICE_PRINCIPALS] = sps
    out.items[dt.APPLICATIONS] = list(c.items.get(dt.APPLICATIONS, [])) + list(
        c.items.get(dt.AGENT_BLUEPRINTS, [])
    )
    return out, index


def _index_blueprints(c: Collected, index: AgentIndex) -> None:
    """Blueprint applications by object id and appId, from the blueprint listing and from the
    applications listing's ``@odata.type``."""
    for obj, _where in c.items.get(dt.AGENT_BLUEPRINTS, []):
        oid = lower(obj.get("id"))
        if oid:
            index.blueprint_ids.add(oid)
            if obj.get("appId"):
                index.blueprint_app_ids[lower(obj["appId"])] = oid
    for obj, _where in c.items.get(dt.APPLICATIONS, []):
        if odata_type(obj) == BLUEPRINT_ODATA and obj.get("id"):
            index.blueprint_ids.add(lower(obj["id"]))
            if obj.get("appId"):
                index.blueprint_app_ids[lower(obj["appId"])] = lower(obj["id"])
    for obj, _where in c.items.get(dt.APPLICATIONS, []):
        # A blueprint listed without its type (a `$select` export) is still a blueprint.
        if lower(obj.get("appId")) in index.blueprint_app_ids and obj.get("id"):
            index.blueprint_ids.add(lower(obj["id"]))


def is_agent_identity(obj: Mapping[str, Any], doc_type: str) -> bool:
    """An agent identity by type, by its blueprint reference, or (untyped, in an agent
    listing) by being a plain ServiceIdentity."""
    kind = odata_type(obj)
    if kind == AGENT_ODATA or (
        kind != BLUEPRINT_PRINCIPAL_ODATA and bool(obj.get("agentIdentityBlueprintId"))
    ):
        return True
    if doc_type == dt.AGENT_IDENTITIES and not kind:
        return str(obj.get("servicePrincipalType") or "ServiceIdentity") == "ServiceIdentity"
    return False


def _sort_principals(c: Collected, index: AgentIndex) -> list[Located]:
    """Agent identities go into the index (checked and merged); the rest stay service
    principals, with blueprint principals noted."""
    sps: list[Located] = []
    for doc_type in (dt.SERVICE_PRINCIPALS, dt.AGENT_IDENTITIES):
        for position, (obj, where) in enumerate(c.items.get(doc_type, [])):
            if not is_agent_identity(obj, doc_type):
                kind = odata_type(obj)
                if kind == BLUEPRINT_PRINCIPAL_ODATA or lower(obj.get("appId")) in index.blueprint_app_ids:
                    index.principal_ids.add(lower(obj.get("id")))
                sps.append((obj, where))
                continue
            raw_id = obj.get("id")
            if not isinstance(raw_id, str) or not raw_id:
                raise InputError(where, f"agent identity [{position}]: field 'id' is missing or not a string")
            # Checked before merging, so the error names the file the bad field came from.
            label = f"agent identity {raw_id}"
            check_lists(obj, ("sponsors", "owners"), where, label)
            field_time(obj, "createdDateTime", where, label)
            if isinstance(obj.get("lifecycle"), Mapping):
                field_time(obj["lifecycle"], "expirationDateTime", where, f"{label} lifecycle")
            merge_object(index.agents, raw_id.lower(), obj, where)
    return sps
