"""A small local Microsoft Graph + Azure Resource Manager server for the Azure collector tests.

It serves the demo tenant in ``examples/demo/azure`` (the same documents the offline importer
reads) in the REST shapes the real services return: Graph collections with ``@odata.nextLink``
paging, ARM ``{value: [{id, name, type, properties}]}`` with ``nextLink``. Knobs let a test make a
path answer 429 with ``Retry-After``, 403, or page in small steps. Anything that is not a GET (or
the read-only Resource Graph query POST) is refused and recorded as a violation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from azure.core.credentials import AccessToken, AccessTokenInfo

TOKEN = "fake-token"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


class StaticTokenCredential:
    """A TokenCredential that hands out a fixed token and records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[str] = []
        self.tenants: list[str | None] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        self.tenants.append(kwargs.get("tenant_id"))
        return AccessToken(TOKEN, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.scopes.extend(scopes)
        return AccessTokenInfo(TOKEN, int(time.time()) + 3600)


def _load(demo: Path, name: str) -> Any:
    return json.loads((demo / name).read_text())


def _values(doc: Any) -> list[dict[str, Any]]:
    return list(doc["value"]) if isinstance(doc, dict) else list(doc)


def _arm(obj: dict[str, Any], top: Iterable[str] = ("id", "name", "type")) -> dict[str, Any]:
    keep = set(top)
    return {
        **{k: obj[k] for k in keep if k in obj},
        "properties": {k: v for k, v in obj.items() if k not in keep},
    }


@dataclass
class Tenant:
    """The fictional estate the server answers with."""

    tenant_id: str
    service_principals: list[dict[str, Any]]
    applications: list[dict[str, Any]]
    fics: dict[str, list[dict[str, Any]]]
    app_role_assignments: list[dict[str, Any]]
    directory_roles: list[dict[str, Any]]
    sign_ins: list[dict[str, Any]]
    credential_sign_ins: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    role_assignments: list[dict[str, Any]]
    role_definitions: list[dict[str, Any]]
    activity_settings: list[dict[str, Any]]
    entra_settings: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    mi_fics: list[dict[str, Any]]
    agents: list[dict[str, Any]] = field(default_factory=list)  # with owners and sponsors
    blueprints: list[dict[str, Any]] = field(default_factory=list)  # with owners, sponsors, FICs, inheritable

    @classmethod
    def from_demo(cls, demo: Path) -> Tenant:
        owners = {a["id"]: a["owners"] for a in _values(_load(demo, "app-owners.json"))}
        fics = {
            a["id"]: a["federatedIdentityCredentials"]
            for a in _values(_load(demo, "app-federated-credentials.json"))
        }
        apps = [{**a, "owners": owners.get(a["id"], [])} for a in _load(demo, "app-list.json")]
        sps = [{**sp, "owners": []} for sp in _load(demo, "sp-list.json")]
        accounts = _load(demo, "accounts.json")
        entra = _load(demo, "entra-diagnostic-settings.json")["value"]
        agent_sponsors = {
            a["id"]: a["sponsors"] for a in _values(_load(demo, "agent-identity-sponsors.json"))
        }
        agents = [
            {**a, "sponsors": agent_sponsors.get(a["id"], [])}
            for a in _values(_load(demo, "agent-identities.json"))
        ]
        bp_sponsors = {b["id"]: b["sponsors"] for b in _values(_load(demo, "agent-blueprint-sponsors.json"))}
        bp_fics = {
            b["id"]: b["federatedIdentityCredentials"]
            for b in _values(_load(demo, "agent-blueprint-federated-credentials.json"))
        }
        inheritable: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(demo.glob("agent-blueprint-inheritable-permissions-*.json")):
            page = _load(demo, path.name)
            parent = page["@odata.context"].split("applications('")[1].split("'")[0]
            inheritable[parent] = page["value"]
        blueprints = [
            {
                **b,
                "sponsors": bp_sponsors.get(b["id"], []),
                "federatedIdentityCredentials": bp_fics.get(b["id"], []),
                "inheritablePermissions": inheritable.get(b["id"], []),
            }
            for b in _values(_load(demo, "agent-blueprints.json"))
        ]
        return cls(
            tenant_id=accounts[0]["tenantId"],
            service_principals=sps,
            applications=apps,
            fics=fics,
            app_role_assignments=_values(_load(demo, "graph-app-role-assignments.json")),
            directory_roles=_values(_load(demo, "directory-role-assignments.json")),
            sign_ins=_values(_load(demo, "sp-sign-in-activity.json")),
            credential_sign_ins=_values(_load(demo, "app-credential-sign-in-activity.json")),
            subscriptions=[
                {
                    "id": f"/subscriptions/{a['id']}",
                    "subscriptionId": a["id"],
                    "displayName": a["name"],
                    "tenantId": a["tenantId"],
                    "state": a["state"],
                }
                for a in accounts
            ],
            role_assignments=_load(demo, "role-assignments.json"),
            role_definitions=_load(demo, "role-definitions.json"),
            activity_settings=_load(demo, "diagnostic-settings-northwind-prod.json"),
            entra_settings=entra,
            resources=_load(demo, "identity-resources.json")["data"],
            mi_fics=_load(demo, "uami-federated-credentials.json"),
            agents=agents,
            blueprints=blueprints,
        )


@dataclass
class FakeAzure:
    """Start with ``with FakeAzure(tenant) as fake:``; ``fake.url`` is the base for both APIs."""

    tenant: Tenant
    page_size: int = 2
    throttle_once: set[str] = field(default_factory=set)  # path prefixes answering 429 once
    throttle_always: set[str] = field(default_factory=set)
    deny: set[str] = field(
        default_factory=lambda: {
            "/beta/reports/servicePrincipalSignInActivities",
            "/beta/reports/appCredentialSignInActivities",
        }
    )
    retry_after: str = "1"
    throttle_status: int = 429  # Graph and ARM also throttle with 503
    # Graph does not document `$expand=sponsors` on agent identities: answer 400 unless told.
    sponsors_expand: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    bad_auth: list[str] = field(default_factory=list)
    _throttled: set[str] = field(default_factory=set)

    def __enter__(self) -> FakeAzure:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                fake._handle(self, "GET", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, "POST", json.loads(self.rfile.read(length) or b"{}"))

            def _refuse(self) -> None:
                fake.violations.append(f"{self.command} {self.path}")
                fake._send(self, 405, {"error": {"code": "MethodNotAllowed", "message": "read-only fake"}})

            do_PUT = do_PATCH = do_DELETE = _refuse

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- plumbing -----------------------------------------------------------------------------

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _page(
        self, path: str, query: dict[str, list[str]], items: list[dict[str, Any]], link_key: str
    ) -> dict[str, Any]:
        start = int(query.get("$skiptoken", ["0"])[0])
        body: dict[str, Any] = {"value": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            q = {k: v[0] for k, v in query.items()}
            q["$skiptoken"] = str(start + self.page_size)
            body[link_key] = f"{self.url}{path}?{urlencode(q)}"
        return body

    def _handle(self, h: BaseHTTPRequestHandler, method: str, body: Any) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query)
        self.requests.append((method, h.path))
        if h.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.bad_auth.append(h.path)
            return self._send(
                h, 401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}
            )
        if method == "POST" and path != "/providers/Microsoft.ResourceGraph/resources":
            self.violations.append(f"POST {h.path}")
            return self._send(h, 405, {"error": {"code": "MethodNotAllowed", "message": "read-only fake"}})
        for prefix in self.throttle_always | (self.throttle_once - self._throttled):
            if path.startswith(prefix) and "$skiptoken" not in query:
                self._throttled.add(prefix)
                return self._send(
                    h,
                    self.throttle_status,
                    {"error": {"code": "TooManyRequests", "message": "slow down"}},
                    {"Retry-After": self.retry_after},
                )
        for prefix in self.deny:
            if path.startswith(prefix):
                return self._send(
                    h,
                    403,
                    {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}},
                )
        status, payload = self._route(path, query, body)
        self._send(h, status, payload)

    # -- the APIs -----------------------------------------------------------------------------

    def _resource_graph(self, body: dict[str, Any]) -> dict[str, Any]:
        t = self.tenant
        subs = {s.lower() for s in body.get("subscriptions", [])}
        query = str(body["query"])
        if "microsoft.authorization/roleassignments" in query:
            rows = [
                _arm(a)
                for a in t.role_assignments
                if not a["scope"].lower().startswith("/subscriptions/")
                or a["scope"].split("/")[2].lower() in subs
            ]
        elif "microsoft.authorization/roledefinitions" in query:
            rows = [_arm(r) for r in t.role_definitions]
        else:
            rows = [r for r in t.resources if r["id"].split("/")[2].lower() in subs]
        start = int(body.get("options", {}).get("$skipToken") or 0)
        page = rows[start : start + self.page_size]
        out: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "data": page,
            "resultTruncated": "false",
        }
        if start + self.page_size < len(rows):
            out["$skipToken"] = str(start + self.page_size)
        return out

    def _route(self, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        t = self.tenant
        expand = query.get("$expand", [""])[0]
        graph = lambda items: (200, self._page(path, query, items, "@odata.nextLink"))  # noqa: E731
        arm = lambda items: (200, self._page(path, query, items, "nextLink"))  # noqa: E731
        agent_route = self._agent_route(path, query, expand)
        if agent_route is not None:
            return agent_route
        if path == "/v1.0/organization":
            return graph([{"id": t.tenant_id, "displayName": "Northwind Robotics (demo)"}])
        if path == "/v1.0/servicePrincipals":
            return graph(t.service_principals)
        if path == "/v1.0/applications":
            if expand.startswith("federatedIdentityCredentials"):
                return graph(
                    [
                        {
                            "id": a["id"],
                            "appId": a["appId"],
                            "federatedIdentityCredentials": t.fics.get(a["id"], []),
                        }
                        for a in t.applications
                    ]
                )
            return graph(t.applications)
        graph_sp = next((sp["id"] for sp in t.service_principals if sp["appId"] == GRAPH_APP_ID), None)
        if path == f"/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo":
            return graph(t.app_role_assignments)
        if path == "/v1.0/roleManagement/directory/roleAssignments":
            return graph(t.directory_roles)
        if path == "/beta/reports/servicePrincipalSignInActivities":
            return graph(t.sign_ins)
        if path == "/beta/reports/appCredentialSignInActivities":
            return graph(t.credential_sign_ins)
        if path == "/subscriptions":
            return arm(t.subscriptions)
        if path == "/providers/microsoft.aadiam/diagnosticSettings":
            return arm(t.entra_settings)
        if path == "/providers/Microsoft.ResourceGraph/resources":
            if not isinstance(body, dict) or "query" not in body:
                return 400, {"error": {"code": "BadRequest", "message": "query missing"}}
            return 200, self._resource_graph(body)
        if path.lower().endswith("/federatedidentitycredentials"):
            parent = path[: -len("/federatedIdentityCredentials")].lower()
            return arm([_arm(f) for f in t.mi_fics if f["id"].lower().startswith(parent + "/")])
        segs = path.split("/")
        if len(segs) >= 6 and segs[1] == "subscriptions" and segs[3] == "providers":
            sid = segs[2].lower()
            if sid not in {s["subscriptionId"] for s in t.subscriptions}:
                return 404, {"error": {"code": "SubscriptionNotFound", "message": sid}}
            tail = "/".join(segs[4:])
            if tail == "Microsoft.Authorization/roleAssignments":
                mine = [
                    _arm(a)
                    for a in t.role_assignments
                    if a["scope"].lower().startswith(f"/subscriptions/{sid}")
                    or not a["scope"].lower().startswith("/subscriptions/")
                ]
                return arm(mine)
            if tail == "Microsoft.Authorization/roleDefinitions":
                return arm([_arm(r) for r in t.role_definitions])
            if tail == "Microsoft.Insights/diagnosticSettings":
                return arm(
                    [
                        _arm(s)
                        for s in t.activity_settings
                        if s["id"].lower().startswith(f"/subscriptions/{sid}/")
                    ]
                )
        return 404, {"error": {"code": "NotFound", "message": path}}

    def _agent_route(self, path: str, query: dict[str, list[str]], expand: str) -> tuple[int, Any] | None:
        """Entra Agent ID (beta): agent identities, blueprints and their per-object listings."""
        t = self.tenant
        graph = lambda items: (200, self._page(path, query, items, "@odata.nextLink"))  # noqa: E731
        people = ("owners", "sponsors")
        if path == "/beta/servicePrincipals/microsoft.graph.agentIdentity":
            if expand.startswith("sponsors") and not self.sponsors_expand:
                return 400, {"error": {"code": "Request_BadRequest", "message": "expand not supported"}}
            keep = "sponsors" if expand.startswith("sponsors") else "owners"
            return graph([{k: v for k, v in a.items() if k not in people or k == keep} for a in t.agents])
        if path == "/beta/applications/microsoft.graph.agentIdentityBlueprint":
            if expand.startswith("federatedIdentityCredentials"):
                return graph(
                    [
                        {
                            "id": b["id"],
                            "appId": b["appId"],
                            "federatedIdentityCredentials": b["federatedIdentityCredentials"],
                        }
                        for b in t.blueprints
                    ]
                )
            drop = {"sponsors", "federatedIdentityCredentials", "inheritablePermissions"}
            return graph([{k: v for k, v in b.items() if k not in drop} for b in t.blueprints])
        segs = path.split("/")
        if len(segs) == 6 and segs[1] == "beta" and segs[4].lower().endswith("agentidentity"):
            agent = next((a for a in t.agents if a["id"] == segs[3]), None)
            if agent is not None and segs[5] == "sponsors":
                return graph(agent["sponsors"])
            return 404, {"error": {"code": "Request_ResourceNotFound", "message": path}}
        if len(segs) == 6 and segs[1] == "beta" and segs[4].lower().endswith("agentidentityblueprint"):
            bp = next((b for b in t.blueprints if b["id"] == segs[3]), None)
            if bp is not None and segs[5] in ("sponsors", "inheritablePermissions"):
                return graph(bp[segs[5]])
            return 404, {"error": {"code": "Request_ResourceNotFound", "message": path}}
        return None
