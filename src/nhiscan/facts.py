"""The provider-neutral facts rules may read, declared once.

A rule's field path (``identity.graph.can_reach_admin``, ``identity.agent.inbound_auth``) is resolved
against these classes and the per-provider fact classes each provider registers (see
:mod:`nhiscan.providers`), so a misspelt or mistyped path is a load error, never a check that
silently never fires. Every field carries a docstring: ``docs/rules.md`` is generated from them.

Neutral vocabulary lives here so that one rule family reads the same facts on every provider:
:class:`ManagedBy` says who manages an identity (instead of one flag per provider such as AWS
"service-linked", Entra "first-party" or GCP "service agent"), :class:`PermissionClass` names what
an identity's permissions amount to, whatever the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NewType

IdentityKind = NewType("IdentityKind", str)
"""An identity kind such as ``aws.iam_role`` or ``agent.bedrock_agent``; providers register theirs."""

CredentialKind = NewType("CredentialKind", str)
"""A credential kind such as ``aws.access_key``; providers register theirs."""

EdgeKind = NewType("EdgeKind", str)
"""A delegation edge kind such as ``aws.assume_role``; providers register theirs."""


class ManagedBy(str, Enum):
    """Who manages an identity's lifecycle and permissions."""

    CUSTOMER = "customer"
    """The organisation that owns the scope created it and manages it (the usual case)."""
    PROVIDER = "provider"
    """The cloud provider created it and manages it for one of its services: an AWS service-linked
    role, a Microsoft first-party application, a Google-managed service agent. The customer cannot
    change its permissions, so hygiene rules leave it alone."""
    THIRD_PARTY = "third_party"
    """Another organisation's application admitted into this tenant (an Entra multi-tenant app
    whose home tenant is someone else's)."""


class PermissionClass(str, Enum):
    """What an identity's effective permissions amount to. Every provider that knows an
    identity's grants fills the classes that apply; ``PermissionSummary.reasons`` names the grants
    behind each."""

    ADMIN = "admin"
    """Full control of its scope (AWS ``*`` on ``*``, Azure Owner at subscription scope, GCP
    Owner, Kubernetes cluster-admin)."""
    CAN_ESCALATE = "can_escalate"
    """It can give itself more permissions than it holds (write its own policies, bind itself to a
    stronger role, create credentials for a stronger identity)."""
    IAM_WRITE = "iam_write"
    """It can change identities or permissions (create users, attach policies, assign roles)."""
    SECRET_READ = "secret_read"
    """It can read secret values (Secrets Manager, SSM parameters, Key Vault secrets, Kubernetes
    Secrets, Secret Manager)."""
    WILDCARD = "wildcard"
    """A grant uses wildcards for actions or whole services on every resource (policy hygiene)."""
    PASS_ROLE = "pass_role"
    """It can hand an identity to a service that then runs as that identity (AWS iam:PassRole, GCP
    actAs)."""
    ASSUME_ANY_ROLE = "assume_any_role"
    """Its own policies allow assuming or impersonating any identity (what it can actually become
    also depends on the targets' trust: see ``identity.graph``)."""
    CREDENTIAL_VAULT_ANY = "credential_vault_any"
    """It can read every credential an agent platform's token vault holds for its agents (AWS
    Bedrock AgentCore Identity token vault), not only the ones of the agents it serves."""
    # Kubernetes escalation primitives, kept as classes while the Kubernetes provider moves them to
    # its own facts (identity.k8s.escalation_primitives already lists them).
    K8S_BIND = "k8s_bind"
    """Kubernetes: may bind roles (``bind`` on roles/clusterroles)."""
    K8S_ESCALATE = "k8s_escalate"
    """Kubernetes: may write roles beyond its own permissions (``escalate``)."""
    K8S_IMPERSONATE = "k8s_impersonate"
    """Kubernetes: may impersonate users, groups or service accounts."""
    K8S_TOKEN_CREATE = "k8s_token_create"
    """Kubernetes: may create service account tokens."""
    K8S_POD_CREATE = "k8s_pod_create"
    """Kubernetes: may create pods (and so run as any service account of the namespace)."""
    K8S_WORKLOAD_CREATE = "k8s_workload_create"
    """Kubernetes: may create workloads (deployments, jobs, ...) that create pods."""
    K8S_SECRET_CREATE = "k8s_secret_create"
    """Kubernetes: may create Secrets (including service-account token Secrets)."""
    K8S_CSR_APPROVE = "k8s_csr_approve"
    """Kubernetes: may approve certificate signing requests."""
    K8S_NODES_PROXY = "k8s_nodes_proxy"
    """Kubernetes: may use the nodes/proxy subresource (kubelet API)."""
    K8S_WEBHOOK_CONFIG = "k8s_webhook_config"
    """Kubernetes: may write admission webhook configurations."""
    K8S_NAMESPACE_PATCH = "k8s_namespace_patch"
    """Kubernetes: may patch namespaces (e.g. to lift Pod Security labels)."""


