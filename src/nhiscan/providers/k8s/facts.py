"""The typed facts the Kubernetes provider records, and rules read as ``identity.k8s.*``,
``credential.k8s.*``, ``edge.k8s.*`` and ``logging.k8s.*``.

Service accounts fill the RBAC and workload fields; agents and MCP servers found from kagent or
ToolHive resources (or from workloads that look like them) fill ``namespace``, ``cluster``,
``workloads`` and ``agent``, and carry the platform-neutral facts in ``identity.agent``.
Imports nothing heavy: the rule loader reads these classes to check field paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class EscalationPrimitive(str, Enum):
    """A way for a service account to gain permissions it was not granted (see
    :mod:`nhiscan.providers.k8s.rbac` for how each is decided)."""

    BIND = "bind"
    """``bind`` on roles or clusterroles together with write on role bindings: bind itself to a
    stronger role."""
    ESCALATE = "escalate"
    """``escalate`` on roles or clusterroles together with write on them: give a role it holds
    more than it has."""
    IMPERSONATE = "impersonate"
    """Impersonate users, groups, service accounts, user extras or uids (restricted names count
    only when a named target is privileged)."""
    TOKEN_CREATE = "token_create"
    """Create ``serviceaccounts/token``: mint a token for another service account."""
    POD_CREATE = "pod_create"
    """Create pods, and so run one as any service account of the namespace."""
    WORKLOAD_CREATE = "workload_create"
    """Create, update or patch a pod controller (apps, batch or core): the same as creating pods."""
    SECRET_CREATE = "secret_create"
    """Create Secrets, including a legacy token Secret for any service account of the namespace."""
    CSR_APPROVE = "csr_approve"
    """Approve certificate signing requests for a signer that issues client certificates."""
    NODES_PROXY = "nodes_proxy"
    """``nodes/proxy``: the kubelet API on every node, including exec into any pod."""
    WEBHOOK_CONFIG = "webhook_config"
    """Write validating or mutating admission webhook configurations."""
    NAMESPACE_PATCH = "namespace_patch"
    """Update or patch its namespace, enough to relax the namespace's Pod Security labels."""


class Reach(str, Enum):
    """How far a grant reaches."""

    CLUSTER = "cluster"
    """Every namespace (a ClusterRoleBinding)."""
    NAMESPACE = "namespace"
    """One or more namespaces (RoleBindings)."""
    NONE = "none"
    """Nowhere."""


@dataclass(frozen=True)
class CloudIdentity:
    """A cloud identity a service account is mapped to by a workload identity annotation."""

    provider: str = ""
    """``aws`` (EKS IRSA), ``gcp`` (GKE workload identity) or ``azure`` (Azure workload identity)."""
    id: str = ""
    """The annotation's value: role ARN, Google service account email or Entra client id."""
    annotation: str = ""
    """The annotation that maps it, e.g. ``eks.amazonaws.com/role-arn``."""


@dataclass(frozen=True)
class EscalationScope:
    """Where one escalation primitive applies."""

    primitive: EscalationPrimitive = EscalationPrimitive.POD_CREATE
    """The primitive."""
    namespaces: tuple[str, ...] = ()
    """``("*",)`` when it applies cluster-wide, else the namespaces it applies in."""


@dataclass(frozen=True)
class KagentTool:
    """One entry of a kagent Agent's ``spec.declarative.tools``."""

    type: str = ""
    """``McpServer`` (a tool server) or ``Agent`` (delegation to another agent)."""
    kind: str = ""
    """Kind of the referenced object: ``MCPServer``, ``RemoteMCPServer``, ``Service``, ``Agent``."""
    api_group: str | None = None
    """API group of the referenced object, when given."""
    name: str = ""
    """Name of the referenced object."""
    namespace: str = ""
    """Its namespace (the agent's own when not given)."""
    tool_names: tuple[str, ...] = ()
    """The tools of the server the agent may call (empty: all)."""
    require_approval: tuple[str, ...] = ()
    """Tool names a human must approve before each call."""
    headers_from: int = 0
    """Number of ``headersFrom`` entries (headers filled from Secrets or ConfigMaps)."""


