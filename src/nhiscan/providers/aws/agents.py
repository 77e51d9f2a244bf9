"""AI-agent identities on AWS: Amazon Bedrock Agents, Bedrock AgentCore runtimes and gateways,
AgentCore workload identities and credential providers, and long-term Bedrock API keys.

Live collection (:func:`collect_agents`) makes only List*/Get* calls, per region:

- ``bedrock-agent``: ListAgents → GetAgent, ListTagsForResource, ListAgentAliases (which versions
  are live); for DRAFT and every live version (at most ``MAX_VERSIONS``): ListAgentActionGroups →
  GetAgentActionGroup (at most ``MAX_ACTION_GROUPS``), ListAgentCollaborators.
- ``bedrock-agentcore-control``: ListAgentRuntimes → GetAgentRuntime, ListTagsForResource;
  ListGateways → GetGateway, ListTagsForResource, ListGatewayTargets → GetGatewayTarget;
  ListWorkloadIdentities; ListApiKeyCredentialProviders; ListOauth2CredentialProviders. Never
  GetResourceApiKey, GetResourceOauth2Token or GetWorkloadAccessToken*: they return secrets.
- ``iam`` (once): ListServiceSpecificCredentials(ServiceName=bedrock.amazonaws.com, AllUsers).

A region where a service is unavailable (EndpointConnectionError, UnknownOperation) or denied
becomes a coverage entry and the scan goes on.

Offline import (:func:`recognise`, :func:`build_agents`) reads what the AWS CLI prints:
``aws bedrock-agent get-agent`` (``{"agent": ...}``), ``get-agent-action-group``
(``{"agentActionGroup": ...}``), ``list-agent-collaborators`` / ``get-agent-collaborator``,
``list-agents`` and ``list-agent-aliases`` (accepted; used only to report agents without a
get-agent export), ``aws bedrock-agentcore-control get-agent-runtime``, ``get-gateway``,
``get-gateway-target``, ``list-workload-identities``, ``list-api-key-credential-providers``,
``list-oauth2-credential-providers``, and ``aws iam list-service-specific-credentials
--service-name bedrock.amazonaws.com --all-users``. The live collector builds the same documents
and hands them to the same builder.

Identities (scope ``aws:account:<account>``):

- ``agent.bedrock_agent`` (id = agentArn), ``agent.agentcore_runtime`` (id = agentRuntimeArn),
  ``agent.agentcore_gateway`` (id = gatewayArn), ``agent.agentcore_workload_identity``
  (id = workloadIdentityArn), ``aws.agentcore_token_vault`` (holds the credential providers).

Attributes of agents, runtimes and gateways (``identity.attributes.<key>``):

- ``account``, ``region``, ``status``
- ``runs_as``: the IAM role ARN the agent executes with
- ``runs_as_classes``: permission classes of that role (admin, can_escalate, ...) when the role
  is in the same inventory; null when unknown
- ``role_shared_with``: other agents that run as the same role
- ``collaboration`` (Bedrock: SUPERVISOR | SUPERVISOR_ROUTER | DISABLED), ``foundation_model``
- ``collaborators``: list of ``{agent, alias, name, relay_conversation_history}``
- ``relay_history_to``: agents that receive this agent's conversation history
- ``delegates_to``: agents/runtimes this one can invoke directly; ``delegation_depth``: the
  longest delegation chain below it (cycles stop the walk); ``delegation_reach_classes``: union
  of the ``runs_as_classes`` of every agent reachable by delegation
- ``tools``: list of ``{type, target, lambda_arn, high_risk, name}``; ``high_risk_builtin_tools``:
  ANTHROPIC.Bash / ANTHROPIC.Computer / ANTHROPIC.TextEditor / AMAZON.CodeInterpreter enabled
- ``inbound_auth``: none | jwt | iam | authenticate_only | unknown; ``jwt_audience_pinned``
  (allowedAudience or allowedClients non-empty; null without a JWT authorizer);
  ``jwt_discovery_url``
- ``server_protocol`` (MCP | HTTP | A2A | AGUI), ``network_mode`` (PUBLIC | VPC)
- ``token_passthrough``: a gateway target forwards the caller's token (JWT_PASSTHROUGH)
- ``env_names``: environment variable names (never values); ``secret_env_names``: those that
  look like they hold a secret (KEY, TOKEN, SECRET, PASSWORD, ...)
- ``credential_providers``: ARNs of the credential providers a gateway's targets use
- ``workload_identity``: the AgentCore workload identity ARN
- workload identities: ``referenced_by`` (runtimes/gateways that use it)

Edges: ``agent.runs_as`` (agent → role ARN), ``agent.uses_tool`` (agent/gateway → Lambda ARN,
MCP endpoint or target), ``agent.delegates_to`` (supervisor → collaborator agent ARN; gateway →
runtime ARN), ``agent.has_identity`` (runtime/gateway → workload identity).

Credentials: ``aws.bedrock_api_key`` on the IAM user (id = ServiceSpecificCredentialId);
``agent.api_key_provider`` / ``agent.oauth2_provider`` on the token vault (id = provider name;
no secret is ever read).
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from nhiscan.errors import InputError
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Grant,
    Identity,
    Inventory,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.timeutil import parse_time

T = TypeVar("T")

# document types (offline import and live collection share them)
BEDROCK_AGENT = "aws.bedrock_agent"
BEDROCK_AGENT_LIST = "aws.bedrock_agent_list"
BEDROCK_ALIASES = "aws.bedrock_agent_aliases"
BEDROCK_ACTION_GROUP = "aws.bedrock_action_group"
BEDROCK_COLLABORATORS = "aws.bedrock_collaborators"
AGENTCORE_RUNTIME = "aws.agentcore_runtime"
AGENTCORE_GATEWAY = "aws.agentcore_gateway"
AGENTCORE_TARGET = "aws.agentcore_gateway_target"
AGENTCORE_WORKLOAD_IDENTITIES = "aws.agentcore_workload_identities"
AGENTCORE_CREDENTIAL_PROVIDERS = "aws.agentcore_credential_providers"
BEDROCK_API_KEYS = "aws.bedrock_api_keys"

DOC_TYPES = (
    BEDROCK_AGENT,
    BEDROCK_AGENT_LIST,
    BEDROCK_ALIASES,
    BEDROCK_ACTION_GROUP,
    BEDROCK_COLLABORATORS,
    AGENTCORE_RUNTIME,
    AGENTCORE_GATEWAY,
    AGENTCORE_TARGET,
    AGENTCORE_WORKLOAD_IDENTITIES,
    AGENTCORE_CREDENTIAL_PROVIDERS,
    BEDROCK_API_KEYS,
)

HIGH_RISK_SIGNATURES = frozenset(
    {"ANTHROPIC.Bash", "ANTHROPIC.Computer", "ANTHROPIC.TextEditor", "AMAZON.CodeInterpreter"}
)
BEDROCK_SERVICE = "bedrock.amazonaws.com"
MAX_VERSIONS = 5  # DRAFT plus the live versions aliases route to; bounds calls per agent
MAX_ACTION_GROUPS = 50  # per version
SECRET_NAME = re.compile(
    r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|BEARER|AUTH)(_|$)|^AWS_BEARER_TOKEN", re.IGNORECASE
)
ARN = re.compile(r"^arn:aws[a-zA-Z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$")
ALIAS_ARN = re.compile(
    r"^(arn:aws[a-zA-Z-]*:bedrock:[a-z0-9-]+:\d{12}):agent-alias/([A-Za-z0-9]+)/([A-Za-z0-9]+)$"
)
SERVICE_USER_ACCOUNT = re.compile(r"-at-(\d{12})$")
AUTH_BY_TYPE = {
    "NONE": "none",
    "CUSTOM_JWT": "jwt",
    "AWS_IAM": "iam",
    "AUTHENTICATE_ONLY": "authenticate_only",
}
AGENT_KINDS = ("agent.bedrock_agent", "agent.agentcore_runtime", "agent.agentcore_gateway")

# every operation a live scan may call; tests assert the calls made are a subset
READ_ONLY_OPERATIONS = frozenset(
    {
        "ListAgents",
        "GetAgent",
        "ListAgentAliases",
        "ListAgentActionGroups",
        "GetAgentActionGroup",
        "ListAgentCollaborators",
        "ListTagsForResource",
        "ListAgentRuntimes",
        "GetAgentRuntime",
        "ListGateways",
        "GetGateway",
        "ListGatewayTargets",
        "GetGatewayTarget",
        "ListWorkloadIdentities",
        "ListApiKeyCredentialProviders",
        "ListOauth2CredentialProviders",
        "ListServiceSpecificCredentials",
    }
)

Doc = tuple[str, str, Any]  # (doc_type, where, data)


# --- recognising exported documents -------------------------------------------------------------


def _unwrap(data: Any) -> Any:
    from nhiscan.providers.aws.documents import unwrap

    return unwrap(data)


def recognise(data: Any) -> str | None:
    """The document type of an AWS CLI export about agents, or None. Decides by content only."""
    data = _unwrap(data)
    if not isinstance(data, Mapping):
        return None
    if isinstance(data.get("agent"), Mapping) and "agentId" in data["agent"]:
        return BEDROCK_AGENT
    if isinstance(data.get("agentActionGroup"), Mapping):
        return BEDROCK_ACTION_GROUP
    if isinstance(data.get("agentCollaboratorSummaries"), list) or isinstance(
        data.get("agentCollaborator"), Mapping
    ):
        return BEDROCK_COLLABORATORS
    if isinstance(data.get("agentSummaries"), list):
        return BEDROCK_AGENT_LIST
    if isinstance(data.get("agentAliasSummaries"), list):
        return BEDROCK_ALIASES
    if "agentRuntimeArn" in data and "roleArn" in data:
        return AGENTCORE_RUNTIME
    if "gatewayArn" in data and "targetId" in data and "targetConfiguration" in data:
        return AGENTCORE_TARGET
    if "gatewayArn" in data and "authorizerType" in data:
        return AGENTCORE_GATEWAY
    if isinstance(data.get("workloadIdentities"), list):
        return AGENTCORE_WORKLOAD_IDENTITIES
    providers = data.get("credentialProviders")
    if isinstance(providers, list) and all(
        isinstance(p, Mapping) and "credentialProviderArn" in p for p in providers
    ):
        return AGENTCORE_CREDENTIAL_PROVIDERS
    creds = data.get("ServiceSpecificCredentials")
    if isinstance(creds, list) and all(
        isinstance(c, Mapping) and c.get("ServiceName") == BEDROCK_SERVICE for c in creds
    ):
        return BEDROCK_API_KEYS
    return None


# --- building the inventory -------------------------------------------------------------------


def _arn_parts(arn: Any) -> tuple[str, str, str, str] | None:
    m = ARN.match(arn) if isinstance(arn, str) else None
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None


def _obj(value: Any, where: str, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(where, f"{name} must be an object")
    return value


def _list(value: Any, where: str, name: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(where, f"{name} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InputError(where, f"{name}[{i}] must be an object")
    return value


def _arn(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if _arn_parts(value) is None:
        raise InputError(where, f"{key} is missing or not an ARN: {value!r}")
    return str(value)


def _time(value: Any, where: str, name: str) -> datetime | None:
    try:
        return parse_time(value)
    except (TypeError, ValueError) as exc:
        raise InputError(where, f"{name}: not a timestamp: {value!r}") from exc


def _safe_url(url: Any) -> str | None:
    """A URL without its query, fragment or user info: those can carry tokens."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else None


