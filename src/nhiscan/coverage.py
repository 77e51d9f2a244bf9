"""How a failed read becomes a coverage status, for every provider.

Each SDK reports failures its own way (botocore error codes, ``google.api_core`` exception
classes, HTTP statuses from Graph, ARM and the Kubernetes API), but what a user needs to know is
the same: was it denied, throttled, not enabled, not there, or broken. Providers turn their
errors into an HTTP-like status and a message and ask :func:`status_for`, so the same answer
gives the same coverage status everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from nhiscan.model import CoverageStatus

_NOT_ENABLED_HINTS = ("service_disabled", "has not been used", "is disabled", "not enabled")


def status_for(
    http_status: int | None,
    message: str = "",
    overrides: Mapping[int, CoverageStatus] | None = None,
) -> CoverageStatus:
    """401/403 are denied, unless the message says the API is switched off for the scope
    (Google answers 403 SERVICE_DISABLED); 404 is not found; 429 is throttled; anything else an
    error. ``overrides`` lets one API say otherwise for a status it uses differently (Azure
    answers 503 when it throttles; Vertex AI answers 400 for a region without Agent Engine)."""
    if overrides and http_status is not None and http_status in overrides:
        return overrides[http_status]
    if http_status in (401, 403):
        lowered = message.lower()
        if http_status == 403 and any(h in lowered for h in _NOT_ENABLED_HINTS):
            return CoverageStatus.NOT_ENABLED
        return CoverageStatus.DENIED
    if http_status == 404:
        return CoverageStatus.NOT_FOUND
    if http_status == 429:
        return CoverageStatus.THROTTLED
    return CoverageStatus.ERROR


def one_line(text: str, limit: int = 200) -> str:
    """Error bodies can be whole XML or HTML documents; a coverage note is one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
