"""One paged, read-only list call against the Kubernetes API, and how its failure becomes a
coverage gap. The core resources (:mod:`~nhiscan.providers.k8s.live`) and the agent custom
resources (:mod:`~nhiscan.providers.k8s.agents.live`) are both listed through here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nhiscan.coverage import one_line, status_for
from nhiscan.errors import Gap

PAGE_SIZE = 500
MAX_THROTTLE_RETRIES = 3
MAX_RETRY_AFTER_S = 5.0
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


@dataclass(frozen=True)
class ListCall:
    """One cluster-wide list: the API method, the object kind, and how it is requested."""

    api: str
    """client class: CoreV1Api | RbacAuthorizationV1Api | AppsV1Api | BatchV1Api | ..."""
    method: str
    """its list method, e.g. ``list_pod_for_all_namespaces``"""
    kind: str
    """kind of the listed objects (list responses leave it off their items)"""
    path: str
    """API path, for progress and coverage"""
    required: bool = True
    """False for optional lists (workload controllers); a gap in one is still reported"""
    field_selector: str | None = None
    metadata_only: bool = False
    """ask for ``PartialObjectMetadataList``, so the server sends no object bodies"""


def list_all(
    call: ListCall, method: Callable[..., Any], sleep: Callable[[float], None]
) -> list[dict[str, Any]]:
    """Every object of one list, page by page (``limit``/``continue``), as raw JSON so objects
    have the shape of ``kubectl get -o json``. A 429 is retried after ``Retry-After`` (at most
    :data:`MAX_RETRY_AFTER_S`), :data:`MAX_THROTTLE_RETRIES` times; other errors propagate."""
    from kubernetes.client.exceptions import ApiException

    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "_preload_content": False}
        if token:
            kwargs["_continue"] = token
        if call.field_selector:
            kwargs["field_selector"] = call.field_selector
        if call.metadata_only:
            kwargs["_headers"] = {"Accept": METADATA_ONLY}
        for attempt in range(MAX_THROTTLE_RETRIES + 1):
            try:
                response = method(**kwargs)
                break
            except ApiException as exc:
                if exc.status != 429 or attempt == MAX_THROTTLE_RETRIES:
                    raise
                sleep(retry_delay((exc.headers or {}).get("Retry-After", "1")))
        body = json.loads(response.data)
        for item in body.get("items") or []:
            if not isinstance(item, dict):
                continue
            item["kind"] = call.kind  # list responses leave kind off their items
            items.append(item)
        token = (body.get("metadata") or {}).get("continue") or None
        if not token:
            return items


def retry_delay(retry_after: str) -> float:
    try:
        return min(float(retry_after), MAX_RETRY_AFTER_S)
    except ValueError:
        return 1.0


def list_or_gap(
    call: ListCall, method: Callable[..., Any], sleep: Callable[[float], None]
) -> list[dict[str, Any]]:
    """:func:`list_all`, with every failure turned into a :class:`~nhiscan.errors.Gap`: an HTTP
    error by its status (the Kubernetes API uses them as everywhere else), a transport or
    parse failure as an error."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return list_all(call, method, sleep)
    except ApiException as exc:
        status = status_for(exc.status, str(exc.reason or "")).value
        raise Gap(status, f"HTTP {exc.status} {exc.reason or ''}".strip()) from exc
    except (HTTPError, OSError, ValueError) as exc:
        raise Gap(status_for(None).value, one_line(f"{type(exc).__name__}: {exc}")) from exc
