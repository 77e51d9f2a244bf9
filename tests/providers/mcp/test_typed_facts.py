"""MCP servers carry typed facts (``identity.mcp.*``, ``credential.mcp.*``) and the neutral agent
facts (``identity.agent.*``); nothing is written to ``attributes``, and the facts survive a saved
inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nhiscan import providers
from nhiscan.engine import evaluate, load_rules
from nhiscan.facts import InboundAuth
from nhiscan.inventory_io import dump_inventory, load_inventory
from nhiscan.model import Identity, Inventory
from nhiscan.providers.mcp.build import ConfigFile, build_file, repo_scope
from nhiscan.providers.mcp.documents import MCP_SERVERS
from nhiscan.providers.mcp.facts import McpAuth, McpCredentialFacts, McpIdentityFacts, McpSecretSource
from providers.mcp.goldens import FAKE_BEARER, FAKE_PAT
from providers.mcp.mcp_support import AS_OF

REPO = repo_scope(Path("/src/acme-app"))


def build(servers: dict[str, Any], label: str = ".mcp.json") -> Inventory:
    cfg = ConfigFile(
        path=Path("/src/acme-app") / label,
        label=label,
        scope=REPO,
        doc_type=MCP_SERVERS,
        data={"mcpServers": servers},
        client="claude-code",
        in_repository=True,
    )
    identities, credentials = build_file(cfg, "/home/alice")
    return Inventory(identities=tuple(identities), credentials=tuple(credentials), scopes=(REPO,))


def by_name(inv: Inventory) -> dict[str, Identity]:
    return {i.name: i for i in inv.identities}


def test_plugin_registers_its_facts_and_kinds() -> None:
    plugin = providers.get("mcp")
    assert plugin.identity_facts is McpIdentityFacts and plugin.credential_facts is McpCredentialFacts
    assert set(plugin.identity_kinds) == {"agent.mcp_server"}
    assert set(plugin.credential_kinds) == {"mcp.static_token"}


def test_server_facts_are_typed_and_attributes_stay_empty() -> None:
    inv = build(
        {
            "wiki": {"url": "http://wiki.corp.example.net/mcp"},
            "gh": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"T": FAKE_PAT},
            },
        }
    )
    wiki, gh = by_name(inv)["wiki"], by_name(inv)["gh"]
    assert isinstance(wiki.facts, McpIdentityFacts) and wiki.attributes == {}
    assert wiki.facts.remote and wiki.facts.plain_http and wiki.facts.auth is McpAuth.NONE
    assert (wiki.facts.config_file, wiki.facts.json_path, wiki.facts.in_repository) == (
        ".mcp.json",
        "mcpServers.wiki",
        True,
    )
    assert gh.facts.unpinned_package == "@modelcontextprotocol/server-github" and gh.facts.env_names == ("T",)
    (cred,) = inv.credentials
    assert cred.attributes == {} and cred.facts == McpCredentialFacts(
        token_kind="github_pat",
        source=McpSecretSource.ENV,
        in_repository=True,
        client="claude-code",
        config_file=".mcp.json",
        server="gh",
    )


@pytest.mark.parametrize(
    ("definition", "inbound"),
    [
        ({"url": "https://api.example.com/mcp", "oauth": {"clientId": "x"}}, InboundAuth.OAUTH),
        (
            {"url": "https://api.example.com/mcp", "headers": {"Authorization": FAKE_BEARER}},
            InboundAuth.API_KEY,
        ),
        # no credential in the client file does not prove the server accepts anyone
        ({"url": "https://api.example.com/mcp"}, InboundAuth.UNKNOWN),
        ({"command": "uvx", "args": ["mcp-server-fetch==1.0"]}, InboundAuth.UNKNOWN),
    ],
)
def test_agent_facts_of_a_configured_server(definition: dict[str, Any], inbound: InboundAuth) -> None:
    ident = by_name(build({"s": definition}))["s"]
    assert ident.agent is not None
    assert (ident.agent.platform, ident.agent.source) == ("mcp_config", "config")
    assert ident.agent.inbound_auth is inbound and ident.agent.token_passthrough is False
    assert ident.agent.endpoint == definition.get("url")


def test_a_saved_inventory_keeps_the_typed_facts(tmp_path: Path) -> None:
    inv = build({"s": {"url": "https://x.example/mcp?access_token=" + FAKE_PAT}})
    path = tmp_path / "inv.json"
    path.write_text(dump_inventory(inv))
    assert FAKE_PAT not in path.read_text()
    again = load_inventory(path)
    assert again.identities == inv.identities and again.credentials == inv.credentials


def test_mcp_rules_read_the_typed_facts() -> None:
    inv = build(
        {
            "wiki": {"url": "http://wiki.corp.example.net/mcp"},  # 002 and 006
            "local": {"url": "http://localhost:3000/mcp"},  # loopback: neither
            "shell": {"command": "srv", "trust": True},  # 003, approval by trust
            "ro": {"command": "srv", "autoApprove": ["read"]},  # some tools only: not 003
        }
    )
    rules = [r for r in load_rules() if r.id.startswith("NHI-MCP-")]
    found = {(f.rule_id, f.resource_name): f.message for f in evaluate(inv, rules, AS_OF)}
    assert set(found) == {("NHI-MCP-002", "wiki"), ("NHI-MCP-006", "wiki"), ("NHI-MCP-003", "shell")}
    assert found[("NHI-MCP-003", "shell")].endswith("(auto-approve: yes).")
