"""Local fakes of the Google APIs nhiscan reads, driven by the real client libraries.

- :class:`FakeIam`: an in-process gRPC server for ``google.iam.admin.v1.IAM`` built from the
  library's own message types (no generated servicer). Only the read-only methods are served;
  any other method is recorded in ``violations`` (the fixture fails the test) and rejected.
- :class:`FakeRest`: a stdlib HTTP server for Resource Manager v3, Cloud Asset v1 and Vertex AI v1
  (``projects.locations.list``, ``reasoningEngines.list``) over REST, with the same read-only guard.

Both page their lists (``page_size`` items per page), can deny named resources
(PERMISSION_DENIED / HTTP 403) and can throttle a method a given number of times.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import grpc
from google.cloud.iam_admin_v1 import types as T
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import json_format

IAM_SERVICE = "google.iam.admin.v1.IAM"
READ_ONLY_IAM = ("ListServiceAccounts", "ListServiceAccountKeys", "GetIamPolicy", "GetRole")


def _policy(body: dict[str, Any]) -> policy_pb2.Policy:
    return json_format.ParseDict(body, policy_pb2.Policy())


class FakeIam:
    """State of the fake IAM admin API plus the gRPC server that serves it."""

    def __init__(self) -> None:
        self.accounts: dict[str, list[dict[str, Any]]] = {}  # project -> SA fields
        self.keys: dict[str, list[dict[str, Any]]] = {}  # SA email -> key fields
        self.sa_policies: dict[str, dict[str, Any]] = {}  # SA email -> policy JSON
        self.roles: dict[str, list[str]] = {}  # role name -> permissions
        self.denied: set[str] = set()  # project ids, SA emails or role names
        self.throttle: dict[str, int] = {}  # method -> number of RESOURCE_EXHAUSTED replies left
        self.page_size = 2
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self.server: grpc.Server | None = None
        self.port = 0

    # -- plumbing --------------------------------------------------------------------------------

    def start(self) -> int:
        def h(fn: Callable[..., Any], req: Any, resp: Any) -> grpc.RpcMethodHandler:
            return grpc.unary_unary_rpc_method_handler(fn, request_deserializer=req, response_serializer=resp)

        handlers = {
            "ListServiceAccounts": h(
                self._list_accounts,
                T.ListServiceAccountsRequest.deserialize,
                T.ListServiceAccountsResponse.serialize,
            ),
            "ListServiceAccountKeys": h(
                self._list_keys,
                T.ListServiceAccountKeysRequest.deserialize,
                T.ListServiceAccountKeysResponse.serialize,
            ),
            "GetIamPolicy": h(
                self._get_policy,
                iam_policy_pb2.GetIamPolicyRequest.FromString,
                policy_pb2.Policy.SerializeToString,
            ),
            "GetRole": h(self._get_role, T.GetRoleRequest.deserialize, T.Role.serialize),
        }
        fake = self

        class Guard(grpc.GenericRpcHandler):
            def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
                service, _, method = details.method.strip("/").partition("/")
                if service == IAM_SERVICE and method in handlers:
                    return handlers[method]
                fake.violations.append(details.method)
                return grpc.unary_unary_rpc_method_handler(
                    fake._reject, request_deserializer=lambda b: b, response_serializer=lambda b: b
                )

        self.server = grpc.server(ThreadPoolExecutor(max_workers=4))
        self.server.add_generic_rpc_handlers([Guard()])
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        return self.port

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(None)

    @staticmethod
    def _reject(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "method outside the read-only set")

    def _gate(self, method: str, resource: str, context: grpc.ServicerContext, deny_key: str) -> None:
        with self._lock:
            self.calls.append((method, resource))
            left = self.throttle.get(method, 0)
            if left > 0:
                self.throttle[method] = left - 1
                context.abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED, "Quota exceeded for quota metric 'Read requests'"
                )
        if deny_key in self.denied:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"Permission denied on resource {resource} (or it may not exist).",
            )

    def _page(self, items: list[Any], token: str) -> tuple[list[Any], str]:
        start = int(token or 0)
        end = start + self.page_size
        return items[start:end], (str(end) if end < len(items) else "")

    # -- methods ---------------------------------------------------------------------------------

    def _list_accounts(self, request: Any, context: grpc.ServicerContext) -> Any:
        project = request.name.split("/", 1)[1]
        self._gate("ListServiceAccounts", request.name, context, project)
        page, token = self._page(self.accounts.get(project, []), request.page_token)
        return T.ListServiceAccountsResponse(
            accounts=[T.ServiceAccount(**a) for a in page], next_page_token=token
        )

    def _list_keys(self, request: Any, context: grpc.ServicerContext) -> Any:
        email = request.name.rsplit("/", 1)[1]
        self._gate("ListServiceAccountKeys", request.name, context, email)
        return T.ListServiceAccountKeysResponse(
            keys=[T.ServiceAccountKey(**k) for k in self.keys.get(email, [])]
        )

    def _get_policy(self, request: Any, context: grpc.ServicerContext) -> Any:
        email = request.resource.rsplit("/", 1)[1]
        self._gate("GetIamPolicy", request.resource, context, email)
        return _policy(self.sa_policies.get(email, {"etag": "ACAB"}))

    def _get_role(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._gate("GetRole", request.name, context, request.name)
        if request.name not in self.roles:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Role {request.name} not found")
        return T.Role(name=request.name, included_permissions=self.roles[request.name])


def key_fields(email: str, key_id: str, key_type: str, valid_after: datetime, **extra: Any) -> dict[str, Any]:
    """Fields of a T.ServiceAccountKey as the API fills them."""
    project = email.split("@")[1].split(".")[0]
    return {
        "name": f"projects/{project}/serviceAccounts/{email}/keys/{key_id}",
        "key_type": getattr(T.ListServiceAccountKeysRequest.KeyType, key_type),
        "key_origin": T.ServiceAccountKeyOrigin.GOOGLE_PROVIDED,
        "key_algorithm": T.ServiceAccountKeyAlgorithm.KEY_ALG_RSA_2048,
        "valid_after_time": valid_after,
        "valid_before_time": datetime(9999, 12, 31, 23, 59, 59),
        **extra,
    }


class FakeRest:
    """Resource Manager v3 and Cloud Asset v1 over HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.projects: dict[str, dict[str, Any]] = {}  # project id -> Project JSON
        self.project_policies: dict[str, dict[str, Any]] = {}
        self.org_policies: dict[str, dict[str, Any]] = {}  # org number -> policy JSON
        self.search_results: dict[str, list[dict[str, Any]]] = {}  # org number -> results
        self.denied: set[str] = set()  # "projects/P", "organizations/O", "search/O"
        self.disabled: set[str] = set()  # same keys: 403 "API has not been used ... or it is disabled"
        self.throttle: dict[str, int] = {}  # route name -> 429 replies left
        # Vertex AI: project -> locations (default: us-central1 only); "projects/P/locations/L" ->
        # engines; locations where Agent Engine is not offered (404).
        self.locations: dict[str, list[str]] = {}
        self.engines: dict[str, list[dict[str, Any]]] = {}
        self.no_agent_engine: set[str] = set()
        self.page_size = 2
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                fake._dispatch(self, "GET")

            def do_POST(self) -> None:
                fake._dispatch(self, "POST")

            def do_PUT(self) -> None:
                fake._dispatch(self, "PUT")

            def do_PATCH(self) -> None:
                fake._dispatch(self, "PATCH")

            def do_DELETE(self) -> None:
                fake._dispatch(self, "DELETE")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.endpoint

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    # -- routing ---------------------------------------------------------------------------------

    def _routes(self, method: str, path: str) -> tuple[str, str] | None:
        """(route name, resource) for the read-only calls this fake serves."""
        if method == "GET" and path.startswith("/v1/projects/"):
            parts = path[len("/v1/") :].split("/")
            if len(parts) == 3 and parts[2] == "locations":
                return "aiplatform.locations.list", "/".join(parts[:2])
            if len(parts) == 5 and parts[2] == "locations" and parts[4] == "reasoningEngines":
                return "aiplatform.reasoningEngines.list", "/".join(parts[:4])
        if method == "GET" and path == "/v3/projects:search":
            return "projects.search", ""
        if method == "GET" and path.startswith("/v3/projects/") and ":" not in path:
            return "projects.get", path[len("/v3/") :]
        if method == "POST" and path.startswith("/v3/projects/") and path.endswith(":getIamPolicy"):
            return "projects.getIamPolicy", path[len("/v3/") : -len(":getIamPolicy")]
        if method == "POST" and path.startswith("/v3/organizations/") and path.endswith(":getIamPolicy"):
            return "organizations.getIamPolicy", path[len("/v3/") : -len(":getIamPolicy")]
        if (
            method == "GET"
            and path.startswith("/v1/organizations/")
            and path.endswith(":searchAllIamPolicies")
        ):
            return "searchAllIamPolicies", path[len("/v1/") : -len(":searchAllIamPolicies")]
        return None

    def _dispatch(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(req.path)
        query = parse_qs(url.query)
        length = int(req.headers.get("Content-Length") or 0)
        if length:
            req.rfile.read(length)
        route = self._routes(method, url.path)
        if route is None:
            self.violations.append(f"{method} {url.path}")
            return self._send(req, 405, _error(405, "FAILED_PRECONDITION", "not a read-only call"))
        name, resource = route
        with self._lock:
            self.calls.append((name, resource))
            left = self.throttle.get(name, 0)
            if left > 0:
                self.throttle[name] = left - 1
                return self._send(req, 429, _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"))
        deny_key = f"search/{resource}" if name == "searchAllIamPolicies" else resource
        project_key = "/".join(resource.split("/")[:2])
        if deny_key in self.disabled or (
            name.startswith("aiplatform.") and f"aiplatform/{project_key}" in self.disabled
        ):
            api = "Vertex AI API" if name.startswith("aiplatform.") else "Cloud Asset API"
            return self._send(
                req,
                403,
                _error(
                    403,
                    "PERMISSION_DENIED",
                    f"{api} has not been used in project 1111 before or it is disabled. "
                    "Enable it by visiting https://console.developers.google.com/apis/api/cloudasset.googleapis.com",
                ),
            )
        if deny_key in self.denied or (name.startswith("aiplatform.") and project_key in self.denied):
            return self._send(
                req,
                403,
                _error(403, "PERMISSION_DENIED", f"The caller does not have permission on {resource}"),
            )
        token = (query.get("pageToken") or [""])[0]
        if name == "aiplatform.locations.list":
            ids = self.locations.get(resource.split("/", 1)[1], ["us-central1"])
            locs = [{"name": f"{resource}/locations/{i}", "locationId": i} for i in ids]
            page, nxt = self._page(locs, token)
            return self._send(req, 200, {"locations": page, "nextPageToken": nxt})
        if name == "aiplatform.reasoningEngines.list":
            if resource in self.no_agent_engine:
                return self._send(req, 404, _error(404, "NOT_FOUND", "Location not supported"))
            page, nxt = self._page(self.engines.get(resource, []), token)
            # Like the real API: an empty list is an empty object.
            body: dict[str, Any] = {"reasoningEngines": page} if page else {}
            if nxt:
                body["nextPageToken"] = nxt
            return self._send(req, 200, body)
        if name == "projects.get":
            project = self.projects.get(resource.split("/", 1)[1])
            if project is None:
                return self._send(req, 404, _error(404, "NOT_FOUND", f"{resource} not found"))
            return self._send(req, 200, project)
        if name == "projects.getIamPolicy":
            return self._send(
                req, 200, self.project_policies.get(resource.split("/", 1)[1], {"etag": "ACAB"})
            )
        if name == "organizations.getIamPolicy":
            return self._send(req, 200, self.org_policies.get(resource.split("/", 1)[1], {"etag": "ACAB"}))
        if name == "projects.search":
            page, nxt = self._page(list(self.projects.values()), token)
            return self._send(req, 200, {"projects": page, "nextPageToken": nxt})
        page, nxt = self._page(self.search_results.get(resource.split("/", 1)[1], []), token)
        return self._send(req, 200, {"results": page, "nextPageToken": nxt})

    def _page(self, items: list[Any], token: str) -> tuple[list[Any], str]:
        start = int(token or 0)
        end = start + self.page_size
        return items[start:end], (str(end) if end < len(items) else "")

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)


def _error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}
