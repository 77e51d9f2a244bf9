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
