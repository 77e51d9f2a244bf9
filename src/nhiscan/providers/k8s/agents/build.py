"""Turn the sanitised agent resources and agent-like workloads of one cluster into identities
and edges: ``agent.k8s_agent`` / ``agent.mcp_server`` identities, ``agent.runs_as``,
``agent.uses_tool`` and ``agent.delegates_to`` edges.

A workload that belongs to a kagent or ToolHive resource (owner reference, the operator's label,
or the resource's name in the same namespace) adds its service account, images and environment
facts to that resource's identity; any other workload scoring at least
:data:`~nhiscan.providers.k8s.agents.heuristics.THRESHOLD` becomes an identity of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nhiscan.facts import AgentFacts, AgentTool, Detection, InboundAuth
from nhiscan.model import Edge, Evidence, Identity, Usage, scope_key
from nhiscan.providers.k8s.agents.chains import delegation
from nhiscan.providers.k8s.agents.heuristics import THRESHOLD
from nhiscan.providers.k8s.agents.resources import AGENT, MODEL_CONFIG, SOURCES
from nhiscan.providers.k8s.facts import K8sAgentFacts, K8sIdentityFacts, KagentTool
from nhiscan.providers.k8s.meta import object_time, owner_of, workload_name

AGENT_KIND = "agent.k8s_agent"
MCP_KIND = "agent.mcp_server"
#: the ServiceAccount an operator creates for a resource that names none
DEFAULT_SA = {"kagent": "{name}", "toolhive": "{name}-sa", "kmcp": "{name}"}


@dataclass
class AgentNode:
    """An agent or MCP server being assembled from its resource and the workloads that run it."""

    id: str
    kind: str
    namespace: str
    name: str
    source: str
    where: str
    meta: Mapping[str, Any]
    facts: Mapping[str, Any]
    service_account: str | None = None
    sa_from_workload: bool = False
    workloads: set[str] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    env_names: set[str] = field(default_factory=set)
    secret_env_names: set[str] = field(default_factory=set)
    reasons: dict[str, tuple[int, bool]] | None = None
    """detection reasons -> (points, is an MCP signal); None until a workload is absorbed"""

    def absorb(self, wl_name: str, signals: Mapping[str, Any], sa: str | None) -> None:
        self.workloads.add(wl_name)
        self.images.update(signals["images"])
        self.env_names.update(signals["env_names"])
        self.secret_env_names.update(signals["secret_env_names"])
        reasons = self.reasons if self.reasons is not None else {}
        for label, points, mcp in signals["reasons"]:
            reasons.setdefault(label, (points, mcp))
        self.reasons = reasons
        # ToolHive runs a proxy Deployment (its own, operator-made account) in front of the
        # server's StatefulSet: only the StatefulSet runs as the server's identity
        proxy = self.source.startswith("toolhive") and not wl_name.startswith("StatefulSet/")
        if sa and not self.sa_from_workload and not proxy:
            # what really runs beats what the resource asks for
            self.service_account, self.sa_from_workload = sa, True


def agent_id(cluster: str, ns: str, name: str) -> str:
    return f"k8s://{cluster}/ns/{ns}/agent/{name}"


def mcp_id(cluster: str, ns: str, name: str) -> str:
    return f"k8s://{cluster}/ns/{ns}/mcpserver/{name}"


@dataclass
class ToolUse:
    """What the kagent agents of a cluster call: tools, delegations, and the reverse."""

    delegates: dict[str, list[str]] = field(default_factory=dict)
    uses: dict[str, list[tuple[str, Mapping[str, Any]]]] = field(default_factory=dict)
    used_by: dict[str, list[str]] = field(default_factory=dict)


#: (ServiceAccount name -> identity id) and (namespace, name -> permission classes)
SaId = Callable[[str, str], str]
SaClasses = Callable[[str, str], Sequence[str]]
#: one candidate workload: (service account, signals, where it was read, the object)
Candidate = tuple[str, dict[str, Any], str, Mapping[str, Any]]


class ClusterAgents:
    """The agents and MCP servers of one cluster, assembled in three steps (resources, then
    workloads, then tool references) before identities are written."""

    def __init__(self, cluster: str, sa_id: SaId, sa_classes: SaClasses) -> None:
        self.cluster, self.sa_id, self.sa_classes = cluster, sa_id, sa_classes
        self.nodes: dict[str, AgentNode] = {}
        self.by_ref: dict[tuple[str, str, str], AgentNode] = {}  # (qualified kind, ns, name)
        self.by_ns_name: dict[tuple[str, str], AgentNode] = {}
        self.models: dict[tuple[str, str], Mapping[str, Any]] = {}

    def add_resources(self, resources: Sequence[Mapping[str, Any]]) -> None:
        for res in resources:
            meta, q = res["metadata"], res["kind"]
            ns, name = meta["namespace"], meta["name"]
            if q == MODEL_CONFIG:
                self.models.setdefault((ns, name), res["facts"])
                continue
            is_agent = q == AGENT
            ident = agent_id(self.cluster, ns, name) if is_agent else mcp_id(self.cluster, ns, name)
            if ident in self.nodes:
                continue  # the same object listed at a second API version
            facts = res["facts"]
            default_sa = DEFAULT_SA.get(SOURCES[q])
            node = AgentNode(
                id=ident,
                kind=AGENT_KIND if is_agent else MCP_KIND,
                namespace=ns,
                name=name,
                source=SOURCES[q],
                where=str(res.get("_src", "kubernetes")),
                meta=meta,
                facts=facts,
                service_account=facts.get("service_account")
                or (default_sa.format(name=name) if default_sa else None),
                images=set(facts.get("images") or []),
                env_names=set(facts.get("env_names") or []),
                secret_env_names=set(facts.get("secret_env_names") or []),
            )
            self.nodes[ident] = node
            self.by_ref[(q, ns, name)] = node
            self.by_ns_name.setdefault((ns, name), node)

    def add_workloads(
        self, workloads: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]
    ) -> None:
        for (ns, wl), (sa, sig, where, obj) in sorted(candidates(workloads, pods).items()):
            wl_kind, _, wl_name = wl.split("/", 2)
            target = None
            if sig.get("link"):
                q, linked = sig["link"]
                target = self.by_ref.get((q, ns, linked)) or self.by_ns_name.get((ns, linked))
            if target is None:
                target = self.by_ns_name.get((ns, wl_name))
            if target is not None:
                target.absorb(wl, sig, sa)
                continue
            reasons: dict[str, tuple[int, bool]] = {}
            for label, points, mcp in sig["reasons"]:
                reasons.setdefault(label, (points, mcp))
            if sum(p for p, _ in reasons.values()) < THRESHOLD:
                continue
            is_mcp = any(mcp for p, mcp in reasons.values() if p >= THRESHOLD)
            ident = f"k8s://{self.cluster}/ns/{ns}/workload/{wl_kind.lower()}/{wl_name}"
            node = AgentNode(
                id=ident,
                kind=MCP_KIND if is_mcp else AGENT_KIND,
                namespace=ns,
                name=wl_name,
                source="heuristic",
                where=where or "kubernetes",
                meta=obj["metadata"],
                facts={"workload_kind": wl_kind},
            )
            node.absorb(wl, sig, sa)
            self.nodes[ident] = node

    def tool_use(self) -> ToolUse:
        """kagent tool references: ``type: Agent`` delegates, anything else is a tool it uses
        (an MCP server, or a Service by name)."""
        out = ToolUse()
        for node in self.nodes.values():
            if node.source != "kagent":
                continue
            for t in node.facts.get("tools") or []:
                tns = t["namespace"]
                if t["type"] == "Agent":
                    out.delegates.setdefault(node.id, []).append(agent_id(self.cluster, tns, t["name"]))
                    continue
                if t["kind"] == "Service":
                    dst = f"k8s://{self.cluster}/ns/{tns}/service/{t['name']}"
                else:
                    dst = mcp_id(self.cluster, tns, t["name"])
                out.uses.setdefault(node.id, []).append((dst, t))
                out.used_by.setdefault(dst, []).append(node.id)
        for node in self.nodes.values():
            if node.kind == AGENT_KIND:
                out.delegates.setdefault(node.id, [])
        return out

    def runs_as(self, node: AgentNode) -> str | None:
        return self.sa_id(node.namespace, node.service_account) if node.service_account else None

    def model_of(self, node: AgentNode) -> Mapping[str, Any]:
        """The ModelConfig facts of a declarative kagent agent (BYO agents bring their own)."""
        if node.source != "kagent" or node.facts.get("agent_type") == "BYO":
            return {}
        name = node.facts.get("model_config") or "default-model-config"
        return self.models.get((node.namespace, name), {})

    def build(self) -> tuple[list[Identity], list[Edge], set[str]]:
        tools = self.tool_use()
        chains = delegation(tools.delegates)
        classes: dict[str, list[str] | None] = {}
        by_sa: dict[str, list[str]] = {}
        for node in self.nodes.values():
            sid = self.runs_as(node)
            if sid and node.service_account:
                classes[node.id] = sorted(self.sa_classes(node.namespace, node.service_account))
                by_sa.setdefault(sid, []).append(node.id)
            else:
                classes[node.id] = None
        identities: list[Identity] = []
        edges: list[Edge] = []
        for node in sorted(self.nodes.values(), key=lambda n: n.id):
            runs_as = self.runs_as(node)
            agent = agent_facts(node, runs_as, self.model_of(node), tools)
            facts = identity_facts(node, self.cluster, self.model_of(node), tools)
            # cross-identity facts that a neutral analysis will compute; kept as computed today
            attrs: dict[str, Any] = {
                "runs_as_classes": classes[node.id],
                "role_shared_with": sorted(x for x in by_sa.get(runs_as or "", []) if x != node.id),
            }
            if node.kind == AGENT_KIND:
                depth, cycle, reach = chains.get(node.id, (0, False, set()))
                attrs["delegation_depth"] = depth
                attrs["delegation_cycle"] = cycle
                attrs["delegation_reach_classes"] = sorted({c for r in reach for c in classes.get(r) or []})
            attrs.update(legacy_agent_attributes(node, agent))
            ident, node_edges = emit(node, self.cluster, agent, facts, attrs, tools)
            identities.append(ident)
            edges.extend(node_edges)
        return identities, edges, {n.namespace for n in self.nodes.values()}


def candidates(
    workloads: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], Candidate]:
    """Agent-like workloads by (namespace, ``Kind/ns/name``): controllers first, then pods that no
    exported controller stands for; a pod of an exported controller adds its reasons and its
    service account (the running pod's account is the truth)."""
    found: dict[tuple[str, str], Candidate] = {}
    for w in workloads:
        sig = w.get("agent")
        if sig is None:
            continue
        ns = w["metadata"]["namespace"]
        wl = f"{w['kind']}/{ns}/{w['metadata']['name']}"
        found[(ns, wl)] = (w["spec"]["serviceAccountName"], sig, str(w.get("_src", "")), w)
    for p in pods:
        sig = p.get("agent")
        if sig is None:
            continue
        ns = p["metadata"]["namespace"]
        wl = workload_name(p, ns)
        if (ns, wl) in found:
            prev = found[(ns, wl)]
            merged = {**prev[1], "reasons": prev[1]["reasons"] + sig["reasons"]}
            found[(ns, wl)] = (p["spec"]["serviceAccountName"], merged, prev[2], prev[3])
        else:
            found[(ns, wl)] = (p["spec"]["serviceAccountName"], sig, str(p.get("_src", "")), p)
    return found


#: AgentFacts.platform of each resource source
PLATFORMS = {
    "kagent": "kagent",
    "kmcp": "kagent",
    "kagent_remote": "kagent",
    "toolhive": "toolhive",
    "toolhive_vmcp": "toolhive",
    "heuristic": "heuristic",
}


def agent_tools(node: AgentNode, tools: ToolUse) -> tuple[AgentTool, ...]:
    """A kagent agent's tool references as neutral tools: ``mcp`` (an MCP server or a Service
    speaking MCP) or ``agent`` (a delegation). ``require_approval`` is true when the reference
    names tools that need approval (which ones: ``identity.k8s.agent.require_approval``)."""
    targets = iter(dst for dst, _ in tools.uses.get(node.id, []))
    delegates = iter(tools.delegates.get(node.id, []))
    out = []
    for t in node.facts.get("tools") or []:
        # tool_use() resolved the references in this same order
        target = next(delegates) if t["type"] == "Agent" else next(targets)
        out.append(
            AgentTool(
                type="agent" if t["type"] == "Agent" else "mcp",
                target=target,
                name=t["name"],
                require_approval=bool(t["require_approval"]),
            )
        )
    return tuple(out)


def agent_facts(node: AgentNode, runs_as: str | None, mc: Mapping[str, Any], tools: ToolUse) -> AgentFacts:
    """The platform-neutral facts of an agent or MCP server (``identity.agent``)."""
    f = node.facts
    is_agent = node.kind == AGENT_KIND
    detected = None
    if node.reasons is not None and node.source == "heuristic":
        detected = Detection(
            score=sum(p for p, _ in node.reasons.values()),
            threshold=THRESHOLD,
            reasons=tuple(f"{label} (+{p})" for label, (p, _) in sorted(node.reasons.items())),
        )
    return AgentFacts(
        platform=PLATFORMS[node.source],
        source="heuristic" if node.source == "heuristic" else "crd",
        runs_as=(runs_as,) if runs_as else (),
        delegates_to=tuple(sorted(set(tools.delegates.get(node.id, [])))) if is_agent else (),
        tools=agent_tools(node, tools) if node.source == "kagent" else (),
        high_risk_builtin_tools=("executeCodeBlocks",) if is_agent and f.get("execute_code_blocks") else (),
        inbound_auth=InboundAuth.UNKNOWN if is_agent else InboundAuth(f.get("inbound_auth") or "unknown"),
        jwt_audience_pinned=None if is_agent else f.get("jwt_audience_pinned"),
        token_passthrough=bool(mc.get("api_key_passthrough")) if is_agent else False,
        secret_env_names=tuple(sorted(node.secret_env_names)),
        model=mc.get("model") if is_agent else None,
        endpoint=None if is_agent else f.get("url"),
        detection=detected,
        referenced_by=() if is_agent else tuple(sorted(set(tools.used_by.get(node.id, [])))),
    )


def identity_facts(node: AgentNode, cluster: str, mc: Mapping[str, Any], tools: ToolUse) -> K8sIdentityFacts:
    """The Kubernetes-specific facts of an agent or MCP server (``identity.k8s``)."""
    f = node.facts
    common: dict[str, Any] = {
        "resource": node.source,
        "service_account": f"{node.namespace}/{node.service_account}" if node.service_account else None,
        "images": tuple(sorted(node.images)),
        "env_names": tuple(sorted(node.env_names)),
        "workload_kind": f.get("workload_kind"),
    }
    if node.kind == AGENT_KIND:
        refs = f.get("tools") or []
        agent = K8sAgentFacts(
            **common,
            agent_type=f.get("agent_type"),
            model_config=f.get("model_config"),
            model_provider=mc.get("provider"),
            model_tls_verify_disabled=bool(mc.get("tls_verify_disabled")),
            tools=tuple(kagent_tool(t) for t in refs),
            uses_tools=tuple(sorted({d for d, _ in tools.uses.get(node.id, [])})),
            require_approval=tuple(sorted({n for t in refs for n in t["require_approval"]})),
            tools_without_approval=tuple(
                sorted({t["name"] for t in refs if t["type"] != "Agent" and not t["require_approval"]})
            ),
        )
    else:
        agent = K8sAgentFacts(
            **common,
            transport=f.get("transport"),
            inbound_auth_detail=f.get("inbound_auth_detail"),
            authz_policy=f.get("authz"),
            permission_profile=f.get("permission_profile"),
            host_paths=tuple(f.get("host_paths") or ()),
        )
    return K8sIdentityFacts(
        namespace=node.namespace, cluster=cluster, workloads=tuple(sorted(node.workloads)), agent=agent
    )


def kagent_tool(t: Mapping[str, Any]) -> KagentTool:
    return KagentTool(
        type=t["type"],
        kind=t["kind"],
        api_group=t["api_group"],
        name=t["name"],
        namespace=t["namespace"],
        tool_names=tuple(t["tool_names"]),
        require_approval=tuple(t["require_approval"]),
        headers_from=t["headers_from"],
    )


#: TODO(k8s): delete with the attributes once rules/agents read identity.agent (issue 11). The
#: agent rules still read these keys, so they are written from the typed facts until then.
LEGACY_AGENT_KEYS = (
    "source",
    "runs_as",
    "delegates_to",
    "relay_history_to",
    "token_passthrough",
    "inbound_auth",
    "jwt_audience_pinned",
    "high_risk_builtin_tools",
    "secret_env_names",
)


def legacy_agent_attributes(node: AgentNode, agent: AgentFacts) -> dict[str, Any]:
    """:data:`LEGACY_AGENT_KEYS` as the rules in rules/agents read them today."""
    out: dict[str, Any] = {
        "source": node.source,
        "runs_as": agent.runs_as[0] if agent.runs_as else None,
        "relay_history_to": [],
        "token_passthrough": agent.token_passthrough,
        "inbound_auth": agent.inbound_auth.value,
        "jwt_audience_pinned": agent.jwt_audience_pinned,
        "high_risk_builtin_tools": list(agent.high_risk_builtin_tools),
        "secret_env_names": list(agent.secret_env_names),
    }
    if node.kind == AGENT_KIND:
        out["delegates_to"] = list(agent.delegates_to)
    return out


def emit(
    node: AgentNode,
    cluster: str,
    agent: AgentFacts,
    facts: K8sIdentityFacts,
    attrs: dict[str, Any],
    tools: ToolUse,
) -> tuple[Identity, list[Edge]]:
    """The identity of one node and the edges leaving it. Agent edges carry no facts (``agent``
    is no provider with edge facts): whether a tool needs approval is on ``identity.agent.tools``,
    and a kagent agent tool never receives the conversation (``relay_history_to`` is empty)."""
    ev = (Evidence(source=node.where, detail=f"{node.source} {node.namespace}/{node.name}"),)
    meta = node.meta
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    ident = Identity(
        id=node.id,
        provider="k8s",
        kind=node.kind,
        scope=scope_key("k8s", "namespace", f"{cluster}/{node.namespace}"),
        name=f"{node.namespace}/{node.name}",
        created=object_time(meta.get("creationTimestamp"), node.where, "metadata.creationTimestamp"),
        owner=owner_of(labels, annotations),
        tags=labels,
        usage=Usage.MACHINE.value,
        evidence=ev,
        attributes=attrs,
        facts=facts,
        agent=agent,
    )
    runs_as = agent.runs_as[0] if agent.runs_as else None
    edges = [Edge(node.id, runs_as, "agent.runs_as", ev)] if runs_as else []
    edges.extend(Edge(node.id, dst, "agent.uses_tool", ev) for dst, _ in tools.uses.get(node.id, []))
    edges.extend(
        Edge(node.id, dst, "agent.delegates_to", ev) for dst in sorted(set(tools.delegates.get(node.id, [])))
    )
    return ident, edges


def build_agents(
    cluster: str,
    resources: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    workloads: Sequence[Mapping[str, Any]],
    sa_id: SaId,
    sa_classes: SaClasses,
) -> tuple[list[Identity], list[Edge], set[str]]:
    """Identities and edges of the cluster's agents and MCP servers, and the namespaces they are
    in. ``sa_id(ns, name)`` names a ServiceAccount identity and ``sa_classes(ns, name)`` returns
    its permission classes."""
    agents = ClusterAgents(cluster, sa_id, sa_classes)
    agents.add_resources(resources)
    agents.add_workloads(workloads, pods)
    return agents.build()
