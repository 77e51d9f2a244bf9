"""GetAccountAuthorizationDetails paging. moto always answers in one page, so the first page here
is a canned wire response (the IAM query-protocol XML AWS sends, with a URL-encoded trust
policy) injected below botocore's parser; the follow-up request, carrying the Marker, goes to
moto. The collector must walk both pages and merge them."""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timezone
from typing import Any

from nhiscan.providers.aws.collector import collect
from nhiscan.providers.interface import CollectOptions

from .estate import EC2_TRUST
from .moto_server import ACCOUNT, MotoAws, response

OPEN_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)
PAGE_1 = f"""<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<GetAccountAuthorizationDetailsResult>
 <IsTruncated>true</IsTruncated><Marker>page-2-marker</Marker>
 <UserDetailList/><GroupDetailList/><Policies/>
 <RoleDetailList><member>
  <Path>/</Path><RoleName>paged-role</RoleName><RoleId>AROAPAGEDROLE0000001</RoleId>
  <Arn>arn:aws:iam::{ACCOUNT}:role/paged-role</Arn><CreateDate>2026-01-05T10:00:00Z</CreateDate>
  <AssumeRolePolicyDocument>{urllib.parse.quote(OPEN_TRUST)}</AssumeRolePolicyDocument>
  <InstanceProfileList/><RolePolicyList/><AttachedManagedPolicies/><Tags/><RoleLastUsed/>
 </member></RoleDetailList>
</GetAccountAuthorizationDetailsResult>
<ResponseMetadata><RequestId>6d1c2b7e-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</GetAccountAuthorizationDetailsResponse>"""


class GaadPager:
    """Answers the first GAAD request with PAGE_1 and records every GAAD request's parameters."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []

    def __call__(self, request: Any, **_: Any) -> Any:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        params = urllib.parse.parse_qs(body)
        self.requests.append(params)
        if "Marker" not in params:
            return response(PAGE_1, 200)
        return None


def _scan(aws: MotoAws) -> tuple[GaadPager, Any]:
    iam = aws.client("iam")
    iam.create_role(RoleName="moto-role", AssumeRolePolicyDocument=EC2_TRUST)
    aws.credential_report_ready()
    session = aws.session()
    pager = GaadPager()
    session.events.register("before-send.iam.GetAccountAuthorizationDetails", pager)
    inv = collect(CollectOptions(as_of=datetime.now(timezone.utc), settings=aws.settings(session=session)))
    return pager, inv


def test_both_pages_are_read_and_merged(aws: MotoAws) -> None:
    pager, inv = _scan(aws)
    assert len(pager.requests) == 2
    assert pager.requests[1]["Marker"] == ["page-2-marker"]
    roles = {i.name: i for i in inv.identities if i.kind == "aws.iam_role"}
    assert set(roles) == {"paged-role", "moto-role"}
    assert roles["paged-role"].facts.trust.any_principal is True  # the URL-encoded document was decoded
    assert inv.gaps == ()


def test_pages_are_as_large_as_iam_allows(aws: MotoAws) -> None:
    pager, _ = _scan(aws)
    assert [r.get("MaxItems") for r in pager.requests] == [["1000"], ["1000"]]
