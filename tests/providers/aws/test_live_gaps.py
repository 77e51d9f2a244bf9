"""Partial access: a denied or throttled API is a coverage gap and the scan goes on; the gap is
in every report format; ``--strict`` turns it into exit 3. Denials come from moto enforcing a real
IAM policy on the scanning user, or from an error response injected below the SDK's retry logic."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nhiscan.model import Inventory
from nhiscan.providers.aws.collector import collect
from nhiscan.providers.interface import CollectOptions

from .estate import EC2_TRUST, seed_estate
from .moto_server import (
    READ_ONLY_SCANNER_POLICY,
    MotoAws,
    fail_operation,
    iam_enforced,
    real_gap_dicts,
    real_gaps,
    run_cli,
)

NO_REPORT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        *READ_ONLY_SCANNER_POLICY["Statement"],
        {"Effect": "Deny", "Action": "iam:GetCredentialReport", "Resource": "*"},
    ],
}


def _collect(aws: MotoAws, session: object, **settings: object) -> Inventory:
    return collect(
        CollectOptions(as_of=datetime.now(timezone.utc), settings=aws.settings(session=session, **settings))
    )


def _status(inv: Inventory, source: str) -> str:
    return next(c.status for c in inv.coverage if c.source == source)


def test_denied_credential_report_is_a_gap_and_roles_still_read(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    session = aws.read_only_scanner(NO_REPORT_POLICY)
    with iam_enforced():
        inv = _collect(aws, session)
    assert [g.source for g in real_gaps(inv.gaps)] == ["iam:GetCredentialReport"]
    gap = next(c for c in inv.gaps if c.source == "iam:GetCredentialReport")
    assert gap.status == "denied"
    assert "iam:GetCredentialReport" in gap.detail
    assert _status(inv, "iam:GetAccountAuthorizationDetails") == "ok"
    assert _status(inv, "cloudtrail:DescribeTrails") == "ok"
    assert len([i for i in inv.identities if i.kind == "aws.iam_role"]) == 13
    assert inv.credentials == ()  # key ages come only from the report


def test_denied_authorization_details_keeps_report_users(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    session = aws.session()
    failed = fail_operation(session, "iam", "GetAccountAuthorizationDetails", "AccessDenied", 403)
    inv = _collect(aws, session)
    assert failed() == 1  # a denial is not retried
    assert _status(inv, "iam:GetAccountAuthorizationDetails") == "denied"
    users = {i.name for i in inv.identities if i.kind == "aws.iam_user"}
    assert {"ci-machine", "two-keys"} <= users
    assert not [i for i in inv.identities if i.kind == "aws.iam_role"]


def test_denied_cloudtrail_is_denied_not_error(aws: MotoAws) -> None:
    policy = {"Version": "2012-10-17", "Statement": [READ_ONLY_SCANNER_POLICY["Statement"][0] | {"Action": [
        a for a in READ_ONLY_SCANNER_POLICY["Statement"][0]["Action"] if not a.startswith("cloudtrail:")]}]}  # fmt: skip
    session = aws.read_only_scanner(policy)
    with iam_enforced():
        inv = _collect(aws, session)
    assert _status(inv, "cloudtrail:DescribeTrails") == "denied"


def test_cli_reports_the_gap_everywhere_and_strict_exits_3(
    aws_env: MotoAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_estate(aws_env, datetime.now(timezone.utc))
    key = aws_env.read_only_scanner(NO_REPORT_POLICY).get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key.secret_key)
    outputs = ["-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif", "-f", "markdown", "-o", "r.md"]
    with iam_enforced():
        assert run_cli(["scan", "aws", *outputs]) == 0
        report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        sarif = (tmp_path / "r.sarif").read_text(encoding="utf-8")
        markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
        assert run_cli(["scan", "aws", "--strict", "-f", "json", "-o", "strict.json"]) == 3
    gaps = [(g["source"], g["status"]) for g in real_gap_dicts(report["scan"]["gaps"])]
    assert report["scan"]["complete"] is False
    assert gaps == [("iam:GetCredentialReport", "denied")]
    assert "coverage/denied" in sarif and "iam:GetCredentialReport" in sarif
    assert "iam:GetCredentialReport" in markdown and "denied" in markdown
    assert "NHI-AWS-011" in json.dumps(report)  # the roles were still evaluated
    assert (tmp_path / "strict.json").is_file()  # --strict still writes the report
    assert key.secret_key not in capsys.readouterr().err


def _small(aws: MotoAws) -> None:
    iam = aws.client("iam")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_user(UserName="u1")
    iam.create_access_key(UserName="u1")
    aws.credential_report_ready()


def test_cli_strict_exits_0_when_everything_was_read(aws_env: MotoAws, tmp_path: Path) -> None:
    seed_estate(aws_env, datetime.now(timezone.utc))
    assert run_cli(["scan", "aws", "--strict", "-f", "json", "-o", "r.json"]) == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["scan"]["gaps"] == [] and report["scan"]["complete"] is True


def test_throttled_twice_then_succeeds(aws: MotoAws) -> None:
    _small(aws)
    session = aws.session()
    # the last IAM call: after a throttle, adaptive mode also slows the client's later calls
    failed = fail_operation(session, "iam", "GetCredentialReport", "Throttling", 400, times=2)
    inv = _collect(aws, session, max_attempts=2)
    assert failed() == 2
    assert inv.gaps == ()
    assert {i.name for i in inv.identities} == {"r1", "u1"}
    assert [c.id for c in inv.credentials] == ["access_key_1"]  # the report was read in the end


def test_always_throttled_is_a_throttled_gap(aws: MotoAws) -> None:
    _small(aws)
    session = aws.session()
    failed = fail_operation(session, "iam", "GetCredentialReport", "Throttling", 400)
    inv = _collect(aws, session, max_attempts=1)
    assert failed() == 2  # botocore's max_attempts counts retries: the call and one retry
    assert _status(inv, "iam:GetCredentialReport") == "throttled"
    assert _status(inv, "iam:GetAccountAuthorizationDetails") == "ok"
    assert [g.source for g in inv.gaps] == ["iam:GetCredentialReport"]
