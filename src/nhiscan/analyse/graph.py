"""The delegation graph: who can become whom, and who can become an administrator.

Nodes are the inventory's identities plus one virtual *admin sink* per scope
(``admin:<scope key>``: an AWS account, an Azure tenant or subscription, a GCP project or
organisation, a Kubernetes cluster). An edge ``src -> dst`` means src can act as dst (or, into a
sink, can act with full control of that scope); it carries a ``kind`` and its evidence. Edges come
from three places: AWS edges derived from policies and trust policies
(:mod:`nhiscan.providers.aws.delegation`), Kubernetes edges derived from effective RBAC
(:mod:`nhiscan.providers.k8s.delegation`), and the edges providers put in ``inventory.edges`` (IRSA /
GKE / Azure workload identity, GCP impersonation and actAs, Azure ownership, app permissions,
managed identities). Edge endpoints are resolved through each identity's id and
``attributes["aliases"]``; an endpoint that is no identity stays in the graph as a plain node.
Administrators get one edge to their scope's sink, never PMapper's "admin -> every node" edges.

Edges that hold only under a policy Condition the inventory cannot decide are *conditional*: they
are left out of every fact below except ``can_reach_admin_conditional`` and ``conditional_path``.

Facts per identity (``graph_facts``; rules read them as ``identity.graph.<key>``):

``is_admin``                     it administers its scope (edge of kind ``admin`` to the sink)
``can_reach_admin``              not admin, and a path of definite edges leads to an admin sink
``path``                         shortest such path: ``[{src, dst, kind, evidence}]``; ``[]`` if none
``path_length``                  hops in ``path`` (0 for an admin, null when no path)
``admin_scope``                  the scope key whose sink the path ends in (null when none)
``can_reach_admin_conditional``  a path exists when conditional edges are counted too
``conditional_path``             that path when only it exists (else ``[]``)
``delegation_depth``             longest chain of identities it can start (hops, capped at 10;
                                 inside a cycle the cycle's size is used, an upper bound)
``reachable_count``              identities it can act as, transitively (blast radius)
``reached_by_count``             identities that can act as it, transitively
``external_trust``               principals outside the organisation it trusts directly
                                 (``[{type, value, ...}]``: external account, ``*``, OIDC issuer,
                                 or the source of a provider edge such as a federated credential)
``external_trust_open``          some of that trust is open to anyone: ``*`` or an OIDC issuer
                                 with an unpinned subject or audience
``reachable_from_external``      some identity with external trust can reach it (or it has some)
``external_sources``             the identity with external trust that reaches it first (itself
                                 when it has external trust), as a one-element list
``in_cycle``                     it is in a cycle of mutual delegation
``cycle``                        the identities of that cycle (sorted, max 25)

Performance: ids are interned to ints and the graph is a rustworkx ``PyDiGraph``. Admin
reachability is one BFS from a super-sink on the reversed graph (BFS parents give the paths);
external reachability one BFS from a super-source; cycles come from the condensation (strongly
connected components); reach counts and depth are dynamic programming over the condensation DAG
with integer bitsets that are dropped once every predecessor has used them. No all-pairs
computation.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from nhiscan import providers
from nhiscan.model import Edge, Identity, Inventory, aliases_of
from nhiscan.providers.interface import Delegation, DelegationContext, ProviderPlugin

DEPTH_CAP: Final = 10
MAX_CYCLE_IDS: Final = 25
SINK_PREFIX: Final = "admin:"
ADMIN_KIND: Final = "admin"


@dataclass
class DelegationGraph:
    """Interned nodes and edges. Nodes ``0 .. len(identities)-1`` are the identities, in
    inventory order; after them come sinks and other nodes."""

    identities: list[Identity]
    names: list[str]
    index: dict[str, int]
    node_type: list[str]  # identity | admin | hub (shared AWS policies) | other
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    conditional: list[bool] = field(default_factory=list)
    external: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def n_identities(self) -> int:
        return len(self.identities)

    def node(self, name: str, node_type: str = "other") -> int:
        i = self.index.get(name)
        if i is None:
            i = len(self.names)
            self.names.append(name)
            self.node_type.append(node_type)
            self.index[name] = i
        return i

    def add(self, s: int, d: int, kind: str, evidence: str, conditional: bool) -> None:
        if s == d:
            return
        self.src.append(s)
        self.dst.append(d)
        self.kind.append(kind)
        self.evidence.append(evidence)
        self.conditional.append(conditional)

    def hop(self, e: int) -> dict[str, Any]:
        return {
            "src": self.names[self.src[e]],
            "dst": self.names[self.dst[e]],
            "kind": self.kind[e],
            "evidence": self.evidence[e],
        }


def sink_id(scope_key: str) -> str:
    return SINK_PREFIX + scope_key


def _evidence_text(edge: Edge) -> str:
    parts = [f"{e.source}: {e.detail}" if e.detail else e.source for e in edge.evidence]
    return "; ".join(parts)


def _plugins(inventory: Inventory) -> dict[str, ProviderPlugin]:
    """The registered plugins of the providers whose identities the inventory holds (an
    identity of an unknown provider, in a hand-edited inventory, contributes no derived edges)."""
    present = {i.provider for i in inventory.identities}
    return {name: providers.get(name) for name in providers.PROVIDER_MODULES if name in present}


def build_graph(inventory: Inventory) -> DelegationGraph:
    """Intern the inventory's identities and every delegation edge (derived and provided)."""
    idents = list(inventory.identities)
    names = [i.id for i in idents]
    index: dict[str, int] = {}
    for n, ident in enumerate(idents):
        index.setdefault(ident.id, n)
    g = DelegationGraph(idents, names, index, ["identity"] * len(idents))
    alias: dict[str, int] = {}
    for n, ident in enumerate(idents):
        for a in aliases_of(ident):
            alias.setdefault(a, n)
            alias.setdefault(a.lower(), n)
        alias.setdefault(ident.id.lower(), n)
    plugins = _plugins(inventory)
    external_kinds = frozenset().union(*(p.external_source_edge_kinds for p in plugins.values()))
    parents = {s.key: s.parent for s in inventory.scopes}
    scope_keys = {s.key for s in inventory.scopes}

    def sink_of(ident: Identity) -> str:
        plugin = plugins.get(ident.provider)
        return sink_id(plugin.sink_scope(ident, parents) if plugin else ident.scope)

    def resolve(name: str) -> int | None:
        i = index.get(name)
        if i is None:
            i = alias.get(name)
        if i is None:
            i = alias.get(name.lower())
        if i is None and name.startswith("serviceAccount:"):
            i = alias.get(name.removeprefix("serviceAccount:").lower())  # a GCP IAM member string
        return i

    def add_edges(edges: Iterable[Edge]) -> None:
        for e in edges:
            s = resolve(e.src)
            if s is None:
                s = g.node(e.src)
            d = resolve(e.dst)
            if d is None:
                if e.dst.startswith(SINK_PREFIX):
                    d = g.node(e.dst, "admin")
                elif e.dst in scope_keys:
                    d = g.node(sink_id(e.dst), "admin")
                else:
                    d = g.node(e.dst)
            g.add(
                s, d, e.kind, _evidence_text(e), e.conditional or bool(e.attributes.get("conditional", False))
            )
            if s >= g.n_identities and d < g.n_identities and e.kind in external_kinds:
                g.external.setdefault(d, []).append({"type": e.kind, "value": e.src})

    context = DelegationContext(inventory, sink_of)
    contributions: list[Delegation] = []
    for plugin in plugins.values():
        found = plugin.delegation(context)
        if found is not None:
            contributions.append(found)
    # Derived edges go in before the provided ones, and tenant-wide hubs are expanded last, so
    # that shortest paths (BFS order) prefer the most specific evidence.
    late: list[Delegation] = []
    for contribution in contributions:
        if contribution.expands_hubs:
            late.append(contribution)
        else:
            add_edges(contribution.edges())
    add_edges(inventory.edges)
    derive_own = {name for name, p in plugins.items() if p.derives_admin_edges}
    for n, ident in enumerate(idents):
        if ident.provider in derive_own:
            continue
        if "admin" in ident.permissions.classes:
            reasons = ident.permissions.reasons.get("admin", ())
            g.add(
                n,
                g.node(sink_of(ident), "admin"),
                ADMIN_KIND,
                "permissions: " + ", ".join(reasons[:3]),
                False,
            )
    for contribution in late:
        add_edges(contribution.edges())
    hub_prefixes = tuple(c.hub_prefix for c in contributions if c.hub_prefix)
    for i in range(len(g.names)):
        if g.names[i].startswith(SINK_PREFIX):
            g.node_type[i] = "admin"
        elif hub_prefixes and g.names[i].startswith(hub_prefixes):
            g.node_type[i] = "hub"
    for contribution in contributions:
        for n, ident in enumerate(idents):
            ext = contribution.external_trust(ident)
            if ext:
                g.external.setdefault(n, []).extend(dict(x) for x in ext)
        _empower(g, contribution, sink_of)
    return g