class InboundAuth(str, Enum):
    """How callers of an agent, gateway or MCP endpoint authenticate."""

    NONE = "none"
    """Anyone who can reach the endpoint can call it."""
    IAM = "iam"
    """The cloud's own request signing or identity (AWS SigV4, Google IAM, Entra)."""
    JWT = "jwt"
    """A JWT / OAuth bearer token checked against an issuer (see ``jwt_audience_pinned``)."""
    OAUTH = "oauth"
    """OAuth 2.1 authorization as the MCP specification describes it."""
    API_KEY = "api_key"
    """A static API key or header token."""
    MTLS = "mtls"
    """Mutual TLS client certificates."""
    UNKNOWN = "unknown"
    """The configuration does not say (or nhiscan could not read it)."""


@dataclass(frozen=True)
class Hop:
    """One step of a delegation path: ``src`` can act as ``dst`` because of ``evidence``."""

    src: str
    """Identity (or node) the step starts from."""
    dst: str
    """Identity, admin node (``admin:<scope>``) or other node the step reaches."""
    kind: str
    """Edge kind, e.g. ``aws.assume_role``, ``gcp.impersonate``, ``admin``."""
    evidence: str = ""
    """The grants or settings that make the step possible, for people."""


@dataclass(frozen=True)
class ExternalTrust:
    """A principal outside the organisation that an identity trusts directly."""

    type: str
    """``any_principal``, ``external_account``, ``federated_oidc`` or the kind of the provider edge
    that admits it (``azure.federated_credential``, ``gcp.workload_identity_federation``...)."""
    value: str
    """The account id, issuer, subject or ``*``."""
    external_id: bool | None = None
    """For an external AWS account: whether the trust requires an ``sts:ExternalId``."""
    issue: str | None = None
    """For an OIDC issuer: what is not pinned (``missing-sub``, ``wildcard-sub``, ``missing-aud``)."""


@dataclass(frozen=True)
class GraphFacts:
    """Delegation-graph facts of one identity, computed from the whole inventory
    (``identity.graph.*``). Paths use definite edges only unless named conditional."""

    is_admin: bool = False
    """It administers its scope (AWS account, Azure tenant or subscription, GCP project or
    organisation, Kubernetes cluster)."""
    can_reach_admin: bool = False
    """It is not an administrator, and a chain of definite delegation edges leads to one."""
    path: tuple[Hop, ...] = ()
    """The shortest such chain (empty when there is none)."""
    path_length: int | None = None
    """Hops in ``path``: 0 for an administrator, null when no path exists."""
    admin_scope: str | None = None
    """Key of the scope whose administrator the path reaches."""
    can_reach_admin_conditional: bool = False
    """A chain exists when edges that hold only under a condition nhiscan cannot decide count too."""
    conditional_path: tuple[Hop, ...] = ()
    """That chain, when only it exists."""
    delegation_depth: int = 0
    """Longest chain of identities it can start, in hops (capped at 10; inside a cycle the cycle's
    size, an upper bound)."""
    reachable_count: int = 0
    """Identities it can act as, directly or transitively (its blast radius)."""
    reached_by_count: int = 0
    """Identities that can act as it, directly or transitively."""
    external_trust: tuple[ExternalTrust, ...] = ()
    """Principals outside the organisation it trusts directly."""
    external_trust_open: bool = False
    """Some of that trust admits anyone: ``*``, or an OIDC issuer with an unpinned subject or
    audience."""
    reachable_from_external: bool = False
    """An identity with external trust can reach it (or it has some itself)."""
    external_sources: tuple[str, ...] = ()
    """The identity with external trust that reaches it first (itself when it has some)."""
    in_cycle: bool = False
    """It is part of a cycle of identities that can act as each other."""
    cycle: tuple[str, ...] = ()
    """The identities of that cycle (sorted, at most 25)."""
    # Agent facts (nhiscan.analyse.agents): what an agent's identity can do and how far its
    # sub-agents reach, computed once for every provider from runs-as and delegation links.
    runs_as_classes: tuple[str, ...] | None = None
    """For an agent: the permission classes (``PermissionClass`` values) of the identities it runs
    as; the agent's own classes when the platform puts them on the agent (GCP agent identities,
    Entra agents); null when none of its runs-as identities is in the inventory (unknown)."""
    shares_identity_with: tuple[str, ...] = ()
    """For an agent: the other agents (and MCP servers) that run as one of the same identities."""
    agents: tuple[str, ...] = ()
    """The agents that run as this identity, or inherit their identity from it (an Entra agent
    identity from its blueprint)."""
    agent_count: int = 0
    """How many agents ``agents`` holds."""
    agent_delegation_depth: int = 0
    """For an agent: the longest chain of sub-agents it can start (``agent.delegates_to`` hops;
    capped at 10, inside a cycle the cycle's size, as ``delegation_depth``). A sub-agent the
    inventory does not hold counts as a hop."""
    agent_delegation_cycle: bool = False
    """For an agent: its delegation chain loops (it is in a cycle of agents invoking each other,
    or reaches one)."""
    agent_delegation_reach_classes: tuple[str, ...] = ()
    """For an agent: the union of the ``runs_as_classes`` of every agent it reaches by delegation."""
    agent_delegation_head: bool = False
    """For an agent: it starts its delegation chain (no agent invokes it; for a cycle nothing
    outside enters, its first member by id). Chain-wide findings are reported on the head only."""


