"""The typed GCP facts rules read: ``identity.gcp.*``, ``credential.gcp.*``, ``edge.gcp.*`` and
``logging.gcp.*``.

One identity class serves both GCP identity kinds: the service-account fields sit at the top
(service accounts are what most GCP rules are about) and an Agent Engine's own facts are nested
under ``agent_engine`` (None for a service account). What the engine's platform says in neutral
terms (who it runs as, its inbound auth, its secret-looking variables) is in
:class:`nhiscan.facts.AgentFacts` instead, so the generic agent rules read every platform alike.

Imports nothing heavy: the rule loader and the inventory reader import this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DefaultServiceAccount(str, Enum):
    """A service account Google creates in a project when an API is enabled. The customer owns
    and manages it (so it is ``managed_by: customer``), but it is created with Editor unless an
    organisation policy prevents that."""

    COMPUTE = "compute"
    """``NUMBER-compute@developer.gserviceaccount.com``, the Compute Engine default."""
    APPENGINE = "appengine"
    """``PROJECT@appspot.gserviceaccount.com``, the App Engine default."""


class EnginePrincipalType(str, Enum):
    """What kind of principal a Vertex AI Agent Engine runs as."""

    SERVICE_ACCOUNT = "SERVICE_ACCOUNT"
    """A service account named in ``spec.serviceAccount`` (or reported as its effective identity)."""
    AGENT_IDENTITY = "AGENT_IDENTITY"
    """Its own agent identity (``principal://agents.global.org-ORG.system.id.goog/...``)."""
    DEFAULT_SERVICE_AGENT = "DEFAULT_SERVICE_AGENT"
    """The project's Reasoning Engine service agent, shared by every engine that names no account."""


@dataclass(frozen=True)
class RoleHolding:
    """One role a principal holds, and where."""

    role: str = ""
    """Role name (``roles/editor``, ``projects/P/roles/custom``, ``organizations/O/roles/custom``)."""
    resource: str = ""
    """Where it is granted: ``projects/P``, ``folders/F``, ``organizations/O``, an SA resource or
    a full resource name."""
    level: str = ""
    """``project``, ``folder``, ``organization``, ``service_account`` or ``resource``."""
    conditional: bool = False
    """The binding has an IAM condition."""


@dataclass(frozen=True)
class AgentEngineFacts:
    """A Vertex AI Agent Engine (reasoning engine) as its API describes it (``identity.gcp.agent_engine``)."""

    location: str = ""
    """Region it is deployed in (``us-central1``...)."""
    engine_id: str = ""
    """The last part of its resource name."""
    agent_framework: str | None = None
    """``spec.agentFramework`` (``google-adk``, ``langchain``, ...)."""
    identity_type: EnginePrincipalType | None = None
    """Kind of principal it runs as, as nhiscan resolved it."""
    spec_identity_type: str | None = None
    """``spec.identityType`` as written (null when the spec does not say)."""
    service_account: str | None = None
    """``spec.serviceAccount``."""
    effective_identity: str | None = None
    """``spec.effectiveIdentity`` (output only)."""
    runs_as_in_inventory: bool = False
    """The service account it runs as is an identity of this inventory."""
    runs_as_roles: tuple[str, ...] = ()
    """Roles held by the principal it runs as."""
    runs_as_user_managed_keys: int = 0
    """Enabled user-managed keys of the service account it runs as (anyone with one is the agent)."""
    runs_as_reach: tuple[str, ...] = ()
    """Principals its principal can become through impersonation, key creation or implicit
    delegation, transitively."""
    runs_as_reach_classes: tuple[str, ...] = ()
    """Permission classes of those principals."""
    env_names: tuple[str, ...] = ()
    """Names of its plain-text environment variables (values are never read)."""
    secret_manager_env_names: tuple[str, ...] = ()
    """Names of its variables filled from Secret Manager (``secretEnv``)."""
    secret_refs: tuple[str, ...] = ()
    """The Secret Manager secrets behind them, as ``SECRET:VERSION``."""
    class_methods: tuple[str, ...] = ()
    """Operations it exposes (``query``, ``stream_query``, ...)."""
    deployment_source: str | None = None
    """How it was deployed: ``package``, ``container`` or ``source_code``."""
    container_image: str | None = None
    """Its image, when deployed from a container."""
    min_instances: int | None = None
    """``deploymentSpec.minInstances``."""
    max_instances: int | None = None
    """``deploymentSpec.maxInstances``."""
    psc_interface: bool = False
    """It is attached to a VPC through a Private Service Connect interface."""
    cmek: bool = False
    """Encrypted with a customer-managed key (``encryptionSpec.kmsKeyName``)."""


@dataclass(frozen=True)
class GcpIdentityFacts:
    """A GCP identity (``identity.gcp.*``): a service account, or an Agent Engine (``agent_engine``)."""

    project: str | None = None
    """Project id it belongs to (null when no export names it)."""
    description: str = ""
    """Its description."""
    display_name: str = ""
    """Its display name."""
    unique_id: str | None = None
    """Service account: the numeric unique id (also in ``identity.aliases``)."""
    disabled: bool = False
    """Service account: disabled."""
    default_service_account: DefaultServiceAccount | None = None
    """Service account: which project default it is, if any (``compute`` | ``appengine``)."""
    listed: bool = False
    """Service account: a service-account list named it (false when only a binding, key list or
    engine did)."""
    roles: tuple[RoleHolding, ...] = ()
    """Service account: every role it holds, where."""
    role_names: tuple[str, ...] = ()
    """Service account: the names of those roles, sorted."""
    admin_roles: tuple[str, ...] = ()
    """Service account: admin-equivalent roles held at project, folder or organisation level."""
    basic_roles: tuple[str, ...] = ()
    """Service account: basic roles (``roles/owner``, ``roles/editor``) held at project, folder or
    organisation level."""
    escalation_methods: tuple[str, ...] = ()
    """Service account: the privilege-escalation methods its permissions allow."""
    impersonators: tuple[str, ...] = ()
    """Service account: members that can impersonate it, act as it or mint keys for it (SA
    emails bare, other members in IAM form: ``user:``, ``group:``, ``principal://``...)."""
    non_sa_impersonators: tuple[str, ...] = ()
    """Service account: users, groups and domains granted that on the service account itself."""
    project_level_impersonators: tuple[str, ...] = ()
    """Service account: members granted impersonation at project, folder or organisation level
    by a role other than Owner or Editor."""
    unexpanded_roles: tuple[str, ...] = ()
    """Service account: roles it holds whose permissions nhiscan could not read."""
    user_managed_keys: int = 0
    """Service account: enabled user-managed keys."""
    used_by_agents: tuple[str, ...] = ()
    """Service account: the Agent Engines that run as it."""
    agent_engine: AgentEngineFacts | None = None
    """Agent Engine: its own facts (null for a service account)."""


@dataclass(frozen=True)
class GcpCredentialFacts:
    """A service-account key (``credential.gcp.*``)."""

    key_type: str | None = None
    """``USER_MANAGED`` or ``SYSTEM_MANAGED``."""
    key_origin: str | None = None
    """``GOOGLE_PROVIDED`` or ``USER_PROVIDED`` (an uploaded public key)."""
    key_algorithm: str | None = None
    """``KEY_ALG_RSA_2048``, ..."""


@dataclass(frozen=True)
class WorkloadIdentityMember:
    """A GKE Workload Identity member ``serviceAccount:POOL.svc.id.goog[NAMESPACE/KSA]``: a
    Kubernetes service account, not a Google one."""

    pool: str = ""
    """The workload identity pool (``PROJECT.svc.id.goog``)."""
    namespace: str = ""
    """Kubernetes namespace."""
    service_account: str = ""
    """Kubernetes service account name."""


@dataclass(frozen=True)
class GcpEdgeFacts:
    """An impersonation edge between GCP principals (``edge.gcp.*``)."""

    scope_level: str = ""
    """Narrowest level of the grants behind it: ``sa`` (on the service account itself),
    ``project``, ``folder`` or ``organization``."""
    member: str = ""
    """The IAM member the grant names (``user:...``, ``serviceAccount:...``, ``group:...``)."""
    roles: tuple[str, ...] = ()
    """Roles that grant it."""
    workload_identity: WorkloadIdentityMember | None = None
    """Set when the member is a GKE Workload Identity Kubernetes service account."""


@dataclass(frozen=True)
class GcpLoggingFacts:
    """A project's effective Cloud Audit Logs configuration (``logging.gcp.*``)."""

    all_services_log_types: tuple[str, ...] = ()
    """Log types enabled for ``allServices`` (``ADMIN_READ``, ``DATA_READ``, ``DATA_WRITE``)."""
    missing_log_types: tuple[str, ...] = ()
    """Of those three, the ones not enabled for ``allServices``."""
    services: tuple[str, ...] = ()
    """Services with an audit config (``allServices`` or single services)."""
    exempted_members: tuple[str, ...] = ()
    """Members exempted from ``allServices`` logging."""
    inherited_from: tuple[str, ...] = ()
    """Ancestors (folders, organisation) whose audit configs add to the project's."""
    unread_ancestors: tuple[str, ...] = ()
    """Ancestors whose audit configs were not read (they could only add logging, never remove it)."""
    admin_activity: str = "always_on"
    """Admin Activity audit logs cannot be turned off."""
