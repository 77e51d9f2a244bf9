"""A small AWS estate with one example of each risk the AWS rules look for, each next to a
negative twin that differs only in the risky detail. Built over the API, then back-dated in the
moto backend."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .moto_server import ACCOUNT, MotoAws

OTHER_ACCOUNT = "210987654321"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
TRAIL = "org-trail"
CANARY_PASSWORD = "Canary-Pa55word-9f3b1c7e-never-print"


def _trust(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(
    principal: dict[str, Any] | str, action: str = "sts:AssumeRole", **condition: Any
) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        stmt["Condition"] = condition
    return stmt


EC2_TRUST = _trust(_allow({"Service": "ec2.amazonaws.com"}))
OWNER = [{"Key": "owner", "Value": "platform-team"}]


@dataclass(frozen=True)
class Estate:
    secrets: tuple[str, ...]  # every secret access key and password created: must never be printed
    now: datetime


def seed_estate(
    aws: MotoAws, now: datetime, *, trail_logging: bool = False, report_ready: bool = True
) -> Estate:
    iam = aws.client("iam")
    secrets: list[str] = []

    def user(name: str, keys: int, tags: list[dict[str, str]] | None = None) -> None:
        iam.create_user(UserName=name, Tags=tags or [])
        secrets.extend(
            iam.create_access_key(UserName=name)["AccessKey"]["SecretAccessKey"] for _ in range(keys)
        )

    # a machine user whose only key is 200 days old and was never used ...
    user("ci-machine", 1)
    aws.backdate_user("ci-machine", now - timedelta(days=200))
    aws.backdate_key("ci-machine", 0, now - timedelta(days=200))
    # ... and its twin: a fresh key, an owner tag
    user("fresh-svc", 1, OWNER)
    # a person's console login on a user that also holds a key
    user("console-and-key", 1, OWNER)
    iam.create_login_profile(UserName="console-and-key", Password=CANARY_PASSWORD)
    secrets.append(CANARY_PASSWORD)
    # both key slots active; the older key used recently, so only the two-keys rule applies
    user("two-keys", 2, OWNER)
    aws.backdate_key("two-keys", 0, now - timedelta(days=30), last_used=now - timedelta(days=1))

    # roles
    admin_arn = aws.add_aws_managed_policy("AdministratorAccess")
    iam.create_role(RoleName="admin-role", AssumeRolePolicyDocument=EC2_TRUST, Tags=OWNER)
    iam.attach_role_policy(RoleName="admin-role", PolicyArn=admin_arn)
    iam.create_role(RoleName="inline-admin", AssumeRolePolicyDocument=EC2_TRUST, Tags=OWNER)
    iam.put_role_policy(
        RoleName="inline-admin",
        PolicyName="everything",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    readonly = iam.create_policy(
        PolicyName="read-buckets",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
                ],
            }
        ),
    )["Policy"]["Arn"]
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=EC2_TRUST, Tags=OWNER)
    iam.attach_role_policy(RoleName="reader", PolicyArn=readonly)

    iam.create_role(RoleName="open-trust", AssumeRolePolicyDocument=_trust(_allow({"AWS": "*"})), Tags=OWNER)
    iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )
    iam.create_role(
        RoleName="gh-wildcard",
        AssumeRolePolicyDocument=_trust(
            _allow(
                {"Federated": GITHUB_PROVIDER},
                "sts:AssumeRoleWithWebIdentity",
                StringEquals={f"{GITHUB}:aud": "sts.amazonaws.com"},
                StringLike={f"{GITHUB}:sub": "repo:org/*"},
            )
        ),
        Tags=OWNER,
    )
    iam.create_role(
        RoleName="gh-pinned",
        AssumeRolePolicyDocument=_trust(
            _allow(
                {"Federated": GITHUB_PROVIDER},
                "sts:AssumeRoleWithWebIdentity",
                StringEquals={
                    f"{GITHUB}:aud": "sts.amazonaws.com",
                    f"{GITHUB}:sub": "repo:org/deploy:ref:refs/heads/main",
                },
            )
        ),
        Tags=OWNER,
    )
    iam.create_role(
        RoleName="vendor-no-extid",
        AssumeRolePolicyDocument=_trust(_allow({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"})),
        Tags=OWNER,
    )
    iam.create_role(
        RoleName="vendor-extid",
        AssumeRolePolicyDocument=_trust(
            _allow(
                {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                StringEquals={"sts:ExternalId": "vendor-issued-id"},
            )
        ),
        Tags=OWNER,
    )
    iam.create_role(
        RoleName="sns-no-source",
        AssumeRolePolicyDocument=_trust(_allow({"Service": "sns.amazonaws.com"})),
        Tags=OWNER,
    )
    iam.create_role(
        RoleName="sns-source",
        AssumeRolePolicyDocument=_trust(
            _allow({"Service": "sns.amazonaws.com"}, StringEquals={"aws:SourceAccount": ACCOUNT})
        ),
        Tags=OWNER,
    )
    iam.create_role(RoleName="old-unused", AssumeRolePolicyDocument=EC2_TRUST, Tags=OWNER)
    aws.backdate_role("old-unused", now - timedelta(days=400))
    iam.create_role(RoleName="old-busy", AssumeRolePolicyDocument=EC2_TRUST, Tags=OWNER)
    aws.backdate_role("old-busy", now - timedelta(days=400), last_used=now - timedelta(days=2))
    iam.create_role(RoleName="no-owner", AssumeRolePolicyDocument=EC2_TRUST)

    # CloudTrail: multi-region but (unless asked) never started
    bucket = "nhiscan-trail-bucket"
    aws.client("s3").create_bucket(Bucket=bucket)
    ct = aws.client("cloudtrail")
    ct.create_trail(Name=TRAIL, S3BucketName=bucket, IsMultiRegionTrail=True)
    if trail_logging:
        # what AWS returns for a trail with default selectors; moto returns empty lists instead
        ct.put_event_selectors(
            TrailName=TRAIL, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
        )
        ct.start_logging(Name=TRAIL)
    if report_ready:
        aws.credential_report_ready()
    return Estate(secrets=tuple(secrets), now=now)


# (rule id, resource name) -> expected; resource name is the identity name, or the account for
# account-level rules. Twins listed in ABSENT differ from a PRESENT entry in the risky detail only.
PRESENT = {
    ("NHI-AWS-001", "ci-machine"),
    ("NHI-AWS-002", "ci-machine"),
    ("NHI-AWS-003", "two-keys"),
    ("NHI-AWS-004", "ci-machine"),
    ("NHI-AWS-005", "console-and-key"),
    ("NHI-AWS-007", "old-unused"),
    ("NHI-AWS-009", "admin-role"),
    ("NHI-AWS-009", "inline-admin"),
    ("NHI-AWS-011", "open-trust"),
    ("NHI-AWS-012", "gh-wildcard"),
    ("NHI-AWS-013", "vendor-no-extid"),
    ("NHI-AWS-014", "sns-no-source"),
    ("NHI-AWS-020", ACCOUNT),
    ("NHI-AWS-021", "ci-machine"),
    ("NHI-AWS-021", "no-owner"),
}
ABSENT = {
    ("NHI-AWS-001", "fresh-svc"),
    ("NHI-AWS-002", "fresh-svc"),
    ("NHI-AWS-002", "two-keys"),
    ("NHI-AWS-003", "fresh-svc"),
    ("NHI-AWS-005", "fresh-svc"),
    ("NHI-AWS-007", "old-busy"),
    ("NHI-AWS-007", "admin-role"),
    ("NHI-AWS-009", "reader"),
    ("NHI-AWS-011", "vendor-no-extid"),
    ("NHI-AWS-012", "gh-pinned"),
    ("NHI-AWS-013", "vendor-extid"),
    ("NHI-AWS-014", "sns-source"),
    ("NHI-AWS-014", "admin-role"),  # ec2.amazonaws.com is exempt
    ("NHI-AWS-021", "fresh-svc"),
    ("NHI-AWS-021", "admin-role"),
}
