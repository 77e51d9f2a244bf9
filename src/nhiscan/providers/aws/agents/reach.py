"""How far delegation reaches from each agent: the longest chain below it and every agent it can
hand work to, directly or through others (``delegation_depth``, ``delegation_reach_classes`` and
``delegation_cycle``). Kept apart from the builder because it is a graph walk, not parsing."""

from __future__ import annotations

from collections.abc import Collection, Mapping


def delegation_reach(delegates: Mapping[str, Collection[str]]) -> dict[str, tuple[int, set[str]]]:
    """For every agent in ``delegates`` (agent -> the agents it delegates to directly): the
    length of the longest delegation chain below it and every agent it reaches. Reach is a plain
    graph search (linear per agent); depth is memoised and ignores edges back into the current
    chain, so cycles end the walk (they are reported as ``delegation_cycle``) and dense graphs
    cost no more than their edges."""
    reach: dict[str, set[str]] = {}
    for start in delegates:
        seen: set[str] = set()
        todo = list(delegates[start])
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(delegates.get(node, ()))
        reach[start] = seen
    depth: dict[str, int] = {}
    on_chain: set[str] = set()

    def longest(node: str) -> int:
        if node in depth:
            return depth[node]
        on_chain.add(node)
        best = 0
        for nxt in delegates.get(node, ()):
            if nxt not in on_chain:
                best = max(best, 1 + longest(nxt))
        on_chain.discard(node)
        depth[node] = best
        return best

    return {a: (longest(a), reach[a]) for a in delegates}
