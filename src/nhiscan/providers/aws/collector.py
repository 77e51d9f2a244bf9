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
from typing import Any

from nhiscan.coverage import one_line
from nhiscan.errors import CollectionError, Gap
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, merge, scope_key
from nhiscan.providers.aws import documents as d
from nhiscan.providers.aws.agents import collect_agents, context_from
from nhiscan.providers.aws.build import AwsDocuments, build
from nhiscan.providers.aws.calls import call, client, session
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import CollectOptions

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


def collect(options: CollectOptions) -> Inventory:
    from botocore.exceptions import BotoCoreError, ClientError

    settings = options.settings_for(AwsSettings)
    sess = session(settings)
    regions = list(settings.regions)
    region = regions[0] if regions else (sess.region_name or "us-east-1")
    progress = options.progress
    try:
        ident = client(sess, "sts", region, settings).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(f"aws: cannot use the AWS credentials ({one_line(str(exc))})") from exc
    account = str(ident["Account"])
    key = scope_key("aws", "account", account)
    docs = AwsDocuments(accounts={account}, cloudtrail_read=True)

    def gap(source: str, g: Gap) -> None:
        docs.coverage.append(CoverageEntry("aws", key, source, g.status, g.detail))

    def ok(source: str, detail: str = "") -> None:
        docs.coverage.append(CoverageEntry("aws", key, source, CoverageStatus.OK.value, detail))

    iam = client(sess, "iam", region, settings)
    progress.step(f"aws {account}: reading IAM authorization details")
    try:
        gaad = call(lambda: _authorization_details(iam))
        docs.gaad.append(("iam:GetAccountAuthorizationDetails", gaad))
        ok("iam:GetAccountAuthorizationDetails")
    except Gap as g:
        gap("iam:GetAccountAuthorizationDetails", g)

    progress.step(f"aws {account}: reading the credential report")
    try:
        csv_text = call(lambda: _credential_report(iam, settings.report_timeout))
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
                        keys = call(partial(_access_keys, iam, user))
                        docs.key_details[row["arn"]] = keys
                    except Gap as g:
                        gap(f"iam:ListAccessKeys {user}", g)
    except Gap as g:
        gap("iam:GetCredentialReport", g)

    progress.step(f"aws {account}: reading CloudTrail in {region}")
    _cloudtrail(sess, region, settings, docs, gap, ok)
    if (
        all(c.is_gap for c in docs.coverage if c.source.startswith("iam:"))
        and not docs.gaad
        and not docs.reports
    ):
        reasons = "; ".join(f"{c.source}: {c.detail}" for c in docs.coverage if c.is_gap)
        raise CollectionError(f"aws {account}: nothing could be read ({reasons})")
    inventory = build(docs)
    progress.step(f"aws {account}: reading Bedrock agents and AgentCore")
    agents = collect_agents(sess, regions or [region], settings, account, progress, **context_from(inventory))
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
            raise Gap(CoverageStatus.ERROR.value, f"credential report still {state} after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 5)
    content = iam.get_credential_report()["Content"]
    return content.decode("utf-8") if isinstance(content, bytes) else str(content)


def _cloudtrail(
    sess: Any,
    region: str,
    settings: AwsSettings,
    docs: AwsDocuments,
    gap: Callable[[str, Gap], None],
    ok: Callable[..., None],
) -> None:
    ct = client(sess, "cloudtrail", region, settings)
    try:
        trails = call(lambda: ct.describe_trails(includeShadowTrails=True)["trailList"])
        ok("cloudtrail:DescribeTrails", f"region {region}")
    except Gap as g:
        gap("cloudtrail:DescribeTrails", g)
        docs.cloudtrail_read = False
        return
    clients = {region: ct}
    for trail in trails:
        arn = trail["TrailARN"]
        home = trail.get("HomeRegion") or region
        home_ct = clients.get(home) or clients.setdefault(home, client(sess, "cloudtrail", home, settings))
        docs.trails.append(("cloudtrail:DescribeTrails", trail))
        try:
            status = call(partial(home_ct.get_trail_status, Name=arn))
            docs.statuses.append((arn, "cloudtrail:GetTrailStatus", status))
        except Gap as g:
            gap(f"cloudtrail:GetTrailStatus {trail.get('Name')}", g)
        try:
            sel = call(partial(home_ct.get_event_selectors, TrailName=arn))
            docs.selectors.append(("cloudtrail:GetEventSelectors", sel))
        except Gap as g:
            gap(f"cloudtrail:GetEventSelectors {trail.get('Name')}", g)