def _owner(tags: Mapping[str, str]) -> str | None:
    from nhiscan.providers.aws.build import owner_from_tags

    return owner_from_tags(tags)


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {}


@dataclass
class _Agent:
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
class _State:
    agents: dict[str, _Agent] = field(default_factory=dict)
    bedrock_ids: dict[str, _Agent] = field(default_factory=dict)  # agentId -> agent
    listed: dict[str, tuple[str, str]] = field(default_factory=dict)  # agentId -> (name, where)
    action_groups: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    collaborators: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    targets: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    workload_identities: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    providers: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    api_keys: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)


def build_agents(
    docs: Sequence[Doc],
    known_accounts: Iterable[str] = (),
    *,
    role_classes: Mapping[str, Sequence[str]] | None = None,
    known_users: Mapping[str, str] | None = None,
    coverage: Sequence[CoverageEntry] = (),
) -> Inventory:
    """Build the agent inventory from ``(doc_type, where, data)`` documents.

    ``role_classes`` maps role ARN → permission classes (from the AWS inventory's roles), so each
    agent records what its identity can do. ``known_users`` maps IAM user name → user ARN (user
    ARNs carry a path the API-key listing does not show). Raises InputError naming the file and
    field for malformed content."""
    st = _State(accounts=set(known_accounts))
    for doc_type, where, raw in docs:
        data = _unwrap(raw)
        if not isinstance(data, Mapping):
            raise InputError(where, "expected a JSON object")
        _read(st, doc_type, where, data)
    return _assemble(st, role_classes or {}, known_users or {}, list(coverage))