@dataclass(frozen=True)
class AgentTool:
    """A tool an agent is configured to call."""

    type: str
    """What kind of tool: ``lambda``, ``openapi``, ``mcp``, ``builtin``, ``function``, ``agent``..."""
    target: str
    """What it points at: a function ARN, an MCP server id or URL, a built-in tool name."""
    name: str | None = None
    """The tool's name in the agent's configuration."""
    require_approval: bool | None = None
    """Whether a human must approve each call (null when the platform does not say)."""


@dataclass(frozen=True)
class Detection:
    """Why a workload that no agent platform registered looks like an AI agent or MCP server."""

    score: int
    """Sum of the signals' weights."""
    threshold: int
    """Score from which nhiscan reports the workload as an agent."""
    reasons: tuple[str, ...] = ()
    """The signals found (images, environment variable names, ports), for people."""


@dataclass(frozen=True)
class AgentFacts:
    """What an agent platform says about one AI agent, gateway, runtime or MCP server
    (``identity.agent.*``), whatever the platform. Facts that need other identities (what its
    identity can do, who else shares it, how far its delegation reaches) are in ``identity.graph``
    and the identity it runs as."""

    platform: str
    """Where it is defined: ``bedrock``, ``agentcore``, ``entra``, ``vertex``, ``kagent``,
    ``toolhive``, ``mcp_config``, ``heuristic``."""
    source: str = "api"
    """How nhiscan knows it: ``api`` (the platform's API or its export), ``crd`` (a Kubernetes
    custom resource), ``config`` (an MCP client configuration file) or ``heuristic`` (a workload
    that looks like an agent; see ``detection``)."""
    runs_as: tuple[str, ...] = ()
    """Ids of the identities its actions run as (role ARN, service principal, service account)."""
    delegates_to: tuple[str, ...] = ()
    """Agents it can invoke directly (its sub-agents or collaborators)."""
    relay_history_to: tuple[str, ...] = ()
    """Sub-agents it passes its whole conversation history to."""
    tools: tuple[AgentTool, ...] = ()
    """Tools it is configured to call."""
    high_risk_builtin_tools: tuple[str, ...] = ()
    """Built-in tools that run code or act on a computer (code interpreter, shell, computer use)."""
    inbound_auth: InboundAuth = InboundAuth.UNKNOWN
    """How its callers authenticate."""
    jwt_audience_pinned: bool | None = None
    """With JWT inbound auth: whether the authorizer pins an audience or client id (null when not
    JWT or unknown)."""
    token_passthrough: bool = False
    """It forwards the caller's token to the tools it calls (the MCP "token passthrough"
    anti-pattern)."""
    secret_env_names: tuple[str, ...] = ()
    """Names of environment variables set to what looks like a secret value (never the value)."""
    model: str | None = None
    """The model it uses, as configured."""
    endpoint: str | None = None
    """URL it is reached at, when it has one."""
    detection: Detection | None = None
    """For ``source: heuristic``: the signals behind the guess."""
    referenced_by: tuple[str, ...] = ()
    """For an agent workload identity: the agents or runtimes that use it."""
