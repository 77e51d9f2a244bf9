"""The CLI end to end with agents: canary secrets planted in a runtime's environment and in an MCP
target URL appear in no output format, no saved inventory and no log; the rules fire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhiscan.inventory_io import dump_inventory
from nhiscan.providers.aws import Plugin as AwsPlugin
from nhiscan.providers.aws import agents
from nhiscan.providers.aws import collector as aws_collector
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import NullProgress
from providers.aws.agents_fake import (
    ACCT,
    CANARY_ENV,
    CANARY_URL,
    GW_OPEN,
    RUNTIME,
    SUPER,
    WORKER,
    cli_exports,
    estate,
    rebase,
    serve,
    wired_build,
    wired_collect,
    wired_recognise,
)

AS_OF = ["--as-of", "2026-11-20T12:00:00Z"]
CANARIES = (CANARY_ENV, CANARY_URL)
MOTO_ACCOUNT = "123456789012"
FORMATS = {"table": "out.txt", "json": "out.json", "sarif": "out.sarif", "markdown": "out.md"}


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AwsPlugin, "recognise", wired_recognise)
    monkeypatch.setattr(AwsPlugin, "build", wired_build)
    monkeypatch.setattr(aws_collector, "collect", wired_collect)


def _scan_all_formats(run_cli: Any, source: list[str], tmp_path: Path) -> tuple[Any, dict[str, str]]:
    out = tmp_path / "out"
    out.mkdir()
    args = ["scan", *source, *AS_OF, "--fail-on", "none", "--save-inventory", str(out / "inv.json")]
    for fmt, name in FORMATS.items():
        args += ["-f", fmt, "-o", str(out / name)]
    result = run_cli(args)
    texts = {p.name: p.read_text() for p in out.iterdir()}
    return result, texts


def _assert_no_canary(result: Any, texts: dict[str, str]) -> None:
    assert set(texts) == {*FORMATS.values(), "inv.json"}
    for canary in CANARIES:
        assert canary not in result.out and canary not in result.err
        for name, text in texts.items():
            assert canary not in text, name


def test_offline_scan_all_formats_without_secrets(wired: None, run_cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "exports"
    src.mkdir()
    for name, data in cli_exports().items():
        (src / name).write_text(json.dumps(data))
    result, texts = _scan_all_formats(run_cli, ["--from", str(src)], tmp_path)
    assert result.code == 0, result.err
    _assert_no_canary(result, texts)
    findings = json.loads(texts["out.json"])["findings"]
    fired = {(f["rule_id"], f.get("resource_id") or f.get("identity", {}).get("id")) for f in findings}
    rule_ids = {r for r, _ in fired}
    # without an IAM export the roles' classes are unknown, so NHI-AGT-001/003 stay quiet here
    assert {"NHI-AGT-004", "NHI-AGT-005", "NHI-AGT-006", "NHI-AGT-007", "NHI-AGT-008"} <= rule_ids
    assert {"NHI-AGT-009", "NHI-AGT-010", "NHI-AGT-011", "NHI-AGT-012", "NHI-AGT-002"} <= rule_ids
    assert "OPENAI_API_KEY" in texts["out.json"]  # the name is reported, the value never
    saved = json.loads(texts["inv.json"])
    assert any(i["id"] == RUNTIME for i in saved["identities"])


def test_saved_live_inventory_scans_without_secrets(run_cli: Any, tmp_path: Path) -> None:
    import boto3

    with serve(estate()) as url:
        session = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        inv = agents.collect_agents(
            session, ["us-east-1"], AwsSettings(endpoint_url=url, max_attempts=1), ACCT, NullProgress()
        )
    saved = tmp_path / "live.json"
    saved.write_text(dump_inventory(inv))
    result, texts = _scan_all_formats(run_cli, ["--from", str(saved)], tmp_path)
    assert result.code == 0, result.err
    _assert_no_canary(result, texts)
    assert "NHI-AGT-006" in texts["out.md"] and GW_OPEN in texts["out.json"]


def test_live_cli_scan_with_moto_and_the_fake(
    wired: None, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nhiscan scan aws``: IAM, STS and CloudTrail from moto, the agent services from the fake
    (service-specific endpoint variables route them), all through boto3."""
    import boto3
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        iam = boto3.client(
            "iam",
            endpoint_url=f"http://{host}:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "bedrock.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName="admin", AssumeRolePolicyDocument=json.dumps(trust))
        admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_role_policy(RoleName="admin", PolicyName="all", PolicyDocument=json.dumps(admin))
        with serve(rebase(estate(), MOTO_ACCOUNT)) as fake:
            for var, value in {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": f"http://{host}:{port}",
                "AWS_ENDPOINT_URL_BEDROCK_AGENT": fake,
                "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL": fake,
                "AWS_MAX_ATTEMPTS": "1",
            }.items():
                monkeypatch.setenv(var, value)
            monkeypatch.delenv("AWS_PROFILE", raising=False)
            result, texts = _scan_all_formats(run_cli, ["aws", "--region", "us-east-1"], tmp_path)
    finally:
        moto.stop()
    assert result.code == 0, result.err
    _assert_no_canary(result, texts)
    report = json.loads(texts["out.json"])
    fired = {(f["rule_id"], f["resource"]["id"]) for f in report["findings"]}
    supervisor = SUPER.replace(ACCT, MOTO_ACCOUNT)
    worker = WORKER.replace(ACCT, MOTO_ACCOUNT)
    # the admin role came from moto's IAM, the agents from the fake: joined in one scan
    assert ("NHI-AGT-003", supervisor) in fired and ("NHI-AGT-001", worker) in fired
    # moto has no ListServiceSpecificCredentials: a gap in the report, not a crash
    assert "ListServiceSpecificCredentials" in texts["out.json"]