def _read(st: _State, doc_type: str, where: str, data: Mapping[str, Any]) -> None:
    if doc_type == BEDROCK_AGENT:
        _read_bedrock_agent(st, where, _obj(data.get("agent"), where, "agent"))
    elif doc_type == BEDROCK_ACTION_GROUP:
        st.action_groups.append((where, _obj(data.get("agentActionGroup"), where, "agentActionGroup")))
    elif doc_type == BEDROCK_COLLABORATORS:
        if "agentCollaborator" in data:
            st.collaborators.append((where, _obj(data["agentCollaborator"], where, "agentCollaborator")))
        for i, c in enumerate(
            _list(data.get("agentCollaboratorSummaries"), where, "agentCollaboratorSummaries")
        ):
            st.collaborators.append((f"{where}: agentCollaboratorSummaries[{i}]", c))
    elif doc_type == BEDROCK_AGENT_LIST:
        for i, s in enumerate(_list(data.get("agentSummaries"), where, "agentSummaries")):
            if not isinstance(s.get("agentId"), str):
                raise InputError(where, f"agentSummaries[{i}] has no agentId")
            st.listed[s["agentId"]] = (str(s.get("agentName") or s["agentId"]), where)
    elif doc_type == BEDROCK_ALIASES:
        _list(data.get("agentAliasSummaries"), where, "agentAliasSummaries")
    elif doc_type == AGENTCORE_RUNTIME:
        _read_runtime(st, where, data)
    elif doc_type == AGENTCORE_GATEWAY:
        _read_gateway(st, where, data)
    elif doc_type == AGENTCORE_TARGET:
        st.targets.append((where, data))
    elif doc_type == AGENTCORE_WORKLOAD_IDENTITIES:
        for i, w in enumerate(_list(data.get("workloadIdentities"), where, "workloadIdentities")):
            arn = _arn(w, "workloadIdentityArn", f"{where}: workloadIdentities[{i}]")
            st.workload_identities.setdefault(arn, (where, w))
    elif doc_type == AGENTCORE_CREDENTIAL_PROVIDERS:
        for i, p in enumerate(_list(data.get("credentialProviders"), where, "credentialProviders")):
            _arn(p, "credentialProviderArn", f"{where}: credentialProviders[{i}]")
            st.providers.append((f"{where}: credentialProviders[{i}]", p))
    elif doc_type == BEDROCK_API_KEYS:
        for i, c in enumerate(
            _list(data.get("ServiceSpecificCredentials"), where, "ServiceSpecificCredentials")
        ):
            sub = f"{where}: ServiceSpecificCredentials[{i}]"
            for key in ("ServiceSpecificCredentialId", "UserName"):
                if not isinstance(c.get(key), str) or not c.get(key):
                    raise InputError(sub, f"missing {key}")
            st.api_keys.append((sub, c))
    else:
        raise InputError(where, f"not an agent document type: {doc_type}")


def _new_agent(st: _State, arn: str, kind: str, name: str, where: str, source: str) -> _Agent:
    parts = _arn_parts(arn)
    assert parts is not None  # checked by _arn
    _, region, account, _ = parts
    st.accounts.add(account)
    agent = _Agent(id=arn, kind=kind, name=name, account=account, region=region, where=where, source=source)
    agent.evidence.append(Evidence(source, where))
    st.agents[arn] = agent
    return agent


def _read_bedrock_agent(st: _State, where: str, a: Mapping[str, Any]) -> None:
    arn = _arn(a, "agentArn", where + ": agent")
    agent = _new_agent(
        st,
        arn,
        "agent.bedrock_agent",
        str(a.get("agentName") or a.get("agentId")),
        where,
        "bedrock-agent:GetAgent",
    )
    agent.created = _time(a.get("createdAt"), where, "agent.createdAt")
    st.bedrock_ids[str(a.get("agentId"))] = agent
    role = a.get("agentResourceRoleArn")
    agent.runs_as = role if isinstance(role, str) and role else None
    agent.tags = _tags(a.get("tags"))  # not in GetAgent; the live collector adds ListTagsForResource
    agent.attrs.update(
        agent_id=a.get("agentId"),
        status=a.get("agentStatus"),
        collaboration=a.get("agentCollaboration") or "DISABLED",
        foundation_model=a.get("foundationModel"),
        orchestration_type=a.get("orchestrationType"),
        guardrail=_obj(a.get("guardrailConfiguration"), where, "agent.guardrailConfiguration").get(
            "guardrailIdentifier"
        ),
        memory_enabled=bool(
            _obj(a.get("memoryConfiguration"), where, "agent.memoryConfiguration").get("enabledMemoryTypes")
        ),
        inbound_auth="iam",  # InvokeAgent is always SigV4-signed
        server_protocol=None,
        network_mode=None,
    )
    executor = _obj(
        _obj(a.get("customOrchestration"), where, "customOrchestration").get("executor"), where, "executor"
    )
    if isinstance(executor.get("lambda"), str):
        agent.tools.append(
            _tool("orchestration_lambda", executor["lambda"], executor["lambda"], "custom orchestration")
        )
    override = _obj(a.get("promptOverrideConfiguration"), where, "promptOverrideConfiguration").get(
        "overrideLambda"
    )
    if isinstance(override, str) and override:
        agent.tools.append(_tool("prompt_override_lambda", override, override, "prompt override"))


def _tool(
    type_: str, target: str, lambda_arn: str | None, name: str, high_risk: bool = False
) -> dict[str, Any]:
    return {"type": type_, "target": target, "lambda_arn": lambda_arn, "high_risk": high_risk, "name": name}


def _jwt(auth: Mapping[str, Any], where: str) -> tuple[bool | None, str | None]:
    jwt = _obj(auth.get("customJWTAuthorizer"), where, "authorizerConfiguration.customJWTAuthorizer")
    if not jwt:
        return None, None
    pinned = bool(jwt.get("allowedAudience")) or bool(jwt.get("allowedClients"))
    return pinned, _safe_url(jwt.get("discoveryUrl"))


