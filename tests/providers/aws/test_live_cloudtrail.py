"""CloudTrail as the live collector sees it: a multi-region trail whose home is another region
is found from the scan region (as a shadow trail) and its status is read in its home region."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from nhiscan.providers.aws.collector import collect
from nhiscan.providers.interface import CollectOptions

from .moto_server import ACCOUNT, MotoAws


def _trail(aws: MotoAws, region: str, name: str, *, multi_region: bool, logging: bool) -> None:
    session = aws.session()
    s3 = session.client("s3", endpoint_url=aws.endpoint, region_name=region)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=f"{name}-logs", **where)
    ct = session.client("cloudtrail", endpoint_url=aws.endpoint, region_name=region)
    ct.create_trail(Name=name, S3BucketName=f"{name}-logs", IsMultiRegionTrail=multi_region)
    # what AWS returns for default selectors (moto returns empty lists)
    ct.put_event_selectors(
        TrailName=name, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    if logging:
        ct.start_logging(Name=name)


def _scan(aws: MotoAws) -> tuple[Any, list[tuple[str, str]]]:
    aws.credential_report_ready()
    session = aws.session()
    signed: list[tuple[str, str]] = []
    session.events.register(
        "before-sign.cloudtrail.*",
        lambda operation_name, region_name, **_: signed.append((operation_name, region_name)),
    )
    inv = collect(CollectOptions(as_of=datetime.now(timezone.utc), settings=aws.settings(session=session)))
    return inv, signed


def test_trail_homed_elsewhere_is_read_in_its_home_region(aws: MotoAws) -> None:
    _trail(aws, "us-west-2", "west-trail", multi_region=True, logging=True)
    inv, signed = _scan(aws)
    assert signed == [
        ("DescribeTrails", "us-east-1"),
        ("GetTrailStatus", "us-west-2"),
        ("GetEventSelectors", "us-west-2"),
    ]
    [state] = inv.logging
    assert (state.scope, state.status) == (f"aws:account:{ACCOUNT}", "enabled")
    assert "west-trail" in state.summary


def test_single_region_trail_only_is_partial(aws: MotoAws) -> None:
    _trail(aws, "us-east-1", "local-trail", multi_region=False, logging=True)
    inv, _ = _scan(aws)
    [state] = inv.logging
    assert state.status == "partial"
    assert inv.gaps == ()
