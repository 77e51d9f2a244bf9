"""AI-agent identities on Google Cloud: Vertex AI Agent Engine (reasoning engines).

An engine runs as one principal (docs/providers/gcp.md, "AI agents"):

- ``spec.effectiveIdentity`` when the API reports it (output only): a service-account email, the
  Reasoning Engine service agent, or an agent identity ``agents.global.org-ORG.system.id.goog/...``
  (made into the IAM member form ``principal://...`` that bindings use);
- else ``spec.serviceAccount``;
- else, for ``spec.identityType: AGENT_IDENTITY``, the agent identity built from the organisation
  (when exactly one is known);
- else the project's Reasoning Engine service agent
  ``service-NUMBER@gcp-sa-aiplatform-re.iam.gserviceaccount.com``, shared by every such engine.

Read live with ``GET v1/projects/P/locations/L/reasoningEngines`` (paged) on the regional
``L-aiplatform.googleapis.com`` endpoints, or offline from ``gcloud ai reasoning-engines list
--region=L --format=json`` (a bare list) or the REST body ``{"reasoningEngines": [...]}``.

Secret hygiene: of ``spec.deploymentSpec.env`` only the names are read; the values are never
copied, stored, logged or put in an error message.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nhiscan.errors import InputError
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Edge,
    Evidence,
    Identity,
    PermissionSummary,
    Usage,
    scope_key,
)
from nhiscan.providers.gcp.estate import EstateBuilder, ReasoningEngineRecord
from nhiscan.providers.gcp.parse import _list, _obj, _str, _time

ENGINE_KIND = "agent.vertex_agent_engine"
RUNS_AS = "agent.runs_as"
REASONING_ENGINES = "gcp.reasoning_engines"

SERVICE_ACCOUNT = "SERVICE_ACCOUNT"
AGENT_IDENTITY = "AGENT_IDENTITY"
DEFAULT_SERVICE_AGENT = "DEFAULT_SERVICE_AGENT"

# Where Agent Engine is offered, used when the location list cannot be read (settings["locations"]
# overrides it).
DEFAULT_LOCATIONS = ("us-central1", "europe-west1", "asia-northeast1")
DEFAULT_ENDPOINT = "https://{location}-aiplatform.googleapis.com"
GLOBAL_ENDPOINT = "https://aiplatform.googleapis.com"

_NAME = re.compile(r"^projects/([^/]+)/locations/([^/]+)/reasoningEngines/([^/]+)$")
RE_AGENT_DOMAIN = "gcp-sa-aiplatform-re.iam.gserviceaccount.com"
_RE_AGENT = re.compile(r"^service-(\d+)@gcp-sa-aiplatform-re\.(?:iam\.gserviceaccount|googleapis)\.com$")
# Names of plain-text variables that usually hold a credential; only the name is ever looked at.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:API_?KEY|APIKEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE_?KEY|ACCESS_?KEY|"
    r"CONNECTION_?STRING)(?:$|_)",
    re.I,
)
_OWNER_LABELS = ("owner", "team", "contact", "maintainer")


# -- offline: recognition and parsing ------------------------------------------------------------


def is_engine(item: Mapping[str, Any]) -> bool:
    return "/reasoningEngines/" in str(item.get("name", ""))


def recognise(data: Any) -> str | None:
    if isinstance(data, Mapping) and "reasoningEngines" in data:
        return REASONING_ENGINES
    if isinstance(data, list):
        first = next((x for x in data if isinstance(x, Mapping)), None)
        return REASONING_ENGINES if first is not None and is_engine(first) else None
    if isinstance(data, Mapping) and is_engine(data):
        return REASONING_ENGINES  # gcloud ai reasoning-engines describe
    return None


def read_engines(data: Any, where: str, out: EstateBuilder, project: str | None = None) -> None:
    if isinstance(data, Mapping) and "reasoningEngines" in data:
        items, path = data["reasoningEngines"], "reasoningEngines"
    elif isinstance(data, Mapping):
        items, path = [data], ""
    else:
        items, path = data, ""
    for i, item in enumerate(_list(items, where, path)):
        out.reasoning_engines.append(reasoning_engine(item, where, f"{path}[{i}]", project))


def reasoning_engine(item: Any, where: str, path: str, project: str | None = None) -> ReasoningEngineRecord:
    item = _obj(item, where, path)
    name = _str(item, "name", where, path, required=True)
    assert name is not None
    m = _NAME.match(name)
    if m is None:
        raise InputError(where, f"{path}.name: {name!r} is not a reasoning engine name")
    labels = _opt_obj(item, "labels", where, path)
    for k, v in labels.items():
        if not isinstance(v, str):
            raise InputError(where, f"{path}.labels.{k}: expected a string, got {type(v).__name__}")
    spec = _opt_obj(item, "spec", where, path)
    sp = f"{path}.spec"
    deploy = _opt_obj(spec, "deploymentSpec", where, sp)
    dp = f"{sp}.deploymentSpec"
    env_names = []
    for i, e in enumerate(_opt_list(deploy, "env", where, dp)):
        # Only the name: the value may be a credential and is never read.
        name_ = _str(_obj(e, where, f"{dp}.env[{i}]"), "name", where, f"{dp}.env[{i}]", required=True)
        assert name_ is not None
        env_names.append(name_)
    secret_env = []
    for i, e in enumerate(_opt_list(deploy, "secretEnv", where, dp)):
        ep = f"{dp}.secretEnv[{i}]"
        e = _obj(e, where, ep)
        env_name = _str(e, "name", where, ep, required=True)
        ref = _opt_obj(e, "secretRef", where, ep)
        secret = _str(ref, "secret", where, f"{ep}.secretRef") or ""
        version = _str(ref, "version", where, f"{ep}.secretRef") or "latest"
        assert env_name is not None
        secret_env.append((env_name, secret, version))
    methods = []
    for i, cm in enumerate(_opt_list(spec, "classMethods", where, sp)):
        method = _str(_obj(cm, where, f"{sp}.classMethods[{i}]"), "name", where, f"{sp}.classMethods[{i}]")
        if method:
            methods.append(method)
    source, image = None, None
    if spec.get("containerSpec") is not None:
        source = "container"
        image = _str(_obj(spec["containerSpec"], where, f"{sp}.containerSpec"), "imageUri", where, sp)
    elif spec.get("sourceCodeSpec") is not None:
        source = "source_code"
    elif spec.get("packageSpec") is not None:
        source = "package"
    encryption = _opt_obj(item, "encryptionSpec", where, path)
    return ReasoningEngineRecord(
        name=name,
        project=project or m.group(1),
        location=m.group(2),
        display_name=_str(item, "displayName", where, path) or "",
        description=_str(item, "description", where, path) or "",
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        service_account=_str(spec, "serviceAccount", where, sp),
        effective_identity=_str(spec, "effectiveIdentity", where, sp),
        identity_type=_str(spec, "identityType", where, sp),
        agent_framework=_str(spec, "agentFramework", where, sp),
        class_methods=tuple(methods),
        env_names=tuple(env_names),
        secret_env=tuple(secret_env),
        deployment_source=source,
        container_image=image,
        min_instances=_int(deploy, "minInstances", where, dp),
        max_instances=_int(deploy, "maxInstances", where, dp),
        psc_interface=deploy.get("pscInterfaceConfig") is not None,
        cmek=bool(_str(encryption, "kmsKeyName", where, f"{path}.encryptionSpec")),
        created=_time(item, "createTime", where, path),
        updated=_time(item, "updateTime", where, path),
        source=where,
    )


def _opt_obj(item: Mapping[str, Any], key: str, where: str, path: str) -> Mapping[str, Any]:
    value = item.get(key)
    return {} if value is None else _obj(value, where, f"{path}.{key}")


def _opt_list(item: Mapping[str, Any], key: str, where: str, path: str) -> list[Any]:
    value = item.get(key)
    return [] if value is None else _list(value, where, f"{path}.{key}")


def _int(item: Mapping[str, Any], key: str, where: str, path: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    # proto3 JSON prints int32 as a number; accept the string form int64 fields use too.
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise InputError(where, f"{path}.{key}: expected an integer")
    return int(value)


# -- resolution ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who an engine runs as: ``id`` is an SA email or a ``principal://agents...`` member (None
    when it cannot be told), ``type`` one of SERVICE_ACCOUNT / AGENT_IDENTITY / DEFAULT_SERVICE_AGENT."""

    id: str | None
    type: str


