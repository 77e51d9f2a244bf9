"""The provider-neutral inventory: every non-human identity, its credentials, its permissions,
the delegation edges between identities, the logging state of each scope, and what could not be read.

Collectors and importers produce an :class:`Inventory`; the analyse stage, the rule engine and the
reporters only read it. Everything here is a frozen dataclass whose fields are plain JSON values
(strings, numbers, booleans, None, lists, dicts) or other dataclasses from this module, so that
:mod:`nhiscan.inventory_io` can save and load it losslessly.

Provider-specific facts that rules read are typed: ``Identity.facts`` (and ``Credential.facts``,
``Edge.facts``, ``LoggingState.facts``) holds an instance of the frozen dataclass the provider
registers for it (rules read ``identity.<provider>.<field>``), ``Identity.agent`` the
provider-neutral :class:`~nhiscan.facts.AgentFacts` of an AI agent or MCP server. ``attributes`` is
the untyped bag they replace; it is kept only while providers move off it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from nhiscan.facts import AgentFacts, ManagedBy

INVENTORY_SCHEMA_VERSION = "1.0"  # becomes 2.0 when attributes are gone (issue 11)


class Provider(str, Enum):
    """Where an identity lives. Agents belong to the provider that hosts them; ``mcp`` covers
    MCP client configuration files found on a machine or in a repository."""

    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    K8S = "k8s"
    MCP = "mcp"


class Usage(str, Enum):
    """Who operates an identity, as far as the evidence shows."""

    MACHINE = "machine"
    HUMAN = "human"
    MIXED = "mixed"  # a machine identity that a human also signs in with (OWASP NHI10)
    UNKNOWN = "unknown"


class CoverageStatus(str, Enum):
    OK = "ok"
    DENIED = "denied"
    THROTTLED = "throttled"
    NOT_ENABLED = "not_enabled"
    NOT_FOUND = "not_found"
    ERROR = "error"
    UNKNOWN = "unknown"  # the source gives no way to tell (e.g. managed control plane audit logs)


class LoggingStatus(str, Enum):
    ENABLED = "enabled"
    PARTIAL = "partial"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Scope:
    """A boundary that identities live in: an AWS account, an Azure tenant or subscription, a GCP
    project or organisation, a Kubernetes cluster or namespace, a host or repository for MCP."""

    provider: str
    type: str
    id: str
    name: str | None = None
    parent: str | None = None  # key of the enclosing scope, e.g. a namespace's cluster

    @property
    def key(self) -> str:
        return scope_key(self.provider, self.type, self.id)


def scope_key(provider: str, type_: str, id_: str) -> str:
    return f"{provider}:{type_}:{id_}"


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: an API call or a file, and the detail inside it."""

    source: str
    detail: str = ""


@dataclass(frozen=True)
class Grant:
    """One grant that reaches an identity: a policy statement, a role binding, a role assignment."""

    source: str
    """Policy ARN and statement index, binding name, role assignment id."""
    kind: str
    """``managed_policy``, ``inline_policy``, ``group_policy``, ``boundary``, ``role_binding``,
    ``role_assignment``..."""
    effect: str = "allow"
    """``allow`` or ``deny``."""
    actions: tuple[str, ...] = ()
    """Actions (or RBAC verbs on resources) it grants; wildcards as written."""
    not_actions: tuple[str, ...] = ()
    """``NotAction``: everything except these."""
    resources: tuple[str, ...] = ()
    """Resources it applies to (``!``-prefixed for ``NotResource``)."""
    conditional: bool = False
    """It carries a condition nhiscan cannot decide."""
    via: str | None = None
    """Group, aggregated role or inherited scope it comes through."""
    role: str | None = None
    """Role name, for RBAC-style providers."""
    scope: str | None = None
    """The resource scope it applies at."""


@dataclass(frozen=True)
class PermissionSummary:
    """The grants that reach an identity and the classes derived from them.

    ``classes`` holds the derived labels rules read (``admin``, ``can_escalate``, ``iam_write``,
    ``secret_read``, ``wildcard`` and provider-specific ones such as ``k8s_bind``);
    ``reasons`` maps each class to the grant sources that put it there.
    """

    grants: tuple[Grant, ...] = ()
    classes: tuple[str, ...] = ()
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def has(self, cls: str) -> bool:
        return cls in self.classes