def _read_runtime(st: _State, where: str, r: Mapping[str, Any]) -> None:
    arn = _arn(r, "agentRuntimeArn", where)
    agent = _new_agent(
        st,
        arn,
        "agent.agentcore_runtime",
        str(r.get("agentRuntimeName") or r.get("agentRuntimeId")),
        where,
        "bedrock-agentcore-control:GetAgentRuntime",
    )
    agent.created = _time(r.get("createdAt"), where, "createdAt")
    role = r.get("roleArn")
    agent.runs_as = role if isinstance(role, str) and role else None
    auth = _obj(r.get("authorizerConfiguration"), where, "authorizerConfiguration")
    pinned, discovery = _jwt(auth, where)
    env = _obj(r.get("environmentVariables"), where, "environmentVariables")
    names = sorted(str(k) for k in env)
    wid = _obj(r.get("workloadIdentityDetails"), where, "workloadIdentityDetails").get("workloadIdentityArn")
    agent.tags = _tags(r.get("tags"))
    agent.attrs.update(
        runtime_id=r.get("agentRuntimeId"),
        version=r.get("agentRuntimeVersion"),
        status=r.get("status"),
        # without a JWT authorizer a runtime accepts SigV4 (IAM) callers only
        inbound_auth="jwt" if pinned is not None else "iam",
        jwt_audience_pinned=pinned,
        jwt_discovery_url=discovery,
        server_protocol=_obj(r.get("protocolConfiguration"), where, "protocolConfiguration").get(
            "serverProtocol"
        ),
        network_mode=_obj(r.get("networkConfiguration"), where, "networkConfiguration").get("networkMode"),
        env_names=names,
        secret_env_names=[n for n in names if SECRET_NAME.search(n)],
        workload_identity=wid if isinstance(wid, str) else None,
    )


def _read_gateway(st: _State, where: str, g: Mapping[str, Any]) -> None:
    arn = _arn(g, "gatewayArn", where)
    agent = _new_agent(
        st,
        arn,
        "agent.agentcore_gateway",
        str(g.get("name") or g.get("gatewayId")),
        where,
        "bedrock-agentcore-control:GetGateway",
    )
    agent.created = _time(g.get("createdAt"), where, "createdAt")
    role = g.get("roleArn")
    agent.runs_as = role if isinstance(role, str) and role else None
    auth_type = str(g.get("authorizerType") or "")
    pinned, discovery = _jwt(_obj(g.get("authorizerConfiguration"), where, "authorizerConfiguration"), where)
    wid = _obj(g.get("workloadIdentityDetails"), where, "workloadIdentityDetails").get("workloadIdentityArn")
    agent.tags = _tags(g.get("tags"))
    agent.attrs.update(
        gateway_id=g.get("gatewayId"),
        status=g.get("status"),
        inbound_auth=AUTH_BY_TYPE.get(auth_type, "unknown"),
        jwt_audience_pinned=pinned if auth_type == "CUSTOM_JWT" else None,
        jwt_discovery_url=discovery,
        server_protocol=g.get("protocolType") or "MCP",
        gateway_url=_safe_url(g.get("gatewayUrl")),
        network_mode=None,
        workload_identity=wid if isinstance(wid, str) else None,
        interceptor_lambdas=[
            str(
                _obj(_obj(i.get("interceptor"), where, "interceptor").get("lambda"), where, "lambda").get(
                    "arn"
                )
            )
            for i in _list(g.get("interceptorConfigurations"), where, "interceptorConfigurations")
            if _obj(i.get("interceptor"), where, "interceptor").get("lambda")
        ],
    )


def _bedrock_agent(st: _State, agent_id: Any) -> _Agent | None:
    # action groups and collaborators name their agent by id only; ids are unique per account
    return st.bedrock_ids.get(str(agent_id))


def _apply_action_groups(st: _State, coverage: list[CoverageEntry]) -> None:
    for where, ag in st.action_groups:
        agent = _bedrock_agent(st, ag.get("agentId"))
        if agent is None:
            coverage.append(
                _orphan_doc(
                    where, f"action group for agent {ag.get('agentId')!r} without its get-agent export"
                )
            )
            continue
        if ag.get("actionGroupState") == "DISABLED":
            continue
        name = str(ag.get("actionGroupName") or ag.get("actionGroupId") or "?")
        signature = ag.get("parentActionSignature")
        executor = _obj(ag.get("actionGroupExecutor"), where, "agentActionGroup.actionGroupExecutor")
        lam = executor.get("lambda") if isinstance(executor.get("lambda"), str) else None
        version = str(ag.get("agentVersion") or "DRAFT")
        if isinstance(signature, str) and signature:
            tool = _tool("builtin", signature, lam, name, signature in HIGH_RISK_SIGNATURES)
        elif lam:
            tool = _tool("lambda", lam, lam, name)
        else:
            tool = _tool("return_control", str(executor.get("customControl") or "RETURN_CONTROL"), None, name)
        tool["version"] = version
        if tool not in agent.tools:
            agent.tools.append(tool)
        agent.evidence.append(Evidence("bedrock-agent:GetAgentActionGroup", where))


def _apply_collaborators(st: _State, coverage: list[CoverageEntry]) -> None:
    for where, c in st.collaborators:
        agent = _bedrock_agent(st, c.get("agentId"))
        if agent is None:
            coverage.append(
                _orphan_doc(where, f"collaborator of agent {c.get('agentId')!r} without its get-agent export")
            )
            continue
        alias = _obj(c.get("agentDescriptor"), where, "agentDescriptor").get("aliasArn")
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


