"""Cross-identity facts about AI agents, for every provider at once.

Providers say what each agent *is* (its runs-as identities, the sub-agents it may invoke, the
agents that inherit their identity from another); what that means needs the whole inventory, so
it is computed here, once, after the delegation graph, instead of in every provider's agent
builder. Rules read the results as ``identity.graph.<key>``:

``runs_as_classes``                 permission classes of the identities the agent runs as; null
                                    when none of them is in the inventory (unknown, not "none")
``shares_identity_with``            other agents that run as one of the same identities
``agents``, ``agent_count``         for any identity: the agents that run as it or inherit their
                                    identity from it (an Entra agent identity from its blueprint)
``agent_delegation_depth``          longest chain of sub-agents it can start (``agent.delegates_to``
                                    hops; the delegation graph's depth rule: capped at 10, the size
                                    of a cycle inside one)
``agent_delegation_cycle``          its chain loops: it is in a cycle of agents that invoke each
                                    other, or reaches one
``agent_delegation_reach_classes``  union of the ``runs_as_classes`` of every agent it reaches
``agent_delegation_head``           it starts its chain: no agent invokes it (or, for a cycle that
                                    nothing outside enters, it is the cycle's first member by id),
                                    so a chain-wide problem is reported once, on the head

Inputs: identities of kind ``agent.*``; their runs-as ids from ``Identity.agent.runs_as`` and
``agent.runs_as`` edges; sub-agents from ``Identity.agent.delegates_to`` and ``agent.delegates_to``
edges; inheritance from ``agent.inherits_from`` edges. Ids are resolved through identity ids and
aliases, as the graph resolves edge endpoints. While providers move to typed facts, an agent
without ``Identity.agent`` is read from ``attributes["runs_as"]`` / ``["delegates_to"]``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from nhiscan.agent_kinds import AGENT_PREFIX, DELEGATES_TO, INHERITS_FROM, RUNS_AS
from nhiscan.analyse.graph import DelegationGraph, compute_facts
from nhiscan.model import Identity, Inventory, aliases_of

#: The value of every key for an identity the computation says nothing about (the defaults of the
#: matching ``GraphFacts`` fields).
DEFAULTS: Final[Mapping[str, Any]] = {
    "runs_as_classes": None,
    "shares_identity_with": [],
    "agents": [],
    "agent_count": 0,
    "agent_delegation_depth": 0,
    "agent_delegation_cycle": False,
    "agent_delegation_reach_classes": [],
    "agent_delegation_head": False,
}


class Resolver:
    """Maps the ids providers write (ARNs, object ids, emails, IAM member strings, aliases) to
    identity ids, the way the delegation graph resolves edge endpoints."""

    def __init__(self, identities: Iterable[Identity]) -> None:
        self.ids: dict[str, Identity] = {}
        self.alias: dict[str, str] = {}
        for ident in identities:
            self.ids.setdefault(ident.id, ident)
        for ident in self.ids.values():
            for a in aliases_of(ident):
                if a:
                    self.alias.setdefault(a, ident.id)
                    self.alias.setdefault(a.lower(), ident.id)
            self.alias.setdefault(ident.id.lower(), ident.id)

    def __call__(self, name: str) -> str | None:
        if name in self.ids:
            return name
        found = self.alias.get(name) or self.alias.get(name.lower())
        if found is None and name.startswith("serviceAccount:"):
            found = self.alias.get(name.removeprefix("serviceAccount:").lower())  # a GCP IAM member
        return found


def _strings(value: Any) -> list[str]:
    """A list attribute as strings; anything else (a hand-edited inventory) as nothing."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


def _named(value: Any) -> list[str]:
    """An id or list of ids as written by a provider (hand-edited inventories: anything else is none)."""
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in _strings(value) if v]


def agent_facts(inventory: Inventory) -> dict[str, dict[str, Any]]:
    """The facts of the module docstring, for every identity they say something about (agents,
    and identities agents run as or inherit from). Keys missing from an entry have their
    :data:`DEFAULTS` value."""
    agents: dict[str, Identity] = {}
    for ident in inventory.identities:
        if ident.kind.startswith(AGENT_PREFIX):
            agents.setdefault(ident.id, ident)
    if not agents:
        return {}
    resolve = Resolver(inventory.identities)
    runs_as, delegates, inherits = _links(inventory, agents, resolve)
    out: dict[str, dict[str, Any]] = defaultdict(dict)

    classes = {a: _runs_as_classes(agents[a], runs_as[a], resolve) for a in agents}
    for a in agents:
        out[a]["runs_as_classes"] = classes[a]

    users: dict[str, set[str]] = defaultdict(set)  # runs-as id -> the agents that run as it
    for a, targets in runs_as.items():
        for t in targets:
            users[t].add(a)
    for a, targets in runs_as.items():
        out[a]["shares_identity_with"] = sorted({o for t in targets for o in users[t]} - {a})

    acting: dict[str, set[str]] = defaultdict(set)
    for a, targets in (*runs_as.items(), *inherits.items()):
        for t in targets:
            if t != a and t in resolve.ids:
                acting[t].add(a)
    for t, members in acting.items():
        out[t]["agents"] = sorted(members)
        out[t]["agent_count"] = len(members)

    for a, facts in _chains(agents, delegates, classes).items():
        out[a].update(facts)
    return dict(out)


