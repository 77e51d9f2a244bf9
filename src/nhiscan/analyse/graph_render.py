"""Render the delegation graph for people: Graphviz dot, Mermaid or JSON (``nhiscan graph``).

:func:`render_graph` draws the whole graph, or only what flows into and out of one identity
(``identity``: its id, one of its aliases, or its name when that is unique), or only the
paths to administrator sinks (``to_admin``; with ``identity``, its shortest path). Edges that hold
only under a condition the inventory cannot decide are drawn dashed (``conditional: true`` in
JSON). Labels are escaped for each format, so ids containing quotes, angle brackets or
backslashes cannot break the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from nhiscan.analyse.graph import (
    SINK_PREFIX,
    DelegationGraph,
    build_graph,
    digraph,
    next_hops,
    no_gc,
    shortest_paths,
)
from nhiscan.errors import ConfigError
from nhiscan.model import Inventory, aliases_of

FORMATS: Final = ("dot", "mermaid", "json")


def render_graph(inventory: Inventory, fmt: str, identity: str | None = None, to_admin: bool = False) -> str:
    """The graph (or the part selected by ``identity`` / ``to_admin``) as ``fmt`` text."""
    if fmt not in FORMATS:
        raise ConfigError("--format", f"unknown graph format {fmt!r} (choose from {', '.join(FORMATS)})")
    with no_gc():
        g = build_graph(inventory)
        edges = _select(g, _resolve(g, identity) if identity is not None else None, to_admin)
    nodes = sorted(
        {n for e in edges for n in (g.src[e], g.dst[e])} | _lonely(g, identity), key=lambda n: g.names[n]
    )
    edges = sorted(edges, key=lambda e: (g.names[g.src[e]], g.names[g.dst[e]], g.kind[e]))
    if fmt == "json":
        return _json(g, nodes, edges)
    if fmt == "dot":
        return _dot(g, nodes, edges)
    return _mermaid(g, nodes, edges)


def _lonely(g: DelegationGraph, identity: str | None) -> set[int]:
    return {_resolve(g, identity)} if identity is not None else set()


def _resolve(g: DelegationGraph, wanted: str) -> int:
    n = g.index.get(wanted)
    if n is not None:
        return n
    for i, ident in enumerate(g.identities):
        if wanted in aliases_of(ident):
            return i
    by_name = [i for i, ident in enumerate(g.identities) if ident.name == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise ConfigError("--identity", f"{wanted!r} names {len(by_name)} identities; give the full id")
    raise ConfigError(
        "--identity", f"no identity {wanted!r} in the inventory (give its id, an alias or its name)"
    )


def _select(g: DelegationGraph, node: int | None, to_admin: bool) -> list[int]:
    import rustworkx as rx

    everything = list(range(len(g.src)))
    sinks = [i for i, t in enumerate(g.node_type) if t == "admin"]
    if to_admin:
        full = digraph(g, everything)
        nxt = next_hops(full, sinks)
        if node is not None:
            definite = digraph(g, [e for e in everything if not g.conditional[e]])
            dnxt = next_hops(definite, sinks)
            if dnxt[node] >= 0:
                return shortest_paths(definite, dnxt, [node])[node]
            return shortest_paths(full, nxt, [node])[node] if nxt[node] >= 0 else []
        keep = {n for n, h in enumerate(nxt) if h != -1}
        return [e for e in everything if g.src[e] in keep and g.dst[e] in keep]
    if node is None:
        return everything
    full = digraph(g, everything)
    down = set(rx.descendants(full, node)) | {node}
    up = set(rx.ancestors(full, node)) | {node}
    return [
        e
        for e in everything
        if (g.src[e] in down and g.dst[e] in down) or (g.src[e] in up and g.dst[e] in up)
    ]


def _node_info(g: DelegationGraph, n: int) -> dict[str, Any]:
    name = g.names[n]
    if n < g.n_identities:
        ident = g.identities[n]
        return {
            "id": name,
            "type": "identity",
            "name": ident.name,
            "kind": ident.kind,
            "provider": ident.provider,
        }
    if g.node_type[n] == "admin":
        return {
            "id": name,
            "type": "admin",
            "name": "admin of " + name.removeprefix(SINK_PREFIX),
            "kind": "admin",
        }
    return {"id": name, "type": "other", "name": name, "kind": "unresolved"}


def _json(g: DelegationGraph, nodes: Iterable[int], edges: Iterable[int]) -> str:
    doc = {
        "nodes": [_node_info(g, n) for n in nodes],
        "edges": [
            {
                "src": g.names[g.src[e]],
                "dst": g.names[g.dst[e]],
                "kind": g.kind[e],
                "evidence": g.evidence[e],
                "conditional": g.conditional[e],
            }
            for e in edges
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def _dot(g: DelegationGraph, nodes: Iterable[int], edges: Iterable[int]) -> str:
    lines = ["digraph nhiscan {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for n in nodes:
        info = _node_info(g, n)
        label = f"{info['name']}\n{info['kind']}"
        shape = {"admin": "doubleoctagon", "other": "ellipse"}.get(info["type"], "box")
        lines.append(f"  {_dot_str(info['id'])} [label={_dot_str(label)}, shape={shape}];")
    for e in edges:
        style = ", style=dashed" if g.conditional[e] else ""
        lines.append(
            f"  {_dot_str(g.names[g.src[e]])} -> {_dot_str(g.names[g.dst[e]])} "
            f"[label={_dot_str(g.kind[e])}, tooltip={_dot_str(g.evidence[e])}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_str(text: str) -> str:
    # Mermaid labels are quoted strings where entity codes stand for the awkward characters.
    out = text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return '"' + out.replace("\n", "<br/>").replace("|", "#124;") + '"'


def _mermaid(g: DelegationGraph, nodes: Iterable[int], edges: Iterable[int]) -> str:
    ids: dict[int, str] = {}
    lines = ["flowchart LR"]
    for k, n in enumerate(nodes):
        ids[n] = f"n{k}"
        info = _node_info(g, n)
        label = _mermaid_str(f"{info['name']}\n{info['kind']}")
        if info["type"] == "admin":
            lines.append(f"  {ids[n]}{{{{{label}}}}}")
        else:
            lines.append(f"  {ids[n]}[{label}]")
    for e in edges:
        arrow = "-.->" if g.conditional[e] else "-->"
        lines.append(f"  {ids[g.src[e]]} {arrow}|{_mermaid_str(g.kind[e])}| {ids[g.dst[e]]}")
    return "\n".join(lines) + "\n"