def _adjacency(g: DelegationGraph, definite_only: bool = True) -> list[list[int]]:
    adj: list[list[int]] = [[] for _ in g.names]
    for s, d, c in zip(g.src, g.dst, g.conditional, strict=True):
        if not (definite_only and c):
            adj[s].append(d)
    return adj


def _empower(g: DelegationGraph, contribution: Delegation, sink_of: Callable[[Identity], str]) -> None:
    """Edges for "X can add permissions to Y, and X can act as Y": X -> Y's admin sink."""
    reaches_sink = {
        s for s, d, c in zip(g.src, g.dst, g.conditional, strict=True) if not c and g.node_type[d] == "admin"
    }
    candidates = [
        n for n, ident in enumerate(g.identities) if n not in reaches_sink and contribution.may_empower(ident)
    ]
    if not candidates:
        return
    del reaches_sink
    adj = _adjacency(g)
    for n in candidates:
        src = g.identities[n]
        seen = {n}
        queue = deque([n])
        while queue:
            u = queue.popleft()
            for v in adj[u]:
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
        for v in sorted(seen - {n}):
            if v >= g.n_identities:
                continue
            target = g.identities[v]
            found = contribution.empower(src, target)
            if found is None:
                continue
            method, conditional = found
            g.add(
                n,
                g.node(sink_of(target), "admin"),
                contribution.empower_kind,
                f"{method}, then act as {target.id}",
                conditional,
            )
            break