def project_number(rec: ReasoningEngineRecord, numbers: Mapping[str, str]) -> str | None:
    """The engine's project number: from its name (the API names projects by number), else from
    the project id."""
    ref = rec.name.split("/")[1]
    if ref.isdigit():
        return ref
    by_id = {v: k for k, v in numbers.items()}
    return by_id.get(ref) or by_id.get(rec.project)


def resolve_principal(rec: ReasoningEngineRecord, number: str | None, organization: str | None) -> Principal:
    eff = rec.effective_identity
    if eff and (eff.startswith("agents.") or eff.startswith("principal://")):
        return Principal(eff if eff.startswith("principal://") else f"principal://{eff}", AGENT_IDENTITY)
    if eff and "@" in eff:
        m = _RE_AGENT.match(eff)
        if m:
            # Documented as ...@gcp-sa-aiplatform-re.googleapis.com; IAM bindings name the agent by
            # its .iam.gserviceaccount.com email.
            return Principal(f"service-{m.group(1)}@{RE_AGENT_DOMAIN}", DEFAULT_SERVICE_AGENT)
        return Principal(eff, SERVICE_ACCOUNT)
    if rec.identity_type == AGENT_IDENTITY:
        if organization and number:
            engine_id = rec.name.rsplit("/", 1)[1]
            org = organization.split("/", 1)[-1]
            return Principal(
                f"principal://agents.global.org-{org}.system.id.goog/resources/aiplatform/projects/"
                f"{number}/locations/{rec.location}/reasoningEngines/{engine_id}",
                AGENT_IDENTITY,
            )
        return Principal(None, AGENT_IDENTITY)
    if rec.service_account:
        return Principal(rec.service_account, SERVICE_ACCOUNT)
    return Principal(f"service-{number}@{RE_AGENT_DOMAIN}" if number else None, DEFAULT_SERVICE_AGENT)