def _apply_targets(st: _State, coverage: list[CoverageEntry]) -> None:
    for where, t in st.targets:
        gw_arn = t.get("gatewayArn")
        gw = st.agents.get(str(gw_arn))
        if gw is None:
            coverage.append(
                _orphan_doc(where, f"gateway target of {gw_arn!r} without its get-gateway export")
            )
            continue
        name = str(t.get("name") or t.get("targetId"))
        cfg = _obj(t.get("targetConfiguration"), where, "targetConfiguration")
        mcp = _obj(cfg.get("mcp"), where, "targetConfiguration.mcp")
        http = _obj(cfg.get("http"), where, "targetConfiguration.http")
        target_ref = f"{gw.id}/target/{t.get('targetId')}"
        tool: dict[str, Any]
        lam = _obj(mcp.get("lambda"), where, "mcp.lambda").get("lambdaArn")
        runtime = _obj(http.get("agentcoreRuntime"), where, "http.agentcoreRuntime").get("arn")
        if isinstance(lam, str) and lam:
            tool = _tool("lambda", lam, lam, name)
        elif mcp.get("mcpServer"):
            url = _safe_url(_obj(mcp["mcpServer"], where, "mcp.mcpServer").get("endpoint")) or target_ref
            tool = _tool("mcp_server", url, None, name)
        elif isinstance(runtime, str) and runtime:
            tool = _tool("agentcore_runtime", runtime, None, name)
            gw.delegates.setdefault(runtime, Evidence("bedrock-agentcore-control:GetGatewayTarget", where))
        elif http.get("passthrough"):
            url = (
                _safe_url(_obj(http["passthrough"], where, "http.passthrough").get("endpoint")) or target_ref
            )
            tool = _tool("passthrough", url, None, name)
        elif mcp.get("apiGateway"):
            tool = _tool(
                "api_gateway",
                str(_obj(mcp["apiGateway"], where, "mcp.apiGateway").get("restApiId")),
                None,
                name,
            )
        else:
            kind = next(iter([*mcp, *http, *cfg]), "unknown")
            tool = _tool(str(kind), target_ref, None, name)
        gw.tools.append(tool)
        for i, cp in enumerate(
            _list(t.get("credentialProviderConfigurations"), where, "credentialProviderConfigurations")
        ):
            ctype = cp.get("credentialProviderType")
            if ctype == "JWT_PASSTHROUGH":
                gw.token_passthrough = True
                tool["token_passthrough"] = True
            prov = _obj(
                cp.get("credentialProvider"),
                where,
                f"credentialProviderConfigurations[{i}].credentialProvider",
            )
            for sub in ("oauthCredentialProvider", "apiKeyCredentialProvider"):
                arn = _obj(prov.get(sub), where, sub).get("providerArn")
                if isinstance(arn, str) and arn not in gw.credential_providers:
                    gw.credential_providers.append(arn)
            tool.setdefault("credential_types", []).append(ctype)
        gw.evidence.append(Evidence("bedrock-agentcore-control:GetGatewayTarget", where))


def _orphan_doc(where: str, detail: str) -> CoverageEntry:
    return CoverageEntry("aws", "aws:account:unknown", where, CoverageStatus.NOT_FOUND.value, detail)


def _delegation(agents: Mapping[str, _Agent]) -> dict[str, tuple[int, set[str]]]:
    """For every agent: the length of the longest delegation chain below it and every agent it
    reaches. Reach is a plain graph search (linear per agent); depth is memoised and ignores
    edges back into the current chain, so cycles end the walk (they are reported as
    ``delegation_cycle``) and dense graphs cost no more than their edges."""
    reach: dict[str, set[str]] = {}
    for start in agents:
        seen: set[str] = set()
        todo = list(agents[start].delegates)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in agents:
                todo.extend(agents[node].delegates)
        reach[start] = seen
    depth: dict[str, int] = {}
    on_chain: set[str] = set()

    def longest(node: str) -> int:
        if node in depth:
            return depth[node]
        on_chain.add(node)
        best = 0
        for nxt in agents[node].delegates if node in agents else {}:
            if nxt not in on_chain:
                best = max(best, 1 + longest(nxt))
        on_chain.discard(node)
        depth[node] = best
        return best

    return {a: (longest(a), reach[a]) for a in agents}


