"""The GCP facts nhiscan reads, normalised: service accounts, keys, IAM policies, projects and
custom roles. Both the live collector and the offline importer fill an :class:`EstateBuilder`
from documents in gcloud's JSON shapes, and :mod:`nhiscan.providers.gcp.build` turns the frozen
:class:`Estate` into an inventory, so a live scan and an import of the same estate agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from nhiscan.model import CoverageEntry


@dataclass(frozen=True)
class ServiceAccountRecord:
    email: str
    project: str | None
    unique_id: str | None = None
    disabled: bool = False
    display_name: str = ""
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class KeyRecord:
    account: str  # the owning SA's email, or its unique id when only that is known
    key_id: str
    name: str
    key_type: str | None
    key_origin: str | None
    key_algorithm: str | None
    valid_after: datetime | None
    valid_before: datetime | None
    disabled: bool
    source: str


@dataclass(frozen=True)
class Binding:
    role: str
    members: tuple[str, ...]
    condition: str | None = None  # the condition's title or expression


@dataclass(frozen=True)
class AuditConfig:
    service: str
    # log type (ADMIN_READ, DATA_READ, DATA_WRITE) -> exempted members
    log_types: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class PolicyRecord:
    """An IAM policy set on one resource. ``resource`` is canonical: ``projects/P``,
    ``folders/F``, ``organizations/O``, ``projects/P/serviceAccounts/<email or unique id>``, or a
    full resource name (``//storage.googleapis.com/...``) for anything else."""

    resource: str
    level: str  # project | folder | organization | service_account | resource
    bindings: tuple[Binding, ...]
    audit_configs: tuple[AuditConfig, ...] | None  # None when the source does not carry them
    source: str
    project: str | None = None  # the project (id or number) holding the resource
    ancestors: tuple[str, ...] = ()  # folders/F..., organizations/O, nearest first


@dataclass(frozen=True)
class ProjectRecord:
    project_id: str
    number: str | None = None
    display_name: str | None = None
    parent: str | None = None  # folders/F or organizations/O
    source: str = ""


@dataclass(frozen=True)
class ReasoningEngineRecord:
    """A Vertex AI Agent Engine (reasoning engine). Only names of environment variables are kept,
    never their values."""

    name: str  # projects/P/locations/L/reasoningEngines/ID as the API returns it (P is usually a number)
    project: str  # project id or number
    location: str
    display_name: str = ""
    description: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    service_account: str | None = None  # spec.serviceAccount
    effective_identity: str | None = None  # spec.effectiveIdentity (output only)
    identity_type: str | None = None  # spec.identityType
    agent_framework: str | None = None
    class_methods: tuple[str, ...] = ()
    env_names: tuple[str, ...] = ()
    secret_env: tuple[tuple[str, str, str], ...] = ()  # (env name, secret, version)
    deployment_source: str | None = None  # package | container | source_code
    container_image: str | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    psc_interface: bool = False
    cmek: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    source: str = ""


@dataclass(frozen=True)
class Estate:
    service_accounts: tuple[ServiceAccountRecord, ...] = ()
    keys: tuple[KeyRecord, ...] = ()
    policies: tuple[PolicyRecord, ...] = ()
    projects: tuple[ProjectRecord, ...] = ()
    folder_parents: tuple[tuple[str, str], ...] = ()  # (folders/F, parent)
    roles: tuple[tuple[str, frozenset[str]], ...] = ()  # custom or exported role -> permissions
    coverage: tuple[CoverageEntry, ...] = ()
    organizations: tuple[str, ...] = ()  # organizations/O scanned or seen
    reasoning_engines: tuple[ReasoningEngineRecord, ...] = ()


@dataclass
class EstateBuilder:
    """Mutable accumulator used while reading; ``freeze()`` gives the immutable estate."""

    service_accounts: list[ServiceAccountRecord] = field(default_factory=list)
    keys: list[KeyRecord] = field(default_factory=list)
    policies: list[PolicyRecord] = field(default_factory=list)
    projects: list[ProjectRecord] = field(default_factory=list)
    folder_parents: dict[str, str] = field(default_factory=dict)
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    coverage: list[CoverageEntry] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    reasoning_engines: list[ReasoningEngineRecord] = field(default_factory=list)

    def add_organization(self, org: str) -> None:
        if org and org not in self.organizations:
            self.organizations.append(org)

    def freeze(self) -> Estate:
        return Estate(
            service_accounts=tuple(self.service_accounts),
            keys=tuple(self.keys),
            policies=tuple(self.policies),
            projects=tuple(self.projects),
            folder_parents=tuple(self.folder_parents.items()),
            roles=tuple(self.roles.items()),
            coverage=tuple(self.coverage),
            organizations=tuple(self.organizations),
            reasoning_engines=tuple(self.reasoning_engines),
        )
