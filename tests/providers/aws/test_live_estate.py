"""The live collector against a seeded estate: every AWS risk is found, and its negative twin
is not. Direct path (collector API) and the CLI path (environment variables only)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nhiscan.engine import load_rules
from nhiscan.findings import ScanResult
from nhiscan.providers.aws.collector import collect
from nhiscan.providers.interface import CollectOptions
from nhiscan.scan import run

from .estate import ABSENT, PRESENT, TRAIL, seed_estate
from .moto_server import ACCOUNT, MotoAws, record_calls, run_cli


def scan_direct(aws: MotoAws, **settings: object) -> ScanResult:
    now = datetime.now(timezone.utc)
    inventory = collect(CollectOptions(as_of=now, settings=aws.settings(**settings)))
    result, _ = run(inventory, load_rules(), as_of=now, started=now, providers=["aws"])
    return result


def found(result: ScanResult) -> set[tuple[str, str]]:
    return {(f.rule_id, f.resource_name) for f in result.findings}


def test_every_risk_found_and_no_twin(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    result = scan_direct(aws)
    got = found(result)
    assert PRESENT - got == set()
    assert ABSENT & got == set()
    inv = result.inventory
    assert [c for c in inv.coverage if c.is_gap] == []
    names = {i.name for i in inv.identities}
    assert {"ci-machine", "fresh-svc", "admin-role", "gh-wildcard", "no-owner"} <= names
    # nothing in the estate is called per role: one GAAD read gives every role its trust and policies
    admin = next(i for i in inv.identities if i.name == "admin-role")
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in admin.permissions.reasons["admin"][0]
    trail = next(lg for lg in inv.logging if lg.scope == f"aws:account:{ACCOUNT}")
    assert trail.status == "disabled"
    assert TRAIL in trail.summary


def test_logging_trail_is_not_a_finding(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc), trail_logging=True)
    result = scan_direct(aws)
    assert ("NHI-AWS-020", ACCOUNT) not in found(result)
    assert [lg.status for lg in result.inventory.logging] == ["enabled"]


def test_key_details_adds_key_ids_only_for_users_with_keys(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    iam = aws.client("iam")
    iam.create_user(UserName="keyless")
    session = aws.session()
    calls = record_calls(session)
    result = scan_direct(aws, session=session, key_details=True)
    # ci-machine, fresh-svc, console-and-key, two-keys; not keyless
    assert calls.operations.count("ListAccessKeys") == 4
    creds = {(c.identity_id.rsplit("/", 1)[-1], c.id): c for c in result.inventory.credentials}
    ci_key = iam.list_access_keys(UserName="ci-machine")["AccessKeyMetadata"][0]["AccessKeyId"]
    assert creds[("ci-machine", "access_key_1")].facts.key_id == ci_key
    assert not any(c.source.startswith("iam:ListAccessKeys") for c in result.inventory.gaps)


def test_cli_scan_through_environment(
    aws_env: MotoAws, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_estate(aws_env, datetime.now(timezone.utc))
    code = run_cli(["scan", "aws", "-f", "json", "-o", str(tmp_path / "r.json"), "--fail-on", "critical"])
    assert code == 1  # admin-role, open-trust, gh-wildcard are critical
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    text = json.dumps(report)
    for rule_id, name in PRESENT:
        assert rule_id in text and name in text
    err = capsys.readouterr().err
    assert "error" not in err


# moto's report has no root row; AWS always puts one first. Added to the parsed response, so the
# collector and builder see exactly what AWS would send for a root user with an active key.
ROOT_ROW = (
    f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-01T10:00:00+00:00,not_supported,"
    "2026-10-01T08:00:00+00:00,not_supported,not_supported,true,true,2019-03-02T10:00:00+00:00,N/A,N/A,N/A,"
    "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def _add_root_row(parsed: dict[str, object], **_: object) -> None:
    content = parsed["Content"]
    assert isinstance(content, bytes)
    header, _, rows = content.decode().partition("\n")
    parsed["Content"] = f"{header}\n{ROOT_ROW}{rows}".encode()


def test_root_access_key_is_critical(aws: MotoAws) -> None:
    seed_estate(aws, datetime.now(timezone.utc))
    session = aws.session()
    session.events.register("after-call.iam.GetCredentialReport", _add_root_row)
    result = scan_direct(aws, session=session)
    root = next(i for i in result.inventory.identities if i.kind == "aws.root_account")
    assert root.id == f"arn:aws:iam::{ACCOUNT}:root"
    hits = [f for f in result.findings if f.rule_id == "NHI-AWS-006"]
    assert [(f.resource_id, f.credential_id, f.severity.value) for f in hits] == [
        (root.id, "access_key_1", "critical")
    ]


def test_key_details_match_keys_created_with_sub_second_times(aws: MotoAws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="fresh")
    key_id = iam.create_access_key(UserName="fresh")["AccessKey"]["AccessKeyId"]
    aws.credential_report_ready()
    result = scan_direct(aws, key_details=True)
    [cred] = result.inventory.credentials
    assert cred.facts.key_id == key_id
