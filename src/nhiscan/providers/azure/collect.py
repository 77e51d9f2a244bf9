"""Live collection: Microsoft Graph for the directory, Azure Resource Manager for RBAC and
diagnostic settings, Azure Resource Graph for the resources that carry managed identities (one
query across every subscription instead of one resource listing per subscription).

Every call is a GET except the Resource Graph query, which is a read-only POST. Each source that
cannot be read (403, 404, throttled past the retry budget) becomes a coverage entry and the scan
goes on; CollectionError is raised only when nothing at all could be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from nhiscan.errors import CollectionError, MissingExtraError
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, scope_key
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure import documents as d
from nhiscan.providers.azure.build import build_inventory
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.context import PROVIDER
from nhiscan.providers.azure.http import ApiError, AzureHttp
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import CollectOptions

GRAPH = "https://graph.microsoft.com"
ARM = "https://management.azure.com"
_OWNERS = "owners($select=id,displayName,userPrincipalName)"
API_SUBSCRIPTIONS = "2022-12-01"
API_AUTHORIZATION = "2022-04-01"
API_DIAGNOSTICS = "2021-05-01-preview"
API_AADIAM = "2017-04-01"
API_RESOURCE_GRAPH = "2022-10-01"
API_MANAGED_IDENTITY = "2023-01-31"
RESOURCE_GRAPH_THRESHOLD = 10
RBAC_QUERY = "authorizationresources | where type =~ 'microsoft.authorization/{type}' | project id, name, type, properties"
IDENTITY_QUERY = (
    "resources | where isnotempty(identity) or type =~ 'microsoft.managedidentity/userassignedidentities'"
    " | project id, type, identity, tags, properties"
)


class _TenantCredential:
    """Pins every token request to the chosen tenant."""

    def __init__(self, inner: Any, tenant: str) -> None:
        self.inner = inner
        self.tenant = tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self.inner.get_token(*scopes, tenant_id=self.tenant, **kwargs)


def _credential(settings: AzureSettings) -> Any:
    if settings.credential is not None:
        return settings.credential
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise MissingExtraError("azure", "azure-identity") from exc
    return DefaultAzureCredential(additionally_allowed_tenants=["*"])


class _Run:
    def __init__(self, options: CollectOptions) -> None:
        s = options.settings_for(AzureSettings)
        self.options = options
        self.tenant: str | None = s.tenant.lower() if s.tenant else None
        credential = _credential(s)
        if self.tenant:
            credential = _TenantCredential(credential, self.tenant)
        retries = s.max_retries
        self.graph = AzureHttp(
            s.graph_endpoint or GRAPH, f"{GRAPH}/.default", credential, max_retries=retries
        )
        self.arm = AzureHttp(s.arm_endpoint or ARM, f"{ARM}/.default", credential, max_retries=retries)
        self.c = Collected()
        self.ok = 0

    def close(self) -> None:
        self.graph.close()
        self.arm.close()

    def tenant_scope(self) -> str:
        """The tenant's scope key (``unknown`` until the tenant is resolved)."""
        return scope_key(PROVIDER, "tenant", self.tenant or "unknown")

    def attempt(self, scope: str, source: str, fn: Callable[[], Any]) -> Any:
        """Run one read; record success or the gap. Returns None when it failed."""
        self.options.progress.step(f"azure: {source}")
        try:
            result = fn()
        except ApiError as exc:
            self.c.coverage.append(CoverageEntry(PROVIDER, scope, source, exc.status, str(exc)))
            return None
        self.ok += 1
        self.c.coverage.append(CoverageEntry(PROVIDER, scope, source, CoverageStatus.OK.value))
        return result

    def graph_list(self, doc_type: str, source: str, path: str) -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] | None = self.attempt(
            self.tenant_scope(), source, lambda: list(self.graph.pages(path))
        )
        if items is not None:
            self.c.add(doc_type, (d.camel_keys(i) for i in items), f"graph:{source}")
            self.c.read.add(doc_type)
        return items

    # -- Microsoft Graph ----------------------------------------------------------------------

    def directory(self) -> None:
        if not self.tenant:
            org = self.attempt(
                "azure", "GET /v1.0/organization", lambda: list(self.graph.pages("/v1.0/organization"))
            )
            if org:
                self.tenant = str(org[0].get("id", "")).lower() or None
                self.c.tenant_name = org[0].get("displayName")
        sps = self.graph_list(
            dt.SERVICE_PRINCIPALS,
            "GET /v1.0/servicePrincipals",
            f"/v1.0/servicePrincipals?$top=999&$expand={_OWNERS}",
        )
        self.graph_list(
            dt.APPLICATIONS, "GET /v1.0/applications", f"/v1.0/applications?$top=999&$expand={_OWNERS}"
        )
        self.graph_list(
            dt.APPLICATIONS,
            "GET /v1.0/applications (federatedIdentityCredentials)",
            "/v1.0/applications?$top=999&$select=id,appId&$expand=federatedIdentityCredentials",
        )
        graph_sp = next(
            (sp for sp in sps or [] if str(sp.get("appId")).lower() == cat.MICROSOFT_GRAPH_APP_ID), None
        )
        if graph_sp is not None:
            self.graph_list(
                dt.APP_ROLE_ASSIGNMENTS,
                "GET /v1.0/servicePrincipals/{graph}/appRoleAssignedTo",
                f"/v1.0/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo?$top=999",
            )
        elif sps is not None:
            self.c.coverage.append(
                CoverageEntry(
                    PROVIDER,
                    self.tenant_scope(),
                    "GET /v1.0/servicePrincipals/{graph}/appRoleAssignedTo",
                    CoverageStatus.NOT_FOUND.value,
                    "the Microsoft Graph service principal is not in the tenant listing",
                )
            )
        from nhiscan.providers.azure.agents.live import collect_agents

        collect_agents(self)
        self.graph_list(
            dt.DIRECTORY_ROLE_ASSIGNMENTS,
            "GET /v1.0/roleManagement/directory/roleAssignments",
            "/v1.0/roleManagement/directory/roleAssignments?$expand=roleDefinition",
        )
        self.graph_list(
            dt.SIGN_IN_ACTIVITY,
            "GET /beta/reports/servicePrincipalSignInActivities",
            "/beta/reports/servicePrincipalSignInActivities",
        )
        self.graph_list(
            dt.CREDENTIAL_SIGN_IN_ACTIVITY,
            "GET /beta/reports/appCredentialSignInActivities",
            "/beta/reports/appCredentialSignInActivities",
        )

    # -- Azure Resource Manager ---------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        s = self.options.settings_for(AzureSettings)
        wanted = [x.lower() for x in s.subscriptions]
        if wanted and not s.all_subscriptions:
            for sid in wanted:
                self.c.subscriptions[sid] = None
            return wanted
        listed = self.attempt(
            "azure",
            "GET /subscriptions",
            lambda: list(self.arm.pages(f"/subscriptions?api-version={API_SUBSCRIPTIONS}")),
        )
        out = list(wanted)
        for sub in listed or []:
            sid = str(sub.get("subscriptionId", "")).lower()
            if not sid or (self.tenant and str(sub.get("tenantId", self.tenant)).lower() != self.tenant):
                continue
            if sid not in out:
                out.append(sid)
            self.c.subscriptions[sid] = sub.get("displayName")
            if not self.tenant and sub.get("tenantId"):
                self.tenant = str(sub["tenantId"]).lower()
        for sid in wanted:
            self.c.subscriptions.setdefault(sid, None)
        return out

    def arm_list(self, doc_type: str, scope: str, source: str, path: str) -> bool:
        items = self.attempt(scope, source, lambda: list(self.arm.pages(path)))
        if items is None:
            return False
        self.c.add(doc_type, (d.flatten_arm(i) for i in items), f"arm:{source}")
        return True

    def subscription(self, sid: str, rbac: bool) -> None:
        scope = scope_key(PROVIDER, "subscription", sid)
        base = f"/subscriptions/{sid}/providers"
        if rbac:
            self.subscription_rbac(sid, scope, base)
        if self.arm_list(
            dt.ACTIVITY_LOG_SETTINGS,
            scope,
            f"GET {base}/Microsoft.Insights/diagnosticSettings",
            f"{base}/Microsoft.Insights/diagnosticSettings?api-version={API_DIAGNOSTICS}",
        ):
            self.c.activity_log_read.add(sid)

    def subscription_rbac(self, sid: str, scope: str, base: str) -> None:
        if self.arm_list(
            dt.ROLE_ASSIGNMENTS,
            scope,
            f"GET {base}/Microsoft.Authorization/roleAssignments",
            f"{base}/Microsoft.Authorization/roleAssignments?api-version={API_AUTHORIZATION}",
        ):
            self.c.read.add(dt.ROLE_ASSIGNMENTS)
        self.arm_list(
            dt.ROLE_DEFINITIONS,
            scope,
            f"GET {base}/Microsoft.Authorization/roleDefinitions",
            f"{base}/Microsoft.Authorization/roleDefinitions?api-version={API_AUTHORIZATION}",
        )

    def entra_settings(self) -> None:
        if self.arm_list(
            dt.ENTRA_SETTINGS,
            self.tenant_scope(),
            "GET /providers/microsoft.aadiam/diagnosticSettings",
            f"/providers/microsoft.aadiam/diagnosticSettings?api-version={API_AADIAM}",
        ):
            self.c.read.add(dt.ENTRA_SETTINGS)

    def resource_graph(self, query: str, subscriptions: list[str]) -> list[dict[str, Any]]:
        """Every row of a Resource Graph query across the subscriptions, following
        ``$skipToken``."""
        rows: list[dict[str, Any]] = []
        skip: str | None = None
        for _ in range(10_000):
            options: dict[str, Any] = {"$top": 1000}
            if skip:
                options["$skipToken"] = skip
            page = self.arm.request(
                "POST",
                f"/providers/Microsoft.ResourceGraph/resources?api-version={API_RESOURCE_GRAPH}",
                {"subscriptions": subscriptions, "query": query, "options": options},
            )
            rows += [d.flatten_arm(r) for r in page.get("data") or [] if isinstance(r, dict)]
            skip = page.get("$skipToken")
            if not skip:
                break
        return rows

    def identity_resources(self, subscriptions: list[str]) -> None:
        rows = self.attempt(
            "azure",
            "POST /providers/Microsoft.ResourceGraph/resources (managed identities)",
            lambda: self.resource_graph(IDENTITY_QUERY, subscriptions),
        )
        if rows is None:
            return
        self.c.add(dt.RESOURCES, rows, "arm:resource-graph")
        self.c.read.add(dt.RESOURCES)
        # Federated credentials of user-assigned identities are child resources: one call per
        # identity (there is no tenant-wide listing).
        for row in rows:
            if str(row.get("type", "")).lower() != "microsoft.managedidentity/userassignedidentities":
                continue
            rid = str(row.get("id"))
            self.arm_list(
                dt.MI_FEDERATED_CREDENTIALS,
                scope_key(PROVIDER, "subscription", rid.split("/")[2].lower()),
                f"GET {rid}/federatedIdentityCredentials",
                f"{rid}/federatedIdentityCredentials?api-version={API_MANAGED_IDENTITY}",
            )

    def rbac_via_resource_graph(self, subscriptions: list[str]) -> bool:
        """Role assignments and definitions of every subscription in two paged queries instead
        of two calls per subscription. False when Resource Graph could not be read."""
        assignments = self.attempt(
            "azure",
            "POST /providers/Microsoft.ResourceGraph/resources (role assignments)",
            lambda: self.resource_graph(RBAC_QUERY.format(type="roleassignments"), subscriptions),
        )
        if assignments is None:
            return False
        definitions = self.attempt(
            "azure",
            "POST /providers/Microsoft.ResourceGraph/resources (role definitions)",
            lambda: self.resource_graph(RBAC_QUERY.format(type="roledefinitions"), subscriptions),
        )
        self.c.add(dt.ROLE_ASSIGNMENTS, assignments, "arm:resource-graph")
        self.c.read.add(dt.ROLE_ASSIGNMENTS)
        self.c.add(dt.ROLE_DEFINITIONS, definitions or [], "arm:resource-graph")
        return True


def collect(options: CollectOptions) -> Inventory:
    run = _Run(options)
    try:
        run.directory()
        subs = run.subscriptions()
        threshold = options.settings_for(AzureSettings).resource_graph_threshold
        threshold = RESOURCE_GRAPH_THRESHOLD if threshold is None else threshold
        # Many subscriptions: one paged Resource Graph query beats two ARM calls per subscription.
        rbac_done = len(subs) > threshold and run.rbac_via_resource_graph(subs)
        for sid in subs:
            run.subscription(sid, rbac=not rbac_done)
        run.entra_settings()
        if subs:
            run.identity_resources(subs)
    finally:
        run.close()
    if run.ok == 0:
        gaps: Iterable[CoverageEntry] = run.c.coverage
        first = next(iter(gaps), None)
        raise CollectionError(f"azure: nothing could be read ({first.detail if first else 'no sources'})")
    return build_inventory(run.c, run.tenant, options.as_of)
