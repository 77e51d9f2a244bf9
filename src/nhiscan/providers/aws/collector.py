"""Live AWS collection: a fixed number of bulk, read-only calls per account.

Calls: ``sts:GetCallerIdentity``; ``iam:GetAccountAuthorizationDetails`` (paginated: users,
groups, roles with trust policies and last use, every policy document); the credential report
(``iam:GenerateCredentialReport`` + ``iam:GetCredentialReport``: key ages and last use);
``cloudtrail:DescribeTrails`` + ``GetTrailStatus`` + ``GetEventSelectors`` per trail. With
``key_details`` only, ``iam:ListAccessKeys`` for users that hold an active key. Nothing is called
per role. A call that is denied becomes a coverage gap and the scan goes on; throttling is retried
by botocore's adaptive mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from nhiscan.errors import CollectionError, MissingExtraError
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, merge, scope_key
from nhiscan.providers.aws import documents as d
from nhiscan.providers.aws.build import AwsDocuments, build
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import CollectOptions

T = TypeVar("T")
READ_ONLY_OPERATIONS = frozenset(
    {
        "GetCallerIdentity",
        "GetAccountAuthorizationDetails",
        "GenerateCredentialReport",  # read-only in effect: it only (re)builds the report AWS serves
        "GetCredentialReport",
        "ListAccessKeys",
        "DescribeTrails",
        "GetTrailStatus",
        "GetEventSelectors",
    }
)
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}


class _Gap(Exception):
    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _session(settings: AwsSettings) -> Any:
    try:
        import boto3
    except ImportError as exc:
        raise MissingExtraError("aws", "boto3") from exc
    if settings.session is not None:
        return settings.session
    return boto3.Session(profile_name=settings.profile or None)


def _client(session: Any, service: str, region: str, settings: AwsSettings) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"mode": "adaptive", "max_attempts": settings.max_attempts},
        user_agent_extra="nhiscan",
        connect_timeout=10,
        read_timeout=60,
    )
    return session.client(service, region_name=region, endpoint_url=settings.endpoint_url, config=config)


def _one_line(text: str, limit: int = 200) -> str:
    """Error bodies can be whole XML documents; a coverage note is one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _call(fn: Callable[[], T]) -> T:
    from botocore.exceptions import ClientError

    try:
        return fn()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = _one_line(str(error.get("Message", "")))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # a 403/429 whose body botocore could not parse carries only the status as its code
        if code in DENIED or (status == 403 and code in ("403", "")):
            raise _Gap(CoverageStatus.DENIED.value, _one_line(f"{code}: {message}")) from exc
        if code in THROTTLED or status == 429:
            raise _Gap(CoverageStatus.THROTTLED.value, _one_line(f"{code} after retries: {message}")) from exc
        raise _Gap(CoverageStatus.ERROR.value, _one_line(f"{code}: {message}")) from exc


