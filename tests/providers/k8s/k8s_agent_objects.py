"""kagent / ToolHive custom resources, their CRDs, and agent-like workloads, in the shapes
``kubectl get -o json`` prints, for the agent tests and the fake API server."""

from __future__ import annotations

from typing import Any

from providers.k8s.k8s_objects import crb, meta, rb, sa, subject_sa

CANARY_AGENT = "sk-CANARY-agent-env-secret-do-not-leak-0123456789"
KAGENT_V2 = "kagent.dev/v1alpha2"
TOOLHIVE_V1 = "toolhive.stacklok.dev/v1alpha1"


def crd(
    group: str, plural: str, kind: str, versions: list[str], served: list[str] | None = None
) -> dict[str, Any]:
    served = versions if served is None else served
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": meta(f"{plural}.{group}"),
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
            "versions": [
                {
                    "name": v,
                    "served": v in served,
                    "storage": v == versions[0],
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
                for v in versions
            ],
        },
    }


def agent_crds() -> list[dict[str, Any]]:
    return [
        crd(
            "kagent.dev",
            "agents",
            "Agent",
            ["v1alpha2", "v1alpha3", "v1alpha1"],
            served=["v1alpha2", "v1alpha3"],
        ),
        crd("kagent.dev", "modelconfigs", "ModelConfig", ["v1alpha2", "v1alpha1"]),
        crd("kagent.dev", "remotemcpservers", "RemoteMCPServer", ["v1alpha2"]),
        crd("toolhive.stacklok.dev", "mcpservers", "MCPServer", ["v1alpha1"]),
        crd("toolhive.stacklok.dev", "virtualmcpservers", "VirtualMCPServer", ["v1alpha1"]),
        # an unrelated CRD that must not be listed
        crd("cert-manager.io", "certificates", "Certificate", ["v1"]),
    ]


def mcp_tool(name: str, kind: str = "RemoteMCPServer", approval: list[str] | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "kind": kind,
        "apiGroup": "kagent.dev",
        "name": name,
        "toolNames": ["list", "write"],
    }
    if approval:
        ref["requireApproval"] = approval
    return {"type": "McpServer", "mcpServer": ref}


def agent_tool(name: str) -> dict[str, Any]:
    return {"type": "Agent", "agent": {"kind": "Agent", "apiGroup": "kagent.dev", "name": name}}


def kagent_agent(
    name: str,
    ns: str,
    tools: list[dict[str, Any]] | None = None,
    model: str | None = "default-model-config",
    sa_name: str | None = None,
    env: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
    execute_code: bool = False,
) -> dict[str, Any]:
    decl: dict[str, Any] = {"systemMessage": "You are a helpful agent.", "tools": tools or []}
    if model:
        decl["modelConfig"] = model
    deployment: dict[str, Any] = {}
    if sa_name:
        deployment["serviceAccountName"] = sa_name
    if env:
        deployment["env"] = env
    if deployment:
        decl["deployment"] = deployment
    if execute_code:
        decl["executeCodeBlocks"] = True
    m = meta(name, ns)
    if labels:
        m["labels"] = labels
    return {
        "apiVersion": KAGENT_V2,
        "kind": "Agent",
        "metadata": m,
        "spec": {"type": "Declarative", "description": f"{name} agent", "declarative": decl},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }


def model_config(name: str, ns: str, passthrough: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"provider": "OpenAI", "model": "gpt-4.1-mini", "apiKeySecret": "kagent-openai"}
    if passthrough:
        spec = {"provider": "OpenAI", "model": "gpt-4.1-mini", "apiKeyPassthrough": True}
    return {"apiVersion": KAGENT_V2, "kind": "ModelConfig", "metadata": meta(name, ns), "spec": spec}


def remote_mcp(name: str, ns: str, url: str) -> dict[str, Any]:
    return {
        "apiVersion": KAGENT_V2,
        "kind": "RemoteMCPServer",
        "metadata": meta(name, ns),
        "spec": {
            "description": name,
            "url": url,
            "protocol": "STREAMABLE_HTTP",
            "headersFrom": [
                {"name": "Authorization", "valueFrom": {"type": "Secret", "name": "gh", "key": "t"}}
            ],
        },
    }


def toolhive_mcp(
    name: str, ns: str, auth: str | None = "anonymous", env: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "image": "ghcr.io/stackloklabs/osv-mcp/server:0.0.7",
        "transport": "streamable-http",
        "proxyPort": 8080,
        "permissionProfile": {"type": "builtin", "name": "network"},
    }
    if auth:
        spec["incomingAuth"] = {"type": auth}
    if env:
        spec["env"] = env
    return {"apiVersion": TOOLHIVE_V1, "kind": "MCPServer", "metadata": meta(name, ns), "spec": spec}


def toolhive_oidc(name: str, ns: str, oidc: dict[str, Any]) -> dict[str, Any]:
    obj = toolhive_mcp(name, ns, auth=None)
    obj["spec"]["oidcConfig"] = oidc
    return obj


def virtual_mcp(name: str, ns: str, incoming: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": TOOLHIVE_V1,
        "kind": "VirtualMCPServer",
        "metadata": meta(name, ns),
        "spec": {"groupRef": {"name": "engineering"}, "incomingAuth": incoming, "serviceAccount": "vmcp"},
    }


