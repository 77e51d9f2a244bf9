"""Typed facts survive a save and load of the inventory, and a malformed one is one clear error."""

from __future__ import annotations

import json

import pytest

from nhiscan.errors import InputError
from nhiscan.facts import AgentFacts, AgentTool, InboundAuth
from nhiscan.inventory_io import dump_inventory, inventory_from_dict
from nhiscan.model import Edge, Identity, Inventory


def _inventory() -> Inventory:
    agent = Identity(
        id="arn:aws:bedrock:us-east-1:111122223333:agent/A1",
        provider="aws",
        kind="agent.bedrock_agent",
        scope="aws:account:111122223333",
        name="helpdesk",
        managed_by="customer",
        aliases=("A1",),
        agent=AgentFacts(
            platform="bedrock",
            runs_as=("arn:aws:iam::111122223333:role/agent",),
            tools=(AgentTool(type="lambda", target="arn:aws:lambda:us-east-1:111122223333:function:f"),),
            inbound_auth=InboundAuth.IAM,
        ),
    )
    edge = Edge(
        src=agent.id, dst="arn:aws:iam::111122223333:role/agent", kind="agent.runs_as", conditional=True
    )
    return Inventory(identities=(agent,), edges=(edge,), providers=("aws",))


def test_round_trip() -> None:
    inv = _inventory()
    back = inventory_from_dict(json.loads(dump_inventory(inv)), "x.json")
    assert back.identities == inv.identities
    assert back.edges[0].conditional is True
    assert back.identities[0].agent is not None
    assert back.identities[0].agent.inbound_auth is InboundAuth.IAM


def test_defaults_are_left_out_of_the_file() -> None:
    plain = Inventory(
        identities=(Identity(id="u", provider="aws", kind="aws.iam_user", scope="s", name="u"),)
    )
    body = json.loads(dump_inventory(plain))
    assert set(body["identities"][0]) & {"facts", "agent", "aliases", "managed_by"} == set()


def test_bad_enum_value_is_one_line_naming_the_field() -> None:
    data = json.loads(dump_inventory(_inventory()))
    data["identities"][0]["agent"]["inbound_auth"] = "telepathy"
    with pytest.raises(InputError) as err:
        inventory_from_dict(data, "x.json")
    message = err.value.diagnostics()
    assert "\n" not in message
    assert message.startswith("x.json:")
    assert "inbound_auth" in message


def test_facts_for_a_provider_that_declares_none_are_refused() -> None:
    data = json.loads(dump_inventory(_inventory()))
    data["identities"][0]["provider"] = "acme"
    data["identities"][0]["facts"] = {"anything": 1}
    with pytest.raises(InputError, match="declares no identity facts"):
        inventory_from_dict(data, "x.json")


def test_unknown_managed_by_is_refused_by_the_schema() -> None:
    data = json.loads(dump_inventory(_inventory()))
    data["identities"][0]["managed_by"] = "nobody"
    with pytest.raises(InputError, match="managed_by"):
        inventory_from_dict(data, "x.json")


def test_a_misspelt_fact_key_is_refused_not_dropped() -> None:
    data = json.loads(dump_inventory(_inventory()))
    data["identities"][0]["agent"]["run_as"] = ["x"]
    with pytest.raises(InputError) as err:
        inventory_from_dict(data, "x.json")
    assert "AgentFacts.run_as: unknown field" in err.value.diagnostics()


def test_a_misspelt_key_in_a_nested_fact_is_refused() -> None:
    data = json.loads(dump_inventory(_inventory()))
    data["identities"][0]["agent"]["tools"][0]["targett"] = "y"
    with pytest.raises(InputError, match=r"tools\.0\.targett: unknown field"):
        inventory_from_dict(data, "x.json")
