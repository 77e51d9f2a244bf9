"""Failed GCP calls map to coverage statuses through the shared mapping, with Vertex AI's 400
for a region without Agent Engine read as not found."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from nhiscan.providers.gcp.agents import AiPlatformError, error_status
from nhiscan.providers.gcp.live import error_status as call_status


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (gexc.PermissionDenied("Permission 'iam.serviceAccounts.list' denied"), "denied"),
        (
            gexc.Forbidden("Cloud Asset API has not been used in project 1 before or it is disabled"),
            "not_enabled",
        ),
        (gexc.Unauthenticated("Request had invalid authentication credentials"), "denied"),
        (gexc.ResourceExhausted("Quota exceeded"), "throttled"),
        (gexc.TooManyRequests("slow down"), "throttled"),
        (gexc.NotFound("Project acme-gone not found"), "not_found"),
        (gexc.ServiceUnavailable("backend unavailable"), "error"),
        (gexc.InvalidArgument("bad request"), "error"),
        (ValueError("not a Google error at all"), "error"),
    ],
)
def test_google_api_errors_map_to_coverage_statuses(exc: BaseException, status: str) -> None:
    assert call_status(exc)[0] == status


def test_call_status_keeps_only_the_first_line_of_the_message() -> None:
    _, detail = call_status(gexc.PermissionDenied("denied on projects/p\nmore detail\n  and more"))
    assert detail == "denied on projects/p"


@pytest.mark.parametrize(
    ("code", "word", "status"),
    [
        (400, "FAILED_PRECONDITION", "not_found"),  # a location without Agent Engine
        (404, "NOT_FOUND", "not_found"),
        (403, "PERMISSION_DENIED SERVICE_DISABLED", "not_enabled"),
        (403, "PERMISSION_DENIED", "denied"),
        (401, "UNAUTHENTICATED", "denied"),
        (429, "RESOURCE_EXHAUSTED", "throttled"),
        (500, "INTERNAL", "error"),
        (0, "UNAVAILABLE", "error"),
    ],
)
def test_vertex_errors_map_to_coverage_statuses(code: int, word: str, status: str) -> None:
    assert error_status(AiPlatformError(code, word, "message")) == status
