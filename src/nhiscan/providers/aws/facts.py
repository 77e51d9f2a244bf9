"""The typed AWS facts rules read as ``identity.aws.<field>``, ``credential.aws.<field>``,
``edge.aws.<field>`` and ``logging.aws.<field>``.

Plain frozen dataclasses with a default and a docstring per field (``docs/rules.md`` is generated
from them); they round-trip through the inventory JSON. Provider-neutral agent facts are not here
but in :class:`nhiscan.facts.AgentFacts` (``identity.agent.*``); :class:`AwsAgentFacts` holds only
what AWS agents have beyond those.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrustPrincipal:
    """One principal an Allow statement of a role's trust policy admits."""

    type: str = ""
    """``AWS``, ``Service``, ``Federated``, ``CanonicalUser`` or ``*`` (also for NotPrincipal)."""
    value: str = ""
    """The ARN, account id, unique id, service or provider as written, or ``*``."""
    conditional: bool = False
    """The statement has a Condition."""
    account: str | None = None
    """For AWS principals: the 12-digit account it belongs to (null for ``*`` and unique ids)."""


@dataclass(frozen=True)
class OidcTrust:
    """One web-identity (OIDC) provider trusted for sts:AssumeRoleWithWebIdentity."""

    provider: str = ""
    """The provider host/path (``token.actions.githubusercontent.com``, ``accounts.google.com``)."""
    audience_pinned: bool = False
    """A positive ``<provider>:aud`` (or app_id/azp/oaud) condition with a non-wildcard value."""
    subject_pinned: bool = False
    """A ``<provider>:sub`` condition whose values are all pinned (for GitHub: to a repository)."""
    subjects: tuple[str, ...] = ()
    """The subject values the conditions allow."""
    issue: str | None = None
    """The worst gap: ``missing-sub``, ``wildcard-sub``, ``missing-aud``; null when pinned."""


@dataclass(frozen=True)
class TrustFacts:
    """Who may assume a role, from its trust policy (see :mod:`nhiscan.providers.aws.iam.trust`)."""

    principals: tuple[TrustPrincipal, ...] = ()
    """Every principal an Allow of sts:AssumeRole* admits."""
    any_principal: bool = False
    """``*`` is trusted with no restricting condition: anyone can assume the role."""
    any_principal_conditional: bool = False
    """``*`` is trusted, but only under a restricting condition (organisation, account, ...)."""
    external_accounts: tuple[str, ...] = ()
    """Other accounts trusted (sorted 12-digit ids)."""
    external_accounts_without_external_id: tuple[str, ...] = ()
    """Those trusted by some statement without an sts:ExternalId condition."""
    services: tuple[str, ...] = ()
    """Trusted service principals (``lambda.amazonaws.com``...)."""
    services_without_source_condition: tuple[str, ...] = ()
    """Services trusted without aws:SourceArn / SourceAccount / SourceOrgID / SourceOrgPaths
    (the confused-deputy guard)."""
    oidc: tuple[OidcTrust, ...] = ()
    """Trusted OIDC providers."""
    oidc_unpinned: bool = False
    """Some trusted OIDC provider has an issue (subject or audience not pinned)."""
    oidc_issues: tuple[str, ...] = ()
    """Those issues as ``<provider>: <issue>``, for messages."""
    saml: bool = False
    """A SAML provider is trusted: people sign in through it."""
    deny_statements: int = 0
    """Deny statements in the trust policy (they may narrow the above; not subtracted)."""