def _links(
    inventory: Inventory, agents: Mapping[str, Identity], resolve: Resolver
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """Per agent, in order of first mention: the ids it runs as, the agents it may invoke and the
    identities it inherits from (resolved to identity ids where they are in the inventory)."""
    runs_as: dict[str, dict[str, None]] = {a: {} for a in agents}
    delegates: dict[str, dict[str, None]] = {a: {} for a in agents}
    inherits: dict[str, dict[str, None]] = {a: {} for a in agents}

    def add(table: dict[str, dict[str, None]], src: str, dst: str) -> None:
        table[src][resolve(dst) or dst] = None

    for a, ident in agents.items():
        typed = ident.agent
        for dst in typed.runs_as if typed else _named(ident.attributes.get("runs_as")):
            add(runs_as, a, dst)
        for dst in typed.delegates_to if typed else _named(ident.attributes.get("delegates_to")):
            add(delegates, a, dst)
    tables = {RUNS_AS: runs_as, DELEGATES_TO: delegates, INHERITS_FROM: inherits}
    for e in inventory.edges:
        table = tables.get(e.kind)
        if table is None:
            continue
        src = resolve(e.src)
        if src is not None and src in agents:
            add(table, src, e.dst)
    return (
        {a: list(v) for a, v in runs_as.items()},
        {a: list(v) for a, v in delegates.items()},
        {a: list(v) for a, v in inherits.items()},
    )


def _runs_as_classes(agent: Identity, targets: Sequence[str], resolve: Resolver) -> list[str] | None:
    """Classes of the runs-as identities in the inventory. When none is, but the platform put the
    runs-as identity's grants on the agent itself (a GCP agent identity, an Entra agent), the
    agent's own classes; else null: nobody knows what the agent can do."""
    found = [resolve.ids[t] for t in targets if t in resolve.ids]
    own = agent.permissions
    if not found and (own.grants or own.classes):
        found = [agent]
    # Transition: providers still write the classes they computed (the AWS builder adds
    # credential_vault_any, which AWS does not yet put on the role itself). Gone once the
    # providers stop writing ``runs_as_classes``.
    reported = agent.attributes.get("runs_as_classes")
    if not found and not isinstance(reported, list):
        return None
    merged = {c for i in found for c in i.permissions.classes} | set(_strings(reported))
    return sorted(merged)


def _chains(
    agents: Mapping[str, Identity],
    delegates: Mapping[str, Sequence[str]],
    classes: Mapping[str, Sequence[str] | None],
) -> dict[str, dict[str, Any]]:
    """Depth (the delegation graph's own computation, over ``agent.delegates_to`` edges only),
    loops, reach classes and chain heads of every agent."""
    import rustworkx as rx

    names = list(agents)
    index = {n: i for i, n in enumerate(names)}
    for targets in delegates.values():
        for t in targets:
            if t not in index:
                index[t] = len(names)
                names.append(t)
    # Every node counts as a hop, also a sub-agent the inventory does not hold (an AgentCore
    # runtime from another account): placeholders make it an identity node of the graph.
    nodes = [agents.get(n) or Identity(id=n, provider="", kind="", scope="", name=n) for n in names]
    g = DelegationGraph(nodes, list(names), dict(index), ["identity"] * len(names))
    self_loop: set[int] = set()
    for a, targets in delegates.items():
        for t in targets:
            if a == t:
                self_loop.add(index[a])
            g.add(index[a], index[t], DELEGATES_TO, "", False)
    depth = {n: f["delegation_depth"] for n, f in compute_facts(g).items()}

    graph = rx.PyDiGraph()
    graph.add_nodes_from(range(len(names)))
    graph.add_edges_from_no_data(list(zip(g.src, g.dst, strict=True)))
    dag: Any = rx.condensation(graph)
    comps: list[list[int]] = [dag[c] for c in range(dag.num_nodes())]
    own = [frozenset(classes.get(n) or ()) for n in names]
    reach: list[frozenset[str]] = [frozenset()] * len(comps)
    loops = [False] * len(comps)
    for c in reversed(list(rx.topological_sort(dag))):
        members = comps[c]
        cyclic = len(members) > 1 or any(m in self_loop for m in members)
        got = set().union(*(own[m] for m in members)) if cyclic else set()
        for d in dag.successor_indices(c):
            got.update(reach[d], *(own[m] for m in comps[d]))
            cyclic = cyclic or loops[d]
        reach[c] = frozenset(got)
        loops[c] = cyclic
    out: dict[str, dict[str, Any]] = {}
    for c, members in enumerate(comps):
        entered = bool(list(dag.predecessor_indices(c)))
        first = min(names[m] for m in members)
        for m in members:
            if names[m] in agents:
                out[names[m]] = {
                    "agent_delegation_depth": depth[names[m]],
                    "agent_delegation_cycle": loops[c],
                    "agent_delegation_reach_classes": sorted(reach[c]),
                    "agent_delegation_head": not entered and names[m] == first,
                }
    return out


def with_agent_facts(
    graph: Mapping[str, Mapping[str, Any]], agents: Mapping[str, Mapping[str, Any]]
) -> dict[str, Mapping[str, Any]]:
    """The graph's facts with the agent keys added to every identity (their defaults where the
    agent computation says nothing), so a rule reads the same shape for every identity."""
    return {i: {**facts, **DEFAULTS, **agents.get(i, {})} for i, facts in graph.items()}