def secret_like(env_name: str) -> bool:
    """A plain-text variable named like a credential (the value is never looked at)."""
    return bool(_SECRET_NAME.search(env_name))


def is_agent_principal(member: str) -> bool:
    return member.startswith("principal://agents.")


# -- inventory -----------------------------------------------------------------------------------


def build_engines(
    engines: Sequence[ReasoningEngineRecord],
    principals: Mapping[str, Principal],
    accounts: Mapping[str, Identity],
    project_of: Callable[[str], str],
    principal_permissions: Callable[[str], PermissionSummary],
    gcp: str,
    delegation: Sequence[Edge] = (),
) -> tuple[list[Identity], list[Edge]]:
    """Engine identities and their ``agent.runs_as`` edges. ``principals`` maps engine names to
    their principal, ``accounts`` holds the service-account identities already built and
    ``delegation`` the impersonation edges between principals."""
    reach_of = _reach(delegation)
    unique: dict[str, ReasoningEngineRecord] = {}
    for rec in engines:
        unique.setdefault(rec.name, rec)
    sharing: dict[str, list[str]] = defaultdict(list)
    for name in sorted(unique):
        p = principals[name]
        if p.id is not None:
            sharing[p.id].append(name)
    identities, edges = [], []
    for name in sorted(unique):
        rec = unique[name]
        p = principals[name]
        sa = accounts.get(p.id) if p.id else None
        own = principal_permissions(p.id) if p.id and p.type == AGENT_IDENTITY else PermissionSummary()
        if sa is not None:
            classes = list(sa.permissions.classes)
            roles = list(sa.attributes.get("role_names", []))
            keys = int(sa.attributes.get("user_managed_keys", 0))
        else:
            classes = list(own.classes)
            roles = sorted({g.role for g in own.grants if g.role})
            keys = 0
        labels = dict(rec.labels)
        project = project_of(rec.project)
        reach = reach_of(p.id) if p.id else []
        reach_classes = sorted({c for r in reach if r in accounts for c in accounts[r].permissions.classes})
        attributes: dict[str, Any] = {
            "project": project,
            "location": rec.location,
            "engine_id": name.rsplit("/", 1)[1],
            "description": rec.description,
            "agent_framework": rec.agent_framework,
            "identity_type": p.type,
            "spec_identity_type": rec.identity_type,
            "service_account": rec.service_account,
            "effective_identity": rec.effective_identity,
            "runs_as": p.id,
            "runs_as_in_inventory": sa is not None,
            # Null when nothing is known about the principal, as on AWS.
            "runs_as_classes": classes if p.id else None,
            "runs_as_roles": roles,
            "runs_as_user_managed_keys": keys,
            "runs_as_reach": reach,
            "runs_as_reach_classes": reach_classes,
            "default_service_agent": p.type == DEFAULT_SERVICE_AGENT,
            "role_shared_with": [n for n in sharing.get(p.id or "", []) if n != name],
            "env_names": list(rec.env_names),
            # Named like the AWS agents' facts so the generic agent rules read both.
            "secret_env_names": [n for n in rec.env_names if secret_like(n)],
            "secret_manager_env_names": [n for n, _, _ in rec.secret_env],
            "secret_refs": [f"{s}:{v}" for _, s, v in rec.secret_env if s],
            "class_methods": list(rec.class_methods),
            "deployment_source": rec.deployment_source,
            "container_image": rec.container_image,
            "min_instances": rec.min_instances,
            "max_instances": rec.max_instances,
            "psc_interface": rec.psc_interface,
            "cmek": rec.cmek,
            "labels": labels,
            "aliases": [],
            # Facts the generic agent rules read that Agent Engine does not have: queries are
            # always IAM-authenticated (aiplatform.reasoningEngines.query), and the API names no
            # sub-agents, tools or token passthrough.
            "inbound_auth": "iam",
            "delegates_to": [],
            "delegation_depth": 0,
            "delegation_cycle": False,
            "delegation_reach_classes": [],
            "relay_history_to": [],
            "tools": [],
            "high_risk_builtin_tools": [],
            "token_passthrough": False,
        }
        identities.append(
            Identity(
                id=name,
                provider=gcp,
                kind=ENGINE_KIND,
                scope=scope_key(gcp, "project", project),
                name=rec.display_name or name.rsplit("/", 1)[1],
                created=rec.created,
                owner=next((labels[k] for k in _OWNER_LABELS if labels.get(k)), None),
                tags=labels,
                usage=Usage.MACHINE.value,
                evidence=(Evidence(rec.source, f"reasoningEngine {name}"),),
                attributes=attributes,
                permissions=own,
            )
        )
        if p.id is not None:
            edges.append(
                Edge(
                    name,
                    p.id,
                    RUNS_AS,
                    evidence=(Evidence(rec.source, _why(rec, p)),),
                    attributes={
                        "identity_type": p.type,
                        "default_service_agent": p.type == DEFAULT_SERVICE_AGENT,
                    },
                )
            )
    return identities, edges


