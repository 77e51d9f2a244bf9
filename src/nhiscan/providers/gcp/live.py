"""Live GCP collection with the Google Cloud client libraries, read-only calls only.

Calls made (and nothing else):

- IAM admin (``google.cloud.iam_admin_v1``, gRPC): ``ListServiceAccounts``,
  ``ListServiceAccountKeys``, ``GetIamPolicy`` on each service account, ``GetRole``;
- Resource Manager v3 (REST): ``projects.get``, ``projects.getIamPolicy``, ``projects.search``
  (organisation scans without ``--project``), ``organizations.getIamPolicy``;
- Cloud Asset (REST): ``searchAllIamPolicies`` over the organisation (folder and resource policies);
- Vertex AI (REST, :mod:`nhiscan.providers.gcp.agents`): ``projects.locations.list`` and
  ``reasoningEngines.list`` in each location.

Every response is converted to the JSON shape gcloud prints and read by the same functions the
offline importer uses. A failed call becomes a coverage entry and the scan carries on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from nhiscan.coverage import one_line, status_for
from nhiscan.errors import CollectionError, MissingExtraError
from nhiscan.model import CoverageEntry, CoverageStatus, scope_key
from nhiscan.providers.gcp import parse
from nhiscan.providers.gcp.agents.live import EngineCollector, make_client
from nhiscan.providers.gcp.estate import EstateBuilder, PolicyRecord, ProjectRecord
from nhiscan.providers.interface import NullProgress, ProgressSink

T = TypeVar("T")
RETRY_TIMEOUT = 30.0


@dataclass(frozen=True)
class GcpClients:
    """The clients a scan uses; tests build them against local servers."""

    iam: Any
    projects: Any
    organizations: Any
    assets: Any
    aiplatform: Any = None  # agents.live.AiPlatformRest; None skips the agent inventory


def make_clients(
    credentials: Any,
    *,
    iam_transport: Any = None,
    rest_endpoint: str | None = None,
    aiplatform_endpoint: str | None = None,
) -> GcpClients:
    """Clients on the default Google endpoints, or on ``rest_endpoint`` (Resource Manager and
    Cloud Asset over REST), ``aiplatform_endpoint`` (Vertex AI; may contain ``{location}``) and a
    prepared gRPC ``iam_transport``."""
    try:
        from google.api_core.client_options import ClientOptions
        from google.cloud import asset_v1, iam_admin_v1, resourcemanager_v3
    except ImportError as exc:  # pragma: no cover - the gcp extra is installed in the test venv
        raise MissingExtraError("gcp", exc.name or "google-cloud-iam") from exc

    options = ClientOptions(api_endpoint=rest_endpoint) if rest_endpoint else None
    iam = (
        iam_admin_v1.IAMClient(transport=iam_transport)
        if iam_transport is not None
        else iam_admin_v1.IAMClient(credentials=credentials)
    )
    rest = {"credentials": credentials, "transport": "rest", "client_options": options}
    return GcpClients(
        iam=iam,
        projects=resourcemanager_v3.ProjectsClient(**rest),
        organizations=resourcemanager_v3.OrganizationsClient(**rest),
        assets=asset_v1.AssetServiceClient(**rest),
        aiplatform=make_client(credentials, aiplatform_endpoint),
    )


def error_status(exc: BaseException) -> tuple[str, str]:
    """Coverage status and one-line detail of a failed call. ``google.api_core`` errors carry the
    HTTP status of the failure as ``code`` (gRPC errors too), so the shared mapping applies; the
    first line of the message is the part worth showing."""
    message = one_line((str(getattr(exc, "message", "") or exc).splitlines() or [""])[0], limit=300)
    code = getattr(exc, "code", None)
    return status_for(code if isinstance(code, int) else None, message).value, message


class LiveCollector:
    """Reads projects and an optional organisation into an :class:`EstateBuilder`."""

    def __init__(
        self,
        clients: GcpClients,
        progress: ProgressSink | None = None,
        retry_timeout: float = RETRY_TIMEOUT,
        workers: int = 8,
        locations: Sequence[str] | None = None,
    ) -> None:
        from google.api_core import exceptions as gexc
        from google.api_core.retry import Retry, if_exception_type

        self.clients = clients
        self.progress = progress or NullProgress()
        self.out = EstateBuilder()
        self.reads = 0
        self.workers = workers
        self.org_projects: set[str] = set()  # project numbers named by the organisation's asset search
        self.searched = False
        self._lock = threading.Lock()
        # Throttling is retried with backoff; everything else is reported at once.
        self.retry = Retry(
            predicate=if_exception_type(
                gexc.TooManyRequests, gexc.ResourceExhausted, gexc.ServiceUnavailable
            ),
            initial=0.05,
            maximum=2.0,
            multiplier=2.0,
            timeout=retry_timeout,
        )
        self._retry_error = gexc.RetryError
        self._errors: tuple[type[BaseException], ...] = (gexc.GoogleAPICallError, gexc.RetryError)
        self.engines = (
            EngineCollector(clients.aiplatform, self.out, self._lock, locations, retry_timeout, workers)
            if clients.aiplatform is not None
            else None
        )

    def _call(self, scope: str, source: str, fn: Callable[[], T], record_ok: bool = False) -> T | None:
        try:
            result = fn()
        except self._errors as exc:
            if isinstance(exc, self._retry_error):
                cause = exc.cause if exc.cause is not None else exc
                status, detail = error_status(cause)
                detail = f"gave up after retries: {detail}"
            else:
                status, detail = error_status(exc)
            with self._lock:
                self.out.coverage.append(CoverageEntry("gcp", scope, source, status, detail))
            return None
        with self._lock:
            self.reads += 1
            if record_ok:
                self.out.coverage.append(CoverageEntry("gcp", scope, source, CoverageStatus.OK.value))
        return result

    # -- organisation ----------------------------------------------------------------------------

    def organization(self, org: str) -> None:
        from google.cloud import asset_v1
        from google.protobuf import json_format

        scope = scope_key("gcp", "organization", org.split("/", 1)[1])
        self.out.add_organization(org)
        self.progress.step(f"gcp: {org} IAM policy")
        policy = self._call(
            scope,
            "organizations.getIamPolicy",
            lambda: self.clients.organizations.get_iam_policy(
                request={"resource": org, "options": {"requested_policy_version": 3}}, retry=self.retry
            ),
            record_ok=True,
        )
        if policy is not None:
            body = json_format.MessageToDict(policy)
            body.setdefault("auditConfigs", [])  # omitted when none are set
            self._policy(
                body,
                org,
                "organization",
                None,
                f"organizations.getIamPolicy {org}",
            )
        self.progress.step(f"gcp: {org} searchAllIamPolicies")

        def search() -> list[dict[str, Any]]:
            pager = self.clients.assets.search_all_iam_policies(request={"scope": org}, retry=self.retry)
            return [
                asset_v1.IamPolicySearchResult.to_dict(
                    r, preserving_proto_field_name=False, use_integers_for_enums=False
                )
                for r in pager
            ]

        results = self._call(scope, "cloudasset.searchAllIamPolicies", search, record_ok=True)
        where = f"cloudasset.searchAllIamPolicies {org}"
        for i, r in enumerate(results or []):
            self.out.policies.append(parse.search_result(r, where, f"results[{i}]", self.out))
            # Every project has an IAM policy, so the search names every project of the org.
            if r.get("project"):
                self.org_projects.add(str(r["project"]).split("/", 1)[1])
        self.searched = results is not None

    def discover_projects(self, org: str) -> list[str]:
        """Projects the credentials can see; when the organisation's asset search succeeded, only
        those it names (``projects.search`` also returns projects of other organisations)."""
        scope = scope_key("gcp", "organization", org.split("/", 1)[1])
        found = self._call(
            scope,
            "projects.search",
            lambda: [
                (p.project_id, p.name.split("/", 1)[-1])
                for p in self.clients.projects.search_projects(request={}, retry=self.retry)
            ],
            record_ok=True,
        )
        return [pid for pid, number in found or [] if not self.searched or number in self.org_projects]

    # -- projects --------------------------------------------------------------------------------

    def project(self, project_id: str) -> None:
        from google.cloud import iam_admin_v1
        from google.protobuf import json_format

        scope = scope_key("gcp", "project", project_id)
        name = f"projects/{project_id}"
        self.progress.step(f"gcp: {name}")
        proj = self._call(
            scope, "projects.get", lambda: self.clients.projects.get_project(name=name, retry=self.retry)
        )
        if proj is not None:
            self.out.projects.append(
                ProjectRecord(
                    project_id=proj.project_id or project_id,
                    number=proj.name.split("/", 1)[1] if proj.name else None,
                    display_name=proj.display_name or None,
                    parent=proj.parent or None,
                    source=f"projects.get {name}",
                )
            )
        policy = self._call(
            scope,
            "projects.getIamPolicy",
            lambda: self.clients.projects.get_iam_policy(
                request={"resource": name, "options": {"requested_policy_version": 3}}, retry=self.retry
            ),
            record_ok=True,
        )
        if policy is not None:
            body = json_format.MessageToDict(policy)
            # The API omits auditConfigs when there are none; that means "none", not "unknown".
            body.setdefault("auditConfigs", [])
            self._policy(body, name, "project", project_id, f"projects.getIamPolicy {name}")

        accounts = self._call(
            scope,
            "iam.serviceAccounts.list",
            lambda: list(
                self.clients.iam.list_service_accounts(
                    request={"name": name, "page_size": 100}, retry=self.retry
                )
            ),
            record_ok=True,
        )
        to_dict = iam_admin_v1.ServiceAccount.to_dict
        where = f"iam.serviceAccounts.list {name}"
        records = []
        for i, sa in enumerate(accounts or []):
            body = to_dict(sa, preserving_proto_field_name=False, use_integers_for_enums=False)
            record = parse.service_account(body, where, f"accounts[{i}]")
            self.out.service_accounts.append(record)
            records.append((sa.name or f"{name}/serviceAccounts/{record.email}", record.email))
        # Two calls per account dominate a project scan; run them concurrently (the gRPC client
        # is thread-safe) and record the results in list order so the estate is deterministic.
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            fetched = list(pool.map(lambda r: self._fetch_account(scope, *r), records))
        for (_, email), (keys, policy) in zip(records, fetched, strict=True):
            self._account(email, project_id, keys, policy)
        if self.engines is not None:
            self.progress.step(f"gcp: {name} Vertex AI Agent Engine")
            self.engines.project(project_id)
            with self._lock:
                self.reads += self.engines.reads
                self.engines.reads = 0

    def _fetch_account(self, scope: str, sa_name: str, email: str) -> tuple[Any, Any]:
        keys = self._call(
            scope,
            f"iam.serviceAccounts.keys.list {email}",
            lambda: self.clients.iam.list_service_account_keys(request={"name": sa_name}, retry=self.retry),
        )
        policy = self._call(
            scope,
            f"iam.serviceAccounts.getIamPolicy {email}",
            lambda: self.clients.iam.get_iam_policy(request={"resource": sa_name}, retry=self.retry),
        )
        return keys, policy

    def _account(self, email: str, project_id: str, keys: Any, policy: Any) -> None:
        from google.cloud import iam_admin_v1
        from google.protobuf import json_format

        where = f"iam.serviceAccounts.keys.list {email}"
        for i, k in enumerate(keys.keys if keys is not None else []):
            body = iam_admin_v1.ServiceAccountKey.to_dict(
                k, preserving_proto_field_name=False, use_integers_for_enums=False
            )
            # Keep metadata only: key material never leaves this function.
            body = {f: body[f] for f in _KEY_FIELDS if f in body}
            self.out.keys.append(parse.key(body, where, f"keys[{i}]", account=email))
        if policy is not None:
            self._policy(
                json_format.MessageToDict(policy),
                f"projects/{project_id}/serviceAccounts/{email}",
                "service_account",
                project_id,
                f"iam.serviceAccounts.getIamPolicy {email}",
            )

    def _policy(
        self, body: dict[str, Any], resource: str, level: str, project: str | None, where: str
    ) -> None:
        bindings, audit = parse.policy_body(body, where, "")
        self.out.policies.append(PolicyRecord(resource, level, bindings, audit, where, project))

    # -- roles -----------------------------------------------------------------------------------

    def role_fetcher(self) -> Callable[[str], frozenset[str] | None]:
        def fetch(role: str) -> frozenset[str] | None:
            found = self._call(
                scope_key("gcp", "roles", "iam"),
                f"iam.roles.get {role}",
                lambda: self.clients.iam.get_role(request={"name": role}, retry=self.retry),
            )
            return frozenset(found.included_permissions) if found is not None else None

        return fetch


_KEY_FIELDS = (
    "name",
    "keyType",
    "keyOrigin",
    "keyAlgorithm",
    "validAfterTime",
    "validBeforeTime",
    "disabled",
)


def collect_estate(
    collector: LiveCollector, projects: Sequence[str], organization: str | None
) -> EstateBuilder:
    """Run the collector over an organisation and/or projects. Raises CollectionError when not a
    single call succeeded."""
    wanted: list[str] = list(dict.fromkeys(projects))
    if organization:
        org = organization if organization.startswith("organizations/") else f"organizations/{organization}"
        collector.organization(org)
        if not wanted:
            wanted = collector.discover_projects(org)
    for project_id in _unique(wanted):
        collector.project(project_id)
    if collector.reads == 0:
        gaps = "; ".join(f"{c.source}: {c.status} {c.detail}".strip() for c in collector.out.coverage[:3])
        raise CollectionError(f"gcp: nothing could be read ({gaps or 'no project or organisation to scan'})")
    return collector.out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
