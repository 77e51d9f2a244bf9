"""The generic agent rules (rules/agents) on labelled estates built only from typed facts
(``Identity.agent``, ``Identity.facts``, permission classes): no identity has attributes, so a rule
that still read ``identity.attributes.*`` would find nothing. Each rule has a positive case and a
twin that differs in the one fact the rule is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from nhiscan.engine import evaluate, load_rules
from nhiscan.facts import AgentFacts, InboundAuth
from nhiscan.model import Identity, Inventory, PermissionSummary
from nhiscan.scan import analyse

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
ACCT = "111122223333"


def role(name: str, *classes: str) -> Identity:
    return Identity(
        id=f"arn:aws:iam::{ACCT}:role/{name}",
        provider="aws",
        kind="aws.iam_role",
        scope=f"aws:account:{ACCT}",
        name=name,
        permissions=PermissionSummary(classes=tuple(classes)),
    )


def agent(name: str, kind: str = "agent.bedrock_agent", owner: str | None = "team", **facts: Any) -> Identity:
    return Identity(
        id=f"agent:{name}",
        provider="aws",
        kind=kind,
        scope=f"aws:account:{ACCT}",
        name=name,
        owner=owner,
        agent=AgentFacts(platform="bedrock", **facts),
    )


def fired(rule_id: str, identities: Sequence[Identity]) -> dict[str, tuple[str, str]]:
    """Target name -> (severity, message) of one rule on the estate."""
    inv = Inventory(identities=tuple(identities))
    assert all(not i.attributes for i in inv.identities)
    rules = [r for r in load_rules() if r.id == rule_id]
    by_id = {i.id: i.name for i in inv.identities}
    return {
        by_id[f.target_id]: (f.severity.value, f.message) for f in evaluate(inv, rules, AS_OF, analyse(inv))
    }


ADMIN, PLAIN = role("admin", "admin"), role("plain")


def test_001_runs_as_an_admin_role() -> None:
    got = fired(
        "NHI-AGT-001", [ADMIN, PLAIN, agent("a", runs_as=(ADMIN.id,)), agent("b", runs_as=(PLAIN.id,))]
    )
    assert set(got) == {"a"} and got["a"][0] == "critical"
    assert got["a"][1] == f"Agent a runs as {ADMIN.id}, which has admin."


def test_002_shared_runs_as() -> None:
    shared = role("shared")
    got = fired(
        "NHI-AGT-002",
        [
            shared,
            PLAIN,
            agent("a", runs_as=(shared.id,)),
            agent("b", runs_as=(shared.id,)),
            agent("c", runs_as=(PLAIN.id,)),
        ],
    )
    assert set(got) == {"a", "b"} and got["a"][1] == f"Agent a shares its identity {shared.id} with agent:b."


def test_003_reads_typed_delegation() -> None:
    worker = agent("w", runs_as=(ADMIN.id,))
    sup = agent("s", runs_as=(PLAIN.id,), delegates_to=(worker.id,))
    got = fired("NHI-AGT-003", [ADMIN, PLAIN, worker, sup])
    assert set(got) == {"s"} and got["s"][1].startswith(
        "Agent s delegates to agent:w (depth 1); the chain reaches admin"
    )
    assert (
        fired(
            "NHI-AGT-003",
            [ADMIN, PLAIN, replace(worker, agent=AgentFacts(platform="x", runs_as=(PLAIN.id,))), sup],
        )
        == {}
    )


@pytest.mark.parametrize(
    ("rule_id", "bad", "good"),
    [
        ("NHI-AGT-004", {"relay_history_to": ("agent:w",)}, {"relay_history_to": ()}),
        ("NHI-AGT-005", {"token_passthrough": True}, {"token_passthrough": False}),
        ("NHI-AGT-006", {"inbound_auth": InboundAuth.NONE}, {"inbound_auth": InboundAuth.IAM}),
        (
            "NHI-AGT-007",
            {"inbound_auth": InboundAuth.JWT, "jwt_audience_pinned": False},
            {"inbound_auth": InboundAuth.JWT, "jwt_audience_pinned": True},
        ),
        ("NHI-AGT-008", {"high_risk_builtin_tools": ("ANTHROPIC.Bash",)}, {"high_risk_builtin_tools": ()}),
        ("NHI-AGT-011", {"secret_env_names": ("OPENAI_API_KEY",)}, {"secret_env_names": ()}),
    ],
)
def test_agent_fact_rules_and_twins(rule_id: str, bad: dict[str, Any], good: dict[str, Any]) -> None:
    got = fired(
        rule_id, [PLAIN, agent("bad", runs_as=(PLAIN.id,), **bad), agent("good", runs_as=(PLAIN.id,), **good)]
    )
    assert set(got) == {"bad"}, got
    assert "{" not in got["bad"][1]


def test_006_message_names_the_runs_as_identity() -> None:
    got = fired("NHI-AGT-006", [PLAIN, agent("gw", runs_as=(PLAIN.id,), inbound_auth=InboundAuth.NONE)])
    assert got["gw"] == ("critical", f"gw accepts calls without authentication and runs them as {PLAIN.id}.")
    lone = fired("NHI-AGT-006", [agent("mcp", kind="agent.mcp_server", inbound_auth=InboundAuth.NONE)])
    assert lone["mcp"][1].endswith("runs them as its own identity.")


def test_010_owner_and_heuristic_twin() -> None:
    got = fired(
        "NHI-AGT-010",
        [
            agent("nobody", kind="agent.k8s_agent", owner=None, source="crd"),
            agent("guessed", kind="agent.k8s_agent", owner=None, source="heuristic"),
            agent("owned", kind="agent.k8s_agent", owner="sre", source="crd"),
        ],
    )
    assert set(got) == {"nobody"}


def test_012_orphaned_workload_identity() -> None:
    wid = "agent.agentcore_workload_identity"
    got = fired(
        "NHI-AGT-012",
        [agent("orphan", kind=wid), agent("used", kind=wid, referenced_by=("agent:rt",))],
    )
    assert set(got) == {"orphan"}


def test_013_vault_reader() -> None:
    vault = role("vault", "credential_vault_any")
    got = fired(
        "NHI-AGT-013", [vault, PLAIN, agent("a", runs_as=(vault.id,)), agent("b", runs_as=(PLAIN.id,))]
    )
    assert set(got) == {"a"} and vault.id in got["a"][1]
