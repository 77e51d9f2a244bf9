"""Live collection of AWS agents with read-only List*/Get* calls, per region.

- ``bedrock-agent``: ListAgents → GetAgent, ListTagsForResource, ListAgentAliases (which versions
  are live); for DRAFT and every live version (at most ``MAX_VERSIONS``): ListAgentActionGroups →
  GetAgentActionGroup (at most ``MAX_ACTION_GROUPS``), ListAgentCollaborators.
- ``bedrock-agentcore-control``: ListAgentRuntimes → GetAgentRuntime, ListTagsForResource;
  ListGateways → GetGateway, ListTagsForResource, ListGatewayTargets → GetGatewayTarget;
  ListWorkloadIdentities; ListApiKeyCredentialProviders; ListOauth2CredentialProviders. Never
  GetResourceApiKey, GetResourceOauth2Token or GetWorkloadAccessToken*: they return secrets.
- ``iam`` (once): ListServiceSpecificCredentials(ServiceName=bedrock.amazonaws.com, AllUsers).

The responses become the same documents an offline import reads (:mod:`.documents`), so both go
through one builder. A region where a service is unavailable (EndpointConnectionError,
UnknownOperation) or denied becomes a coverage entry and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from nhiscan.errors import Gap
from nhiscan.model import CoverageEntry, CoverageStatus, Identity, Inventory, scope_key
from nhiscan.providers.aws import calls
from nhiscan.providers.aws.agents.build import build_agents
from nhiscan.providers.aws.agents.documents import (
    AGENTCORE_CREDENTIAL_PROVIDERS,
    AGENTCORE_GATEWAY,
    AGENTCORE_RUNTIME,
    AGENTCORE_TARGET,
    AGENTCORE_WORKLOAD_IDENTITIES,
    BEDROCK_ACTION_GROUP,
    BEDROCK_AGENT,
    BEDROCK_API_KEYS,
    BEDROCK_COLLABORATORS,
    BEDROCK_SERVICE,
    Doc,
)
from nhiscan.providers.aws.agents.fields import tag_map
from nhiscan.providers.aws.calls import invoke, pages, without_metadata
from nhiscan.providers.aws.facts import AwsIdentityFacts
from nhiscan.providers.aws.settings import AwsSettings

MAX_VERSIONS = 5  # DRAFT plus the live versions aliases route to; bounds calls per agent
MAX_ACTION_GROUPS = 50  # per version (and gateway targets per gateway)

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


# --- recognising exported documents -------------------------------------------------------------


@dataclass
class _Run:
    """One account's live read: the documents made, coverage, and API calls per agent."""

    account: str
    coverage: list[CoverageEntry] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # agent id -> API calls made for it

    @property
    def key(self) -> str:
        return scope_key("aws", "account", self.account)

    def gap(self, source: str, g: Gap) -> None:
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
    run = _Run(account)
    for region in regions:
        progress.step(f"aws {account}: reading Bedrock agents in {region}")
        try:
            client = calls.client(session, "bedrock-agent", region, settings)
        except Exception as exc:  # an old botocore without the service model
            run.gap(f"bedrock-agent {region}", Gap(CoverageStatus.NOT_ENABLED.value, type(exc).__name__))
        else:
            _bedrock_region(client, region, run)
        progress.step(f"aws {account}: reading Bedrock AgentCore in {region}")
        try:
            client = calls.client(session, "bedrock-agentcore-control", region, settings)
        except Exception as exc:
            run.gap(
                f"bedrock-agentcore-control {region}",
                Gap(CoverageStatus.NOT_ENABLED.value, type(exc).__name__),
            )
        else:
            _agentcore_region(client, region, run)
    progress.step(f"aws {account}: reading long-term Bedrock API keys")
    iam = calls.client(session, "iam", regions[0] if regions else "us-east-1", settings)
    try:
        keys = invoke(
            lambda: pages(
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
    except Gap as g:
        run.gap("iam:ListServiceSpecificCredentials", g)
    inv = build_agents(
        run.docs, {account}, role_classes=role_classes, known_users=known_users, coverage=run.coverage
    )
    # the per-agent call counts show that the work per agent stays bounded
    counted = tuple(_with_calls(i, run.calls[i.id]) if i.id in run.calls else i for i in inv.identities)
    return replace(inv, identities=counted)


def _with_calls(ident: Identity, made: int) -> Identity:
    facts = ident.facts
    if not isinstance(facts, AwsIdentityFacts) or facts.agent is None:
        return ident
    return replace(ident, facts=replace(facts, agent=replace(facts.agent, api_calls=made)))


def _bedrock_region(client: Any, region: str, run: _Run) -> None:
    src = f"bedrock-agent:ListAgents {region}"
    try:
        summaries = invoke(lambda: pages(client.list_agents, "agentSummaries"))
    except Gap as g:
        run.gap(src, g)
        return
    run.ok(src, f"{len(summaries)} agents")
    for s in summaries:
        agent_id = s.get("agentId")
        made = 0
        try:
            made += 1
            agent = invoke(partial(client.get_agent, agentId=agent_id))["agent"]
        except Gap as g:
            run.gap(f"bedrock-agent:GetAgent {region} {agent_id}", g)
            continue
        arn = str(agent.get("agentArn"))
        try:
            made += 1
            agent["tags"] = invoke(partial(client.list_tags_for_resource, resourceArn=arn)).get("tags") or {}
        except Gap as g:
            run.gap(f"bedrock-agent:ListTagsForResource {region} {agent_id}", g)
        run.docs.append((BEDROCK_AGENT, f"bedrock-agent:GetAgent {region} {agent_id}", {"agent": agent}))
        versions = ["DRAFT"]
        try:
            made += 1
            aliases = invoke(
                partial(pages, client.list_agent_aliases, "agentAliasSummaries", agentId=agent_id)
            )
            for alias in aliases:
                for route in alias.get("routingConfiguration") or []:
                    v = route.get("agentVersion")
                    if v and v not in versions:
                        versions.append(str(v))
        except Gap as g:
            run.gap(f"bedrock-agent:ListAgentAliases {region} {agent_id}", g)
        if len(versions) > MAX_VERSIONS:
            run.gap(
                f"bedrock-agent versions {region} {agent_id}",
                Gap(
                    CoverageStatus.NOT_FOUND.value,
                    f"{len(versions)} live versions; read only {versions[:MAX_VERSIONS]}",
                ),
            )
        for version in versions[:MAX_VERSIONS]:
            made += _bedrock_version(client, region, agent_id, version, run)
        run.calls[arn] = made


def _bedrock_version(client: Any, region: str, agent_id: str, version: str, run: _Run) -> int:
    made = 1
    src = f"bedrock-agent:ListAgentActionGroups {region} {agent_id} {version}"
    try:
        groups = invoke(
            lambda: pages(
                client.list_agent_action_groups,
                "actionGroupSummaries",
                agentId=agent_id,
                agentVersion=version,
            )
        )
    except Gap as g:
        run.gap(src, g)
        groups = []
    if len(groups) > MAX_ACTION_GROUPS:
        run.gap(
            src,
            Gap(
                CoverageStatus.NOT_FOUND.value,
                f"{len(groups)} action groups; read the first {MAX_ACTION_GROUPS}",
            ),
        )
    for grp in groups[:MAX_ACTION_GROUPS]:
        gid = grp.get("actionGroupId")
        where = f"bedrock-agent:GetAgentActionGroup {region} {agent_id} {version} {gid}"
        try:
            made += 1
            ag = invoke(
                partial(
                    client.get_agent_action_group, agentId=agent_id, agentVersion=version, actionGroupId=gid
                )
            )["agentActionGroup"]
            run.docs.append((BEDROCK_ACTION_GROUP, where, {"agentActionGroup": ag}))
        except Gap as g:
            run.gap(where, g)
    src = f"bedrock-agent:ListAgentCollaborators {region} {agent_id} {version}"
    try:
        made += 1
        collabs = invoke(
            lambda: pages(
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
    except Gap as g:
        run.gap(src, g)
    return made


def _redact_runtime(resp: Mapping[str, Any]) -> dict[str, Any]:
    """Environment variable values may be secrets: keep only the names, at the earliest point."""
    out = without_metadata(resp)
    env = out.get("environmentVariables")
    if isinstance(env, Mapping):
        out["environmentVariables"] = {str(k): "" for k in env}
    return out


_SVC = "bedrock-agentcore-control"
# the account-wide AgentCore listings: (operation, client method, response key, document type)
_VAULT_LISTINGS = (
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
)


def _agentcore_region(client: Any, region: str, run: _Run) -> None:
    src = f"{_SVC}:ListAgentRuntimes {region}"
    try:
        runtimes = invoke(lambda: pages(client.list_agent_runtimes, "agentRuntimes"))
        run.ok(src, f"{len(runtimes)} runtimes")
    except Gap as g:
        run.gap(src, g)
        if g.status == CoverageStatus.NOT_ENABLED.value:
            return  # AgentCore is not offered in this region; every other call would fail alike
        runtimes = []
    for r in runtimes:
        _runtime(client, region, r.get("agentRuntimeId"), run)
    src = f"{_SVC}:ListGateways {region}"
    try:
        gateways = invoke(lambda: pages(client.list_gateways, "items"))
        run.ok(src, f"{len(gateways)} gateways")
    except Gap as g:
        run.gap(src, g)
        gateways = []
    for gsum in gateways:
        _gateway(client, region, gsum.get("gatewayId"), run)
    for op, method, key, doc_type in _VAULT_LISTINGS:
        src = f"{_SVC}:{op} {region}"
        try:
            items = invoke(partial(pages, getattr(client, method), key))
            run.docs.append((doc_type, src, {key: items}))
            run.ok(src, f"{len(items)} items")
        except Gap as g:
            run.gap(src, g)


def _runtime(client: Any, region: str, rid: Any, run: _Run) -> None:
    where = f"{_SVC}:GetAgentRuntime {region} {rid}"
    try:
        doc = _redact_runtime(invoke(partial(client.get_agent_runtime, agentRuntimeId=rid)))
    except Gap as g:
        run.gap(where, g)
        return
    doc["tags"] = _tags_of(
        client, doc.get("agentRuntimeArn"), f"{_SVC}:ListTagsForResource {region} {rid}", run
    )
    run.docs.append((AGENTCORE_RUNTIME, where, doc))
    run.calls[str(doc.get("agentRuntimeArn"))] = 2


def _gateway(client: Any, region: str, gid: Any, run: _Run) -> None:
    where = f"{_SVC}:GetGateway {region} {gid}"
    try:
        gw = without_metadata(invoke(partial(client.get_gateway, gatewayIdentifier=gid)))
    except Gap as g:
        run.gap(where, g)
        return
    gw["tags"] = _tags_of(client, gw.get("gatewayArn"), f"{_SVC}:ListTagsForResource {region} {gid}", run)
    run.docs.append((AGENTCORE_GATEWAY, where, gw))
    made = 3
    try:
        targets = invoke(partial(pages, client.list_gateway_targets, "items", gatewayIdentifier=gid))
    except Gap as g:
        run.gap(f"{_SVC}:ListGatewayTargets {region} {gid}", g)
        targets = []
    for t in targets[:MAX_ACTION_GROUPS]:
        tid = t.get("targetId")
        twhere = f"{_SVC}:GetGatewayTarget {region} {gid} {tid}"
        try:
            made += 1
            tdoc = without_metadata(
                invoke(partial(client.get_gateway_target, gatewayIdentifier=gid, targetId=tid))
            )
            tdoc.setdefault("gatewayArn", gw.get("gatewayArn"))
            tdoc.pop("authorizationData", None)  # may carry an authorization URL with state
            run.docs.append((AGENTCORE_TARGET, twhere, tdoc))
        except Gap as g:
            run.gap(twhere, g)
    run.calls[str(gw.get("gatewayArn"))] = made


def _tags_of(client: Any, arn: Any, source: str, run: _Run) -> dict[str, str]:
    if not isinstance(arn, str):
        return {}
    try:
        return tag_map(invoke(lambda: client.list_tags_for_resource(resourceArn=arn)).get("tags"))
    except Gap as g:
        run.gap(source, g)
        return {}
