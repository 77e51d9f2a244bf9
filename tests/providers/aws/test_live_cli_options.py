"""The AWS options of ``nhiscan scan`` reach the collector: ``--profile`` picks the credentials
(proved by a profile whose user may not read the credential report, under moto's IAM
enforcement) and ``--region`` the region of the regional services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .moto_server import READ_ONLY_SCANNER_POLICY, MotoAws, iam_enforced, real_gap_dicts, run_cli

NO_REPORT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        *READ_ONLY_SCANNER_POLICY["Statement"],
        {"Effect": "Deny", "Action": "iam:GetCredentialReport", "Resource": "*"},
    ],
}


def _gaps(path: Path) -> list[tuple[str, str]]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return [(g["source"], g["status"]) for g in real_gap_dicts(report["scan"]["gaps"])]


def test_profile_selects_the_credentials(
    aws_env: MotoAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = aws_env.read_only_scanner(NO_REPORT_POLICY).get_credentials()
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[limited]\naws_access_key_id = {key.access_key}\naws_secret_access_key = {key.secret_key}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    aws_env.credential_report_ready()
    with iam_enforced():
        assert run_cli(["scan", "aws", "--profile", "limited", "-f", "json", "-o", "limited.json"]) == 0
    assert _gaps(tmp_path / "limited.json") == [("iam:GetCredentialReport", "denied")]
    # the same scan with the environment's (unrestricted) credentials reads everything
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert run_cli(["scan", "aws", "-f", "json", "-o", "full.json"]) == 0
    assert _gaps(tmp_path / "full.json") == []


def test_region_selects_the_regional_services(aws_env: MotoAws, tmp_path: Path) -> None:
    aws_env.credential_report_ready()
    assert run_cli(["scan", "aws", "--region", "eu-west-1", "-f", "json", "-o", "r.json"]) == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    coverage = {c["source"]: c for c in report["scan"]["coverage"]}
    assert coverage["cloudtrail:DescribeTrails"]["detail"] == "region eu-west-1"
    assert any(source.endswith(" eu-west-1") for source in coverage if source.startswith("bedrock-agent"))
    assert not any(source.endswith(" us-east-1") for source in coverage)