def workload(
    name: str,
    ns: str,
    image: str,
    sa_name: str = "default",
    kind: str = "Deployment",
    args: list[str] | None = None,
    env: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
    owner: tuple[str, str] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": image}
    if args:
        container["args"] = args
    if env:
        container["env"] = env
    m = meta(name, ns)
    if labels:
        m["labels"] = labels
    if owner:
        m["ownerReferences"] = [
            {"apiVersion": "kagent.dev/v1alpha2", "kind": owner[0], "name": owner[1], "uid": "u"}
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": m,
        "spec": {
            "replicas": 1,
            "template": {
                "metadata": {"labels": dict(labels or {})},
                "spec": {"serviceAccountName": sa_name, "containers": [container]},
            },
        },
    }


def with_last_applied(obj: dict[str, Any]) -> dict[str, Any]:
    """``kubectl apply`` keeps a full copy of the object, env values included, in an annotation."""
    import json

    obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(obj)}
    return obj


def mcp_pod(name: str, ns: str, image: str, env: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(name, ns),
        "spec": {
            "serviceAccountName": "default",
            "containers": [{"name": "mcp", "image": image, "env": env}],
        },
        "status": {"phase": "Running"},
    }


def agent_cluster() -> list[dict[str, Any]]:
    """kagent agents (one delegating to an admin agent), ToolHive and remote MCP servers, and
    workloads without CRDs: a GitHub MCP server, a LangGraph agent and two look-alikes."""
    return [
        *agent_crds(),
        sa("ops-agent", "agents"),
        sa("triage", "agents"),
        sa("shared-sa", "agents"),
        crb("ops-agent-admin", "cluster-admin", [subject_sa("ops-agent", "agents")]),
        rb("triage-secrets", "agents", "ClusterRole", "secret-reader", [subject_sa("triage", "agents")]),
        model_config("default-model-config", "agents"),
        model_config("passthrough", "agents", passthrough=True),
        kagent_agent(
            "triage",
            "agents",
            tools=[
                mcp_tool("github", approval=["write"]),
                mcp_tool("osv", kind="MCPServer"),
                agent_tool("ops-agent"),
            ],
            sa_name="triage",
            labels={"owner": "sre-team"},
        ),
        kagent_agent("ops-agent", "agents", tools=[mcp_tool("github")], execute_code=True),
        with_last_applied(
            kagent_agent(
                "helper",
                "agents",
                model="passthrough",
                sa_name="shared-sa",
                env=[
                    {"name": "OPENAI_API_KEY", "value": CANARY_AGENT},
                    {"name": "ANTHROPIC_API_KEY", "valueFrom": {"secretKeyRef": {"name": "a", "key": "k"}}},
                    {"name": "LOG_LEVEL", "value": "debug"},
                ],
            ),
        ),
        remote_mcp(
            "github", "agents", "https://user:" + CANARY_AGENT + "@api.githubcopilot.com/mcp/?token=x"
        ),
        toolhive_mcp("osv", "agents", env=[{"name": "API_TOKEN", "value": CANARY_AGENT}]),
        toolhive_oidc("fetch", "agents", {"type": "kubernetes", "kubernetes": {"serviceAccount": "triage"}}),
        toolhive_oidc("wiki", "agents", {"type": "inline", "inline": {"issuer": "https://idp.example"}}),
        virtual_mcp("gateway", "agents", {"type": "anonymous"}),
        # the pods kagent runs for the ops agent: its real ServiceAccount
        workload(
            "ops-agent",
            "agents",
            "cr.kagent.dev/kagent-dev/kagent/app:0.7.4",
            sa_name="ops-agent",
            labels={"app": "kagent", "kagent": "ops-agent", "app.kubernetes.io/managed-by": "kagent"},
            owner=("Agent", "ops-agent"),
        ),
        # no CRD: a GitHub MCP server and a LangGraph agent, on the same account
        workload(
            "github-mcp",
            "tools",
            "ghcr.io/github/github-mcp-server:v0.9.0",
            sa_name="shared-sa",
            env=[{"name": "GITHUB_PERSONAL_ACCESS_TOKEN", "value": CANARY_AGENT}],
        ),
        workload(
            "research",
            "tools",
            "langchain/langgraph-api:3.11",
            sa_name="shared-sa",
            env=[
                {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "openai", "key": "key"}}},
            ],
        ),
        workload(
            "fs-bridge",
            "tools",
            "node:22-alpine",
            args=[
                "npx",
                "-y",
                "supergateway",
                "--stdio",
                "npx -y @modelcontextprotocol/server-filesystem /data",
            ],
            labels={"app.kubernetes.io/component": "mcp-server"},
        ),
        # a bare pod running an MCP server with a literal key in its environment
        mcp_pod("mcp-debug", "tools", "mcp/fetch:latest", [{"name": "FETCH_API_KEY", "value": CANARY_AGENT}]),
        # look-alikes that must not be detected
        workload(
            "web",
            "tools",
            "nginx:1.27",
            labels={"app": "web", "ai-provider": "OPENAI", "component": "openai-gateway"},
            env=[{"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}}],
        ),
        workload(
            "summariser",
            "tools",
            "registry.example/summariser:2",
            env=[
                {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}},
                {"name": "ANTHROPIC_API_KEY", "valueFrom": {"secretKeyRef": {"name": "a", "key": "k"}}},
            ],
        ),
    ]
