"""Delegation chains between kagent agents (``tools[].type: Agent``): how deep each chain goes,
whether an agent can reach itself, and every agent it reaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def longest_chains(delegates: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Per agent: the longest chain below it. An edge back into the current chain ends the walk,
    so cycles terminate; iterative, so a long chain cannot exhaust Python's recursion limit."""
    depth: dict[str, int] = {}
    for start in delegates:
        if start in depth:
            continue
        best = {start: 0}
        on_chain = {start}
        stack = [(start, iter(delegates.get(start, ())))]
        while stack:
            node, children = stack[-1]
            for nxt in children:
                if nxt in on_chain:
                    continue
                if nxt in depth:
                    best[node] = max(best[node], 1 + depth[nxt])
                    continue
                on_chain.add(nxt)
                best[nxt] = 0
                stack.append((nxt, iter(delegates.get(nxt, ()))))
                break
            else:
                stack.pop()
                on_chain.discard(node)
                depth[node] = best[node]
                if stack:
                    parent = stack[-1][0]
                    best[parent] = max(best[parent], 1 + depth[node])
    return depth


def reached(delegates: Mapping[str, Sequence[str]], start: str) -> set[str]:
    """Every agent ``start`` reaches through one or more delegations (itself only in a cycle)."""
    seen: set[str] = set()
    todo = list(delegates.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(delegates.get(node, ()))
    return seen


def delegation(delegates: Mapping[str, Sequence[str]]) -> dict[str, tuple[int, bool, set[str]]]:
    """Per agent: (longest chain below it, whether it can reach itself, every agent it reaches)."""
    depth = longest_chains(delegates)
    out = {}
    for start in delegates:
        seen = reached(delegates, start)
        out[start] = (depth[start], start in seen, seen)
    return out