def _assemble(
    st: _State,
    role_classes: Mapping[str, Sequence[str]],
    known_users: Mapping[str, str],
    coverage: list[CoverageEntry],
) -> Inventory:
    _apply_action_groups(st, coverage)
    _apply_collaborators(st, coverage)
    _apply_targets(st, coverage)
    by_role: dict[str, list[str]] = defaultdict(list)
    for a in st.agents.values():
        if a.runs_as:
            by_role[a.runs_as].append(a.id)
    wid_refs: dict[str, list[str]] = defaultdict(list)
    for a in st.agents.values():
        wid = a.attrs.get("workload_identity")
        if wid:
            wid_refs[str(wid)].append(a.id)

    def classes(agent: _Agent) -> list[str] | None:
        if agent.runs_as and agent.runs_as in role_classes:
            return sorted(role_classes[agent.runs_as])
        return None

    identities: list[Identity] = []
    edges: list[Edge] = []
    delegation = _delegation(st.agents)
    for a in sorted(st.agents.values(), key=lambda x: x.id):
        depth, reached = delegation[a.id]
        reach_classes: set[str] = set()
        for r in reached:
            other = st.agents.get(r)
            if other is not None:
                reach_classes.update(classes(other) or [])
        high_risk = sorted({t["target"] for t in a.tools if t.get("high_risk")})
        attrs = {
            "account": a.account,
            "region": a.region,
            "runs_as": a.runs_as,
            "runs_as_classes": classes(a),
            "role_shared_with": sorted(x for x in by_role.get(a.runs_as or "", []) if x != a.id),
            "collaborators": a.collaborators,
            "relay_history_to": sorted(
                {c["agent"] for c in a.collaborators if c["relay_conversation_history"]}
            ),
            "delegates_to": sorted(a.delegates),
            "delegation_depth": depth,
            "delegation_cycle": a.id in reached,
            "delegation_reach_classes": sorted(reach_classes),
            "tools": a.tools,
            "high_risk_builtin_tools": high_risk,
            "token_passthrough": a.token_passthrough,
            "credential_providers": a.credential_providers,
            "env_names": [],
            "secret_env_names": [],
            **a.attrs,
        }
        identities.append(
            Identity(
                id=a.id,
                provider="aws",
                kind=a.kind,
                scope=scope_key("aws", "account", a.account),
                name=a.name,
                created=a.created,
                owner=_owner(a.tags),
                tags=a.tags,
                usage=Usage.MACHINE.value,
                evidence=tuple(dict.fromkeys(a.evidence)),
                attributes=attrs,
            )
        )
        if a.runs_as:
            edges.append(Edge(a.id, a.runs_as, "agent.runs_as", (Evidence(a.source, a.where),)))
        # a runtime target is delegation to another agent, recorded below, not a tool
        edges.extend(
            Edge(
                a.id,
                tool["target"],
                "agent.uses_tool",
                (Evidence(a.source, a.where),),
                {"type": tool["type"], "name": tool["name"]},
            )
            for tool in a.tools
            if tool["type"] != "agentcore_runtime"
        )
        for dst, ev in sorted(a.delegates.items()):
            relay = any(c["agent"] == dst and c["relay_conversation_history"] for c in a.collaborators)
            edges.append(Edge(a.id, dst, "agent.delegates_to", (ev,), {"relay_conversation_history": relay}))
        wid = a.attrs.get("workload_identity")
        if wid:
            edges.append(Edge(a.id, str(wid), "agent.has_identity", (Evidence(a.source, a.where),)))

    for arn, (where, w) in sorted(st.workload_identities.items()):
        parts = _arn_parts(arn)
        assert parts is not None
        st.accounts.add(parts[2])
        identities.append(
            Identity(
                id=arn,
                provider="aws",
                kind="agent.agentcore_workload_identity",
                scope=scope_key("aws", "account", parts[2]),
                name=str(w.get("name") or arn.rsplit("/", 1)[-1]),
                usage=Usage.MACHINE.value,
                evidence=(Evidence("bedrock-agentcore-control:ListWorkloadIdentities", where),),
                attributes={
                    "account": parts[2],
                    "region": parts[1],
                    "referenced_by": sorted(wid_refs.get(arn, [])),
                },
            )
        )

    credentials: list[Credential] = []
    vaults: dict[str, Identity] = {}
    used_by: dict[str, list[str]] = defaultdict(list)
    for a in st.agents.values():
        for provider_arn in a.credential_providers:
            used_by[provider_arn].append(a.id)
    for where, p in st.providers:
        arn = str(p["credentialProviderArn"])
        parts = _arn_parts(arn)
        assert parts is not None
        _, region, account, _ = parts
        st.accounts.add(account)
        vault_id = f"arn:aws:bedrock-agentcore:{region}:{account}:token-vault/default"
        if vault_id not in vaults:
            vaults[vault_id] = Identity(
                id=vault_id,
                provider="aws",
                kind="aws.agentcore_token_vault",
                scope=scope_key("aws", "account", account),
                name=f"token-vault/default ({region})",
                usage=Usage.MACHINE.value,
                evidence=(Evidence("bedrock-agentcore-control:List*CredentialProviders", where),),
                attributes={"account": account, "region": region},
            )
        oauth = "oauth2credentialprovider" in arn or "credentialProviderVendor" in p
        credentials.append(
            Credential(
                id=str(p.get("name") or arn.rsplit("/", 1)[-1]),
                identity_id=vault_id,
                kind="agent.oauth2_provider" if oauth else "agent.api_key_provider",
                created=_time(p.get("createdTime"), where, "createdTime"),
                active=True,
                location=arn,
                attributes={
                    "arn": arn,
                    "vendor": p.get("credentialProviderVendor"),
                    "updated": str(p.get("lastUpdatedTime")) if p.get("lastUpdatedTime") else None,
                    "used_by": sorted(used_by.get(arn, [])),
                },
            )
        )
    identities.extend(vaults.values())

    users: dict[str, Identity] = {}
    for where, c in st.api_keys:
        user = str(c["UserName"])
        m = SERVICE_USER_ACCOUNT.search(str(c.get("ServiceUserName") or ""))
        key_account: str | None = (
            m.group(1) if m else (next(iter(sorted(st.accounts))) if len(st.accounts) == 1 else None)
        )
        user_arn = known_users.get(user) or (
            f"arn:aws:iam::{key_account}:user/{user}" if key_account else None
        )
        if user_arn is None:
            raise InputError(
                where,
                "cannot tell the account of this key's user (no ServiceUserName, several or no accounts)",
            )
        user_account = (_arn_parts(user_arn) or ("", "", key_account or "", ""))[2]
        st.accounts.add(user_account)
        if user not in known_users and user_arn not in users:
            # a placeholder: merged after the IAM inventory, the real user (same ARN) wins
            users[user_arn] = Identity(
                id=user_arn,
                provider="aws",
                kind="aws.iam_user",
                scope=scope_key("aws", "account", user_account),
                name=user,
                usage=Usage.MACHINE.value,
                evidence=(Evidence("iam:ListServiceSpecificCredentials", where),),
                attributes={"account": user_account, "from_service_specific_credentials": True},
            )
        status = str(c.get("Status") or "Active")
        credentials.append(
            Credential(
                id=str(c["ServiceSpecificCredentialId"]),
                identity_id=user_arn,
                kind="aws.bedrock_api_key",
                created=_time(c.get("CreateDate"), where, "CreateDate"),
                expires=_time(c.get("ExpirationDate"), where, "ExpirationDate"),
                active=status == "Active",
                location="iam:ListServiceSpecificCredentials bedrock.amazonaws.com",
                attributes={
                    "status": status,
                    "service_user_name": c.get("ServiceUserName"),
                    "alias": c.get("ServiceCredentialAlias"),
                },
            )
        )
    identities.extend(users.values())

    listed_missing = [
        (agent_id, name, where)
        for agent_id, (name, where) in sorted(st.listed.items())
        if _bedrock_agent(st, agent_id) is None
    ]
    for agent_id, name, where in listed_missing:
        coverage.append(
            CoverageEntry(
                "aws",
                scope_key("aws", "account", next(iter(sorted(st.accounts))))
                if len(st.accounts) == 1
                else "aws:account:unknown",
                where,
                CoverageStatus.NOT_FOUND.value,
                f"agent {name} ({agent_id}) is listed but its get-agent export is missing: its role and tools are unknown",
            )
        )
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        edges=tuple(edges),
        coverage=tuple(coverage),
        scopes=tuple(Scope("aws", "account", a, a) for a in sorted(x for x in st.accounts if x)),
        providers=("aws",),
    )


# --- live collection ---------------------------------------------------------------------------


class _Gap(Exception):
    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _invoke(fn: Callable[[], T]) -> T:
    """Run one API call; every failure becomes a _Gap with a coverage status."""
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
    from botocore.parsers import ResponseParserError

    from nhiscan.providers.aws import collector as c

    try:
        return c._call(fn)
    except c._Gap as g:
        cause = g.__cause__
        code = ""
        if isinstance(cause, ClientError):
            code = str(cause.response.get("Error", {}).get("Code", ""))
        if code in ("UnknownOperationException", "UnknownOperation", "UnrecognizedClientException"):
            raise _Gap(CoverageStatus.NOT_ENABLED.value, f"not available: {g.detail}") from g
        raise _Gap(g.status, g.detail) from g
    except EndpointConnectionError as exc:
        raise _Gap(
            CoverageStatus.NOT_ENABLED.value, c._one_line(f"service not reachable in this region: {exc}")
        ) from exc
    except BotoCoreError as exc:
        raise _Gap(CoverageStatus.ERROR.value, c._one_line(str(exc))) from exc
    except ResponseParserError as exc:  # an HTML error page from a proxy or an emulator
        raise _Gap(CoverageStatus.ERROR.value, "unparseable response from the service") from exc


def _pages(
    call: Callable[..., Mapping[str, Any]], key: str, token: str = "nextToken", **kw: Any
) -> list[Any]:
    items: list[Any] = []
    next_token: str | None = None
    for _ in range(10_000):  # a service that repeats its token must not loop forever
        args = dict(kw)
        if next_token:
            args[token] = next_token
        page = call(**args)
        items.extend(page.get(key) or [])
        next_token = page.get(token)
        if not next_token:
            return items
    return items


