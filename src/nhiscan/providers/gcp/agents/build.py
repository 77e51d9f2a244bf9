"""Turning reasoning-engine records into ``agent.vertex_agent_engine`` identities and their
``agent.runs_as`` edges, given the service accounts the GCP builder has already made."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.model import Edge, Evidence, Identity, PermissionSummary, Usage, scope_key
from nhiscan.providers.gcp.agents.principal import AGENT_IDENTITY, DEFAULT_SERVICE_AGENT, Principal, why
from nhiscan.providers.gcp.estate import ReasoningEngineRecord

ENGINE_KIND = "agent.vertex_agent_engine"
RUNS_AS = "agent.runs_as"

# Names of plain-text variables that usually hold a credential; only the name is ever looked at.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:API_?KEY|APIKEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE_?KEY|ACCESS_?KEY|"
    r"CONNECTION_?STRING)(?:$|_)",
    re.I,
)
_OWNER_LABELS = ("owner", "team", "contact", "maintainer")

# Edges that let a principal act as another one without anything else (act_as also needs a
# permission to run something as the target, so it is left out).
_BECOMES = ("gcp.impersonate", "gcp.implicit_delegation", "gcp.create_key")


def secret_like(env_name: str) -> bool:
    """A plain-text variable named like a credential (the value is never looked at)."""
    return bool(_SECRET_NAME.search(env_name))


@dataclass(frozen=True)
class EngineContext:
    """What the GCP builder knows that an engine's facts depend on."""

    accounts: Mapping[str, Identity]
    """Service-account identities already built, by email."""
    project_of: Callable[[str], str]
    """Project id for a project id or number."""
    principal_permissions: Callable[[str], PermissionSummary]
    """The permissions granted to a principal directly (an agent identity's own grants)."""
    provider: str
    """The provider name identities carry (``gcp``)."""
    reach: Callable[[str], list[str]]
    """Principal -> the principals it can become (see :func:`reach_of`)."""


def build_engines(
    engines: Sequence[ReasoningEngineRecord],
    principals: Mapping[str, Principal],
    accounts: Mapping[str, Identity],
    project_of: Callable[[str], str],
    principal_permissions: Callable[[str], PermissionSummary],
    gcp: str,
    delegation: Sequence[Edge] = (),
) -> tuple[list[Identity], list[Edge]]:
    """Engine identities and their ``agent.runs_as`` edges. ``principals`` maps engine names to
    their principal, ``accounts`` holds the service-account identities already built and
    ``delegation`` the impersonation edges between principals."""
    ctx = EngineContext(accounts, project_of, principal_permissions, gcp, reach_of(delegation))
    unique: dict[str, ReasoningEngineRecord] = {}
    for rec in engines:
        unique.setdefault(rec.name, rec)
    sharing = _sharing(sorted(unique), principals)
    identities, edges = [], []
    for name in sorted(unique):
        rec, p = unique[name], principals[name]
        shared = [n for n in sharing.get(p.id or "", []) if n != name]
        identities.append(engine_identity(rec, p, shared, ctx))
        if p.id is not None:
            edges.append(runs_as_edge(rec, p))
    return identities, edges


def _sharing(names: Sequence[str], principals: Mapping[str, Principal]) -> dict[str, list[str]]:
    """Principal id -> the engines (in name order) that run as it."""
    out: dict[str, list[str]] = defaultdict(list)
    for name in names:
        p = principals[name]
        if p.id is not None:
            out[p.id].append(name)
    return out


def engine_identity(
    rec: ReasoningEngineRecord, p: Principal, shared: list[str], ctx: EngineContext
) -> Identity:
    """One engine as an identity; ``shared`` names the other engines that run as ``p``."""
    name = rec.name
    labels = dict(rec.labels)
    project = ctx.project_of(rec.project)
    # An agent identity holds grants itself; an engine running as a service account holds none.
    own = ctx.principal_permissions(p.id) if p.id and p.type == AGENT_IDENTITY else PermissionSummary()
    attributes = _attributes(rec, p, project, shared, own, ctx)
    return Identity(
        id=name,
        provider=ctx.provider,
        kind=ENGINE_KIND,
        scope=scope_key(ctx.provider, "project", project),
        name=rec.display_name or name.rsplit("/", 1)[1],
        created=rec.created,
        owner=next((labels[k] for k in _OWNER_LABELS if labels.get(k)), None),
        tags=labels,
        usage=Usage.MACHINE.value,
        evidence=(Evidence(rec.source, f"reasoningEngine {name}"),),
        attributes=attributes,
        permissions=own,
    )


