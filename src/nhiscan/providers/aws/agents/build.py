"""Turn read agent documents into inventory: agent identities and their edges, AgentCore workload
identities, the token vault with its credential providers, and long-term Bedrock API keys.

The cross-agent facts (``runs_as_classes``, ``role_shared_with``, ``delegation_*``) need every
agent of the inventory and the IAM roles' classes, so they are computed here, after every
document has been read and joined (:func:`~.parse.link_all`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.errors import InputError
from nhiscan.facts import AgentFacts, AgentTool, InboundAuth
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Identity,
    Inventory,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.aws.agents.documents import Doc
from nhiscan.providers.aws.agents.fields import arn_parts, optional_str
from nhiscan.providers.aws.agents.parse import (
    AgentDocs,
    AgentDraft,
    bedrock_agent_by_id,
    link_all,
    read_document,
)
from nhiscan.providers.aws.agents.reach import delegation_reach
from nhiscan.providers.aws.build import owner_from_tags
from nhiscan.providers.aws.documents import timestamp, unwrap
from nhiscan.providers.aws.facts import (
    AwsAgentFacts,
    AwsAgentTool,
    AwsCredentialFacts,
    AwsIdentityFacts,
    BedrockCollaborator,
)

PLATFORM = {
    "agent.bedrock_agent": "bedrock",
    "agent.agentcore_runtime": "agentcore",
    "agent.agentcore_gateway": "agentcore",
}
SERVICE_USER_ACCOUNT = re.compile(r"-at-(\d{12})$")  # ServiceUserName is "<user>-at-<account id>"


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
    st = AgentDocs(accounts=set(known_accounts))
    for doc_type, where, raw in docs:
        data = unwrap(raw)
        if not isinstance(data, Mapping):
            raise InputError(where, "expected a JSON object")
        read_document(st, doc_type, where, data)
    cov = list(coverage)
    link_all(st, cov)
    ctx = _Context.of(st, role_classes or {})
    identities: list[Identity] = []
    edges: list[Edge] = []
    for a in sorted(st.agents.values(), key=lambda x: x.id):
        identities.append(_agent_identity(a, ctx))
        edges.extend(_agent_edges(a))
    identities.extend(_workload_identities(st, ctx))
    vaults, credentials = _token_vaults(st)
    identities.extend(vaults)
    users, keys = _api_keys(st, known_users or {})
    identities.extend(users)
    credentials.extend(keys)
    cov.extend(_listed_without_export(st))
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        edges=tuple(edges),
        coverage=tuple(cov),
        scopes=tuple(Scope("aws", "account", a, a) for a in sorted(x for x in st.accounts if x)),
        providers=("aws",),
    )


@dataclass(frozen=True)
class _Context:
    """What one agent's identity needs to know about the others."""

    agents: Mapping[str, AgentDraft]
    role_classes: Mapping[str, Sequence[str]]
    by_role: Mapping[str, list[str]]  # role ARN -> agents running as it
    wid_refs: Mapping[str, list[str]]  # workload identity ARN -> agents using it
    reach: Mapping[str, tuple[int, set[str]]]

    @classmethod
    def of(cls, st: AgentDocs, role_classes: Mapping[str, Sequence[str]]) -> _Context:
        by_role: dict[str, list[str]] = defaultdict(list)
        wid_refs: dict[str, list[str]] = defaultdict(list)
        for a in st.agents.values():
            if a.runs_as:
                by_role[a.runs_as].append(a.id)
            wid = a.attrs.get("workload_identity")
            if wid:
                wid_refs[str(wid)].append(a.id)
        reach = delegation_reach({k: list(v.delegates) for k, v in st.agents.items()})
        return cls(st.agents, role_classes, by_role, wid_refs, reach)

    def classes(self, agent: AgentDraft) -> list[str] | None:
        """The permission classes of the agent's role; None when the role was not read."""
        if agent.runs_as and agent.runs_as in self.role_classes:
            return sorted(self.role_classes[agent.runs_as])
        return None


def _cross_agent_attributes(a: AgentDraft, ctx: _Context) -> dict[str, Any]:
    """The facts that need other identities; they stay in ``attributes`` until the neutral
    agent analysis computes them (CONTRACT.md names exactly these keys)."""
    depth, reached = ctx.reach[a.id]
    reach_classes: set[str] = set()
    for r in reached:
        other = ctx.agents.get(r)
        if other is not None:
            reach_classes.update(ctx.classes(other) or [])
    return {
        "runs_as_classes": ctx.classes(a),
        "role_shared_with": sorted(x for x in ctx.by_role.get(a.runs_as or "", []) if x != a.id),
        "delegation_depth": depth,
        "delegation_cycle": a.id in reached,
        "delegation_reach_classes": sorted(reach_classes),
    }


