"""The provider-neutral agent facts (``identity.graph.runs_as_classes``, ``shares_identity_with``,
``agents``, ``agent_delegation_*``) on hand-labelled agent estates, and the agent rules that read
them: every behaviour has a positive case and a twin that differs in one fact and must not fire."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime, timezone
from typing import Any

import pytest

from nhiscan.analyse.agents import DEFAULTS, agent_facts
from nhiscan.engine import evaluate, load_rules
from nhiscan.facts import AgentFacts, GraphFacts
from nhiscan.model import Edge, Identity, Inventory, PermissionSummary
from nhiscan.scan import analyse

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
ACCT = "111122223333"


def role(name: str, *classes: str, aliases: Sequence[str] = ()) -> Identity:
    return Identity(
        id=f"arn:aws:iam::{ACCT}:role/{name}",
        provider="aws",
        kind="aws.iam_role",
        scope=f"aws:account:{ACCT}",
        name=name,
        attributes={"aliases": list(aliases)} if aliases else {},
        permissions=PermissionSummary(classes=tuple(classes)),
    )


def agent(
    name: str,
    runs_as: str | None = None,
    *,
    kind: str = "agent.bedrock_agent",
    own: Sequence[str] = (),
    attrs: Mapping[str, Any] | None = None,
) -> Identity:
    """An agent as a provider writes it, without any cross-identity fact."""
    return Identity(
        id=f"agent:{name}",
        provider="aws",
        kind=kind,
        scope=f"aws:account:{ACCT}",
        name=name,
        owner="team@example.com",
        attributes={"runs_as": runs_as, **(attrs or {})},
        permissions=PermissionSummary(classes=tuple(own)),
    )


def runs(a: Identity, r: Identity | str) -> Edge:
    return Edge(a.id, r if isinstance(r, str) else r.id, "agent.runs_as")


def calls(*chain: Identity | str) -> list[Edge]:
    """``agent.delegates_to`` edges along a chain of agents."""
    ids = [c if isinstance(c, str) else c.id for c in chain]
    return [Edge(s, d, "agent.delegates_to") for s, d in zip(ids, ids[1:], strict=False)]


def estate(identities: Iterable[Identity], edges: Iterable[Edge] = ()) -> Inventory:
    return Inventory(identities=tuple(identities), edges=tuple(edges))


def flagged(inv: Inventory, rule_id: str) -> dict[str, str]:
    """Target id -> severity of one rule's findings, evaluated with the analyse stage's facts."""
    rules = [r for r in load_rules() if r.id == rule_id]
    assert rules, rule_id
    return {f.target_id: f.severity.value for f in evaluate(inv, rules, AS_OF, analyse(inv))}


# -- runs_as_classes ----------------------------------------------------------------------------


def test_runs_as_classes_are_the_runs_as_identity_classes() -> None:
    admin, plain = role("admin", "admin", "can_escalate"), role("plain")
    a, b = agent("a", admin.id), agent("b", plain.id)
    facts = agent_facts(estate([admin, plain, a, b], [runs(a, admin), runs(b, plain)]))
    assert facts[a.id]["runs_as_classes"] == ["admin", "can_escalate"]
    assert facts[b.id]["runs_as_classes"] == []  # known identity, no risky class: not unknown


def test_runs_as_classes_unknown_when_the_identity_is_not_in_the_inventory() -> None:
    a = agent("a", f"arn:aws:iam::{ACCT}:role/elsewhere")
    assert agent_facts(estate([a], [runs(a, a.attributes["runs_as"])]))[a.id]["runs_as_classes"] is None
    # no runs-as at all (a remote MCP server): unknown too
    m = agent("m", None, kind="agent.mcp_server")
    assert agent_facts(estate([m]))[m.id]["runs_as_classes"] is None


def test_runs_as_resolves_aliases_and_edges_without_the_attribute() -> None:
    admin = role("admin", "admin", aliases=["AROAADMINXXXX"])
    by_alias = agent("a", "AROAADMINXXXX")
    by_edge_only = agent("b", None)
    inv = estate([admin, by_alias, by_edge_only], [runs(by_edge_only, admin)])
    facts = agent_facts(inv)
    assert facts[by_alias.id]["runs_as_classes"] == ["admin"]
    assert facts[by_edge_only.id]["runs_as_classes"] == ["admin"]


def test_agent_that_holds_its_own_grants_uses_them() -> None:
    # GCP agent identities and Entra agents: the principal's bindings are on the agent itself
    engine = agent("engine", "principal://agents.example/engine", own=["secret_read"])
    entra = agent("entra", "agent:entra", own=["admin"])  # runs as itself
    facts = agent_facts(estate([engine, entra]))
    assert facts[engine.id]["runs_as_classes"] == ["secret_read"]
    assert facts[entra.id]["runs_as_classes"] == ["admin"]


def test_classes_a_provider_still_reports_are_kept_during_the_transition() -> None:
    vault = role("rt")  # the role's own classes do not say credential_vault_any yet
    a = agent("a", vault.id, attrs={"runs_as_classes": ["credential_vault_any"]})
    assert agent_facts(estate([vault, a]))[a.id]["runs_as_classes"] == ["credential_vault_any"]


@pytest.mark.parametrize("value", [42, {"arn": "x"}, ["", 7], ""])
def test_malformed_runs_as_in_a_hand_edited_inventory_is_ignored(value: Any) -> None:
    a = agent("a", None, attrs={"runs_as": value, "delegates_to": value})
    facts = agent_facts(estate([a]))
    assert facts[a.id]["runs_as_classes"] is None
    assert facts[a.id]["agent_delegation_depth"] == 0


# -- shares_identity_with, agents, agent_count --------------------------------------------------


def test_agents_sharing_one_identity_and_the_twin_with_its_own() -> None:
    shared, own = role("shared"), role("own")
    a, b = agent("a", shared.id), agent("b", shared.id, kind="agent.agentcore_gateway")
    c = agent("c", own.id)
    mcp = agent("mcp", shared.id, kind="agent.mcp_server")
    facts = agent_facts(estate([shared, own, a, b, c, mcp]))
    assert facts[a.id]["shares_identity_with"] == [b.id, mcp.id]
    assert facts[c.id]["shares_identity_with"] == []
    assert facts[shared.id]["agents"] == [a.id, b.id, mcp.id] and facts[shared.id]["agent_count"] == 3
    assert facts[own.id]["agent_count"] == 1


def test_agent_count_counts_agents_inheriting_from_a_blueprint() -> None:
    bp = agent("bp", "agent:bp", kind="agent.entra_agent_blueprint")  # runs as its own principal
    kids = [agent(f"kid{i}", f"agent:kid{i}", kind="agent.entra_agent_identity") for i in range(2)]
    lonely = agent("lonely-bp", "agent:lonely-bp", kind="agent.entra_agent_blueprint")
    inv = estate([bp, lonely, *kids], [Edge(k.id, bp.id, "agent.inherits_from") for k in kids])
    facts = agent_facts(inv)
    assert facts[bp.id]["agent_count"] == 2 and facts[bp.id]["agents"] == [k.id for k in kids]
    assert facts[lonely.id].get("agent_count", 0) == 0  # running as itself is not "used by an agent"
    assert facts[kids[0].id]["shares_identity_with"] == []


def test_rule_002_fires_on_sharing_agents_only() -> None:
    shared, own = role("shared"), role("own")
    a, b, c = agent("a", shared.id), agent("b", shared.id), agent("c", own.id)
    assert set(flagged(estate([shared, own, a, b, c]), "NHI-AGT-002")) == {a.id, b.id}


# -- rules reading runs_as_classes --------------------------------------------------------------


def test_rule_001_admin_role_and_twin() -> None:
    admin, iam, plain = role("admin", "admin"), role("iam", "iam_write"), role("plain", "secret_read")
    a, b, c = agent("a", admin.id), agent("b", iam.id), agent("c", plain.id)
    unknown = agent("d", f"arn:aws:iam::{ACCT}:role/not-exported")
    got = flagged(estate([admin, iam, plain, a, b, c, unknown]), "NHI-AGT-001")
    assert got == {a.id: "critical", b.id: "high"}


def test_rule_008_critical_only_on_an_escalating_identity() -> None:
    admin, plain = role("admin", "can_escalate"), role("plain")
    tools = ("ANTHROPIC.Bash",)
    a = replace(
        agent("a"), agent=AgentFacts(platform="bedrock", runs_as=(admin.id,), high_risk_builtin_tools=tools)
    )
    b = replace(
        agent("b"), agent=AgentFacts(platform="bedrock", runs_as=(plain.id,), high_risk_builtin_tools=tools)
    )
    assert flagged(estate([admin, plain, a, b]), "NHI-AGT-008") == {a.id: "critical", b.id: "high"}


def test_rule_013_reads_the_role_classes() -> None:
    wide, scoped = role("wide", "credential_vault_any"), role("scoped")
    a, b = agent("a", wide.id, kind="agent.agentcore_runtime"), agent("b", scoped.id)
    assert set(flagged(estate([wide, scoped, a, b]), "NHI-AGT-013")) == {a.id}


# -- delegation chains ---------------------------------------------------------------------------


def test_chain_facts_and_head() -> None:
    admin, plain = role("admin", "admin"), role("plain")
    a, b, c = agent("a", plain.id), agent("b", plain.id), agent("c", admin.id)
    facts = agent_facts(estate([admin, plain, a, b, c], calls(a, b, c)))
    assert [facts[x.id]["agent_delegation_depth"] for x in (a, b, c)] == [2, 1, 0]
    assert [facts[x.id]["agent_delegation_head"] for x in (a, b, c)] == [True, False, False]
    assert facts[a.id]["agent_delegation_reach_classes"] == ["admin"]
    assert facts[b.id]["agent_delegation_reach_classes"] == ["admin"]
    assert facts[c.id]["agent_delegation_reach_classes"] == []
    assert not any(facts[x.id]["agent_delegation_cycle"] for x in (a, b, c))


def test_rule_003_one_chain_to_an_admin_gives_one_finding() -> None:
    # before: A and B both reach C's admin role and were both flagged; now only A, the head
    admin, plain = role("admin", "admin"), role("plain")
    a, b, c = agent("a", plain.id), agent("b", plain.id), agent("c", admin.id)
    assert flagged(estate([admin, plain, a, b, c], calls(a, b, c)), "NHI-AGT-003") == {a.id: "critical"}
    # twin: the same chain ending in an unprivileged agent is fine
    c2 = agent("c", plain.id)
    assert flagged(estate([admin, plain, a, b, c2], calls(a, b, c2)), "NHI-AGT-003") == {}


def test_rule_003_two_entry_points_are_two_chains() -> None:
    admin, plain = role("admin", "can_escalate"), role("plain")
    s1, s2, w = agent("s1", plain.id), agent("s2", plain.id), agent("w", admin.id)
    got = flagged(estate([admin, plain, s1, s2, w], [*calls(s1, w), *calls(s2, w)]), "NHI-AGT-003")
    assert got == {s1.id: "high", s2.id: "high"}


def test_rule_003_long_chain_flags_the_head_only() -> None:
    plain = role("plain")
    chain = [agent(f"c{i}", plain.id) for i in range(5)]  # depth 4, 3, 2, 1, 0
    inv = estate([plain, *chain], calls(*chain))
    assert set(flagged(inv, "NHI-AGT-003")) == {chain[0].id}  # before: c0 and c1 (depth > 2)
    short = chain[2:]  # twin: depth 2 is at the limit
    assert flagged(estate([plain, *short], calls(*short)), "NHI-AGT-003") == {}


def test_rule_003_cycle_is_reported_once() -> None:
    plain = role("plain")
    a, b, c = agent("a", plain.id), agent("b", plain.id), agent("c", plain.id)
    # A enters the loop B <-> C: before, B and C were flagged (both "in a cycle"); now A
    inv = estate([plain, a, b, c], [*calls(a, b, c), *calls(c, b)])
    facts = agent_facts(inv)
    assert all(facts[x.id]["agent_delegation_cycle"] for x in (a, b, c))
    assert facts[a.id]["agent_delegation_depth"] == 2
    assert set(flagged(inv, "NHI-AGT-003")) == {a.id}
    # a loop nothing enters: its first member by id
    loop = estate([plain, b, c], [*calls(b, c), *calls(c, b)])
    assert set(flagged(loop, "NHI-AGT-003")) == {b.id}
    # twin: no back edge, no finding
    assert flagged(estate([plain, b, c], calls(b, c)), "NHI-AGT-003") == {}


def test_self_delegation_is_a_loop() -> None:
    a = agent("a", None)
    facts = agent_facts(estate([a], calls(a, a)))
    assert facts[a.id]["agent_delegation_cycle"] is True and facts[a.id]["agent_delegation_head"]


def test_sub_agent_outside_the_inventory_is_a_hop() -> None:
    a, b = agent("a", None), agent("b", None)
    facts = agent_facts(estate([a, b], calls(a, b, "arn:aws:bedrock-agentcore:other:runtime/x")))
    assert facts[a.id]["agent_delegation_depth"] == 2


def test_delegates_to_attribute_counts_like_the_edge() -> None:
    admin = role("admin", "admin")
    w = agent("w", admin.id)
    s = agent("s", None, attrs={"delegates_to": [w.id]})
    facts = agent_facts(estate([admin, w, s]))
    assert (
        facts[s.id]["agent_delegation_reach_classes"] == ["admin"]
        and not facts[w.id]["agent_delegation_head"]
    )


def test_long_chains_are_linear_and_capped_like_the_graph() -> None:
    n = 3000
    chain = [agent(f"c{i:05d}", None) for i in range(n)]
    start = time.perf_counter()
    facts = agent_facts(estate(chain, calls(*chain)))
    assert time.perf_counter() - start < 10
    assert facts[chain[0].id]["agent_delegation_depth"] == 10  # DEPTH_CAP of the delegation graph
    assert [c.id for c in chain if facts[c.id]["agent_delegation_head"]] == [chain[0].id]


# -- what the analyse stage hands to rules -------------------------------------------------------


def test_every_identity_gets_the_agent_keys() -> None:
    admin = role("admin", "admin")
    a = agent("a", admin.id)
    facts = analyse(estate([admin, a]))
    assert set(DEFAULTS) <= set(facts[admin.id]) and set(DEFAULTS) <= set(facts[a.id])
    assert facts[admin.id]["runs_as_classes"] is None and facts[admin.id]["agent_count"] == 1
    assert facts[a.id]["agent_delegation_head"] is True
    assert "can_reach_admin" in facts[a.id]  # the graph's own facts are still there
    assert agent_facts(estate([admin])) == {}  # no agent, no work


# -- typed facts (Identity.agent, Identity.aliases) ------------------------------------------------


def typed(name: str, runs_as: Sequence[str] = (), delegates_to: Sequence[str] = ()) -> Identity:
    """An agent as a provider writes it after the typed-facts contract: no attributes at all."""
    return Identity(
        id=f"agent:{name}",
        provider="aws",
        kind="agent.bedrock_agent",
        scope=f"aws:account:{ACCT}",
        name=name,
        agent=AgentFacts(platform="bedrock", runs_as=tuple(runs_as), delegates_to=tuple(delegates_to)),
    )


def test_typed_agent_facts_drive_the_computation() -> None:
    admin = replace(role("admin", "admin"), aliases=("AROAADMIN",))
    w = typed("w", ["AROAADMIN"])  # named by the role's typed alias
    s = typed("s", [f"arn:aws:iam::{ACCT}:role/plain"], [w.id])
    other = typed("o", ["AROAADMIN"])
    facts = agent_facts(estate([admin, w, s, other]))
    assert facts[w.id]["runs_as_classes"] == ["admin"]
    assert facts[w.id]["shares_identity_with"] == [other.id]
    assert facts[s.id]["runs_as_classes"] is None
    assert facts[s.id]["agent_delegation_reach_classes"] == ["admin"] and facts[s.id]["agent_delegation_head"]
    assert not facts[w.id]["agent_delegation_head"]
    # the typed facts win over a stale attribute
    stale = replace(typed("x"), attributes={"runs_as": admin.id})
    assert agent_facts(estate([admin, stale]))[stale.id]["runs_as_classes"] is None


def test_defaults_are_the_graph_facts_defaults() -> None:
    declared = {f.name: f.default for f in fields(GraphFacts)}
    for key, value in DEFAULTS.items():
        assert key in declared, key
        assert (list(declared[key]) if isinstance(declared[key], tuple) else declared[key]) == value, key