# --------------------------------------------------------------------------- facts


def digraph(g: DelegationGraph, edges: Sequence[int]) -> Any:
    """A rustworkx graph over every node whose edge payloads are indices into ``g``'s edges.
    Parallel edges stay (deduplicating costs a scan of the source's edges per insert, which is
    quadratic around hub roles); definite edges go first so ``get_edge_data`` prefers them."""
    import rustworkx as rx

    graph = rx.PyDiGraph()
    graph.add_nodes_from(range(len(g.names)))
    cond = g.conditional
    ordered = sorted(edges, key=lambda e: cond[e]) if any(cond[e] for e in edges) else edges
    graph.add_edges_from([(g.src[e], g.dst[e], e) for e in ordered])
    return graph


def next_hops(graph: Any, sinks: Sequence[int]) -> list[int]:
    """Next hop toward the nearest sink for every node that reaches one (-1: none, -2: a sink):
    one BFS from a super-sink over the reversed graph."""
    import rustworkx as rx

    n = graph.num_nodes()
    nxt = [-1] * n
    if not sinks:
        return nxt
    rev = rx.PyDiGraph()
    rev.add_nodes_from(range(n))
    rev.add_edges_from_no_data([(d, s) for s, d in graph.edge_list()])
    top = rev.add_node(None)
    rev.add_edges_from_no_data([(top, s) for s in sinks])
    for s in sinks:
        nxt[s] = -2
    # bfs_successors yields node payloads, which are the node indices (the super-sink's is None)
    for parent, kids in rx.bfs_successors(rev, top):
        if parent is None:
            continue
        for k in kids:
            if nxt[k] == -1:
                nxt[k] = parent
    return nxt


