"""AI-agent identities on AWS: Amazon Bedrock Agents, Bedrock AgentCore runtimes and gateways,
AgentCore workload identities and credential providers, and long-term Bedrock API keys.

Modules, one job each: :mod:`.documents` recognises exported documents, :mod:`.fields` reads
their fields, :mod:`.parse` reads documents into drafts and joins side documents onto them,
:mod:`.build` turns drafts into identities, edges and credentials, :mod:`.reach` walks
delegation, :mod:`.live` makes the read-only API calls (see there for the list), and
:mod:`.context` says what the builder needs from the IAM inventory.

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

Facts of agents, runtimes and gateways:

- ``identity.agent.*`` (:class:`nhiscan.facts.AgentFacts`): platform (``bedrock`` or
  ``agentcore``), runs_as, delegates_to, relay_history_to, tools, high_risk_builtin_tools
  (ANTHROPIC.Bash / Computer / TextEditor, AMAZON.CodeInterpreter), inbound_auth (a Bedrock
  agent is always ``iam``; a runtime ``jwt`` with a JWT authorizer, else ``iam``; a gateway's
  AUTHENTICATE_ONLY is ``unknown``), jwt_audience_pinned, token_passthrough, secret_env_names,
  model, endpoint; workload identities: referenced_by.
- ``identity.aws.*`` (:class:`~nhiscan.providers.aws.facts.AwsIdentityFacts`): account, region
  and ``agent`` (:class:`~nhiscan.providers.aws.facts.AwsAgentFacts`: status, authorizer_type,
  jwt_discovery_url, collaboration, server_protocol, network_mode, env_names (never values),
  credential_providers, workload_identity, tools and collaborators with their AWS details).
- ``attributes``: only the cross-identity facts ``runs_as_classes``, ``role_shared_with``,
  ``delegation_depth``, ``delegation_cycle``, ``delegation_reach_classes`` (until the neutral
  agent analysis computes them), plus transitional copies the agent rules still read.

Edges: ``agent.runs_as`` (agent → role ARN), ``agent.uses_tool`` (agent/gateway → Lambda ARN,
MCP endpoint or target), ``agent.delegates_to`` (supervisor → collaborator agent ARN; gateway →
runtime ARN), ``agent.has_identity`` (runtime/gateway → workload identity).

Credentials: ``aws.bedrock_api_key`` on the IAM user (id = ServiceSpecificCredentialId);
``agent.api_key_provider`` / ``agent.oauth2_provider`` on the token vault (id = provider name;
no secret is ever read).
"""

from nhiscan.providers.aws.agents.build import build_agents
from nhiscan.providers.aws.agents.context import context_from, reads_any_vault_credential
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
    DOC_TYPES,
    recognise,
)
from nhiscan.providers.aws.agents.live import READ_ONLY_OPERATIONS, collect_agents

__all__ = [
    "AGENTCORE_CREDENTIAL_PROVIDERS",
    "AGENTCORE_GATEWAY",
    "AGENTCORE_RUNTIME",
    "AGENTCORE_TARGET",
    "AGENTCORE_WORKLOAD_IDENTITIES",
    "BEDROCK_ACTION_GROUP",
    "BEDROCK_AGENT",
    "BEDROCK_AGENT_LIST",
    "BEDROCK_ALIASES",
    "BEDROCK_API_KEYS",
    "BEDROCK_COLLABORATORS",
    "DOC_TYPES",
    "READ_ONLY_OPERATIONS",
    "build_agents",
    "collect_agents",
    "context_from",
    "reads_any_vault_credential",
    "recognise",
]