@dataclass(frozen=True)
class K8sAgentFacts:
    """Kubernetes-specific facts of an agent or MCP server (``identity.k8s.agent.*``); the
    platform-neutral ones are in ``identity.agent``."""

    resource: str = ""
    """What declares it: ``kagent`` (Agent), ``kmcp`` (kagent MCPServer), ``kagent_remote``
    (RemoteMCPServer), ``toolhive`` (MCPServer), ``toolhive_vmcp`` (VirtualMCPServer) or
    ``heuristic`` (a workload without any resource)."""
    service_account: str | None = None
    """``<namespace>/<name>`` of the ServiceAccount its pods run as (null: unknown)."""
    images: tuple[str, ...] = ()
    """Container images of the resource and the workloads that run it."""
    env_names: tuple[str, ...] = ()
    """Environment variable names of those containers (never values)."""
    workload_kind: str | None = None
    """For a heuristic detection: the kind of the workload (Deployment, StatefulSet, Pod...)."""
    agent_type: str | None = None
    """kagent Agent ``spec.type``: ``Declarative`` or ``BYO``."""
    model_config: str | None = None
    """kagent Agent: the ModelConfig it names."""
    model_provider: str | None = None
    """That ModelConfig's provider (OpenAI, Anthropic...)."""
    model_tls_verify_disabled: bool = False
    """That ModelConfig turns off TLS verification of the model endpoint."""
    tools: tuple[KagentTool, ...] = ()
    """kagent Agent: its tool references as written."""
    uses_tools: tuple[str, ...] = ()
    """Ids of the MCP servers and Services it calls."""
    require_approval: tuple[str, ...] = ()
    """Tool names that need a human's approval."""
    tools_without_approval: tuple[str, ...] = ()
    """Names of the MCP servers it calls whose tools need no approval at all."""
    transport: str | None = None
    """MCP server: its transport (``stdio``, ``sse``, ``streamable-http``...)."""
    inbound_auth_detail: str | None = None
    """MCP server: why ``identity.agent.inbound_auth`` is what it is, for people."""
    authz_policy: bool | None = None
    """ToolHive: an ``authzConfig`` (Cedar policies) is set (null for other servers)."""
    permission_profile: str | None = None
    """ToolHive: the named permission profile (``none``, ``network``...)."""
    host_paths: tuple[str, ...] = ()
    """ToolHive: host paths the server mounts."""


@dataclass(frozen=True)
class K8sIdentityFacts:
    """Facts of a Kubernetes identity (``identity.k8s.*``): a service account's workloads, token
    mounting and effective RBAC; for agents and MCP servers, ``agent``."""

    namespace: str = ""
    """Namespace it lives in."""
    cluster: str = ""
    """Cluster name (kubeconfig cluster, ``--cluster-name``, or the export's file or folder)."""
    uid: str | None = None
    """The ServiceAccount's ``metadata.uid``."""
    automount: bool | None = None
    """The ServiceAccount's ``automountServiceAccountToken`` (null when unset, which means true)."""
    workloads: tuple[str, ...] = ()
    """``Kind/namespace/name`` of the controllers and bare pods that run as it (for an agent: that
    run it)."""
    pods: int = 0
    """Pods running as it (static pods excluded)."""
    pods_automounting: int = 0
    """Pods that mount its token (pod setting, else the account's, else true)."""
    workloads_automounting: int = 0
    """Controllers whose pod template mounts its token."""
    is_default: bool = False
    """It is the namespace's ``default`` service account."""
    system: bool = False
    """It lives in ``kube-system``, ``kube-public`` or ``kube-node-lease``."""
    cloud_identities: tuple[CloudIdentity, ...] = ()
    """Cloud identities its workload identity annotations map it to."""
    legacy_tokens: int = 0
    """``kubernetes.io/service-account-token`` Secrets for it."""
    secret_read_scope: Reach = Reach.NONE
    """Where it can get, list or watch every Secret (no ``resourceNames``)."""
    escalation_primitives: tuple[EscalationPrimitive, ...] = ()
    """The privilege-escalation primitives it holds."""
    escalation_scopes: tuple[EscalationScope, ...] = ()
    """Where each of those primitives applies."""
    bound_to_cluster_admin: bool = False
    """A (Cluster)RoleBinding to the ``cluster-admin`` ClusterRole reaches it."""
    cluster_admin_scope: Reach | None = None
    """``cluster`` for a ClusterRoleBinding to cluster-admin, ``namespace`` when only
    RoleBindings give it, null when not bound to cluster-admin."""
    namespace_admin_via: tuple[str, ...] = ()
    """Bindings that give it every verb on every resource of a namespace (``binding -> role``)."""
    rbac_rule_count: int = 0
    """Effective RBAC rules, leaving out the bootstrap discovery roles every account holds."""
    direct_bindings: tuple[str, ...] = ()
    """Bindings naming it directly (not through a group): ``RoleBinding/ns/name`` or
    ``ClusterRoleBinding/name``."""
    direct_binding_count: int = 0
    """Number of ``direct_bindings``."""
    agent: K8sAgentFacts | None = None
    """For agents and MCP servers: their Kubernetes-specific facts."""


@dataclass(frozen=True)
class K8sCredentialFacts:
    """Facts of a legacy service account token Secret (``credential.k8s.*``)."""

    secret: str = ""
    """Name of the Secret."""
    namespace: str = ""
    """Its namespace."""
    invalid_since: str | None = None
    """The ``kubernetes.io/legacy-token-invalid-since`` label: the date the token cleaner
    invalidated it (null while it is valid)."""


@dataclass(frozen=True)
class K8sEdgeFacts:
    """Facts of a Kubernetes edge (``edge.k8s.*``)."""

    annotation: str | None = None
    """``k8s.cloud_identity``: the workload identity annotation that maps the account."""
    target_provider: str | None = None
    """``k8s.cloud_identity``: provider of the cloud identity (``aws``, ``gcp``, ``azure``)."""
    derived: bool = False
    """The edge is derived from effective RBAC (pod creation, token minting...), not stated by
    an object."""


@dataclass(frozen=True)
class K8sLoggingFacts:
    """Audit logging facts of a cluster (``logging.k8s.*``)."""

    apiserver_pods: tuple[str, ...] = ()
    """``kube-system/<pod>`` of every kube-apiserver static pod seen."""
    audited_pods: tuple[str, ...] = ()
    """Those that run with an audit policy and an audit backend."""
