"""Google Cloud: service accounts, their keys, IAM bindings, impersonation edges and Cloud Audit
Logs configuration, read live (Application Default Credentials) or from gcloud JSON exports.

Inventory produced (see docs/providers/gcp.md; every fact is typed, in
:mod:`nhiscan.providers.gcp.facts`):

- identities ``gcp.service_account``: id = name = the SA email, scope ``gcp:project:<project id>``,
  ``aliases`` = (unique id,), ``managed_by: provider`` for Google-managed service agents; facts
  :class:`~nhiscan.providers.gcp.facts.GcpIdentityFacts` (``identity.gcp.*``: project, disabled,
  default_service_account, listed, roles, admin_roles, basic_roles, impersonators, ...,
  user_managed_keys, used_by_agents);
- credentials ``gcp.sa_key``: id = key id, created = validAfterTime, expires = validBeforeTime
  (omitted for the year-9999 "never"), facts ``credential.gcp.key_type`` / ``key_origin`` /
  ``key_algorithm``;
- edges ``gcp.impersonate``, ``gcp.implicit_delegation``, ``gcp.act_as``, ``gcp.create_key``
  from a member (SA email, or ``user:``/``group:``/``domain:`` form) to an SA email, with
  ``conditional`` and ``edge.gcp.*`` (scope_level, member, roles, workload_identity);
- one logging state per project from the effective ``auditConfigs`` (``logging.gcp.*``);
- identities ``agent.vertex_agent_engine`` (Vertex AI Agent Engine) with ``agent.runs_as`` edges to
  the principal they run as, ``identity.agent`` (:class:`nhiscan.facts.AgentFacts`) and
  ``identity.gcp.agent_engine``; see :mod:`nhiscan.providers.gcp.agents`.

Importing this module does not import any Google library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from nhiscan.errors import CollectionError, InputError, MissingExtraError
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, scope_key
from nhiscan.providers.gcp import agents, parse
from nhiscan.providers.gcp.build import KEY_KIND, SA_KIND, build_inventory
from nhiscan.providers.gcp.estate import EstateBuilder, PolicyRecord
from nhiscan.providers.gcp.facts import GcpCredentialFacts, GcpEdgeFacts, GcpIdentityFacts, GcpLoggingFacts
from nhiscan.providers.gcp.live import RETRY_TIMEOUT, GcpClients, LiveCollector, collect_estate, make_clients
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.providers.gcp.settings import GcpSettings
from nhiscan.providers.interface import (
    CollectOptions,
    LoadedFile,
    ProviderPlugin,
    RecognisedFile,
    file_label,
)

_METADATA_HINTS = (
    "GCE_METADATA_HOST",
    "GCE_METADATA_IP",
    "K_SERVICE",
    "CLOUD_RUN_JOB",
    "FUNCTION_TARGET",
    "GAE_APPLICATION",
)


def adc_file() -> Path:
    """Where ``gcloud auth application-default login`` writes the credentials."""
    config = os.environ.get("CLOUDSDK_CONFIG")
    if config:
        return Path(config) / "application_default_credentials.json"
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return Path(os.environ.get("APPDATA", "")) / "gcloud" / "application_default_credentials.json"
    return Path.home() / ".config" / "gcloud" / "application_default_credentials.json"


class Plugin(ProviderPlugin):
    name = "gcp"
    extra = "gcp"
    description = "Google Cloud service accounts, keys, IAM bindings, impersonation and audit logs"
    external_source_edge_kinds: ClassVar[frozenset[str]] = frozenset({"gcp.workload_identity_federation"})
    identity_facts: ClassVar[type | None] = GcpIdentityFacts
    credential_facts: ClassVar[type | None] = GcpCredentialFacts
    edge_facts: ClassVar[type | None] = GcpEdgeFacts
    logging_facts: ClassVar[type | None] = GcpLoggingFacts
    identity_kinds: ClassVar[Mapping[str, str]] = {
        SA_KIND: "Service account (user-managed, project default or Google-managed service agent)",
        agents.ENGINE_KIND: "Vertex AI Agent Engine (reasoning engine)",
    }
    credential_kinds: ClassVar[Mapping[str, str]] = {KEY_KIND: "Service-account key"}
    edge_kinds: ClassVar[Mapping[str, str]] = {
        "gcp.impersonate": "Can mint tokens or signatures as the service account (getAccessToken, signBlob, signJwt)",
        "gcp.implicit_delegation": "Can impersonate through it in a delegation chain (implicitDelegation)",
        "gcp.act_as": "Can attach the service account to resources it creates (actAs)",
        "gcp.create_key": "Can create keys for the service account (serviceAccountKeys.create)",
        "gcp.workload_identity_federation": "A federated external identity admitted to the service account",
        agents.RUNS_AS: "Agent Engine runs as this principal",
    }

    display_name = "Google Cloud"
    settings_class = GcpSettings
    sdk_modules = (
        "google.auth",
        "google.cloud.iam_admin_v1",
        "google.cloud.resourcemanager_v3",
        "google.cloud.asset_v1",
    )

    def credentials_hint(self, options: CollectOptions) -> str | None:
        if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
            return None
        if adc_file().is_file():
            return None
        if any(os.environ.get(v) for v in _METADATA_HINTS):
            return None
        return (
            "no Google Application Default Credentials (set GOOGLE_APPLICATION_CREDENTIALS or run "
            "`gcloud auth application-default login`)"
        )

    def collect(self, options: CollectOptions) -> Inventory:
        try:
            import google.auth
            from google.auth.exceptions import DefaultCredentialsError
        except ImportError as exc:  # pragma: no cover - the gcp extra is installed in the test venv
            raise MissingExtraError("gcp", "google-auth") from exc
        settings = options.settings_for(GcpSettings)
        projects = list(settings.projects)
        organization = settings.organization
        try:
            credentials, default_project = google.auth.default(
                scopes=["https://www.googleapis.com/auth/cloud-platform"]
            )
        except DefaultCredentialsError as exc:
            raise CollectionError(f"gcp: {str(exc).splitlines()[0]}") from exc
        if not projects and not organization:
            if not default_project:
                raise CollectionError("gcp: no project to scan; pass --project P or --organization ORG")
            projects = [default_project]
        clients = make_clients(credentials, aiplatform_endpoint=settings.aiplatform_endpoint)
        return collect_inventory(clients, projects, organization, options)

    def recognise(self, file: LoadedFile) -> str | None:
        return agents.recognise(file.data) or parse.recognise(file.data, file.text)

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        out = EstateBuilder()
        for f in files:
            if f.doc_type == agents.REASONING_ENGINES:
                agents.read_engines(f.file.data, file_label(f.file.path), out)
            else:
                parse.read_document(f.doc_type, f.file.data, f.file.text, file_label(f.file.path), out)
        _resolve_policy_projects(out)
        if out.service_accounts and not out.keys:
            out.coverage.append(
                CoverageEntry(
                    "gcp",
                    scope_key("gcp", "files", "offline"),
                    "iam.serviceAccounts.keys.list",
                    CoverageStatus.NOT_FOUND.value,
                    "no key list among the exported files; key rules cannot run",
                )
            )
        return build_inventory(out.freeze(), RoleBook(), generated_at=options.as_of)


def _resolve_policy_projects(out: EstateBuilder) -> None:
    """A bare ``gcloud projects get-iam-policy`` file that names no project-owned SA or custom role
    belongs to the only project the other files name; with several candidates it is an error."""
    known = {sa.project for sa in out.service_accounts if sa.project}
    known |= {p.project_id for p in out.projects}
    known |= {p.project for p in out.policies if p.project and p.resource != parse.UNRESOLVED_PROJECT}
    for i, p in enumerate(out.policies):
        if p.resource != parse.UNRESOLVED_PROJECT:
            continue
        if len(known) != 1:
            raise InputError(
                p.source,
                "cannot tell which project this IAM policy belongs to (no project service account or custom "
                "role in its bindings); import it together with that project's service-account list only",
            )
        project = next(iter(known))
        out.policies[i] = PolicyRecord(
            f"projects/{project}", p.level, p.bindings, p.audit_configs, p.source, project, p.ancestors
        )


def collect_inventory(
    clients: GcpClients,
    projects: Sequence[str],
    organization: str | None,
    options: CollectOptions,
    retry_timeout: float | None = None,
) -> Inventory:
    """Collect with prepared clients (the live path of ``Plugin.collect``; tests call it with
    clients pointed at local fakes)."""
    collector = LiveCollector(
        clients,
        options.progress,
        retry_timeout or RETRY_TIMEOUT,
        locations=options.settings_for(GcpSettings).locations or None,
    )
    out = collect_estate(collector, projects, organization)
    # Fetch every role once, concurrently, before the estate is frozen so that denied role reads
    # land in its coverage.
    needed = sorted({b.role for p in out.policies for b in p.bindings} - set(out.roles))
    options.progress.step(f"gcp: expanding {len(needed)} roles")
    with ThreadPoolExecutor(max_workers=collector.workers) as pool:
        fetched = dict(zip(needed, pool.map(collector.role_fetcher(), needed), strict=True))
    roles = RoleBook(known=dict(out.roles), fetch=fetched.get)
    return build_inventory(out.freeze(), roles, generated_at=options.as_of)