def collect(options: CollectOptions) -> Inventory:
    from botocore.exceptions import BotoCoreError, ClientError

    settings = options.settings_for(AwsSettings)
    session = _session(settings)
    regions = list(settings.regions)
    region = regions[0] if regions else (session.region_name or "us-east-1")
    progress = options.progress
    try:
        ident = _client(session, "sts", region, settings).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(f"aws: cannot use the AWS credentials ({_one_line(str(exc))})") from exc
    account = str(ident["Account"])
    key = scope_key("aws", "account", account)
    docs = AwsDocuments(accounts={account}, cloudtrail_read=True)

    def gap(source: str, g: _Gap) -> None:
        docs.coverage.append(CoverageEntry("aws", key, source, g.status, g.detail))

    def ok(source: str, detail: str = "") -> None:
        docs.coverage.append(CoverageEntry("aws", key, source, CoverageStatus.OK.value, detail))

    iam = _client(session, "iam", region, settings)
    progress.step(f"aws {account}: reading IAM authorization details")
    try:
        gaad = _call(lambda: _authorization_details(iam))
        docs.gaad.append(("iam:GetAccountAuthorizationDetails", gaad))
        ok("iam:GetAccountAuthorizationDetails")
    except _Gap as g:
        gap("iam:GetAccountAuthorizationDetails", g)

    progress.step(f"aws {account}: reading the credential report")
    try:
        csv_text = _call(lambda: _credential_report(iam, settings.report_timeout))
        rows = d.parse_report(csv_text, "iam:GetCredentialReport")
        docs.reports.append(("iam:GetCredentialReport", rows))
        ok("iam:GetCredentialReport")
        if settings.key_details:
            for row in rows:
                if row.get("user") != "<root_account>" and "true" in (
                    row.get("access_key_1_active"),
                    row.get("access_key_2_active"),
                ):
                    user = row["user"]
                    try:
                        keys = _call(partial(_access_keys, iam, user))
                        docs.key_details[row["arn"]] = keys
                    except _Gap as g:
                        gap(f"iam:ListAccessKeys {user}", g)
    except _Gap as g:
        gap("iam:GetCredentialReport", g)

    progress.step(f"aws {account}: reading CloudTrail in {region}")
    _cloudtrail(session, region, settings, docs, gap, ok)
    if (
        all(c.is_gap for c in docs.coverage if c.source.startswith("iam:"))
        and not docs.gaad
        and not docs.reports
    ):
        reasons = "; ".join(f"{c.source}: {c.detail}" for c in docs.coverage if c.is_gap)
        raise CollectionError(f"aws {account}: nothing could be read ({reasons})")
    inventory = build(docs)
    from nhiscan.providers.aws.agents import collect_agents, context_from

    progress.step(f"aws {account}: reading Bedrock agents and AgentCore")
    agents = collect_agents(
        session, regions or [region], settings, account, progress, **context_from(inventory)
    )
    return merge([inventory, agents])


def _access_keys(iam: Any, user: str) -> list[Any]:
    return list(iam.list_access_keys(UserName=user)["AccessKeyMetadata"])


def _authorization_details(iam: Any) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {k: [] for k in d.GAAD_KEYS}
    # 1,000 is the largest page IAM serves; the default of 100 makes ten times the calls
    pages = iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": 1000}
    )
    for page in pages:
        for k in d.GAAD_KEYS:
            merged[k].extend(page.get(k, []))
    return merged


def _credential_report(iam: Any, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        state = iam.generate_credential_report().get("State")
        if state == "COMPLETE":
            break
        if time.monotonic() > deadline:
            raise _Gap(CoverageStatus.ERROR.value, f"credential report still {state} after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 5)
    content = iam.get_credential_report()["Content"]
    return content.decode("utf-8") if isinstance(content, bytes) else str(content)


def _cloudtrail(
    session: Any,
    region: str,
    settings: AwsSettings,
    docs: AwsDocuments,
    gap: Callable[[str, _Gap], None],
    ok: Callable[..., None],
) -> None:
    ct = _client(session, "cloudtrail", region, settings)
    try:
        trails = _call(lambda: ct.describe_trails(includeShadowTrails=True)["trailList"])
        ok("cloudtrail:DescribeTrails", f"region {region}")
    except _Gap as g:
        gap("cloudtrail:DescribeTrails", g)
        docs.cloudtrail_read = False
        return
    clients = {region: ct}
    for trail in trails:
        arn = trail["TrailARN"]
        home = trail.get("HomeRegion") or region
        client = clients.get(home) or clients.setdefault(home, _client(session, "cloudtrail", home, settings))
        docs.trails.append(("cloudtrail:DescribeTrails", trail))
        try:
            status = _call(partial(client.get_trail_status, Name=arn))
            docs.statuses.append((arn, "cloudtrail:GetTrailStatus", status))
        except _Gap as g:
            gap(f"cloudtrail:GetTrailStatus {trail.get('Name')}", g)
        try:
            sel = _call(partial(client.get_event_selectors, TrailName=arn))
            docs.selectors.append(("cloudtrail:GetEventSelectors", sel))
        except _Gap as g:
            gap(f"cloudtrail:GetEventSelectors {trail.get('Name')}", g)