# Edges that let a principal act as another one without anything else (act_as also needs a
# permission to run something as the target, so it is left out).
_BECOMES = ("gcp.impersonate", "gcp.implicit_delegation", "gcp.create_key")


def _reach(edges: Sequence[Edge]) -> Callable[[str], list[str]]:
    """principal -> every principal it can become through impersonation edges, transitively."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.kind in _BECOMES and e.src != e.dst:
            out[e.src].add(e.dst)

    def walk(start: str) -> list[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in out.get(todo.pop(), ()):
                if nxt not in seen and nxt != start:
                    seen.add(nxt)
                    todo.append(nxt)
        return sorted(seen)

    return walk


def _why(rec: ReasoningEngineRecord, p: Principal) -> str:
    if rec.effective_identity:
        return "spec.effectiveIdentity"
    if rec.service_account:
        return "spec.serviceAccount"
    if p.type == AGENT_IDENTITY:
        return "spec.identityType AGENT_IDENTITY"
    return "no spec.serviceAccount: the Reasoning Engine service agent"


def used_by(principals: Mapping[str, Principal]) -> dict[str, list[str]]:
    """Principal id -> the engines that run as it."""
    out: dict[str, list[str]] = defaultdict(list)
    for name, p in sorted(principals.items()):
        if p.id:
            out[p.id].append(name)
    return out


# -- live ----------------------------------------------------------------------------------------


class AiPlatformError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(f"{code} {status}: {message}")
        self.code = code
        self.status = status
        self.message = message


class AiPlatformRest:
    """The two read-only Vertex AI REST calls nhiscan makes, over an ``AuthorizedSession``
    (google-auth's requests transport). ``endpoint`` may contain ``{location}``."""

    def __init__(self, session: Any, endpoint: str | None = None, timeout: float = 30.0) -> None:
        self.session = session
        self.endpoint = endpoint
        self.timeout = timeout

    def base(self, location: str | None) -> str:
        if self.endpoint:
            return self.endpoint.format(location=location or "us-central1").rstrip("/")
        if location is None:
            return GLOBAL_ENDPOINT
        return DEFAULT_ENDPOINT.format(location=location)

    def list_all(self, location: str | None, path: str, field: str) -> list[dict[str, Any]]:
        """Every item of a paged list."""
        items: list[dict[str, Any]] = []
        token = ""
        for _ in range(10_000):
            params = {"pageSize": "100", **({"pageToken": token} if token else {})}
            body = self._get(f"{self.base(location)}/v1/{path}", params)
            page = body.get(field) or []
            if not isinstance(page, list):
                raise AiPlatformError(200, "INVALID_RESPONSE", f"{field} is not a list")
            items.extend(x for x in page if isinstance(x, dict))
            token = str(body.get("nextPageToken") or "")
            if not token:
                return items
        raise AiPlatformError(200, "INVALID_RESPONSE", "too many pages")

    def _get(self, url: str, params: Mapping[str, str]) -> dict[str, Any]:
        import requests

        try:
            resp = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            host = urlsplit(url).netloc
            raise AiPlatformError(0, "UNAVAILABLE", f"{type(exc).__name__} connecting to {host}") from exc
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code != 200:
            err = body.get("error") if isinstance(body, dict) else None
            err = err if isinstance(err, dict) else {}
            message = str(err.get("message") or resp.reason or f"HTTP {resp.status_code}")
            status = str(err.get("status") or "")
            if "SERVICE_DISABLED" in str(err.get("details", "")):
                status += " SERVICE_DISABLED"
            raise AiPlatformError(resp.status_code, status, (message.splitlines() or [""])[0][:300])
        if not isinstance(body, dict):
            raise AiPlatformError(resp.status_code, "INVALID_RESPONSE", "the response is not a JSON object")
        return body


def error_status(exc: AiPlatformError) -> str:
    lowered = f"{exc.status} {exc.message}".lower()
    if exc.code == 403 and (
        "service_disabled" in lowered or "has not been used" in lowered or "is disabled" in lowered
    ):
        return CoverageStatus.NOT_ENABLED.value
    if exc.code in (401, 403):
        return CoverageStatus.DENIED.value
    if exc.code == 429:
        return CoverageStatus.THROTTLED.value
    if exc.code in (400, 404):
        # An unknown project, or a location where Agent Engine is not offered.
        return CoverageStatus.NOT_FOUND.value
    return CoverageStatus.ERROR.value


_RETRIED = (429, 500, 503)


class EngineCollector:
    """Lists the reasoning engines of a project in every location, concurrently."""

    def __init__(
        self,
        client: AiPlatformRest,
        out: EstateBuilder,
        lock: threading.Lock,
        locations: Sequence[str] | None = None,
        retry_timeout: float = 30.0,
        workers: int = 8,
    ) -> None:
        self.client = client
        self.out = out
        self.lock = lock
        self.locations = list(locations) if locations else None
        self.retry_timeout = retry_timeout
        self.workers = workers
        self.reads = 0

    def _retrying(self, fn: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + self.retry_timeout
        delay = 0.05
        while True:
            try:
                return fn()
            except AiPlatformError as exc:
                if exc.code not in _RETRIED or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _gap(self, scope: str, source: str, status: str, detail: str) -> None:
        with self.lock:
            self.out.coverage.append(CoverageEntry("gcp", scope, source, status, detail))

    def project_locations(self, project_id: str) -> list[str] | None:
        """The locations to scan; None when the Vertex AI API is switched off in the project."""
        if self.locations:
            return self.locations
        scope = scope_key("gcp", "project", project_id)
        try:
            found = self._retrying(
                lambda: self.client.list_all(None, f"projects/{project_id}/locations", "locations")
            )
        except AiPlatformError as exc:
            status = error_status(exc)
            if status == CoverageStatus.NOT_ENABLED.value:
                self._gap(scope, "aiplatform.reasoningEngines.list", status, exc.message)
                return None
            # The list of locations is a convenience: fall back to the documented default.
            self._gap(
                scope,
                "aiplatform.locations.list",
                status,
                f"{exc.message}; scanning {', '.join(DEFAULT_LOCATIONS)} only",
            )
            return list(DEFAULT_LOCATIONS)
        ids = [str(loc.get("locationId") or str(loc.get("name", "")).rsplit("/", 1)[-1]) for loc in found]
        return sorted({i for i in ids if i and i != "global"})

    def project(self, project_id: str) -> None:
        locations = self.project_locations(project_id)
        if not locations:
            return
        scope = scope_key("gcp", "project", project_id)

        def fetch(location: str) -> tuple[str, list[dict[str, Any]] | AiPlatformError]:
            path = f"projects/{project_id}/locations/{location}/reasoningEngines"
            try:
                return location, self._retrying(
                    lambda: self.client.list_all(location, path, "reasoningEngines")
                )
            except AiPlatformError as exc:
                return location, exc

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            results = list(pool.map(fetch, locations))
        grouped: dict[str, list[str]] = defaultdict(list)
        details: dict[str, str] = {}
        read = []
        for location, result in results:
            if isinstance(result, AiPlatformError):
                status = error_status(result)
                if status in (CoverageStatus.NOT_FOUND.value, CoverageStatus.NOT_ENABLED.value):
                    grouped[status].append(location)
                    details.setdefault(status, result.message)
                else:
                    detail = (
                        result.message
                        if status != "throttled"
                        else f"gave up after retries: {result.message}"
                    )
                    self._gap(scope, f"aiplatform.reasoningEngines.list {location}", status, detail)
                continue
            read.append(location)
            where = f"aiplatform.reasoningEngines.list projects/{project_id}/locations/{location}"
            for i, item in enumerate(result):
                try:
                    rec = reasoning_engine(item, where, f"reasoningEngines[{i}]", project_id)
                except InputError as exc:
                    # One odd engine from the API must not end the scan.
                    self._gap(scope, f"aiplatform.reasoningEngines.list {location}", "error", exc.problem)
                    continue
                with self.lock:
                    self.out.reasoning_engines.append(rec)
        for status in (CoverageStatus.NOT_ENABLED.value, CoverageStatus.NOT_FOUND.value):
            if grouped.get(status):
                located = ", ".join(grouped[status])
                self._gap(scope, "aiplatform.reasoningEngines.list", status, f"{located}: {details[status]}")
        if read:
            with self.lock:
                self.reads += 1
                self.out.coverage.append(
                    CoverageEntry(
                        "gcp",
                        scope,
                        "aiplatform.reasoningEngines.list",
                        CoverageStatus.OK.value,
                        f"{len(read)} locations",
                    )
                )


def make_client(credentials: Any, endpoint: str | None = None) -> AiPlatformRest:
    from google.auth.transport.requests import AuthorizedSession

    return AiPlatformRest(AuthorizedSession(credentials), endpoint)  # type: ignore[no-untyped-call]