def _transitional_agent_attributes(a: AgentDraft) -> dict[str, Any]:
    """TODO(issue 11): delete once rules/agents/*.yaml read ``identity.agent.*`` (the agents
    helper's change). Until then these copies of typed facts keep the agent rules' findings; no
    code in this provider reads them."""
    facts = _neutral_facts(a)
    return {
        "runs_as": a.runs_as,
        "delegates_to": list(facts.delegates_to),
        "relay_history_to": list(facts.relay_history_to),
        "high_risk_builtin_tools": list(facts.high_risk_builtin_tools),
        "inbound_auth": a.attrs.get("inbound_auth"),
        "jwt_audience_pinned": facts.jwt_audience_pinned,
        "jwt_discovery_url": a.attrs.get("jwt_discovery_url"),
        "secret_env_names": list(facts.secret_env_names),
        "token_passthrough": facts.token_passthrough,
    }


def _inbound_auth(value: Any) -> InboundAuth:
    # AgentCore's AUTHENTICATE_ONLY has no neutral equivalent: it stays in authorizer_type
    try:
        return InboundAuth(value)
    except ValueError:
        return InboundAuth.UNKNOWN


def _neutral_facts(a: AgentDraft) -> AgentFacts:
    attrs = a.attrs
    tools = tuple(
        dict.fromkeys(AgentTool(type=t["type"], target=t["target"], name=t["name"]) for t in a.tools)
    )
    return AgentFacts(
        platform=PLATFORM[a.kind],
        source="api",
        runs_as=(a.runs_as,) if a.runs_as else (),
        delegates_to=tuple(sorted(a.delegates)),
        relay_history_to=tuple(
            sorted({c["agent"] for c in a.collaborators if c["relay_conversation_history"]})
        ),
        tools=tools,
        high_risk_builtin_tools=tuple(sorted({t["target"] for t in a.tools if t.get("high_risk")})),
        inbound_auth=_inbound_auth(attrs.get("inbound_auth")),
        jwt_audience_pinned=attrs.get("jwt_audience_pinned"),
        token_passthrough=a.token_passthrough,
        secret_env_names=tuple(attrs.get("secret_env_names") or ()),
        model=attrs.get("foundation_model"),
        endpoint=attrs.get("gateway_url"),
    )


def _aws_agent_facts(a: AgentDraft) -> AwsAgentFacts:
    attrs = a.attrs
    resource_id = attrs.get("agent_id") or attrs.get("runtime_id") or attrs.get("gateway_id")
    return AwsAgentFacts(
        region=a.region,
        status=attrs.get("status"),
        resource_id=None if resource_id is None else str(resource_id),
        version=attrs.get("version"),
        authorizer_type=attrs.get("authorizer_type"),
        jwt_discovery_url=attrs.get("jwt_discovery_url"),
        collaboration=attrs.get("collaboration"),
        orchestration_type=attrs.get("orchestration_type"),
        guardrail=attrs.get("guardrail"),
        memory_enabled=bool(attrs.get("memory_enabled")),
        server_protocol=attrs.get("server_protocol"),
        network_mode=attrs.get("network_mode"),
        env_names=tuple(attrs.get("env_names") or ()),
        credential_providers=tuple(a.credential_providers),
        workload_identity=attrs.get("workload_identity"),
        interceptor_lambdas=tuple(attrs.get("interceptor_lambdas") or ()),
        tools=tuple(
            AwsAgentTool(
                type=t["type"],
                target=t["target"],
                name=t["name"],
                lambda_arn=t.get("lambda_arn"),
                high_risk=bool(t.get("high_risk")),
                version=t.get("version"),
                token_passthrough=bool(t.get("token_passthrough")),
                credential_types=tuple(str(c) for c in t.get("credential_types") or ()),
            )
            for t in a.tools
        ),
        collaborators=tuple(
            BedrockCollaborator(
                agent=c["agent"],
                alias=c["alias"],
                name=c["name"],
                relay_conversation_history=c["relay_conversation_history"],
                version=c["version"],
            )
            for c in a.collaborators
        ),
    )


def _agent_identity(a: AgentDraft, ctx: _Context) -> Identity:
    return Identity(
        id=a.id,
        provider="aws",
        kind=a.kind,
        scope=scope_key("aws", "account", a.account),
        name=a.name,
        created=a.created,
        owner=owner_from_tags(a.tags),
        tags=a.tags,
        usage=Usage.MACHINE.value,
        evidence=tuple(dict.fromkeys(a.evidence)),
        attributes={**_cross_agent_attributes(a, ctx), **_transitional_agent_attributes(a)},
        agent=_neutral_facts(a),
        facts=AwsIdentityFacts(account=a.account, region=a.region, agent=_aws_agent_facts(a)),
    )


def _agent_edges(a: AgentDraft) -> list[Edge]:
    edges: list[Edge] = []
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
    return edges


