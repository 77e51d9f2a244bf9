"""Entra Agent ID through Microsoft Graph (GETs only). These APIs need AgentIdentity.Read.All /
AgentIdentityBlueprint.Read.All and reject Azure CLI tokens (403): each refusal is a coverage
gap and the scan goes on."""

from __future__ import annotations

from typing import Any

from nhiscan.model import CoverageEntry
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.documents import camel_keys
from nhiscan.providers.azure.http import ApiError

_PEOPLE = "($select=id,displayName,userPrincipalName)"
AGENTS_PATH = "/beta/servicePrincipals/microsoft.graph.agentIdentity"
BLUEPRINTS_PATH = "/beta/applications/microsoft.graph.agentIdentityBlueprint"
AGENT_SPONSORS = "/beta/servicePrincipals/{id}/microsoft.graph.agentIdentity/sponsors"
BLUEPRINT_SPONSORS = "/beta/applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors"
INHERITABLE = "/beta/applications/{id}/microsoft.graph.agentIdentityBlueprint/inheritablePermissions"


def collect_agents(run: Any) -> None:
    """Agent identities with owners and sponsors, then blueprints with owners, federated
    credentials, sponsors and inheritable permissions. ``run`` is the live collector's run
    (``graph``, ``graph_list``, ``c``, ``tenant_scope``)."""
    agents = run.graph_list(
        dt.AGENT_IDENTITIES, f"GET {AGENTS_PATH}", f"{AGENTS_PATH}?$top=100&$expand=owners{_PEOPLE}"
    )
    if agents:
        _agent_sponsors(run, agents)
    blueprints = run.graph_list(
        dt.AGENT_BLUEPRINTS, f"GET {BLUEPRINTS_PATH}", f"{BLUEPRINTS_PATH}?$top=100&$expand=owners{_PEOPLE}"
    )
    if not blueprints:
        return
    run.graph_list(
        dt.AGENT_BLUEPRINTS,
        f"GET {BLUEPRINTS_PATH} (federatedIdentityCredentials)",
        f"{BLUEPRINTS_PATH}?$top=100&$select=id,appId&$expand=federatedIdentityCredentials",
    )
    pairs = [(str(b.get("id")), {"appId": b.get("appId")}) for b in blueprints]
    per_object_sponsors(run, dt.AGENT_BLUEPRINTS, pairs, BLUEPRINT_SPONSORS)
    source = f"GET {INHERITABLE}"
    for bid, extra in pairs:
        try:
            perms = list(run.graph.pages(INHERITABLE.format(id=bid)))
        except ApiError as exc:
            run.c.coverage.append(gap(run, source, exc))
            break
        run.c.add(
            dt.AGENT_BLUEPRINTS,
            [{"id": bid, **extra, "inheritablePermissions": camel_keys(perms)}],
            f"graph:{source}",
        )


def _agent_sponsors(run: Any, agents: list[dict[str, Any]]) -> None:
    # `$expand=sponsors` is not documented for agent identities: try it once, and fall back to
    # the documented per-agent sponsors listing.
    try:
        expanded = list(run.graph.pages(f"{AGENTS_PATH}?$top=100&$expand=sponsors{_PEOPLE}"))
    except ApiError:
        expanded = None
    if expanded is not None:
        run.c.add(
            dt.AGENT_IDENTITIES, (camel_keys(a) for a in expanded), f"graph:GET {AGENTS_PATH} (sponsors)"
        )
        return
    pairs = [
        (str(a.get("id")), {"agentIdentityBlueprintId": a.get("agentIdentityBlueprintId")}) for a in agents
    ]
    per_object_sponsors(run, dt.AGENT_IDENTITIES, pairs, AGENT_SPONSORS)


def gap(run: Any, source: str, exc: ApiError) -> CoverageEntry:
    """The coverage entry of a refused agent call, at the tenant's scope."""
    return CoverageEntry("azure", run.tenant_scope(), source, exc.status, str(exc))


def per_object_sponsors(
    run: Any, doc_type: str, objects: list[tuple[str, dict[str, Any]]], template: str
) -> None:
    """One documented ``/sponsors`` listing per object; the first refusal is recorded once and
    the rest are skipped (the same token is refused for every object)."""
    for oid, extra in objects:
        try:
            people = list(run.graph.pages(template.format(id=oid)))
        except ApiError as exc:
            run.c.coverage.append(gap(run, f"GET {template}", exc))
            return
        run.c.add(doc_type, [{"id": oid, **extra, "sponsors": people}], f"graph:GET {template}")
