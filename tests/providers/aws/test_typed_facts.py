"""The AWS builders fill the typed facts (provider facts and the neutral AgentFacts), and those
facts survive a save and load of the inventory unchanged."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from nhiscan.facts import AgentFacts, InboundAuth, ManagedBy
from nhiscan.inventory_io import dump_inventory, inventory_from_dict
from nhiscan.providers.aws.facts import AwsIdentityFacts, AwsLoggingFacts
from nhiscan.providers.interface import CollectOptions
from nhiscan.sources import load_path
from support import DEMO

OPTS = CollectOptions(as_of=datetime(2026, 11, 1, tzinfo=timezone.utc))


def test_demo_facts_round_trip_through_the_inventory_file() -> None:
    inv = load_path(DEMO / "aws", OPTS)
    again = inventory_from_dict(json.loads(dump_inventory(inv)), "saved")
    by_id = {i.id: i for i in again.identities}
    for ident in inv.identities:
        assert isinstance(ident.facts, AwsIdentityFacts), ident.id
        assert by_id[ident.id].facts == ident.facts
        assert by_id[ident.id].agent == ident.agent
    assert [s.facts for s in again.logging] == [s.facts for s in inv.logging]
    assert all(isinstance(s.facts, AwsLoggingFacts) for s in inv.logging if s.status != "unknown")
    assert [c.facts for c in again.credentials] == [c.facts for c in inv.credentials]
    assert {e.conditional for e in again.edges} <= {False, True}


def test_demo_identity_facts_say_what_the_exports_say() -> None:
    inv = load_path(DEMO / "aws", OPTS)
    roles = [i for i in inv.identities if i.kind == "aws.iam_role"]
    linked = [r for r in roles if r.facts.path.startswith("/aws-service-role/")]
    assert linked and all(r.managed_by == ManagedBy.PROVIDER.value for r in linked)
    assert all(r.managed_by == ManagedBy.CUSTOMER.value for r in roles if r not in linked)
    # the unique id is an alias, so the graph and edges can name the role by it
    assert all(r.aliases == (r.facts.unique_id,) for r in roles if r.facts.unique_id)
    assert any(r.facts.trust is not None and r.facts.trust.services for r in roles)
    agents = [
        i
        for i in inv.identities
        if i.kind.startswith("agent.") and i.kind != "agent.agentcore_workload_identity"
    ]
    assert agents
    for a in agents:
        assert isinstance(a.agent, AgentFacts) and a.agent.platform in ("bedrock", "agentcore")
        assert a.facts.agent is not None and a.facts.agent.region == a.facts.region
    gateway = next(a for a in agents if a.kind == "agent.agentcore_gateway")
    assert gateway.agent.inbound_auth is InboundAuth.NONE and gateway.facts.agent.authorizer_type == "NONE"