def _clean(resp: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


@dataclass
class _Run:
    account: str
    coverage: list[CoverageEntry] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # agent id -> API calls made for it

    @property
    def key(self) -> str:
        return scope_key("aws", "account", self.account)

    def gap(self, source: str, g: _Gap) -> None:
        self.coverage.append(CoverageEntry("aws", self.key, source, g.status, g.detail))

    def ok(self, source: str, detail: str = "") -> None:
        self.coverage.append(CoverageEntry("aws", self.key, source, CoverageStatus.OK.value, detail))


def collect_agents(
    session: Any,
    regions: Sequence[str],
    settings: AwsSettings,
    account: str,
    progress: Any,
    *,
    role_classes: Mapping[str, Sequence[str]] | None = None,
    known_users: Mapping[str, str] | None = None,
) -> Inventory:
    """Read Bedrock Agents, AgentCore and Bedrock API keys for one account with read-only calls.
    Never raises for an unreadable service or region: that becomes a coverage entry."""
    from nhiscan.providers.aws.collector import _client

    run = _Run(account)
    for region in regions:
        progress.step(f"aws {account}: reading Bedrock agents in {region}")
        try:
            client = _client(session, "bedrock-agent", region, settings)
        except Exception as exc:  # an old botocore without the service model
            run.gap(f"bedrock-agent {region}", _Gap(CoverageStatus.NOT_ENABLED.value, type(exc).__name__))
        else:
            _bedrock_region(client, region, run)
        progress.step(f"aws {account}: reading Bedrock AgentCore in {region}")
        try:
            client = _client(session, "bedrock-agentcore-control", region, settings)
        except Exception as exc:
            run.gap(
                f"bedrock-agentcore-control {region}",
                _Gap(CoverageStatus.NOT_ENABLED.value, type(exc).__name__),
            )
        else:
            _agentcore_region(client, region, run)
    progress.step(f"aws {account}: reading long-term Bedrock API keys")
    iam = _client(session, "iam", regions[0] if regions else "us-east-1", settings)
    try:
        keys = _invoke(
            lambda: _pages(
                iam.list_service_specific_credentials,
                "ServiceSpecificCredentials",
                token="Marker",
                ServiceName=BEDROCK_SERVICE,
                AllUsers=True,
            )
        )
        run.docs.append(
            (BEDROCK_API_KEYS, "iam:ListServiceSpecificCredentials", {"ServiceSpecificCredentials": keys})
        )
        run.ok("iam:ListServiceSpecificCredentials")
    except _Gap as g:
        run.gap("iam:ListServiceSpecificCredentials", g)
    inv = build_agents(
        run.docs, {account}, role_classes=role_classes, known_users=known_users, coverage=run.coverage
    )
    from dataclasses import replace

    # the per-agent call counts show that the work per agent stays bounded
    counted = tuple(
        replace(i, attributes={**i.attributes, "api_calls": run.calls[i.id]}) if i.id in run.calls else i
        for i in inv.identities
    )
    return replace(inv, identities=counted)


def _bedrock_region(client: Any, region: str, run: _Run) -> None:
    src = f"bedrock-agent:ListAgents {region}"
    try:
        summaries = _invoke(lambda: _pages(client.list_agents, "agentSummaries"))
    except _Gap as g:
        run.gap(src, g)
        return
    run.ok(src, f"{len(summaries)} agents")
    for s in summaries:
        agent_id = s.get("agentId")
        calls = 0
        try:
            calls += 1
            agent = _invoke(partial(client.get_agent, agentId=agent_id))["agent"]
        except _Gap as g:
            run.gap(f"bedrock-agent:GetAgent {region} {agent_id}", g)
            continue
        arn = str(agent.get("agentArn"))
        try:
            calls += 1
            agent["tags"] = _invoke(partial(client.list_tags_for_resource, resourceArn=arn)).get("tags") or {}
        except _Gap as g:
            run.gap(f"bedrock-agent:ListTagsForResource {region} {agent_id}", g)
        run.docs.append((BEDROCK_AGENT, f"bedrock-agent:GetAgent {region} {agent_id}", {"agent": agent}))
        versions = ["DRAFT"]
        try:
            calls += 1
            aliases = _invoke(
                partial(_pages, client.list_agent_aliases, "agentAliasSummaries", agentId=agent_id)
            )
            for alias in aliases:
                for route in alias.get("routingConfiguration") or []:
                    v = route.get("agentVersion")
                    if v and v not in versions:
                        versions.append(str(v))
        except _Gap as g:
            run.gap(f"bedrock-agent:ListAgentAliases {region} {agent_id}", g)
        if len(versions) > MAX_VERSIONS:
            run.gap(
                f"bedrock-agent versions {region} {agent_id}",
                _Gap(
                    CoverageStatus.NOT_FOUND.value,
                    f"{len(versions)} live versions; read only {versions[:MAX_VERSIONS]}",
                ),
            )
        for version in versions[:MAX_VERSIONS]:
            calls += _bedrock_version(client, region, agent_id, version, run)
        run.calls[arn] = calls


def _bedrock_version(client: Any, region: str, agent_id: str, version: str, run: _Run) -> int:
    calls = 1
    src = f"bedrock-agent:ListAgentActionGroups {region} {agent_id} {version}"
    try:
        groups = _invoke(
            lambda: _pages(
                client.list_agent_action_groups,
                "actionGroupSummaries",
                agentId=agent_id,
                agentVersion=version,
            )
        )
    except _Gap as g:
        run.gap(src, g)
        groups = []
    if len(groups) > MAX_ACTION_GROUPS:
        run.gap(
            src,
            _Gap(
                CoverageStatus.NOT_FOUND.value,
                f"{len(groups)} action groups; read the first {MAX_ACTION_GROUPS}",
            ),
        )
    for grp in groups[:MAX_ACTION_GROUPS]:
        gid = grp.get("actionGroupId")
        where = f"bedrock-agent:GetAgentActionGroup {region} {agent_id} {version} {gid}"
        try:
            calls += 1
            ag = _invoke(
                partial(
                    client.get_agent_action_group, agentId=agent_id, agentVersion=version, actionGroupId=gid
                )
            )["agentActionGroup"]
            run.docs.append((BEDROCK_ACTION_GROUP, where, {"agentActionGroup": ag}))
        except _Gap as g:
            run.gap(where, g)
    src = f"bedrock-agent:ListAgentCollaborators {region} {agent_id} {version}"
    try:
        calls += 1
        collabs = _invoke(
            lambda: _pages(
                client.list_agent_collaborators,
                "agentCollaboratorSummaries",
                agentId=agent_id,
                agentVersion=version,
            )
        )
        for c in collabs:
            c.setdefault("agentId", agent_id)
            c.setdefault("agentVersion", version)
        run.docs.append((BEDROCK_COLLABORATORS, src, {"agentCollaboratorSummaries": collabs}))
    except _Gap as g:
        run.gap(src, g)
    return calls


def _redact_runtime(resp: Mapping[str, Any]) -> dict[str, Any]:
    """Environment variable values may be secrets: keep only the names, at the earliest point."""
    out = _clean(resp)
    env = out.get("environmentVariables")
    if isinstance(env, Mapping):
        out["environmentVariables"] = {str(k): "" for k in env}
    return out


def _agentcore_region(client: Any, region: str, run: _Run) -> None:
    svc = "bedrock-agentcore-control"
    src = f"{svc}:ListAgentRuntimes {region}"
    try:
        runtimes = _invoke(lambda: _pages(client.list_agent_runtimes, "agentRuntimes"))
        run.ok(src, f"{len(runtimes)} runtimes")
    except _Gap as g:
        run.gap(src, g)
        if g.status == CoverageStatus.NOT_ENABLED.value:
            return  # AgentCore is not offered in this region; every other call would fail alike
        runtimes = []
    for r in runtimes:
        rid = r.get("agentRuntimeId")
        where = f"{svc}:GetAgentRuntime {region} {rid}"
        try:
            doc = _redact_runtime(_invoke(partial(client.get_agent_runtime, agentRuntimeId=rid)))
        except _Gap as g:
            run.gap(where, g)
            continue
        doc["tags"] = _tags_of(
            client, doc.get("agentRuntimeArn"), f"{svc}:ListTagsForResource {region} {rid}", run
        )
        run.docs.append((AGENTCORE_RUNTIME, where, doc))
        run.calls[str(doc.get("agentRuntimeArn"))] = 2
    src = f"{svc}:ListGateways {region}"
    try:
        gateways = _invoke(lambda: _pages(client.list_gateways, "items"))
        run.ok(src, f"{len(gateways)} gateways")
    except _Gap as g:
        run.gap(src, g)
        gateways = []
    for gsum in gateways:
        gid = gsum.get("gatewayId")
        where = f"{svc}:GetGateway {region} {gid}"
        try:
            gw = _clean(_invoke(partial(client.get_gateway, gatewayIdentifier=gid)))
        except _Gap as g:
            run.gap(where, g)
            continue
        gw["tags"] = _tags_of(client, gw.get("gatewayArn"), f"{svc}:ListTagsForResource {region} {gid}", run)
        run.docs.append((AGENTCORE_GATEWAY, where, gw))
        calls = 3
        try:
            targets = _invoke(partial(_pages, client.list_gateway_targets, "items", gatewayIdentifier=gid))
        except _Gap as g:
            run.gap(f"{svc}:ListGatewayTargets {region} {gid}", g)
            targets = []
        for t in targets[:MAX_ACTION_GROUPS]:
            tid = t.get("targetId")
            twhere = f"{svc}:GetGatewayTarget {region} {gid} {tid}"
            try:
                calls += 1
                tdoc = _clean(
                    _invoke(partial(client.get_gateway_target, gatewayIdentifier=gid, targetId=tid))
                )
                tdoc.setdefault("gatewayArn", gw.get("gatewayArn"))
                tdoc.pop("authorizationData", None)  # may carry an authorization URL with state
                run.docs.append((AGENTCORE_TARGET, twhere, tdoc))
            except _Gap as g:
                run.gap(twhere, g)
        run.calls[str(gw.get("gatewayArn"))] = calls
    for op, method, key, doc_type in (
        (
            "ListWorkloadIdentities",
            "list_workload_identities",
            "workloadIdentities",
            AGENTCORE_WORKLOAD_IDENTITIES,
        ),
        (
            "ListApiKeyCredentialProviders",
            "list_api_key_credential_providers",
            "credentialProviders",
            AGENTCORE_CREDENTIAL_PROVIDERS,
        ),
        (
            "ListOauth2CredentialProviders",
            "list_oauth2_credential_providers",
            "credentialProviders",
            AGENTCORE_CREDENTIAL_PROVIDERS,
        ),
    ):
        src = f"{svc}:{op} {region}"
        try:
            items = _invoke(partial(_pages, getattr(client, method), key))
            run.docs.append((doc_type, src, {key: items}))
            run.ok(src, f"{len(items)} items")
        except _Gap as g:
            run.gap(src, g)


def _tags_of(client: Any, arn: Any, source: str, run: _Run) -> dict[str, str]:
    if not isinstance(arn, str):
        return {}
    try:
        return _tags(_invoke(lambda: client.list_tags_for_resource(resourceArn=arn)).get("tags"))
    except _Gap as g:
        run.gap(source, g)
        return {}


VAULT_ACTIONS = ("bedrock-agentcore:getresourceapikey", "bedrock-agentcore:getresourceoauth2token")


def reads_any_vault_credential(grants: Sequence[Grant]) -> bool:
    """AgentCore does not bind workload identities to credential providers: a role allowed
    GetResourceApiKey / GetResourceOauth2Token on every resource can fetch every credential in
    the account's token vault (scope-credential-provider-access in the AgentCore guide)."""
    for g in grants:
        if g.effect != "allow" or not g.actions:
            continue
        if not any(fnmatch.fnmatchcase(a, p.lower()) for a in VAULT_ACTIONS for p in g.actions):
            continue
        if any(
            r == "*" or r.endswith(("token-vault/*", "token-vault/default", "token-vault/default/*"))
            for r in g.resources
        ):
            return True
    return False


def context_from(inventory: Inventory) -> dict[str, Any]:
    """What :func:`build_agents` and :func:`collect_agents` want to know from the IAM inventory
    of the same accounts: the permission classes of every role (plus ``credential_vault_any``
    when it can read every AgentCore vault credential) and the ARN of every user."""
    return {
        "role_classes": {
            i.id: list(i.permissions.classes)
            + (["credential_vault_any"] if reads_any_vault_credential(i.permissions.grants) else [])
            for i in inventory.identities
            if i.kind == "aws.iam_role"
        },
        "known_users": {i.name: i.id for i in inventory.identities if i.kind == "aws.iam_user"},
    }
