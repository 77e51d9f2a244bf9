"""The read-only Vertex AI calls for Agent Engine: ``GET v1/projects/P/locations`` and
``GET v1/projects/P/locations/L/reasoningEngines`` (paged) on the regional
``L-aiplatform.googleapis.com`` endpoints, over google-auth's ``AuthorizedSession``.

Vertex AI has no Python client nhiscan wants to depend on for two list calls, so this speaks REST
directly and reads the answers with the same :func:`reasoning_engine` the offline importer uses.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from nhiscan.coverage import one_line, status_for
from nhiscan.errors import InputError
from nhiscan.model import CoverageEntry, CoverageStatus, scope_key
from nhiscan.providers.gcp.agents.documents import reasoning_engine
from nhiscan.providers.gcp.estate import EstateBuilder

# Where Agent Engine is offered, used when the location list cannot be read (GcpSettings.locations,
# from --location, overrides it).
DEFAULT_LOCATIONS = ("us-central1", "europe-west1", "asia-northeast1")
DEFAULT_ENDPOINT = "https://{location}-aiplatform.googleapis.com"
GLOBAL_ENDPOINT = "https://aiplatform.googleapis.com"

LIST_SOURCE = "aiplatform.reasoningEngines.list"
# Vertex AI answers 400 (an unknown project, or a location where Agent Engine is not offered) where
# other Google APIs answer 404.
STATUS_OVERRIDES = {400: CoverageStatus.NOT_FOUND}
_RETRIED = (429, 500, 503)
# Locations that answer these are folded into one coverage line per project: most regions simply
# do not offer Agent Engine, and one line per region would bury the gaps that matter.
_QUIET = (CoverageStatus.NOT_ENABLED.value, CoverageStatus.NOT_FOUND.value)


class AiPlatformError(Exception):
    """A failed Vertex AI call: HTTP ``code`` (0 when the endpoint could not be reached), Google's
    ``status`` word and a one-line ``message``."""

    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(f"{code} {status}: {message}")
        self.code = code
        self.status = status
        self.message = message


def error_status(exc: AiPlatformError) -> str:
    """The coverage status of a failed call (the status word carries SERVICE_DISABLED)."""
    return status_for(exc.code, f"{exc.status} {exc.message}", overrides=STATUS_OVERRIDES).value


class AiPlatformRest:
    """The two read-only Vertex AI REST calls nhiscan makes, over an ``AuthorizedSession``
    (google-auth's requests transport). ``endpoint`` may contain ``{location}``."""

    def __init__(self, session: Any, endpoint: str | None = None, timeout: float = 30.0) -> None:
        self.session = session
        self.endpoint = endpoint
        self.timeout = timeout

    def base(self, location: str | None) -> str:
        """The endpoint for ``location``; None means the global endpoint (the location list)."""
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
            body = self.get(f"{self.base(location)}/v1/{path}", params)
            page = body.get(field) or []
            if not isinstance(page, list):
                raise AiPlatformError(200, "INVALID_RESPONSE", f"{field} is not a list")
            items.extend(x for x in page if isinstance(x, dict))
            token = str(body.get("nextPageToken") or "")
            if not token:
                return items
        raise AiPlatformError(200, "INVALID_RESPONSE", "too many pages")

    def get(self, url: str, params: Mapping[str, str]) -> dict[str, Any]:
        """One GET; AiPlatformError for anything but a 200 with a JSON object."""
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
            raise _error(resp.status_code, resp.reason, body)
        if not isinstance(body, dict):
            raise AiPlatformError(resp.status_code, "INVALID_RESPONSE", "the response is not a JSON object")
        return body


def _error(code: int, reason: str | None, body: Any) -> AiPlatformError:
    """The error of a non-200 answer, from Google's ``{"error": {...}}`` body when there is one."""
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    message = str(err.get("message") or reason or f"HTTP {code}")
    status = str(err.get("status") or "")
    if "SERVICE_DISABLED" in str(err.get("details", "")):
        status += " SERVICE_DISABLED"
    return AiPlatformError(code, status, one_line((message.splitlines() or [""])[0], limit=300))


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
                self._gap(scope, LIST_SOURCE, status, exc.message)
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
        """Read every location of one project into the estate, with its coverage entries."""
        locations = self.project_locations(project_id)
        if not locations:
            return
        scope = scope_key("gcp", "project", project_id)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            results = list(pool.map(lambda loc: self._fetch(project_id, loc), locations))
        quiet: dict[str, list[str]] = defaultdict(list)
        details: dict[str, str] = {}
        read = 0
        for location, result in results:
            if isinstance(result, AiPlatformError):
                status = error_status(result)
                if status in _QUIET:
                    quiet[status].append(location)
                    details.setdefault(status, result.message)
                else:
                    throttled = status == CoverageStatus.THROTTLED.value
                    detail = f"gave up after retries: {result.message}" if throttled else result.message
                    self._gap(scope, f"{LIST_SOURCE} {location}", status, detail)
                continue
            read += 1
            self._record(project_id, location, result)
        for status in _QUIET:
            if quiet.get(status):
                self._gap(scope, LIST_SOURCE, status, f"{', '.join(quiet[status])}: {details[status]}")
        if read:
            with self.lock:
                self.reads += 1
                self.out.coverage.append(
                    CoverageEntry("gcp", scope, LIST_SOURCE, CoverageStatus.OK.value, f"{read} locations")
                )

    def _fetch(self, project_id: str, location: str) -> tuple[str, list[dict[str, Any]] | AiPlatformError]:
        path = f"projects/{project_id}/locations/{location}/reasoningEngines"
        try:
            return location, self._retrying(lambda: self.client.list_all(location, path, "reasoningEngines"))
        except AiPlatformError as exc:
            return location, exc

    def _record(self, project_id: str, location: str, items: list[dict[str, Any]]) -> None:
        scope = scope_key("gcp", "project", project_id)
        where = f"{LIST_SOURCE} projects/{project_id}/locations/{location}"
        for i, item in enumerate(items):
            try:
                rec = reasoning_engine(item, where, f"reasoningEngines[{i}]", project_id)
            except InputError as exc:
                # One odd engine from the API must not end the scan.
                self._gap(scope, f"{LIST_SOURCE} {location}", CoverageStatus.ERROR.value, exc.problem)
                continue
            with self.lock:
                self.out.reasoning_engines.append(rec)


def make_client(credentials: Any, endpoint: str | None = None) -> AiPlatformRest:
    """A client on Google's endpoints (or ``endpoint``) with the scan's credentials."""
    from google.auth.transport.requests import AuthorizedSession

    return AiPlatformRest(AuthorizedSession(credentials), endpoint)  # type: ignore[no-untyped-call]
