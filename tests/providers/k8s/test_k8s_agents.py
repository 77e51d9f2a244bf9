"""AI agents and MCP servers on Kubernetes: kagent / ToolHive custom resources (offline and live
through the official client against the fake API server), scored heuristics for workloads without
CRDs, the agent rules they feed, and the canary secret that must appear in no output."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from nhiscan.engine import evaluate, load_rules
from nhiscan.errors import InputError
from nhiscan.facts import AgentTool, InboundAuth
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Identity, Inventory
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.k8s import Plugin
from nhiscan.providers.k8s.agents.build import LEGACY_AGENT_KEYS
from nhiscan.providers.k8s.agents.heuristics import THRESHOLD
from nhiscan.providers.k8s.settings import K8sSettings
from nhiscan.scan import analyse
from providers.k8s.k8s_agent_objects import (
    CANARY_AGENT,
    agent_cluster,
    agent_crds,
    kagent_agent,
    mcp_tool,
    workload,
)
from providers.k8s.k8s_fake_apiserver import CRD_PATH, FakeApiServer, kubeconfig, serve
from providers.k8s.k8s_objects import fixture_cluster, pod
from providers.k8s.k8s_support import AS_OF, agent, agent_k8s, build_from, k8s
from support import needs_shared

C = "k8s://demo"
AGENTS = "/apis/kagent.dev/v1alpha2/agents"
TOOLHIVE = "/apis/toolhive.stacklok.dev/v1alpha1/mcpservers"


def by_name(inv: Inventory) -> dict[str, Identity]:
    return {i.name: i for i in inv.identities if i.kind.startswith("agent.")}


@pytest.fixture(scope="module")
def inv(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    path = tmp_path_factory.mktemp("agents") / "demo.json"
    path.write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": fixture_cluster() + agent_cluster()})
    )
    return build_from([path])


def test_kagent_and_toolhive_resources_become_identities(inv: Inventory) -> None:
    ids = by_name(inv)
    assert {n: i.kind for n, i in ids.items()} == {
        "agents/triage": "agent.k8s_agent",
        "agents/ops-agent": "agent.k8s_agent",
        "agents/helper": "agent.k8s_agent",
        "agents/github": "agent.mcp_server",
        "agents/osv": "agent.mcp_server",
        "agents/fetch": "agent.mcp_server",
        "agents/wiki": "agent.mcp_server",
        "agents/gateway": "agent.mcp_server",
        "tools/github-mcp": "agent.mcp_server",
        "tools/research": "agent.k8s_agent",
        "tools/fs-bridge": "agent.mcp_server",
        "tools/mcp-debug": "agent.mcp_server",
    }
    assert ids["agents/triage"].id == f"{C}/ns/agents/agent/triage"
    assert ids["agents/osv"].id == f"{C}/ns/agents/mcpserver/osv"
    assert ids["tools/github-mcp"].id == f"{C}/ns/tools/workload/deployment/github-mcp"
    assert ids["tools/mcp-debug"].id == f"{C}/ns/tools/workload/pod/mcp-debug"
    # a pod's literal key is reported by name, and the value is nowhere in the inventory
    assert agent(ids["tools/mcp-debug"]).secret_env_names == ("FETCH_API_KEY",)
    assert CANARY_AGENT not in dump_inventory(inv) and CANARY_AGENT not in repr(inv)
    assert ids["agents/triage"].owner == "sre-team" and ids["agents/helper"].owner is None
    assert ids["agents/triage"].scope == "k8s:namespace:demo/agents"
    assert {s.key for s in inv.scopes} >= {"k8s:namespace:demo/agents", "k8s:namespace:demo/tools"}


def test_runs_as_uses_the_rbac_analysis(inv: Inventory) -> None:
    ids = by_name(inv)
    ops, triage, helper = ids["agents/ops-agent"], ids["agents/triage"], ids["agents/helper"]
    # no serviceAccountName: kagent's default account named after the agent, bound to cluster-admin
    assert agent(ops).runs_as == (f"{C}/ns/agents/serviceaccount/ops-agent",)
    assert "admin" in ops.attributes["runs_as_classes"]
    assert triage.attributes["runs_as_classes"] == ["secret_read"]
    assert agent(helper).runs_as == (f"{C}/ns/agents/serviceaccount/shared-sa",)
    # ToolHive's default account, which the export does not contain: known, no grants
    assert agent(ids["agents/osv"]).runs_as == (f"{C}/ns/agents/serviceaccount/osv-sa",)
    assert ids["agents/osv"].attributes["runs_as_classes"] == []
    # a remote MCP server runs nowhere in the cluster
    assert agent(ids["agents/github"]).runs_as == ()
    edges = {(e.src, e.kind, e.dst) for e in inv.edges if e.kind.startswith("agent.")}
    assert (ops.id, "agent.runs_as", agent(ops).runs_as[0]) in edges


def test_tools_delegation_and_approval(inv: Inventory) -> None:
    ids = by_name(inv)
    triage = agent_k8s(ids["agents/triage"])
    assert triage.uses_tools == (f"{C}/ns/agents/mcpserver/github", f"{C}/ns/agents/mcpserver/osv")
    assert agent(ids["agents/triage"]).delegates_to == (f"{C}/ns/agents/agent/ops-agent",)
    cross = ids["agents/triage"].attributes  # cross-identity facts, computed as before
    assert cross["delegation_depth"] == 1 and cross["delegation_cycle"] is False
    assert "admin" in cross["delegation_reach_classes"]
    assert triage.require_approval == ("write",)
    assert triage.tools_without_approval == ("osv",)
    assert agent(ids["agents/github"]).referenced_by == (
        f"{C}/ns/agents/agent/ops-agent",
        ids["agents/triage"].id,
    )
    edges = {(e.src, e.kind, e.dst) for e in inv.edges}
    assert (ids["agents/triage"].id, "agent.delegates_to", ids["agents/ops-agent"].id) in edges
    assert (ids["agents/triage"].id, "agent.uses_tool", ids["agents/osv"].id) in edges
    assert agent(ids["agents/ops-agent"]).high_risk_builtin_tools == ("executeCodeBlocks",)


def test_model_config_auth_and_secret_env(inv: Inventory) -> None:
    ids = by_name(inv)
    helper = agent(ids["agents/helper"])
    assert helper.token_passthrough is True and agent_k8s(ids["agents/helper"]).model_config == "passthrough"
    assert agent(ids["agents/triage"]).token_passthrough is False
    # a literal value is reported by name; valueFrom.secretKeyRef and non-secret names are not
    assert helper.secret_env_names == ("OPENAI_API_KEY",)
    assert agent_k8s(ids["agents/helper"]).env_names == ("ANTHROPIC_API_KEY", "LOG_LEVEL", "OPENAI_API_KEY")
    assert agent(ids["agents/osv"]).inbound_auth is InboundAuth.NONE
    assert agent(ids["agents/osv"]).secret_env_names == ("API_TOKEN",)
    assert agent(ids["tools/research"]).secret_env_names == ()
    assert agent(ids["tools/github-mcp"]).secret_env_names == ("GITHUB_PERSONAL_ACCESS_TOKEN",)
    # user info and query are cut off the remote server's URL
    assert agent(ids["agents/github"]).endpoint == "https://api.githubcopilot.com/mcp/"


def test_agent_facts_are_neutral_and_kubernetes_details_are_k8s_facts(inv: Inventory) -> None:
    ids = by_name(inv)
    triage = ids["agents/triage"]
    assert agent(triage).platform == "kagent" and agent(triage).source == "crd"
    # the neutral tools say what is called; kagent's own spelling stays in identity.k8s.agent
    assert agent(triage).tools == (
        AgentTool(type="mcp", target=f"{C}/ns/agents/mcpserver/github", name="github", require_approval=True),
        AgentTool(type="mcp", target=f"{C}/ns/agents/mcpserver/osv", name="osv", require_approval=False),
        AgentTool(
            type="agent", target=f"{C}/ns/agents/agent/ops-agent", name="ops-agent", require_approval=False
        ),
    )
    assert [t.type for t in agent_k8s(triage).tools] == ["McpServer", "McpServer", "Agent"]
    assert agent_k8s(triage).resource == "kagent"
    assert k8s(triage).namespace == "agents" and k8s(triage).cluster == "demo"
    osv = ids["agents/osv"]
    assert (agent(osv).platform, agent_k8s(osv).resource) == ("toolhive", "toolhive")
    assert agent(ids["tools/github-mcp"]).platform == "heuristic"
    # agent edges carry no untyped attributes any more
    assert not any(e.attributes for e in inv.edges if e.kind.startswith("agent."))
    # only the cross-identity keys and, until rules/agents read identity.agent, the legacy ones
    allowed = {"runs_as_classes", "role_shared_with", "delegation_depth", "delegation_cycle"}
    allowed |= {"delegation_reach_classes", *LEGACY_AGENT_KEYS}
    assert all(set(i.attributes) <= allowed for i in inv.identities if i.kind.startswith("agent.")), [
        set(i.attributes) - allowed for i in inv.identities
    ]
    assert triage.attributes["runs_as"] == agent(triage).runs_as[0]


def test_toolhive_inbound_authentication(inv: Inventory) -> None:
    ids = by_name(inv)
    auth = {
        n: (agent(ids[n]).inbound_auth, agent(ids[n]).jwt_audience_pinned)
        for n in ("agents/osv", "agents/fetch", "agents/wiki", "agents/gateway")
    }
    assert auth == {
        "agents/osv": ("none", None),
        # the kubernetes OIDC type validates service-account tokens for audience "toolhive"
        "agents/fetch": ("jwt", True),
        "agents/wiki": ("jwt", False),
        "agents/gateway": ("none", None),
    }
    assert agent_k8s(ids["agents/gateway"]).inbound_auth_detail == "incomingAuth.type: anonymous"
    assert agent(ids["agents/gateway"]).runs_as == (f"{C}/ns/agents/serviceaccount/vmcp",)


def test_toolhive_server_without_oidc_config_is_unauthenticated(offline: Callable[..., Inventory]) -> None:
    from providers.k8s.k8s_agent_objects import toolhive_mcp

    ident = by_name(offline([toolhive_mcp("plain", "mcp", auth=None)]))["mcp/plain"]
    assert agent(ident).inbound_auth is InboundAuth.NONE
    assert "no oidcConfig" in (agent_k8s(ident).inbound_auth_detail or "")


def test_toolhive_server_runs_as_its_statefulset_not_its_proxy(offline: Callable[..., Inventory]) -> None:
    from providers.k8s.k8s_agent_objects import toolhive_mcp

    labels = {"toolhive": "true", "toolhive-name": "osv"}
    objs = [
        toolhive_mcp("osv", "mcp"),
        workload(
            "osv", "mcp", "ghcr.io/stacklok/toolhive/proxyrunner:v0.3", "osv-proxy-runner", labels=labels
        ),
        workload(
            "osv",
            "mcp",
            "ghcr.io/stackloklabs/osv-mcp/server:0.0.7",
            "osv-runtime",
            "StatefulSet",
            labels=labels,
        ),
    ]
    ident = by_name(offline(objs))["mcp/osv"]
    assert agent(ident).runs_as == ("k8s://demo/ns/mcp/serviceaccount/osv-runtime",)
    assert k8s(ident).workloads == ("Deployment/mcp/osv", "StatefulSet/mcp/osv")
    assert len([i for i in offline(objs).identities if i.kind.startswith("agent.")]) == 1


def test_heuristics_show_their_reasons(inv: Inventory) -> None:
    ids = by_name(inv)
    gh = agent(ids["tools/github-mcp"]).detection
    assert gh is not None and gh.threshold == THRESHOLD and gh.score == 4
    assert gh.reasons == (
        "env GITHUB_PERSONAL_ACCESS_TOKEN (+1)",
        "image ghcr.io/github/github-mcp-server (ghcr.io/github/github-mcp-server:v0.9.0) (+3)",
    )
    assert agent(ids["tools/github-mcp"]).source == "heuristic"
    assert agent_k8s(ids["tools/github-mcp"]).workload_kind == "Deployment"
    fs = agent(ids["tools/fs-bridge"]).detection
    assert fs is not None and fs.score == 9
    assert "runs supergateway (+3)" in fs.reasons
    assert "runs @modelcontextprotocol/server-* (+3)" in fs.reasons
    assert "label app.kubernetes.io/component=mcp-server (+3)" in fs.reasons
    research = agent(ids["tools/research"]).detection
    assert research is not None and research.score == 4
    # heuristics do not mark CRD identities
    assert agent(ids["agents/triage"]).detection is None
    assert agent(ids["agents/triage"]).source == "crd"
    # two detections on one account share it
    assert ids["tools/research"].attributes["role_shared_with"] == [ids["tools/github-mcp"].id]


def test_look_alikes_are_not_agents(inv: Inventory) -> None:
    """nginx with OPENAI in its labels, and a service holding two LLM keys: below the threshold."""
    names = set(by_name(inv))
    assert "tools/web" not in names and "tools/summariser" not in names
    # the kagent-run Deployment is part of its Agent, not a second identity
    assert not any("workload/deployment/ops-agent" in n for n in (i.id for i in inv.identities))
    assert k8s(by_name(inv)["agents/ops-agent"]).workloads == ("Deployment/agents/ops-agent",)


def test_detection_scores_and_negatives(offline: Callable[..., Inventory]) -> None:
    from nhiscan.providers.k8s.agents.heuristics import workload_signals

    def score(obj: dict[str, Any]) -> tuple[int, list[str]]:
        spec = obj["spec"]["template"]["spec"]
        labels = obj["metadata"].get("labels") or {}
        sig = workload_signals("f", "p", "o", labels, [], spec)
        if sig is None:
            return 0, []
        return sum(p for _, p, _ in sig["reasons"]), [r[0] for r in sig["reasons"]]

    assert score(workload("a", "n", "docker.io/mcp/github:latest")) == (
        3,
        ["image mcp/* (Docker MCP catalog) (docker.io/mcp/github:latest)"],
    )
    assert score(workload("a", "n", "mcp/fetch@sha256:abc"))[0] == 3
    assert score(workload("a", "n", "registry.example/team/jira-mcp:1"))[0] == 3
    assert score(workload("a", "n", "python:3.12", args=["uvx", "mcp-server-fetch"]))[0] == 3
    assert score(workload("a", "n", "python:3.12", args=["mcp-proxy", "--port=8080"]))[0] == 3
    assert score(workload("a", "n", "app:1", labels={"kagenti.io/type": "agent"}))[0] == 3
    # not agents: similar words in the wrong place
    assert score(workload("a", "n", "nginx:1.27", labels={"llm": "openai", "app": "mcp"}))[0] == 0
    assert score(workload("a", "n", "registry.example/mcpanel:1"))[0] == 0
    assert score(workload("a", "n", "app:1", labels={"kagenti.io/type": "tool"}))[0] == 0
    assert score(workload("a", "n", "python:3.12", args=["python", "serve.py", "--name=mcp"]))[0] == 0
    many = [
        {"name": n, "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
        for n in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY")
    ]
    # LLM key names are capped below the threshold (and a sub-threshold workload keeps nothing)
    assert score(workload("a", "n", "app:1", env=many))[0] == 0
    assert score(workload("a", "n", "app:1", env=many, labels={"kagent": "x"})) == (
        4,
        ["env OPENAI_API_KEY", "env ANTHROPIC_API_KEY", "label kagent"],
    )
    inv = offline([workload("llm-gw", "n", "app:1", env=many)])
    assert not [i for i in inv.identities if i.kind.startswith("agent.")]


def test_pods_alone_are_detected_once_per_controller(offline: Callable[..., Inventory]) -> None:
    def mcp_pod(name: str) -> dict[str, Any]:
        p = pod(name, "tools", "mcp-sa", owner=("ReplicaSet", "everything-mcp-7c9d8f6b5"))
        p["spec"]["containers"][0]["image"] = "mcp/everything:latest"
        p["spec"]["containers"][0]["env"] = [{"name": "LOG", "value": "1"}]
        return p

    inv = offline([mcp_pod("everything-mcp-7c9d8f6b5-abcde"), mcp_pod("everything-mcp-7c9d8f6b5-fghij")])
    (ident,) = [i for i in inv.identities if i.kind.startswith("agent.")]
    assert ident.id == "k8s://demo/ns/tools/workload/deployment/everything-mcp"
    assert k8s(ident).workloads == ("Deployment/tools/everything-mcp",)
    assert agent(ident).runs_as == ("k8s://demo/ns/tools/serviceaccount/mcp-sa",)


def test_delegation_cycle_and_depth(offline: Callable[..., Inventory]) -> None:
    from providers.k8s.k8s_agent_objects import agent_tool

    objs = [
        kagent_agent("a", "x", tools=[agent_tool("b")]),
        kagent_agent("b", "x", tools=[agent_tool("c")]),
        kagent_agent("c", "x", tools=[agent_tool("d")]),
        kagent_agent("d", "x", tools=[agent_tool("b"), mcp_tool("m")]),
    ]
    ids = by_name(offline(objs))
    assert ids["x/a"].attributes["delegation_depth"] == 3
    assert ids["x/a"].attributes["delegation_cycle"] is False
    assert ids["x/b"].attributes["delegation_cycle"] is True
    # an agent tool in another namespace and a missing target are still edges
    assert agent_k8s(ids["x/d"]).uses_tools == ("k8s://demo/ns/x/mcpserver/m",)


def test_agent_rules_fire_on_kubernetes_agents(inv: Inventory) -> None:
    rules = [r for r in load_rules() if r.id.startswith("NHI-AGT-")]
    findings = evaluate(inv, rules, datetime(2026, 11, 23, tzinfo=timezone.utc), analyse(inv))
    got = {(f.rule_id, f.resource_name) for f in findings}
    expected = {
        ("NHI-AGT-001", "agents/ops-agent"),
        ("NHI-AGT-002", "tools/github-mcp"),
        ("NHI-AGT-002", "tools/research"),
        ("NHI-AGT-003", "agents/triage"),
        ("NHI-AGT-005", "agents/helper"),
        ("NHI-AGT-006", "agents/osv"),
        ("NHI-AGT-006", "agents/gateway"),
        ("NHI-AGT-007", "agents/wiki"),
        ("NHI-AGT-008", "agents/ops-agent"),
        ("NHI-AGT-011", "agents/helper"),
        ("NHI-AGT-011", "agents/osv"),
        ("NHI-AGT-011", "tools/github-mcp"),
        ("NHI-AGT-011", "tools/mcp-debug"),
    }
    assert expected <= got, expected - got
    assert not {g for g in got if g[1] in ("tools/web", "tools/summariser")}
    assert not {g for g in got if g[1] == "agents/fetch"}
    sev = {(f.rule_id, f.resource_name): f.severity for f in findings}
    assert sev[("NHI-AGT-001", "agents/ops-agent")] == "critical"
    assert sev[("NHI-AGT-003", "agents/triage")] == "critical"


def test_yaml_manifests_and_last_applied_are_read(tmp_path: Path) -> None:
    import yaml

    bot = kagent_agent("bot", "ai", sa_name="bot-sa", env=[{"name": "GH_TOKEN", "value": CANARY_AGENT}])
    bot["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(bot["spec"]),
        "owner": "ai-team",
    }
    path = tmp_path / "agents.yaml"
    path.write_text(
        yaml.safe_dump_all([bot, workload("bot", "ai", "app:1", "bot-sa", labels={"kagent": "bot"})])
    )
    inv = build_from([path])
    (ident,) = [i for i in inv.identities if i.kind == "agent.k8s_agent"]
    assert ident.owner == "ai-team"
    assert agent(ident).secret_env_names == ("GH_TOKEN",)
    assert k8s(ident).workloads == ("Deployment/ai/bot",)
    assert CANARY_AGENT not in dump_inventory(inv)


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        (
            {"spec": {"type": "Declarative", "declarative": {"tools": "github"}}},
            "items[0].spec.declarative.tools: expected a list",
        ),
        (
            {
                "spec": {
                    "type": "Declarative",
                    "declarative": {"tools": [{"type": "McpServer", "mcpServer": {}}]},
                }
            },
            "items[0].spec.declarative.tools[0].mcpServer.name: missing",
        ),
        (
            {"spec": {"declarative": {"deployment": {"env": [{"value": "x"}]}}}},
            "items[0].spec.declarative.deployment.env[0].name",
        ),
        ({"spec": "broken"}, "items[0].spec: expected an object"),
    ],
)
def test_malformed_agent_is_a_one_line_input_error(tmp_path: Path, obj: dict[str, Any], field: str) -> None:
    agent = {
        "apiVersion": "kagent.dev/v1alpha2",
        "kind": "Agent",
        "metadata": {"name": "a", "namespace": "n"},
        **obj,
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [agent]}))
    with pytest.raises(InputError) as info:
        build_from([path])
    msg = info.value.diagnostics()
    assert str(path) in msg and field in msg and "Agent.kagent.dev n/a" in msg
    assert "\n" not in msg.strip()


def test_malformed_model_config_and_workload_env(tmp_path: Path) -> None:
    mc = {
        "apiVersion": "kagent.dev/v1alpha2",
        "kind": "ModelConfig",
        "metadata": {"name": "m", "namespace": "n"},
        "spec": {"apiKeyPassthrough": "yes"},
    }
    path = tmp_path / "mc.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [mc]}))
    with pytest.raises(InputError, match=r"spec\.apiKeyPassthrough: expected true or false"):
        build_from([path])
    w = workload("w", "n", "mcp/x:1", env=[{"value": CANARY_AGENT}])
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [w]}))
    with pytest.raises(InputError) as info:
        build_from([path])
    assert "items[0].spec.template.spec.containers[0].env[0].name" in info.value.diagnostics()
    assert CANARY_AGENT not in info.value.diagnostics()


# ---- live ------------------------------------------------------------------------------------


def collect(kubeconfig_path: Path) -> Inventory:
    return Plugin().collect(CollectOptions(as_of=AS_OF, settings=(K8sSettings(kubeconfig=kubeconfig_path),)))


def test_live_lists_crds_then_custom_objects_with_paging(
    kubeconfig_for: Callable[..., Path], offline: Callable[..., Inventory]
) -> None:
    objects = fixture_cluster() + agent_cluster()
    for server in serve(FakeApiServer(objects=objects, max_page=2)):
        live = collect(kubeconfig_for({"demo": server.url}))
        assert server.violations == []
        paths = [r.path for r in server.requests]
        agent_pages = [r for r in server.requests if r.path == AGENTS]
    assert {r for r in paths if "kagent" in r or "toolhive" in r or "cert-manager" in r} == {
        "/apis/kagent.dev/v1alpha2/agents",
        "/apis/kagent.dev/v1alpha3/agents",
        "/apis/kagent.dev/v1alpha2/modelconfigs",
        "/apis/kagent.dev/v1alpha2/remotemcpservers",
        TOOLHIVE,
        "/apis/toolhive.stacklok.dev/v1alpha1/virtualmcpservers",
    }
    assert CRD_PATH in paths
    # 3 agents at 2 per page
    assert len(agent_pages) == 2 and "continue" in agent_pages[1].query
    files = offline(objects)
    assert by_name(live).keys() == by_name(files).keys()
    for name, ident in by_name(live).items():
        other = by_name(files)[name]
        assert (ident.facts, ident.agent, ident.attributes) == (other.facts, other.agent, other.attributes), (
            name
        )
    assert {(e.src, e.kind, e.dst) for e in live.edges} == {(e.src, e.kind, e.dst) for e in files.edges}
    assert not live.gaps


def test_denied_custom_resource_is_a_gap_and_the_scan_goes_on(kubeconfig_for: Callable[..., Path]) -> None:
    for server in serve(FakeApiServer(objects=fixture_cluster() + agent_cluster(), deny={TOOLHIVE})):
        inv = collect(kubeconfig_for({"demo": server.url}))
    (gap,) = inv.gaps
    assert (gap.source, gap.status) == (f"GET {TOOLHIVE}", "denied")
    names = set(by_name(inv))
    assert "agents/osv" not in names and {"agents/triage", "agents/github"} <= names
    assert len([i for i in inv.identities if i.kind == "k8s.service_account"]) == 13


def test_malformed_custom_object_from_a_live_cluster_is_a_gap(kubeconfig_for: Callable[..., Path]) -> None:
    broken = kagent_agent("broken", "agents")
    broken["spec"]["declarative"]["tools"] = "not-a-list"
    for server in serve(FakeApiServer(objects=fixture_cluster() + agent_cluster() + [broken])):
        inv = collect(kubeconfig_for({"demo": server.url}))
    gaps = {g.source: g for g in inv.gaps}
    gap = gaps[f"GET {AGENTS}"]
    assert gap.status == "error"
    assert (
        "1 malformed object(s) skipped" in gap.detail
        and "spec.declarative.tools: expected a list" in gap.detail
    )
    names = set(by_name(inv))
    assert "agents/broken" not in names and "agents/triage" in names


def test_denied_crd_list_falls_back_to_known_versions(kubeconfig_for: Callable[..., Path]) -> None:
    objects = fixture_cluster() + [
        o
        for o in agent_cluster()
        if "toolhive" not in str(o.get("apiVersion"))
        and o.get("metadata", {}).get("name") != "mcpservers.toolhive.stacklok.dev"
    ]
    for server in serve(FakeApiServer(objects=objects, deny={CRD_PATH})):
        inv = collect(kubeconfig_for({"demo": server.url}))
        requested = {r.path for r in server.requests}
    (gap,) = inv.gaps
    assert gap.source == f"GET {CRD_PATH}" and gap.status == "denied"
    # ToolHive is not installed: its 404 is not a gap
    assert TOOLHIVE in requested
    assert {"agents/triage", "agents/ops-agent", "agents/helper", "agents/github"} <= set(by_name(inv))


def test_no_agent_crds_lists_nothing_more(kubeconfig_for: Callable[..., Path]) -> None:
    objects = fixture_cluster() + [o for o in agent_cluster() if o["kind"] != "CustomResourceDefinition"]
    for server in serve(FakeApiServer(objects=objects)):
        inv = collect(kubeconfig_for({"demo": server.url}))
        custom = [r.path for r in server.requests if r.path.count("/") == 4 and "kagent" in r.path]
    assert custom == []
    # the workloads are still scored
    assert {"tools/github-mcp", "tools/research", "tools/fs-bridge", "agents/ops-agent"} <= set(by_name(inv))
    assert by_name(inv)["agents/ops-agent"].id.endswith("/workload/deployment/ops-agent")


def test_canary_appears_in_no_output(
    run_cli: Callable[[list[str]], Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    objects = fixture_cluster() + agent_cluster()
    for server in serve(FakeApiServer(objects=copy.deepcopy(objects))):
        cfg = tmp_path / "kubeconfig"
        cfg.write_text(kubeconfig({"demo": server.url}))
        r = run_cli(
            [
                "--debug",
                "scan",
                "k8s",
                "--kubeconfig",
                str(cfg),
                "--as-of",
                "2026-11-23T00:00:00Z",
                "-f",
                "table",
                "-f",
                "json",
                "-o",
                str(tmp_path / "r.json"),
                "-f",
                "sarif",
                "-o",
                str(tmp_path / "r.sarif"),
                "-f",
                "markdown",
                "-o",
                str(tmp_path / "r.md"),
                "--save-inventory",
                str(tmp_path / "inventory.json"),
            ]
        )
    assert r.code == 0, r.err
    report = json.loads((tmp_path / "r.json").read_text())
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"NHI-AGT-001", "NHI-AGT-005", "NHI-AGT-006", "NHI-AGT-011"} <= rules
    texts = [r.out, r.err, caplog.text] + [p.read_text() for p in tmp_path.glob("r.*")]
    texts.append((tmp_path / "inventory.json").read_text())
    for text in texts:
        assert CANARY_AGENT not in text
    assert "GITHUB_PERSONAL_ACCESS_TOKEN" in (tmp_path / "inventory.json").read_text()


def test_malformed_custom_object_through_the_cli(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "agents.json"
    items = agent_crds()[:0] + [
        {
            "apiVersion": "toolhive.stacklok.dev/v1alpha1",
            "kind": "MCPServer",
            "metadata": {"name": "osv", "namespace": "ai"},
            "spec": {"incomingAuth": "anonymous"},
        }
    ]
    bad.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    r = run_cli(["scan", "--from", str(bad), "--as-of", "2026-11-23T00:00:00Z"])
    assert r.code == 2
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1, r.err
    assert str(bad) in lines[0] and "items[0].spec.incomingAuth: expected an object" in lines[0]


@needs_shared("real-exports", "k8s")
@pytest.mark.parametrize(
    "name",
    [
        "argoproj__argo-cd__manifests__install.yaml",
        "kubernetes__ingress-nginx__deploy__static__provider__cloud__deploy.yaml",
    ],
)
def test_real_manifests_hold_no_agents(name: str) -> None:
    """Real install manifests (Argo CD's repo server, ingress-nginx) score below the threshold."""
    from providers.k8s.k8s_support import real_exports

    inv = build_from([real_exports() / name])
    assert inv.identities
    assert [i.id for i in inv.identities if i.kind.startswith("agent.")] == []


def test_canary_appears_in_no_output_of_an_offline_scan(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "demo.json"
    export.write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": fixture_cluster() + agent_cluster()})
    )
    out = tmp_path / "out"
    out.mkdir()
    r = run_cli(
        [
            "scan", "--from", str(export), "--as-of", "2026-11-23T00:00:00Z",
            "-f", "table", "-f", "json", "-o", str(out / "r.json"), "-f", "sarif", "-o", str(out / "r.sarif"),
            "-f", "markdown", "-o", str(out / "r.md"), "--save-inventory", str(out / "inventory.json"),
        ]
    )  # fmt: skip
    assert r.code == 0, r.err
    assert CANARY_AGENT in export.read_text()  # the canary is really in the input
    for text in [r.out, r.err, *(p.read_text() for p in out.iterdir())]:
        assert CANARY_AGENT not in text
    assert "FETCH_API_KEY" in (out / "r.json").read_text()
