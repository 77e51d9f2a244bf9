"""The one way the AWS provider talks to AWS: sessions, clients, and turning a failed call into a
coverage gap.

Both the IAM/CloudTrail collector and the agent collector use these helpers, so a denied, throttled
or unavailable call is reported the same way wherever it happens. Nothing here runs at import time
and boto3 is imported only when a session is made (it is an optional extra).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from nhiscan.coverage import one_line, status_for
from nhiscan.errors import Gap, MissingExtraError
from nhiscan.model import CoverageStatus
from nhiscan.providers.aws.settings import AwsSettings

T = TypeVar("T")

DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})
THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)
# error codes of a service (or an operation) that this region or botocore does not offer
UNAVAILABLE = frozenset({"UnknownOperationException", "UnknownOperation", "UnrecognizedClientException"})


def session(settings: AwsSettings) -> Any:
    """The boto3 session to use: ``settings.session`` when given (tests, embedding), else one
    for ``settings.profile`` through the standard credential chain."""
    try:
        import boto3
    except ImportError as exc:
        raise MissingExtraError("aws", "boto3") from exc
    if settings.session is not None:
        return settings.session
    return boto3.Session(profile_name=settings.profile or None)


def client(session: Any, service: str, region: str, settings: AwsSettings) -> Any:
    """A client with botocore's adaptive retries (throttling is retried there, not here)."""
    from botocore.config import Config

    config = Config(
        retries={"mode": "adaptive", "max_attempts": settings.max_attempts},
        user_agent_extra="nhiscan",
        connect_timeout=10,
        read_timeout=60,
    )
    return session.client(service, region_name=region, endpoint_url=settings.endpoint_url, config=config)


def _http_status(code: str, status: Any) -> int | None:
    """The HTTP-like status :func:`nhiscan.coverage.status_for` decides by. AWS names denial
    and throttling by error code; a 403/429 whose body botocore could not parse carries only
    the status as its code. Other statuses (a 404 NoSuchEntity, a 400 validation error) stay
    errors of the call, as they always were, so they are not passed on."""
    if code in DENIED or (status == 403 and code in ("403", "")):
        return 403
    if code in THROTTLED or status == 429:
        return 429
    return None


def call(fn: Callable[[], T]) -> T:
    """Run one API call; a ClientError becomes a :class:`~nhiscan.errors.Gap` (denied,
    throttled after botocore's retries, or error) whose cause is the ClientError."""
    from botocore.exceptions import ClientError

    try:
        return fn()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = one_line(str(error.get("Message", "")))
        http = _http_status(code, exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        status = status_for(http, message)
        if status is CoverageStatus.THROTTLED:
            raise Gap(status.value, one_line(f"{code} after retries: {message}")) from exc
        raise Gap(status.value, one_line(f"{code}: {message}")) from exc


def invoke(fn: Callable[[], T]) -> T:
    """Like :func:`call`, for services that a region may not offer (Bedrock, AgentCore): an
    unknown operation or an unreachable endpoint is ``not_enabled``, and every other botocore
    failure (including an unparseable proxy page) is an ``error`` gap instead of an exception."""
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
    from botocore.parsers import ResponseParserError

    try:
        return call(fn)
    except Gap as g:
        cause = g.__cause__
        code = str(cause.response.get("Error", {}).get("Code", "")) if isinstance(cause, ClientError) else ""
        if code in UNAVAILABLE:
            raise Gap(CoverageStatus.NOT_ENABLED.value, f"not available: {g.detail}") from g
        raise
    except EndpointConnectionError as exc:
        raise Gap(
            CoverageStatus.NOT_ENABLED.value, one_line(f"service not reachable in this region: {exc}")
        ) from exc
    except BotoCoreError as exc:
        raise Gap(CoverageStatus.ERROR.value, one_line(str(exc))) from exc
    except ResponseParserError as exc:  # an HTML error page from a proxy or an emulator
        raise Gap(CoverageStatus.ERROR.value, "unparseable response from the service") from exc


def pages(
    call_page: Callable[..., Mapping[str, Any]], key: str, token: str = "nextToken", **kw: Any
) -> list[Any]:
    """Every item under ``key`` across the pages of a ``nextToken``-style List call (for
    services without a botocore paginator)."""
    items: list[Any] = []
    next_token: str | None = None
    for _ in range(10_000):  # a service that repeats its token must not loop forever
        args = dict(kw)
        if next_token:
            args[token] = next_token
        page = call_page(**args)
        items.extend(page.get(key) or [])
        next_token = page.get(token)
        if not next_token:
            return items
    return items


def without_metadata(resp: Mapping[str, Any]) -> dict[str, Any]:
    """A response without botocore's ``ResponseMetadata`` (request ids are not inventory)."""
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}
