"""Edges of the estate: an empty account, and accounts where nothing can be read."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nhiscan.engine import load_rules
from nhiscan.errors import CollectionError
from nhiscan.providers.aws.collector import collect
from nhiscan.providers.interface import CollectOptions
from nhiscan.scan import run

from .moto_server import ACCOUNT, MotoAws, iam_enforced, run_cli


def test_empty_account(aws: MotoAws) -> None:
    now = datetime.now(timezone.utc)
    inv = collect(CollectOptions(as_of=now, settings=aws.settings()))
    assert inv.gaps == ()
    assert inv.identities == ()  # moto's credential report has no <root_account> row
    assert inv.credentials == ()
    assert [(lg.scope, lg.status) for lg in inv.logging] == [(f"aws:account:{ACCOUNT}", "disabled")]
    result, _ = run(inv, load_rules(), as_of=now, started=now, providers=["aws"])
    assert [(f.rule_id, f.resource_id) for f in result.findings] == [
        ("NHI-AWS-020", f"aws:account:{ACCOUNT}")
    ]
    assert "no CloudTrail trail" in result.findings[0].message


def test_empty_account_cli(aws_env: MotoAws, tmp_path: Path) -> None:
    assert run_cli(["scan", "aws", "-f", "json", "-o", "r.json"]) == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["scan"]["complete"] is True
    assert [f["rule_id"] for f in report["findings"]] == ["NHI-AWS-020"]


def _one_line_naming_aws(err: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nhiscan: error: aws")


def test_every_call_denied_exits_3_with_one_line(
    aws_env: MotoAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = aws_env.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    with iam_enforced():
        code = run_cli(["scan", "aws"])
    err = capsys.readouterr().err
    assert code == 3
    assert "nothing could be read" in err and "AccessDenied" in err
    assert key["SecretAccessKey"] not in err
    _one_line_naming_aws(err)


def test_every_iam_call_denied_is_a_collection_error(aws: MotoAws) -> None:
    session = aws.read_only_scanner(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
        }
    )
    with iam_enforced(), pytest.raises(CollectionError) as exc:
        collect(CollectOptions(as_of=datetime.now(timezone.utc), settings=aws.settings(session=session)))
    message = exc.value.diagnostics()
    assert message.startswith(f"aws {ACCOUNT}: nothing could be read")
    assert "iam:GetAccountAuthorizationDetails: AccessDenied" in message
    assert "iam:GetCredentialReport: AccessDenied" in message


def test_invalid_credentials_exit_3_with_one_line(
    aws_env: MotoAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret-canary-0b5e")
    with iam_enforced():
        code = run_cli(["scan", "aws", "-f", "json", "-o", "r.json"])
    err = capsys.readouterr().err
    assert code == 3
    assert "InvalidClientTokenId" in err
    assert "not-a-real-secret-canary-0b5e" not in err
    _one_line_naming_aws(err)
    assert not Path("r.json").exists()


def test_unreachable_endpoint_is_a_collection_error(aws: MotoAws) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = (replace(aws.settings(max_attempts=0)[0], endpoint_url=closed),)
    with pytest.raises(CollectionError) as exc:
        collect(CollectOptions(as_of=datetime.now(timezone.utc), settings=settings))
    assert exc.value.diagnostics().startswith("aws: cannot use the AWS credentials")
    assert "\n" not in exc.value.diagnostics()
