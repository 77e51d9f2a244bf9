"""A small Kubernetes API server for tests: serves the cluster-wide list endpoints nhiscan reads
from fixture objects, with ``limit``/``continue`` paging, the ``type=`` field selector on Secrets,
``PartialObjectMetadataList`` responses, injected 403/429 answers, and a log of every request.
Anything but GET is answered 405 and recorded as a violation (nhiscan must be read-only)."""

from __future__ import annotations

import base64
import copy
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROUTES: dict[str, tuple[str, str]] = {
    "/api/v1/serviceaccounts": ("ServiceAccount", "v1"),
    "/api/v1/secrets": ("Secret", "v1"),
    "/api/v1/pods": ("Pod", "v1"),
    "/apis/rbac.authorization.k8s.io/v1/roles": ("Role", "rbac.authorization.k8s.io/v1"),
    "/apis/rbac.authorization.k8s.io/v1/clusterroles": ("ClusterRole", "rbac.authorization.k8s.io/v1"),
    "/apis/rbac.authorization.k8s.io/v1/rolebindings": ("RoleBinding", "rbac.authorization.k8s.io/v1"),
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings": (
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io/v1",
    ),
    "/apis/apps/v1/deployments": ("Deployment", "apps/v1"),
    "/apis/apps/v1/daemonsets": ("DaemonSet", "apps/v1"),
    "/apis/apps/v1/statefulsets": ("StatefulSet", "apps/v1"),
    "/apis/batch/v1/jobs": ("Job", "batch/v1"),
    "/apis/batch/v1/cronjobs": ("CronJob", "batch/v1"),
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    accept: str
    authorization: str


@dataclass
class FakeApiServer:
    objects: list[dict[str, Any]]
    max_page: int | None = None  # cap on page size, to force paging
    deny: set[str] = field(default_factory=set)  # paths answered 403
    throttle: dict[str, int] = field(default_factory=dict)  # path -> number of 429s before success
    leak_secret_data: bool = False  # ignore the metadata-only Accept header (a misbehaving server)
    requests: list[Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    url: str = ""

    def list_body(self, path: str, query: dict[str, list[str]], accept: str) -> dict[str, Any]:
        kind, api_version = ROUTES[path]
        items = [copy.deepcopy(o) for o in self.objects if o.get("kind") == kind]
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        for sel in query.get("fieldSelector", []):
            key, _, value = sel.partition("=")
            if key != "type":
                raise ValueError(f"unsupported field selector {sel}")
            items = [o for o in items if o.get("type") == value]
        start = 0
        if query.get("continue"):
            token = json.loads(base64.b64decode(query["continue"][0]))
            if token["path"] != path:
                raise ValueError("continue token from another list")
            start = token["offset"]
        limit = int(query.get("limit", ["0"])[0]) or len(items)
        if self.max_page:
            limit = min(limit, self.max_page)
        page = items[start : start + limit]
        nxt = start + limit
        cont = (
            base64.b64encode(json.dumps({"path": path, "offset": nxt}).encode()).decode()
            if nxt < len(items)
            else ""
        )
        for o in page:  # list responses leave kind and apiVersion off their items
            o.pop("kind", None)
            o.pop("apiVersion", None)
        list_kind = f"{kind}List"
        if "as=PartialObjectMetadataList" in accept and not self.leak_secret_data:
            page = [{"metadata": o["metadata"]} for o in page]
            list_kind, api_version = "PartialObjectMetadataList", "meta.k8s.io/v1"
        return {
            "kind": list_kind,
            "apiVersion": api_version,
            "metadata": {"resourceVersion": "12345", **({"continue": cont} if cont else {})},
            "items": page,
        }

    def paths_requested(self) -> list[str]:
        return [r.path for r in self.requests]


def _handler(server: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return None

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _status(self, code: int, reason: str, message: str) -> dict[str, Any]:
            return {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": message,
                "reason": reason,
                "code": code,
            }

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            server.requests.append(
                Request(
                    "GET",
                    url.path,
                    query,
                    self.headers.get("Accept", ""),
                    self.headers.get("Authorization", ""),
                )
            )
            if url.path not in ROUTES:
                server.violations.append(f"unexpected GET {url.path}")
                self._send(
                    404, self._status(404, "NotFound", "the server could not find the requested resource")
                )
                return
            if url.path in server.deny:
                self._send(403, self._status(403, "Forbidden", f"forbidden: cannot list {url.path}"))
                return
            if server.throttle.get(url.path, 0) > 0:
                server.throttle[url.path] -= 1
                self._send(429, self._status(429, "TooManyRequests", "slow down"), {"Retry-After": "0"})
                return
            try:
                body = server.list_body(url.path, query, self.headers.get("Accept", ""))
            except ValueError as exc:
                server.violations.append(str(exc))
                self._send(400, self._status(400, "BadRequest", str(exc)))
                return
            self._send(200, body)

        def _refuse(self) -> None:
            server.requests.append(Request(self.command, self.path, {}, "", ""))
            server.violations.append(f"{self.command} {self.path}")
            self._send(405, self._status(405, "MethodNotAllowed", "read-only fake"))

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

    return Handler


def serve(server: FakeApiServer, tls: tuple[Path, Path] | None = None) -> Iterator[FakeApiServer]:
    """Run the server on 127.0.0.1 on a free port; ``tls`` = (certificate, key) serves HTTPS."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    scheme = "http"
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(tls[0]), str(tls[1]))
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server.url = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def kubeconfig(servers: dict[str, str], current: str | None = None) -> str:
    """A kubeconfig with one context (and cluster of the same name) per fake server URL."""
    clusters = [{"name": n, "cluster": {"server": url}} for n, url in servers.items()]
    contexts = [{"name": f"ctx-{n}", "context": {"cluster": n, "user": "nhiscan"}} for n in servers]
    cfg = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "contexts": contexts,
        "users": [{"name": "nhiscan", "user": {"token": "fake-bearer-token"}}],
        "current-context": current or f"ctx-{next(iter(servers))}",
    }
    return json.dumps(cfg)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA), for the in-cluster HTTPS test."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver-fake")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "apiserver.crt", folder / "apiserver.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
