"""Read-only proof: every API call a full scan makes, recorded at the SDK, is one of the
documented read-only operations; the count is fixed per account (nothing per role); and the
documented minimal policy is enough when moto enforces IAM."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

from nhiscan.providers.aws import agents
from nhiscan.providers.aws.collector import READ_ONLY_OPERATIONS, collect
from nhiscan.providers.interface import CollectOptions

from .estate import EC2_TRUST, seed_estate
from .moto_server import READ_ONLY_SCANNER_POLICY, MotoAws, iam_enforced, real_gaps, record_calls

ALLOWED = READ_ONLY_OPERATIONS | agents.READ_ONLY_OPERATIONS
# the collector's docstring: STS identity, one GAAD walk, the credential report (generate until
# COMPLETE, then get), DescribeTrails, and status + selectors per trail; then the agents module's
# list calls for a scan region with no agents, and Bedrock API keys once
PROMISED = {
    "GetCallerIdentity",
    "GetAccountAuthorizationDetails",
    "GenerateCredentialReport",
    "GetCredentialReport",
    "DescribeTrails",
    "GetTrailStatus",
    "GetEventSelectors",
    "ListAgents",
    "ListAgentRuntimes",
    "ListGateways",
    "ListWorkloadIdentities",
    "ListApiKeyCredentialProviders",
    "ListOauth2CredentialProviders",
    "ListServiceSpecificCredentials",
}


INLINE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
    }
)


def _scan_calls(aws: MotoAws, **settings: object) -> Counter[str]:
    session = settings.pop("session", None) or aws.session()
    log = record_calls(session)
    collect(
        CollectOptions(as_of=datetime.now(timezone.utc), settings=aws.settings(session=session, **settings))
    )
    return Counter(log.operations)


def _seed(aws: MotoAws, roles: int, users: int) -> None:
    """In the backend (HTTP seeding would dominate the test's time); the scan reads over HTTP."""
    be = aws.iam_backend
    policy = be.create_policy("", "/", INLINE, "p", [])
    for i in range(roles):
        role = be.create_role(f"role-{i}", EC2_TRUST, "/", None, "", [], None)
        policy.attach_to(role)
        role.put_policy("inline", INLINE)
    for i in range(users):
        be.create_user(None, f"u{i}")
        be.create_access_key(f"u{i}")


def test_full_scan_makes_only_documented_read_only_calls(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc), report_ready=False)
    calls = _scan_calls(aws)
    assert calls["GenerateCredentialReport"] == 2  # STARTED, then COMPLETE
    assert set(calls) <= ALLOWED
    assert set(calls) == PROMISED
    assert calls["GetTrailStatus"] == calls["GetEventSelectors"] == 1  # one trail
    assert all(op.startswith(("Get", "List", "Describe", "Generate")) for op in ALLOWED)


def test_key_details_adds_only_list_access_keys(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    calls = _scan_calls(aws, key_details=True)
    assert set(calls) <= ALLOWED
    assert set(calls) - PROMISED == {"ListAccessKeys"}


def test_call_count_does_not_grow_with_roles(aws: MotoAws) -> None:
    _seed(aws, roles=5, users=3)
    small = _scan_calls(aws)
    aws.reset()
    _seed(aws, roles=50, users=30)
    large = _scan_calls(aws)
    assert small == large
    assert sum(large.values()) == 13  # no trail, no agents: 12 operations, GenerateCredentialReport twice


def test_documented_policy_is_enough_under_iam_enforcement(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    session = aws.read_only_scanner()
    actions = set(READ_ONLY_SCANNER_POLICY["Statement"][0]["Action"])
    assert {a.split(":", 1)[1] for a in actions} == ALLOWED
    with iam_enforced():
        inventory = collect(
            CollectOptions(
                as_of=datetime.now(timezone.utc), settings=aws.settings(session=session, key_details=True)
            )
        )
    assert real_gaps(inventory.gaps) == []
    assert len([i for i in inventory.identities if i.kind == "aws.iam_role"]) == 13
