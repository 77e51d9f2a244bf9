"""Read agent documents into drafts: one :class:`AgentDraft` per Bedrock agent, AgentCore runtime
or gateway, plus the side documents (action groups, collaborators, gateway targets, workload
identities, credential providers, API keys) joined onto them.

Reading and joining are separate from :mod:`.build` so that the join (which needs every document,
in any order) is done once before any identity is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.model import CoverageEntry, CoverageStatus, Evidence
from nhiscan.providers.aws.agents.documents import (
    AGENTCORE_CREDENTIAL_PROVIDERS,
    AGENTCORE_GATEWAY,
    AGENTCORE_RUNTIME,
    AGENTCORE_TARGET,
    AGENTCORE_WORKLOAD_IDENTITIES,
    BEDROCK_ACTION_GROUP,
    BEDROCK_AGENT,
    BEDROCK_AGENT_LIST,
    BEDROCK_ALIASES,
    BEDROCK_API_KEYS,
    BEDROCK_COLLABORATORS,
)
from nhiscan.providers.aws.agents.fields import (
    arn_parts,
    obj,
    objects,
    optional_str,
    required_arn,
    safe_url,
    tag_map,
)
from nhiscan.providers.aws.documents import timestamp

HIGH_RISK_SIGNATURES = frozenset(
    {"ANTHROPIC.Bash", "ANTHROPIC.Computer", "ANTHROPIC.TextEditor", "AMAZON.CodeInterpreter"}
)
SECRET_NAME = re.compile(
    r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|BEARER|AUTH)(_|$)|^AWS_BEARER_TOKEN", re.IGNORECASE
)
ALIAS_ARN = re.compile(
    r"^(arn:aws[a-zA-Z-]*:bedrock:[a-z0-9-]+:\d{12}):agent-alias/([A-Za-z0-9]+)/([A-Za-z0-9]+)$"
)
AUTH_BY_TYPE = {
    "NONE": "none",
    "CUSTOM_JWT": "jwt",
    "AWS_IAM": "iam",
    "AUTHENTICATE_ONLY": "authenticate_only",
}


@dataclass
class AgentDraft:
    """An agent being assembled: a Bedrock agent, an AgentCore runtime or a gateway."""

    id: str
    kind: str
    name: str
    account: str
    region: str
    where: str
    source: str
    created: datetime | None = None
    runs_as: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    tools: list[dict[str, Any]] = field(default_factory=list)
    collaborators: list[dict[str, Any]] = field(default_factory=list)
    delegates: dict[str, Evidence] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    credential_providers: list[str] = field(default_factory=list)
    token_passthrough: bool = False


@dataclass
class AgentDocs:
    """Everything read so far, keyed for the joins: agents by ARN and by Bedrock agentId, and
    the side documents that name their agent (joined by :func:`link_all` once all are read)."""

    agents: dict[str, AgentDraft] = field(default_factory=dict)
    bedrock_ids: dict[str, AgentDraft] = field(default_factory=dict)  # agentId -> agent
    listed: dict[str, tuple[str, str]] = field(default_factory=dict)  # agentId -> (name, where)
    action_groups: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    collaborators: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    targets: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    workload_identities: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    providers: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    api_keys: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)


def read_document(st: AgentDocs, doc_type: str, where: str, data: Mapping[str, Any]) -> None:
    """Record one document on ``st``; raises InputError for a malformed one."""
    if doc_type == BEDROCK_AGENT:
        _read_bedrock_agent(st, where, obj(data.get("agent"), where, "agent"))
    elif doc_type == BEDROCK_ACTION_GROUP:
        st.action_groups.append((where, obj(data.get("agentActionGroup"), where, "agentActionGroup")))
    elif doc_type == BEDROCK_COLLABORATORS:
        if "agentCollaborator" in data:
            st.collaborators.append((where, obj(data["agentCollaborator"], where, "agentCollaborator")))
        for i, c in enumerate(
            objects(data.get("agentCollaboratorSummaries"), where, "agentCollaboratorSummaries")
        ):
            st.collaborators.append((f"{where}: agentCollaboratorSummaries[{i}]", c))
    elif doc_type == BEDROCK_AGENT_LIST:
        for i, s in enumerate(objects(data.get("agentSummaries"), where, "agentSummaries")):
            if not isinstance(s.get("agentId"), str):
                raise InputError(where, f"agentSummaries[{i}] has no agentId")
            st.listed[s["agentId"]] = (str(s.get("agentName") or s["agentId"]), where)
    elif doc_type == BEDROCK_ALIASES:
        objects(data.get("agentAliasSummaries"), where, "agentAliasSummaries")
    elif doc_type == AGENTCORE_RUNTIME:
        _read_runtime(st, where, data)
    elif doc_type == AGENTCORE_GATEWAY:
        _read_gateway(st, where, data)
    elif doc_type == AGENTCORE_TARGET:
        st.targets.append((where, data))
    elif doc_type == AGENTCORE_WORKLOAD_IDENTITIES:
        for i, w in enumerate(objects(data.get("workloadIdentities"), where, "workloadIdentities")):
            arn = required_arn(w, "workloadIdentityArn", f"{where}: workloadIdentities[{i}]")
            st.workload_identities.setdefault(arn, (where, w))
    elif doc_type == AGENTCORE_CREDENTIAL_PROVIDERS:
        for i, p in enumerate(objects(data.get("credentialProviders"), where, "credentialProviders")):
            required_arn(p, "credentialProviderArn", f"{where}: credentialProviders[{i}]")
            st.providers.append((f"{where}: credentialProviders[{i}]", p))
    elif doc_type == BEDROCK_API_KEYS:
        for i, c in enumerate(
            objects(data.get("ServiceSpecificCredentials"), where, "ServiceSpecificCredentials")
        ):
            sub = f"{where}: ServiceSpecificCredentials[{i}]"
            for key in ("ServiceSpecificCredentialId", "UserName"):
                if not isinstance(c.get(key), str) or not c.get(key):
                    raise InputError(sub, f"missing {key}")
            st.api_keys.append((sub, c))
    else:
        raise InputError(where, f"not an agent document type: {doc_type}")


def _new_agent(st: AgentDocs, arn: str, kind: str, name: str, where: str, source: str) -> AgentDraft:
    parts = arn_parts(arn)
    assert parts is not None  # checked by _arn
    _, region, account, _ = parts
    st.accounts.add(account)
    agent = AgentDraft(
        id=arn, kind=kind, name=name, account=account, region=region, where=where, source=source
    )
    agent.evidence.append(Evidence(source, where))
    st.agents[arn] = agent
    return agent


def _read_bedrock_agent(st: AgentDocs, where: str, a: Mapping[str, Any]) -> None:
    arn = required_arn(a, "agentArn", where + ": agent")
    agent = _new_agent(
        st,
        arn,
        "agent.bedrock_agent",
        str(a.get("agentName") or a.get("agentId")),
        where,
        "bedrock-agent:GetAgent",
    )
    agent.created = timestamp(a.get("createdAt"), where, "agent.createdAt")
    st.bedrock_ids[str(a.get("agentId"))] = agent
    agent.runs_as = optional_str(a.get("agentResourceRoleArn"))
    agent.tags = tag_map(a.get("tags"))  # not in GetAgent; the live collector adds ListTagsForResource
    agent.attrs.update(
        agent_id=a.get("agentId"),
        status=a.get("agentStatus"),
        collaboration=a.get("agentCollaboration") or "DISABLED",
        foundation_model=a.get("foundationModel"),
        orchestration_type=a.get("orchestrationType"),
        guardrail=obj(a.get("guardrailConfiguration"), where, "agent.guardrailConfiguration").get(
            "guardrailIdentifier"
        ),
        memory_enabled=bool(
            obj(a.get("memoryConfiguration"), where, "agent.memoryConfiguration").get("enabledMemoryTypes")
        ),
        inbound_auth="iam",  # InvokeAgent is always SigV4-signed
        server_protocol=None,
        network_mode=None,
    )
    executor = obj(
        obj(a.get("customOrchestration"), where, "customOrchestration").get("executor"), where, "executor"
    )
    if isinstance(executor.get("lambda"), str):
        agent.tools.append(
            make_tool("orchestration_lambda", executor["lambda"], executor["lambda"], "custom orchestration")
        )
    override = obj(a.get("promptOverrideConfiguration"), where, "promptOverrideConfiguration").get(
        "overrideLambda"
    )
    if isinstance(override, str) and override:
        agent.tools.append(make_tool("prompt_override_lambda", override, override, "prompt override"))


def make_tool(
    type_: str, target: str, lambda_arn: str | None, name: str, high_risk: bool = False
) -> dict[str, Any]:
    """One tool entry of an agent (the edge kinds and rules read these keys)."""
    return {"type": type_, "target": target, "lambda_arn": lambda_arn, "high_risk": high_risk, "name": name}


def _jwt(auth: Mapping[str, Any], where: str) -> tuple[bool | None, str | None]:
    jwt = obj(auth.get("customJWTAuthorizer"), where, "authorizerConfiguration.customJWTAuthorizer")
    if not jwt:
        return None, None
    pinned = bool(jwt.get("allowedAudience")) or bool(jwt.get("allowedClients"))
    return pinned, safe_url(jwt.get("discoveryUrl"))


def _read_runtime(st: AgentDocs, where: str, r: Mapping[str, Any]) -> None:
    arn = required_arn(r, "agentRuntimeArn", where)
    agent = _new_agent(
        st,
        arn,
        "agent.agentcore_runtime",
        str(r.get("agentRuntimeName") or r.get("agentRuntimeId")),
        where,
        "bedrock-agentcore-control:GetAgentRuntime",
    )
    agent.created = timestamp(r.get("createdAt"), where, "createdAt")
    agent.runs_as = optional_str(r.get("roleArn"))
    auth = obj(r.get("authorizerConfiguration"), where, "authorizerConfiguration")
    pinned, discovery = _jwt(auth, where)
    env = obj(r.get("environmentVariables"), where, "environmentVariables")
    names = sorted(str(k) for k in env)
    wid = obj(r.get("workloadIdentityDetails"), where, "workloadIdentityDetails").get("workloadIdentityArn")
    agent.tags = tag_map(r.get("tags"))
    agent.attrs.update(
        runtime_id=r.get("agentRuntimeId"),
        version=r.get("agentRuntimeVersion"),
        status=r.get("status"),
        # without a JWT authorizer a runtime accepts SigV4 (IAM) callers only
        inbound_auth="jwt" if pinned is not None else "iam",
        jwt_audience_pinned=pinned,
        jwt_discovery_url=discovery,
        server_protocol=obj(r.get("protocolConfiguration"), where, "protocolConfiguration").get(
            "serverProtocol"
        ),
        network_mode=obj(r.get("networkConfiguration"), where, "networkConfiguration").get("networkMode"),
        env_names=names,
        secret_env_names=[n for n in names if SECRET_NAME.search(n)],
        workload_identity=wid if isinstance(wid, str) else None,
    )


def _read_gateway(st: AgentDocs, where: str, g: Mapping[str, Any]) -> None:
    arn = required_arn(g, "gatewayArn", where)
    agent = _new_agent(
        st,
        arn,
        "agent.agentcore_gateway",
        str(g.get("name") or g.get("gatewayId")),
        where,
        "bedrock-agentcore-control:GetGateway",
    )
    agent.created = timestamp(g.get("createdAt"), where, "createdAt")
    agent.runs_as = optional_str(g.get("roleArn"))
    auth_type = str(g.get("authorizerType") or "")
    pinned, discovery = _jwt(obj(g.get("authorizerConfiguration"), where, "authorizerConfiguration"), where)
    wid = obj(g.get("workloadIdentityDetails"), where, "workloadIdentityDetails").get("workloadIdentityArn")
    agent.tags = tag_map(g.get("tags"))
    agent.attrs.update(
        gateway_id=g.get("gatewayId"),
        status=g.get("status"),
        authorizer_type=auth_type or None,
        inbound_auth=AUTH_BY_TYPE.get(auth_type, "unknown"),
        jwt_audience_pinned=pinned if auth_type == "CUSTOM_JWT" else None,
        jwt_discovery_url=discovery,
        server_protocol=g.get("protocolType") or "MCP",
        gateway_url=safe_url(g.get("gatewayUrl")),
        network_mode=None,
        workload_identity=wid if isinstance(wid, str) else None,
        interceptor_lambdas=[
            str(
                obj(obj(i.get("interceptor"), where, "interceptor").get("lambda"), where, "lambda").get("arn")
            )
            for i in objects(g.get("interceptorConfigurations"), where, "interceptorConfigurations")
            if obj(i.get("interceptor"), where, "interceptor").get("lambda")
        ],
    )


def bedrock_agent_by_id(st: AgentDocs, agent_id: Any) -> AgentDraft | None:
    """The Bedrock agent with this agentId, if its get-agent export was read."""
    # action groups and collaborators name their agent by id only; ids are unique per account
    return st.bedrock_ids.get(str(agent_id))


def _link_action_groups(st: AgentDocs, coverage: list[CoverageEntry]) -> None:
    """Put each enabled action group on its agent as a tool (per version; duplicates merge)."""
    for where, ag in st.action_groups:
        agent = bedrock_agent_by_id(st, ag.get("agentId"))
        if agent is None:
            coverage.append(
                orphan_doc(
                    where, f"action group for agent {ag.get('agentId')!r} without its get-agent export"
                )
            )
            continue
        if ag.get("actionGroupState") == "DISABLED":
            continue
        name = str(ag.get("actionGroupName") or ag.get("actionGroupId") or "?")
        signature = ag.get("parentActionSignature")
        executor = obj(ag.get("actionGroupExecutor"), where, "agentActionGroup.actionGroupExecutor")
        lam = executor.get("lambda") if isinstance(executor.get("lambda"), str) else None
        version = str(ag.get("agentVersion") or "DRAFT")
        if isinstance(signature, str) and signature:
            tool = make_tool("builtin", signature, lam, name, signature in HIGH_RISK_SIGNATURES)
        elif lam:
            tool = make_tool("lambda", lam, lam, name)
        else:
            tool = make_tool(
                "return_control", str(executor.get("customControl") or "RETURN_CONTROL"), None, name
            )
        tool["version"] = version
        if tool not in agent.tools:
            agent.tools.append(tool)
        agent.evidence.append(Evidence("bedrock-agent:GetAgentActionGroup", where))


def _link_collaborators(st: AgentDocs, coverage: list[CoverageEntry]) -> None:
    """Record each collaborator on its supervisor, as a collaborator and a delegation."""
    for where, c in st.collaborators:
        agent = bedrock_agent_by_id(st, c.get("agentId"))
        if agent is None:
            coverage.append(
                orphan_doc(where, f"collaborator of agent {c.get('agentId')!r} without its get-agent export")
            )
            continue
        alias = obj(c.get("agentDescriptor"), where, "agentDescriptor").get("aliasArn")
        m = ALIAS_ARN.match(alias) if isinstance(alias, str) else None
        if m is None:
            raise InputError(where, f"agentDescriptor.aliasArn is not an agent alias ARN: {alias!r}")
        target = f"{m.group(1)}:agent/{m.group(2)}"
        relay = c.get("relayConversationHistory") == "TO_COLLABORATOR"
        entry = {
            "agent": target,
            "alias": alias,
            "name": c.get("collaboratorName"),
            "relay_conversation_history": relay,
            "version": str(c.get("agentVersion") or "DRAFT"),
        }
        if entry not in agent.collaborators:
            agent.collaborators.append(entry)
        agent.delegates.setdefault(target, Evidence("bedrock-agent:ListAgentCollaborators", where))
        agent.evidence.append(Evidence("bedrock-agent:ListAgentCollaborators", where))


def _link_targets(st: AgentDocs, coverage: list[CoverageEntry]) -> None:
    """Put each gateway target on its gateway as a tool (a runtime target is delegation)."""
    for where, t in st.targets:
        gw_arn = t.get("gatewayArn")
        gw = st.agents.get(str(gw_arn))
        if gw is None:
            coverage.append(orphan_doc(where, f"gateway target of {gw_arn!r} without its get-gateway export"))
            continue
        tool = _target_tool(gw, where, t)
        gw.tools.append(tool)
        _target_credentials(gw, tool, where, t)
        gw.evidence.append(Evidence("bedrock-agentcore-control:GetGatewayTarget", where))


def _target_tool(gw: AgentDraft, where: str, t: Mapping[str, Any]) -> dict[str, Any]:
    name = str(t.get("name") or t.get("targetId"))
    cfg = obj(t.get("targetConfiguration"), where, "targetConfiguration")
    mcp = obj(cfg.get("mcp"), where, "targetConfiguration.mcp")
    http = obj(cfg.get("http"), where, "targetConfiguration.http")
    target_ref = f"{gw.id}/target/{t.get('targetId')}"
    lam = obj(mcp.get("lambda"), where, "mcp.lambda").get("lambdaArn")
    runtime = obj(http.get("agentcoreRuntime"), where, "http.agentcoreRuntime").get("arn")
    if isinstance(lam, str) and lam:
        return make_tool("lambda", lam, lam, name)
    if mcp.get("mcpServer"):
        url = safe_url(obj(mcp["mcpServer"], where, "mcp.mcpServer").get("endpoint")) or target_ref
        return make_tool("mcp_server", url, None, name)
    if isinstance(runtime, str) and runtime:
        gw.delegates.setdefault(runtime, Evidence("bedrock-agentcore-control:GetGatewayTarget", where))
        return make_tool("agentcore_runtime", runtime, None, name)
    if http.get("passthrough"):
        url = safe_url(obj(http["passthrough"], where, "http.passthrough").get("endpoint")) or target_ref
        return make_tool("passthrough", url, None, name)
    if mcp.get("apiGateway"):
        rest_api = obj(mcp["apiGateway"], where, "mcp.apiGateway").get("restApiId")
        return make_tool("api_gateway", str(rest_api), None, name)
    # a target type newer than this code: keep it as a tool named by its configuration key
    kind = next(iter([*mcp, *http, *cfg]), "unknown")
    return make_tool(str(kind), target_ref, None, name)


def _target_credentials(gw: AgentDraft, tool: dict[str, Any], where: str, t: Mapping[str, Any]) -> None:
    """The credential providers a target's outbound calls use, and token passthrough."""
    for i, cp in enumerate(
        objects(t.get("credentialProviderConfigurations"), where, "credentialProviderConfigurations")
    ):
        ctype = cp.get("credentialProviderType")
        if ctype == "JWT_PASSTHROUGH":
            gw.token_passthrough = True
            tool["token_passthrough"] = True
        prov = obj(
            cp.get("credentialProvider"),
            where,
            f"credentialProviderConfigurations[{i}].credentialProvider",
        )
        for sub in ("oauthCredentialProvider", "apiKeyCredentialProvider"):
            arn = obj(prov.get(sub), where, sub).get("providerArn")
            if isinstance(arn, str) and arn not in gw.credential_providers:
                gw.credential_providers.append(arn)
        tool.setdefault("credential_types", []).append(ctype)


def link_all(st: AgentDocs, coverage: list[CoverageEntry]) -> None:
    """Join the side documents onto their agents; one without its agent becomes coverage."""
    _link_action_groups(st, coverage)
    _link_collaborators(st, coverage)
    _link_targets(st, coverage)


def orphan_doc(where: str, detail: str) -> CoverageEntry:
    """A document whose agent was not exported: its facts cannot be attached to anyone."""
    return CoverageEntry("aws", "aws:account:unknown", where, CoverageStatus.NOT_FOUND.value, detail)
