"""Recognise the agent documents the AWS CLI exports, by content.

Offline import and live collection share these document types: the live collector builds the
same documents from API responses, so both go through one builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.providers.aws.documents import unwrap

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

BEDROCK_SERVICE = "bedrock.amazonaws.com"

Doc = tuple[str, str, Any]  # (doc_type, where, data)


def recognise(data: Any) -> str | None:
    """The document type of an AWS CLI export about agents, or None. Decides by content only."""
    data = unwrap(data)
    if not isinstance(data, Mapping):
        return None
    return _bedrock_type(data) or _agentcore_type(data) or _api_keys_type(data)


def _bedrock_type(data: Mapping[str, Any]) -> str | None:
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
    return None


def _agentcore_type(data: Mapping[str, Any]) -> str | None:
    if "agentRuntimeArn" in data and "roleArn" in data:
        return AGENTCORE_RUNTIME
    # a target names its gateway too, so it is told apart first
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
    return None


def _api_keys_type(data: Mapping[str, Any]) -> str | None:
    creds = data.get("ServiceSpecificCredentials")
    # the same listing for CodeCommit or Keyspaces credentials is not about agents
    if isinstance(creds, list) and all(
        isinstance(c, Mapping) and c.get("ServiceName") == BEDROCK_SERVICE for c in creds
    ):
        return BEDROCK_API_KEYS
    return None