@dataclass(frozen=True)
class AwsAgentTool:
    """One tool of a Bedrock agent or AgentCore gateway, with the AWS details
    ``identity.agent.tools`` does not carry."""

    type: str = ""
    """``builtin``, ``lambda``, ``return_control``, ``mcp_server``, ``agentcore_runtime``,
    ``passthrough``, ``api_gateway``, ``orchestration_lambda``, ``prompt_override_lambda``..."""
    target: str = ""
    """Function ARN, endpoint URL (without query), runtime ARN or built-in signature."""
    name: str = ""
    """Action group or target name."""
    lambda_arn: str | None = None
    """The Lambda function that runs it, when there is one."""
    high_risk: bool = False
    """A built-in that runs code or acts on a computer (ANTHROPIC.Bash/Computer/TextEditor,
    AMAZON.CodeInterpreter)."""
    version: str | None = None
    """Bedrock: the agent version it is configured in (DRAFT or a live version)."""
    token_passthrough: bool = False
    """Gateway targets: it forwards the caller's token (JWT_PASSTHROUGH)."""
    credential_types: tuple[str, ...] = ()
    """Gateway targets: the credential provider types of its outbound calls."""


@dataclass(frozen=True)
class BedrockCollaborator:
    """One collaborator of a Bedrock supervisor agent."""

    agent: str = ""
    """The collaborator agent's ARN."""
    alias: str = ""
    """The alias ARN the supervisor invokes."""
    name: str | None = None
    """The collaborator name."""
    relay_conversation_history: bool = False
    """The supervisor passes its conversation history to it."""
    version: str = "DRAFT"
    """The supervisor version this collaborator is configured in."""


@dataclass(frozen=True)
class AwsAgentFacts:
    """What a Bedrock agent, AgentCore runtime or gateway has beyond the neutral
    ``identity.agent`` facts."""

    region: str = ""
    """The region it is defined in."""
    status: str | None = None
    """Its status as the service reports it (PREPARED, READY, ...)."""
    resource_id: str | None = None
    """The service's own id (agentId, agentRuntimeId, gatewayId)."""
    version: str | None = None
    """AgentCore runtime version."""
    authorizer_type: str | None = None
    """Gateway authorizerType as AWS names it (``CUSTOM_JWT``, ``AWS_IAM``, ``NONE``,
    ``AUTHENTICATE_ONLY``); the neutral meaning is ``identity.agent.inbound_auth``."""
    jwt_discovery_url: str | None = None
    """With a JWT authorizer: its OIDC discovery URL (without query or user info)."""
    collaboration: str | None = None
    """Bedrock multi-agent collaboration: ``SUPERVISOR``, ``SUPERVISOR_ROUTER`` or ``DISABLED``."""
    orchestration_type: str | None = None
    """Bedrock orchestration (``DEFAULT`` or ``CUSTOM_ORCHESTRATION``)."""
    guardrail: str | None = None
    """The guardrail identifier, when one is attached."""
    memory_enabled: bool = False
    """Bedrock agent memory is enabled."""
    server_protocol: str | None = None
    """AgentCore protocol: ``MCP``, ``HTTP``, ``A2A`` or ``AGUI``."""
    network_mode: str | None = None
    """AgentCore runtime network mode: ``PUBLIC`` or ``VPC``."""
    env_names: tuple[str, ...] = ()
    """Names of its environment variables (never their values)."""
    credential_providers: tuple[str, ...] = ()
    """ARNs of the AgentCore credential providers its gateway targets use."""
    workload_identity: str | None = None
    """ARN of the AgentCore workload identity it uses."""
    interceptor_lambdas: tuple[str, ...] = ()
    """Gateway interceptor Lambda ARNs."""
    tools: tuple[AwsAgentTool, ...] = ()
    """Its tools with their AWS details (per version for Bedrock agents)."""
    collaborators: tuple[BedrockCollaborator, ...] = ()
    """Bedrock supervisors: their collaborators."""
    api_calls: int | None = None
    """Live scans: the API calls made for it (shows the work per agent stays bounded)."""