@dataclass(frozen=True)
class Identity:
    id: str  # stable canonical id: ARN, object id, SA email, system:serviceaccount:ns:name
    provider: str
    kind: str  # aws.iam_role, azure.service_principal, k8s.service_account, agent.bedrock_agent, ...
    scope: str  # Scope.key
    name: str
    created: datetime | None = None
    last_used: datetime | None = None
    owner: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    usage: str = Usage.UNKNOWN.value
    evidence: tuple[Evidence, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    permissions: PermissionSummary = field(default_factory=PermissionSummary)
    managed_by: str = ManagedBy.CUSTOMER.value  # a ManagedBy value
    aliases: tuple[str, ...] = ()  # other ids it is named by (Azure appId, GCP unique id)
    facts: Any = None  # instance of the provider's registered identity facts class
    agent: AgentFacts | None = None  # for AI agents, gateways, runtimes and MCP servers


def aliases_of(ident: Identity) -> tuple[str, ...]:
    """Every other id ``ident`` is named by: the typed ``aliases`` and, while providers move off
    it, the untyped ``attributes["aliases"]`` list."""
    legacy = ident.attributes.get("aliases")
    extra = tuple(a for a in legacy if isinstance(a, str) and a) if isinstance(legacy, (list, tuple)) else ()
    return ident.aliases + extra


@dataclass(frozen=True)
class Credential:
    """A credential that belongs to an identity. ``id`` is an identifier (key id, slot, secret
    name) and never the secret value; ``fingerprint`` is a short hash when only the value itself
    identifies the credential (a token in a config file)."""

    id: str
    identity_id: str
    kind: str  # aws.access_key, gcp.sa_key, azure.client_secret, k8s.legacy_token, mcp.static_token, ...
    created: datetime | None = None
    expires: datetime | None = None
    last_used: datetime | None = None
    active: bool = True
    location: str | None = None  # file and JSON path, secret name
    fingerprint: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    facts: Any = None  # instance of the provider's registered credential facts class


@dataclass(frozen=True)
class Edge:
    """``src`` can act as ``dst``. Edges may cross providers (a Kubernetes SA to an IAM role)."""

    src: str
    dst: str
    kind: str  # aws.assume_role, k8s.cloud_identity, gcp.impersonate, agent.runs_as, ...
    evidence: tuple[Evidence, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    conditional: bool = False  # holds only under a condition nhiscan cannot decide
    facts: Any = None  # instance of the provider's registered edge facts class


@dataclass(frozen=True)
class LoggingState:
    """Whether the activity of identities in a scope is recorded."""

    scope: str
    provider: str
    status: str  # LoggingStatus value
    summary: str
    evidence: tuple[Evidence, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    facts: Any = None  # instance of the provider's registered logging facts class


@dataclass(frozen=True)
class CoverageEntry:
    """What a collector could or could not read, and why. Gaps are reported, never silent."""

    provider: str
    scope: str
    source: str  # API operation or file
    status: str  # CoverageStatus value
    detail: str = ""

    @property
    def is_gap(self) -> bool:
        return self.status != CoverageStatus.OK.value


@dataclass(frozen=True)
class Inventory:
    identities: tuple[Identity, ...] = ()
    credentials: tuple[Credential, ...] = ()
    edges: tuple[Edge, ...] = ()
    logging: tuple[LoggingState, ...] = ()
    coverage: tuple[CoverageEntry, ...] = ()
    scopes: tuple[Scope, ...] = ()
    providers: tuple[str, ...] = ()
    generated_at: datetime | None = None
    schema_version: str = INVENTORY_SCHEMA_VERSION

    @property
    def gaps(self) -> tuple[CoverageEntry, ...]:
        return tuple(c for c in self.coverage if c.is_gap)


def merge(parts: Iterable[Inventory], generated_at: datetime | None = None) -> Inventory:
    """Combine inventories from several providers or files. Later duplicates of an identity,
    credential or scope (same id) are dropped, so re-reading a file is harmless."""
    identities: dict[str, Identity] = {}
    credentials: dict[tuple[str, str], Credential] = {}
    scopes: dict[str, Scope] = {}
    edges: dict[tuple[str, str, str], Edge] = {}
    logging: dict[tuple[str, str], LoggingState] = {}
    coverage: list[CoverageEntry] = []
    providers: list[str] = []
    for part in parts:
        for i in part.identities:
            identities.setdefault(i.id, i)
        for c in part.credentials:
            credentials.setdefault((c.identity_id, c.id), c)
        for s in part.scopes:
            scopes.setdefault(s.key, s)
        for e in part.edges:
            edges.setdefault((e.src, e.dst, e.kind), e)
        for lg in part.logging:
            logging.setdefault((lg.scope, lg.provider), lg)
        coverage.extend(c for c in part.coverage if c not in coverage)
        providers.extend(p for p in part.providers if p not in providers)
        generated_at = generated_at or part.generated_at
    return Inventory(
        identities=tuple(identities.values()),
        credentials=tuple(credentials.values()),
        edges=tuple(edges.values()),
        logging=tuple(logging.values()),
        coverage=tuple(coverage),
        scopes=tuple(scopes.values()),
        providers=tuple(providers),
        generated_at=generated_at,
    )