def shortest_paths(graph: Any, nxt: list[int], nodes: Iterable[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for n in nodes:
        chain: list[int] = []
        u = n
        while nxt[u] >= 0:
            chain.append(graph.get_edge_data(u, nxt[u]))
            u = nxt[u]
        out[n] = chain
    return out


def _open(trust: Mapping[str, Any]) -> bool:
    """Trust anyone on the internet can use: any principal, or an OIDC issuer whose subject or
    audience is not pinned."""
    return trust.get("type") == "any_principal" or (
        trust.get("type") == "federated_oidc" and bool(trust.get("issue"))
    )


def _hops(g: DelegationGraph, edges: Iterable[int]) -> list[dict[str, Any]]:
    """Path hops for people: a detour through a shared-policies hub is one hop."""
    out: list[dict[str, Any]] = []
    start: int | None = None
    for e in edges:
        if g.node_type[g.dst[e]] == "hub":
            start = g.src[e] if start is None else start
            continue
        hop = g.hop(e)
        if start is not None:
            hop["src"] = g.names[start]
            start = None
        out.append(hop)
    return out


def compute_facts(g: DelegationGraph) -> dict[str, dict[str, Any]]:
    """Derive the per-identity facts (module docstring) from an interned graph."""
    import rustworkx as rx

    n_id = g.n_identities
    sinks = [i for i, t in enumerate(g.node_type) if t == "admin"]
    is_admin = [False] * n_id
    for s, d, k in zip(g.src, g.dst, g.kind, strict=True):
        if k == ADMIN_KIND and s < n_id and g.node_type[d] == "admin":
            is_admin[s] = True

    definite = [e for e, c in enumerate(g.conditional) if not c]
    graph = digraph(g, definite)

    # -- admin reachability and paths (definite, then with conditional edges)
    nxt = next_hops(graph, sinks)
    paths = shortest_paths(graph, nxt, [n for n in range(n_id) if nxt[n] >= 0 and not is_admin[n]])
    cond_paths: dict[int, list[int]] = {}
    if len(definite) != len(g.src):
        full = digraph(g, range(len(g.src)))
        nxt_all = next_hops(full, sinks)
        extra = [n for n in range(n_id) if nxt_all[n] >= 0 and nxt[n] < 0 and not is_admin[n]]
        cond_paths = shortest_paths(full, nxt_all, extra)
        del full

    # -- cycles and the condensation DAG (payloads of its nodes: lists of original nodes)
    dag: Any = rx.condensation(graph)
    n_comp = dag.num_nodes()
    comps: list[list[int]] = [dag[c] for c in range(n_comp)]
    comp_of = [0] * graph.num_nodes()
    for c, comp in enumerate(comps):
        for m in comp:
            comp_of[m] = c
    children = [list(dag.successor_indices(c)) for c in range(n_comp)]
    parents = [list(dag.predecessor_indices(c)) for c in range(n_comp)]
    order = list(rx.topological_sort(dag))
    del dag
    weight = [sum(1 for m in comp if m < n_id) for comp in comps]

    down = _reach_counts(comps, children, order, n_id, [len(p) for p in parents], forward=True)
    up = _reach_counts(comps, parents, order, n_id, [len(ch) for ch in children], forward=False)
    depth = [0] * n_comp
    for c in reversed(order):
        depth[c] = weight[c] + max((depth[d] for d in children[c]), default=0)
    del children, parents

    # -- outside the organisation: one BFS from a super-source over the identities with
    # external trust; each node remembers the entry its shortest path starts from
    ext_root: dict[int, int] = {}
    entries = sorted(g.external)
    if entries:
        top = graph.add_node(None)
        graph.add_edges_from_no_data([(top, e) for e in entries])
        ext_root = {e: e for e in entries}
        for parent, kids in rx.bfs_successors(graph, top):
            if parent is None:
                continue
            entry = ext_root[parent]
            for k in kids:
                ext_root.setdefault(k, entry)
        graph.remove_node(top)

    cycles: dict[int, list[str]] = {}
    out: dict[str, dict[str, Any]] = {}
    names = g.names
    for n in range(n_id):
        if names[n] in out:
            continue
        c = comp_of[n]
        hops = _hops(g, paths.get(n, ()))
        chops = _hops(g, cond_paths.get(n, ()))
        cycle = cycles.get(c)
        if cycle is None:
            in_comp = [names[m] for m in comps[c] if m < n_id] if len(comps[c]) > 1 else []
            cycle = sorted(in_comp)[:MAX_CYCLE_IDS] if len(in_comp) > 1 else []
            cycles[c] = cycle
        root = ext_root.get(n)
        end = hops[-1]["dst"] if hops else None
        out[names[n]] = {
            "is_admin": is_admin[n],
            "can_reach_admin": bool(hops),
            "path": hops,
            "path_length": 0 if is_admin[n] else (len(hops) if hops else None),
            "admin_scope": end.removeprefix(SINK_PREFIX) if end else None,
            "can_reach_admin_conditional": bool(hops or chops),
            "conditional_path": chops,
            "delegation_depth": min(DEPTH_CAP, max(0, depth[c] - 1)),
            "reachable_count": down[c] - 1,
            "reached_by_count": up[c] - 1,
            "external_trust": list(g.external.get(n, [])),
            "external_trust_open": any(_open(t) for t in g.external.get(n, ())),
            "reachable_from_external": root is not None,
            "external_sources": [names[root]] if root is not None else [],
            "in_cycle": bool(cycle),
            "cycle": list(cycle),
        }
    return out


def _reach_counts(
    comps: Sequence[Sequence[int]],
    succ: Sequence[Iterable[int]],
    order: Sequence[int],
    n_id: int,
    users_of: list[int],
    *,
    forward: bool,
) -> list[int]:
    """Identities reachable from each component (itself included) along ``succ``. ``order`` is
    the topological order of the components; ``forward`` means ``succ`` are their successors
    (visited in reverse order), else their predecessors. ``users_of[c]`` is how many components
    will read ``c``'s set, so it is dropped after the last one.

    Large sets are numpy bit arrays (numpy comes with rustworkx) OR-ed in place: a Python int OR
    would allocate a new 12 KB object per edge at 100,000 identities. Identities are numbered in
    topological order, so everything a component reaches forward has a number at least its own
    (backward: at most its own) and each array only covers that part: half the memory and half
    the work of full-width sets on average. Below ``_NUMPY_FROM`` identities Python ints are
    faster (no per-call overhead)."""
    visit = list(reversed(order)) if forward else list(order)
    if n_id < _NUMPY_FROM:
        return _reach_counts_int(comps, succ, visit, n_id, users_of)
    import numpy as np

    # numpy < 2.0 (allowed by rustworkx) has no bitwise_count
    popcount = getattr(np, "bitwise_count", None) or (lambda a: np.unpackbits(a.view(np.uint8)))
    first = [0] * len(comps)  # number of the component's first identity, in topological order
    seen = 0
    for c in order:
        first[c] = seen
        seen += sum(1 for m in comps[c] if m < n_id)
    total_words = max(1, (n_id + 63) // 64)

    def span(c: int) -> tuple[int, int]:
        """Words [lo, hi) that can hold the identities ``c`` reaches."""
        if forward:
            return first[c] >> 6, total_words
        own = sum(1 for m in comps[c] if m < n_id)
        return 0, max(1, (first[c] + own + 63) >> 6)

    weight = [sum(1 for m in comp if m < n_id) for comp in comps]
    counts = [0] * len(comps)
    bits: dict[int, tuple[int, Any]] = {}
    remaining = list(users_of)
    for c in visit:
        lo, hi = span(c)
        acc = None
        # Nearest first: a successor that another one already reaches adds nothing (its own
        # identity's bit is set), which skips most shortcut edges of dense DAGs.
        for d in sorted(succ[c], key=first.__getitem__, reverse=not forward):
            entry = bits.get(d)
            remaining[d] -= 1
            if remaining[d] == 0:
                bits.pop(d, None)
            if entry is None:
                continue
            dlo, arr = entry
            if acc is None:
                acc = np.zeros(hi - lo, dtype=np.uint64)
            elif weight[d]:
                k = first[d]
                if int(acc[(k >> 6) - lo]) >> (k & 63) & 1:
                    continue
            view = acc[dlo - lo : dlo - lo + len(arr)]
            np.bitwise_or(view, arr, out=view)
        k = first[c]
        for m in comps[c]:
            if m < n_id:
                if acc is None:
                    acc = np.zeros(hi - lo, dtype=np.uint64)
                acc[(k >> 6) - lo] |= np.uint64(1) << np.uint64(k & 63)
                k += 1
        if acc is not None:
            counts[c] = int(popcount(acc).sum())
            if remaining[c] > 0:
                bits[c] = (lo, acc)
    return counts


_NUMPY_FROM: Final = 20_000


def _reach_counts_int(
    comps: Sequence[Sequence[int]],
    succ: Sequence[Iterable[int]],
    order: Iterable[int],
    n_id: int,
    users_of: list[int],
) -> list[int]:
    counts = [0] * len(comps)
    bits: dict[int, int] = {}
    remaining = list(users_of)
    for c in order:
        acc = 0
        for m in comps[c]:
            if m < n_id:
                acc |= 1 << m
        for d in succ[c]:
            b = bits.get(d, 0)
            remaining[d] -= 1
            if remaining[d] == 0:
                bits.pop(d, None)
            acc |= b
        counts[c] = acc.bit_count()
        if acc and remaining[c] > 0:
            bits[c] = acc
    return counts


def graph_facts(inventory: Inventory) -> dict[str, Mapping[str, Any]]:
    """Delegation facts per identity id (see the module docstring)."""
    if not inventory.identities:
        return {}
    with no_gc():
        return dict(compute_facts(build_graph(inventory)))


@contextmanager
def no_gc() -> Iterator[None]:
    """The graph allocates millions of small acyclic objects; the cyclic collector would walk
    them over and over (a third of the run time at scale) and can find nothing to free."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
