"""The GCP importer fills the typed facts (identity.gcp, credential.gcp, edge.gcp, logging.gcp,
identity.agent, managed_by, aliases) and writes no ``attributes``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhiscan.analyse.agents import agent_facts
from nhiscan.errors import InputError
from nhiscan.facts import AgentFacts, InboundAuth
from nhiscan.inventory_io import dump_inventory, inventory_from_dict
from nhiscan.model import Inventory
from nhiscan.providers.gcp import Plugin
from nhiscan.providers.gcp.facts import (
    AgentEngineFacts,
    DefaultServiceAccount,
    EnginePrincipalType,
    GcpCredentialFacts,
    GcpEdgeFacts,
    GcpIdentityFacts,
    GcpLoggingFacts,
)
from providers.gcp.gcp_support import DEMO, import_files

SA = ".iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    # the demo project plus a second, cleaner sandbox project
    extra = Path(__file__).resolve().parent / "golden-extra"
    return import_files(*sorted(DEMO.glob("*.json")), *sorted(extra.glob("*.json")))


def test_every_section_round_trips_through_the_inventory_file(inv: Inventory) -> None:
    again = inventory_from_dict(json.loads(dump_inventory(inv)), "demo")
    assert again.identities == inv.identities
    assert again.credentials == inv.credentials
    assert again.edges == inv.edges
    assert again.logging == inv.logging


def test_every_emitted_kind_is_registered(inv: Inventory) -> None:
    assert {i.kind for i in inv.identities} == set(Plugin.identity_kinds)
    assert {c.kind for c in inv.credentials} == set(Plugin.credential_kinds)
    assert {e.kind for e in inv.edges} <= set(Plugin.edge_kinds)
    assert {"gcp.impersonate", "gcp.act_as", "agent.runs_as"} <= {e.kind for e in inv.edges}


def test_no_attributes_left(inv: Inventory) -> None:
    assert all(i.attributes == {} for i in inv.identities), [i.id for i in inv.identities if i.attributes]
    assert all(c.attributes == {} and isinstance(c.facts, GcpCredentialFacts) for c in inv.credentials)
    assert all(e.attributes == {} for e in inv.edges)
    assert all(s.attributes == {} and isinstance(s.facts, GcpLoggingFacts) for s in inv.logging)


def test_service_account_facts(inv: Inventory) -> None:
    by_id = {i.id: i for i in inv.identities}
    deployer = by_id[f"deployer@acme-pay-prod{SA}"]
    assert isinstance(deployer.facts, GcpIdentityFacts) and deployer.facts.agent_engine is None
    assert deployer.facts.listed is True and deployer.facts.project == "acme-pay-prod"
    assert deployer.aliases == (deployer.facts.unique_id,) and deployer.managed_by == "customer"
    compute = by_id["412345678901-compute@developer.gserviceaccount.com"]
    # Google creates the default SAs, but the customer manages them: still customer-managed.
    assert compute.facts.default_service_account is DefaultServiceAccount.COMPUTE
    assert compute.managed_by == "customer"
    agents = {i.id for i in inv.identities if i.managed_by == "provider"}
    assert agents == {
        "412345678901@cloudservices.gserviceaccount.com",
        "service-412345678901@gcp-sa-pubsub.iam.gserviceaccount.com",
        "service-412345678901@gcp-sa-aiplatform-re.iam.gserviceaccount.com",
    }
    disabled = [i.id for i in inv.identities if i.facts.disabled]
    assert disabled and all(i.kind == "gcp.service_account" for i in inv.identities if i.id in disabled)


def test_engine_agent_facts_match_the_runs_as_edges(inv: Inventory) -> None:
    engines = [i for i in inv.identities if i.kind == "agent.vertex_agent_engine"]
    runs_as = {e.src: e.dst for e in inv.edges if e.kind == "agent.runs_as"}
    assert len(engines) == 4
    graph = agent_facts(inv)
    for e in engines:
        assert isinstance(e.agent, AgentFacts) and isinstance(e.facts.agent_engine, AgentEngineFacts)
        assert e.agent.platform == "vertex" and e.agent.source == "api"
        assert e.agent.inbound_auth is InboundAuth.IAM
        assert e.agent.runs_as == (runs_as[e.id],)
        assert e.agent.delegates_to == () and e.agent.tools == () and e.agent.token_passthrough is False
        # Agent Engine names no sub-agents: the neutral analysis starts no delegation chain here.
        assert graph[e.id]["agent_delegation_depth"] == 0 and graph[e.id]["agent_delegation_cycle"] is False
    shared = [
        e for e in engines if e.facts.agent_engine.identity_type is EnginePrincipalType.DEFAULT_SERVICE_AGENT
    ]
    assert len(shared) == 2 and {e.agent.runs_as for e in shared} == {
        ("service-412345678901@gcp-sa-aiplatform-re.iam.gserviceaccount.com",)
    }
    release = next(e for e in engines if e.name == "release-agent")
    assert release.agent.secret_env_names == ("GITHUB_TOKEN",)
    # A Secret Manager reference is not a plain-text secret.
    assert "GITHUB_TOKEN" not in release.facts.agent_engine.secret_manager_env_names


def test_edge_facts_and_conditional(inv: Inventory) -> None:
    gcp_edges = [e for e in inv.edges if e.kind.startswith("gcp.")]
    assert gcp_edges and all(isinstance(e.facts, GcpEdgeFacts) and e.facts.roles for e in gcp_edges)
    # agent.* edges carry no provider facts: the inventory file decodes edge facts by kind prefix.
    assert all(e.facts is None for e in inv.edges if e.kind == "agent.runs_as")
    levels = {e.facts.scope_level for e in gcp_edges}
    assert {"sa", "project"} <= levels


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("facts", "default_service_account"), "gce", "default_service_account"),
        (("facts", "user_managed_keys"), "many", "user_managed_keys"),
        (("facts", "agent_engine"), {"identity_type": "ROOT"}, "identity_type"),
    ],
)
def test_a_malformed_fact_in_a_saved_inventory_names_the_field(
    inv: Inventory, path: tuple[str, str], value: object, field: str
) -> None:
    data = json.loads(dump_inventory(inv))
    target = next(i for i in data["identities"] if i["id"].startswith("deployer@"))
    target[path[0]][path[1]] = value
    with pytest.raises(InputError) as err:
        inventory_from_dict(data, "saved.json")
    assert field in err.value.diagnostics() and "\n" not in err.value.diagnostics()