@dataclass(frozen=True)
class AwsIdentityFacts:
    """AWS facts of an IAM user or role, root account, agent or token vault (``identity.aws.*``)."""

    account: str | None = None
    """The 12-digit account it belongs to."""
    path: str | None = None
    """IAM path (``/``, ``/aws-service-role/...``)."""
    unique_id: str | None = None
    """The IAM unique id (AIDA... for users, AROA... for roles); also in ``identity.aliases``."""
    groups: tuple[str, ...] = ()
    """Users: names of the groups it is in."""
    password_enabled: bool = False
    """Users: a console password is set (credential report)."""
    password_last_used: str | None = None
    """Users: when the password was last used (ISO 8601), null when never or unknown."""
    mfa_active: bool = False
    """Users: an MFA device is active (credential report)."""
    active_access_keys: int = 0
    """Users: active access keys (0-2; credential report)."""
    in_credential_report: bool = False
    """Users: the credential report lists it (its key and password facts are known)."""
    permissions_boundary: str | None = None
    """ARN of its permissions boundary, when it has one."""
    instance_profiles: tuple[str, ...] = ()
    """Roles: names of the instance profiles it is on (EC2 can run as it)."""
    last_used_region: str | None = None
    """Roles: the region of its last use."""
    trust: TrustFacts | None = None
    """Roles: who may assume it (null for users and when the trust policy was not read)."""
    from_service_specific_credentials: bool = False
    """A user known only from a Bedrock API key listing (the IAM export did not include it)."""
    region: str | None = None
    """Agents and token vaults: the region they are in."""
    agent: AwsAgentFacts | None = None
    """Bedrock agents, AgentCore runtimes and gateways: AWS-only agent facts."""


@dataclass(frozen=True)
class AwsCredentialFacts:
    """AWS facts of an access key, Bedrock API key or AgentCore credential provider
    (``credential.aws.*``)."""

    key_id: str | None = None
    """Access keys: the AccessKeyId (known only with ``--key-details``)."""
    last_used_service: str | None = None
    """Access keys: the service of the last use (credential report)."""
    last_used_region: str | None = None
    """Access keys: the region of the last use (credential report)."""
    status: str | None = None
    """Bedrock API keys: ``Active``, ``Inactive`` or ``Expired``."""
    service_user_name: str | None = None
    """Bedrock API keys: the service user name (``<user>-at-<account>``)."""
    alias: str | None = None
    """Bedrock API keys: the key's alias."""
    arn: str | None = None
    """AgentCore credential providers: the provider ARN."""
    vendor: str | None = None
    """AgentCore OAuth2 providers: the vendor (GoogleOauth2, GithubOauth2, CustomOauth2...)."""
    updated: str | None = None
    """AgentCore credential providers: when it was last updated (as AWS reports it)."""
    used_by: tuple[str, ...] = ()
    """AgentCore credential providers: the gateways whose targets use it."""


@dataclass(frozen=True)
class AwsEdgeFacts:
    """AWS facts of an edge (``edge.aws.*``)."""

    derived: bool = False
    """Derived from policies by nhiscan (delegation), not read from a configuration."""
    tool_type: str | None = None
    """agent.uses_tool: the tool type (``lambda``, ``mcp_server``, ``builtin``...)."""
    tool_name: str | None = None
    """agent.uses_tool: the tool's name in the agent's configuration."""
    relay_conversation_history: bool = False
    """agent.delegates_to: the supervisor passes its conversation history to the collaborator."""


@dataclass(frozen=True)
class CloudTrailTrail:
    """One CloudTrail trail of an account."""

    name: str | None = None
    """The trail name."""
    arn: str = ""
    """The trail ARN."""
    multi_region: bool = False
    """It logs every region."""
    organization: bool = False
    """It is an organisation trail."""
    is_logging: bool | None = None
    """It is logging (null when get-trail-status was not read)."""
    management_events: str | None = None
    """Management events it records: ``all``, ``read``, ``write``, ``none``; null when unknown."""


@dataclass(frozen=True)
class AwsLoggingFacts:
    """CloudTrail facts of an account (``logging.aws.*``)."""

    trails: tuple[CloudTrailTrail, ...] = ()
    """The account's trails."""
    complete_trails: tuple[str, ...] = ()
    """Names of the multi-region trails that log all management events."""
