"""A small read-only HTTP client for Microsoft Graph and Azure Resource Manager over httpx with
tokens from an ``azure-identity`` TokenCredential.

Lighter than the Graph SDK (a few MB against ~400 MB and 16,000 modules) and the same code path
for both APIs: bearer token per audience, ``@odata.nextLink`` / ARM ``nextLink`` paging, and
429/503 handling that honours ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nhiscan.coverage import one_line, status_for
from nhiscan.errors import Gap
from nhiscan.model import CoverageStatus

MAX_PAGES = 10_000


# Graph and ARM answer 503 (with Retry-After) when they throttle, not only 429.
AZURE_STATUS_OVERRIDES: Mapping[int, CoverageStatus] = {503: CoverageStatus.THROTTLED}


class ApiError(Gap):
    """A call failed; ``status`` is the CoverageStatus to report, ``str()`` the one-line note
    (url, HTTP status and Azure's error code and message)."""

    def __init__(self, url: str, http_status: int, status: str, detail: str) -> None:
        super().__init__(status, detail)
        self.url = url
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.url}: HTTP {self.http_status} {self.detail}".strip()


class AzureHttp:
    """GET (and Resource Graph query) against one API with one token audience."""

    def __init__(
        self,
        base_url: str,
        scope: str,
        credential: Any,
        *,
        max_retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        import httpx

        self._httpx = httpx
        self.base_url = base_url.rstrip("/")
        self.scope = scope
        self.credential = credential
        self.max_retries = max_retries
        self.sleep = sleep
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": "nhiscan"})
        self.requests = 0
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self.client.close()

    def _bearer(self) -> str:
        if self._token is None or self._token_expires - time.time() < 60:
            token = self.credential.get_token(self.scope)
            self._token, self._token_expires = token.token, float(token.expires_on)
        return self._token

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.base_url + path_or_url

    def request(self, method: str, path_or_url: str, body: Mapping[str, Any] | None = None) -> Any:
        url = self._url(path_or_url)
        attempt = 0
        while True:
            self.requests += 1
            try:
                response = self.client.request(
                    method,
                    url,
                    json=body,
                    headers={"Authorization": f"Bearer {self._bearer()}", "ConsistencyLevel": "eventual"},
                )
            except self._httpx.HTTPError as exc:
                raise ApiError(url, 0, CoverageStatus.ERROR.value, f"{type(exc).__name__}: {exc}") from exc
            if response.status_code in (429, 503) and attempt < self.max_retries:
                attempt += 1
                self.sleep(_retry_after(response.headers.get("Retry-After"), attempt))
                continue
            if response.status_code >= 400:
                text = _error_text(response)
                status = status_for(response.status_code, text, AZURE_STATUS_OVERRIDES)
                raise ApiError(url, response.status_code, status.value, text)
            return response.json()

    def get(self, path_or_url: str) -> Any:
        return self.request("GET", path_or_url)

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        """Every object of a collection, following ``@odata.nextLink`` (Graph) or ``nextLink``
        (ARM)."""
        url: str | None = path
        for _ in range(MAX_PAGES):
            if not url:
                return
            page = self.get(url)
            yield from page.get("value") or []
            url = page.get("@odata.nextLink") or page.get("nextLink")


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        return min(max(float(header), 0.0), 60.0) if header else min(2.0**attempt, 30.0)
    except ValueError:
        return min(2.0**attempt, 30.0)


def _error_text(response: Any) -> str:
    try:
        err = response.json().get("error") or {}
        if isinstance(err, Mapping):
            return one_line(f"{err.get('code', '')}: {err.get('message', '')}".strip(": "))
    except ValueError:
        pass
    return response.reason_phrase or ""