def _workload_identities(st: AgentDocs, ctx: _Context) -> list[Identity]:
    out: list[Identity] = []
    for arn, (where, w) in sorted(st.workload_identities.items()):
        parts = arn_parts(arn)
        assert parts is not None  # checked when read
        st.accounts.add(parts[2])
        referenced_by = tuple(sorted(ctx.wid_refs.get(arn, [])))
        out.append(
            Identity(
                id=arn,
                provider="aws",
                kind="agent.agentcore_workload_identity",
                scope=scope_key("aws", "account", parts[2]),
                name=str(w.get("name") or arn.rsplit("/", 1)[-1]),
                usage=Usage.MACHINE.value,
                evidence=(Evidence("bedrock-agentcore-control:ListWorkloadIdentities", where),),
                agent=AgentFacts(platform="agentcore", referenced_by=referenced_by),
                facts=AwsIdentityFacts(account=parts[2], region=parts[1]),
                # TODO(issue 11): drop once NHI-AGT-012 reads identity.agent.referenced_by; without
                # it every workload identity reads as unused (the aws-agents golden shows it)
                attributes={"referenced_by": list(referenced_by)},
            )
        )
    return out


def _token_vaults(st: AgentDocs) -> tuple[list[Identity], list[Credential]]:
    """One vault identity per account and region, holding its credential providers (AgentCore
    keeps every provider's secret in the account's default token vault)."""
    credentials: list[Credential] = []
    vaults: dict[str, Identity] = {}
    used_by: dict[str, list[str]] = defaultdict(list)
    for a in st.agents.values():
        for provider_arn in a.credential_providers:
            used_by[provider_arn].append(a.id)
    for where, p in st.providers:
        arn = str(p["credentialProviderArn"])
        parts = arn_parts(arn)
        assert parts is not None  # checked when read
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
                facts=AwsIdentityFacts(account=account, region=region),
            )
        oauth = "oauth2credentialprovider" in arn or "credentialProviderVendor" in p
        credentials.append(
            Credential(
                id=str(p.get("name") or arn.rsplit("/", 1)[-1]),
                identity_id=vault_id,
                kind="agent.oauth2_provider" if oauth else "agent.api_key_provider",
                created=timestamp(p.get("createdTime"), where, "createdTime"),
                active=True,
                location=arn,
                facts=AwsCredentialFacts(
                    arn=arn,
                    vendor=optional_str(p.get("credentialProviderVendor")),
                    updated=str(p.get("lastUpdatedTime")) if p.get("lastUpdatedTime") else None,
                    used_by=tuple(sorted(used_by.get(arn, []))),
                ),
            )
        )
    return list(vaults.values()), credentials


def _key_user_arn(
    st: AgentDocs, c: Mapping[str, Any], known_users: Mapping[str, str], where: str
) -> tuple[str, str]:
    """The ARN and account of the IAM user a Bedrock API key belongs to. The listing names the
    user only; its account comes from ServiceUserName, else from the only account read."""
    user = str(c["UserName"])
    m = SERVICE_USER_ACCOUNT.search(str(c.get("ServiceUserName") or ""))
    key_account: str | None = (
        m.group(1) if m else (next(iter(sorted(st.accounts))) if len(st.accounts) == 1 else None)
    )
    user_arn = known_users.get(user) or (f"arn:aws:iam::{key_account}:user/{user}" if key_account else None)
    if user_arn is None:
        raise InputError(
            where,
            "cannot tell the account of this key's user (no ServiceUserName, several or no accounts)",
        )
    return user_arn, (arn_parts(user_arn) or ("", "", key_account or "", ""))[2]


def _api_keys(st: AgentDocs, known_users: Mapping[str, str]) -> tuple[list[Identity], list[Credential]]:
    users: dict[str, Identity] = {}
    credentials: list[Credential] = []
    for where, c in st.api_keys:
        user = str(c["UserName"])
        user_arn, user_account = _key_user_arn(st, c, known_users, where)
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
                facts=AwsIdentityFacts(account=user_account, from_service_specific_credentials=True),
            )
        status = str(c.get("Status") or "Active")
        credentials.append(
            Credential(
                id=str(c["ServiceSpecificCredentialId"]),
                identity_id=user_arn,
                kind="aws.bedrock_api_key",
                created=timestamp(c.get("CreateDate"), where, "CreateDate"),
                expires=timestamp(c.get("ExpirationDate"), where, "ExpirationDate"),
                active=status == "Active",
                location="iam:ListServiceSpecificCredentials bedrock.amazonaws.com",
                facts=AwsCredentialFacts(
                    status=status,
                    service_user_name=optional_str(c.get("ServiceUserName")),
                    alias=optional_str(c.get("ServiceCredentialAlias")),
                ),
            )
        )
    return list(users.values()), credentials


def _listed_without_export(st: AgentDocs) -> list[CoverageEntry]:
    """Agents a list-agents export names whose get-agent export is missing: their role and
    tools are unknown, which a report must say rather than show them as harmless."""
    scope = (
        scope_key("aws", "account", next(iter(sorted(st.accounts))))
        if len(st.accounts) == 1
        else "aws:account:unknown"
    )
    return [
        CoverageEntry(
            "aws",
            scope,
            where,
            CoverageStatus.NOT_FOUND.value,
            f"agent {name} ({agent_id}) is listed but its get-agent export is missing: its role and tools are unknown",
        )
        for agent_id, (name, where) in sorted(st.listed.items())
        if bedrock_agent_by_id(st, agent_id) is None
    ]