def _attributes(
    rec: ReasoningEngineRecord,
    p: Principal,
    project: str,
    shared: list[str],
    own: PermissionSummary,
    ctx: EngineContext,
) -> dict[str, Any]:
    sa = ctx.accounts.get(p.id) if p.id else None
    if sa is not None:
        classes = list(sa.permissions.classes)
        roles = list(sa.attributes.get("role_names", []))
        keys = int(sa.attributes.get("user_managed_keys", 0))
    else:
        classes = list(own.classes)
        roles = sorted({g.role for g in own.grants if g.role})
        keys = 0
    reach = ctx.reach(p.id) if p.id else []
    reach_classes = sorted(
        {c for r in reach if r in ctx.accounts for c in ctx.accounts[r].permissions.classes}
    )
    return {
        "project": project,
        "location": rec.location,
        "engine_id": rec.name.rsplit("/", 1)[1],
        "description": rec.description,
        "agent_framework": rec.agent_framework,
        "identity_type": p.type,
        "spec_identity_type": rec.identity_type,
        "service_account": rec.service_account,
        "effective_identity": rec.effective_identity,
        "runs_as": p.id,
        "runs_as_in_inventory": sa is not None,
        # Null when nothing is known about the principal, as on AWS.
        "runs_as_classes": classes if p.id else None,
        "runs_as_roles": roles,
        "runs_as_user_managed_keys": keys,
        "runs_as_reach": reach,
        "runs_as_reach_classes": reach_classes,
        "default_service_agent": p.type == DEFAULT_SERVICE_AGENT,
        "role_shared_with": shared,
        "env_names": list(rec.env_names),
        # Named like the AWS agents' facts so the generic agent rules read both.
        "secret_env_names": [n for n in rec.env_names if secret_like(n)],
        "secret_manager_env_names": [n for n, _, _ in rec.secret_env],
        "secret_refs": [f"{s}:{v}" for _, s, v in rec.secret_env if s],
        "class_methods": list(rec.class_methods),
        "deployment_source": rec.deployment_source,
        "container_image": rec.container_image,
        "min_instances": rec.min_instances,
        "max_instances": rec.max_instances,
        "psc_interface": rec.psc_interface,
        "cmek": rec.cmek,
        "labels": dict(rec.labels),
        "aliases": [],
        # Facts the generic agent rules read that Agent Engine does not have: queries are
        # always IAM-authenticated (aiplatform.reasoningEngines.query), and the API names no
        # sub-agents, tools or token passthrough.
        "inbound_auth": "iam",
        "delegates_to": [],
        "delegation_depth": 0,
        "delegation_cycle": False,
        "delegation_reach_classes": [],
        "relay_history_to": [],
        "tools": [],
        "high_risk_builtin_tools": [],
        "token_passthrough": False,
    }


def runs_as_edge(rec: ReasoningEngineRecord, p: Principal) -> Edge:
    """The engine -> principal edge, with the field the principal was read from as evidence."""
    assert p.id is not None  # callers only draw an edge to a known principal
    return Edge(
        rec.name,
        p.id,
        RUNS_AS,
        evidence=(Evidence(rec.source, why(rec, p)),),
        attributes={
            "identity_type": p.type,
            "default_service_agent": p.type == DEFAULT_SERVICE_AGENT,
        },
    )


def reach_of(edges: Sequence[Edge]) -> Callable[[str], list[str]]:
    """principal -> every principal it can become through impersonation edges, transitively."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.kind in _BECOMES and e.src != e.dst:
            out[e.src].add(e.dst)

    def walk(start: str) -> list[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in out.get(todo.pop(), ()):
                if nxt not in seen and nxt != start:
                    seen.add(nxt)
                    todo.append(nxt)
        return sorted(seen)

    return walk
