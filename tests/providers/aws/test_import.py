"""Offline import of AWS CLI exports: real files from other projects, and every bad shape."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nhiscan.errors import InputError
from nhiscan.providers.aws.facts import AwsIdentityFacts, AwsLoggingFacts
from nhiscan.providers.interface import CollectOptions
from nhiscan.sources import load_path
from support import DEMO, shared_dir

AS_OF = datetime(2026, 11, 20, tzinfo=timezone.utc)
OPTS = CollectOptions(as_of=AS_OF)
REAL = shared_dir() / "real-exports" / "aws"


def load(path: Path):  # type: ignore[no-untyped-def]
    return load_path(path, OPTS)


@pytest.mark.parametrize(
    "path", sorted((REAL / "iam-authorization-details").glob("*.json")), ids=lambda p: p.name[:40]
)
def test_real_authorization_details_import(path: Path) -> None:
    inv = load(path)
    data = json.loads(path.read_text())
    expected = len(data.get("UserDetailList", [])) + len(data.get("RoleDetailList", []))
    assert len(inv.identities) == expected
    assert all(i.provider == "aws" and i.kind in ("aws.iam_user", "aws.iam_role") for i in inv.identities)


def test_cloudsplaining_example_finds_the_admins() -> None:
    inv = load(
        REAL
        / "iam-authorization-details"
        / "salesforce__cloudsplaining__test__files__example-authz-details.json"
    )
    admins = {i.name for i in inv.identities if "admin" in i.permissions.classes}
    assert "obama" in admins  # AdministratorAccess attached directly


@pytest.mark.parametrize(
    "path", sorted((REAL / "credential-report").glob("*.json")), ids=lambda p: p.name[:40]
)
def test_real_credential_reports_import(path: Path) -> None:
    inv = load(path)
    users = [i for i in inv.identities if i.kind in ("aws.iam_user", "aws.root_account")]
    assert users and any(i.kind == "aws.root_account" for i in users)
    assert all(c.kind in ("aws.access_key", "aws.signing_certificate") for c in inv.credentials)


def test_placebo_trails_status_and_selectors(tmp_path: Path) -> None:
    for f in (REAL / "cloudtrail").glob("cloud-custodian*test_cloudtrail_status*"):
        shutil.copy(f, tmp_path)
    inv = load(tmp_path)
    (state,) = inv.logging
    # two multi-region trails; the one status file cannot be matched to either by content or name
    assert state.status == "unknown"
    assert any(g.source.startswith("cloudtrail:GetTrailStatus") for g in inv.gaps)


def test_trail_status_matched_by_file_name(tmp_path: Path) -> None:
    src = REAL / "cloudtrail"
    shutil.copy(
        src
        / "cloud-custodian__cloud-custodian__tests__data__placebo__test_cloudtrail_status__cloudtrail.DescribeTrails_1.json",
        tmp_path / "trails.json",
    )
    status = json.loads(
        (
            src
            / "cloud-custodian__cloud-custodian__tests__data__placebo__test_cloudtrail_status__cloudtrail.GetTrailStatus_1.json"
        ).read_text()
    )
    (tmp_path / "status-skunk-trails.json").write_text(json.dumps(status))
    running = {"IsLogging": True}
    (tmp_path / "status-S3-DataEvents.json").write_text(json.dumps(running))
    sel = json.loads(
        (
            src
            / "cloud-custodian__cloud-custodian__tests__data__placebo__test_account_data_events__cloudtrail.GetEventSelectors_2.json"
        ).read_text()
    )
    sel["data"]["TrailARN"] = "arn:aws:cloudtrail:us-east-1:644160558196:trail/S3-DataEvents"
    (tmp_path / "sel.json").write_text(json.dumps(sel))
    (state,) = load(tmp_path).logging
    # S3-DataEvents logs but records no management events; skunk-trails is stopped
    assert state.status == "disabled", state.summary
    assert isinstance(state.facts, AwsLoggingFacts)
    trails = {t.name: t for t in state.facts.trails}
    assert trails["skunk-trails"].is_logging is False
    assert trails["S3-DataEvents"].management_events == "none"


def test_advanced_selectors_write_only_is_partial(tmp_path: Path) -> None:
    arn = "arn:aws:cloudtrail:us-east-1:644160558196:trail/test-cloudtrail"
    (tmp_path / "t.json").write_text(
        json.dumps(
            {
                "trailList": [
                    {
                        "Name": "test-cloudtrail",
                        "TrailARN": arn,
                        "IsMultiRegionTrail": True,
                        "HasCustomEventSelectors": True,
                    }
                ]
            }
        )
    )
    (tmp_path / "s.json").write_text(json.dumps({"IsLogging": True}))
    shutil.copy(next((REAL / "cloudtrail").glob("*advanced_events_included*")), tmp_path / "sel.json")
    (state,) = load(tmp_path).logging
    assert state.status == "partial"
    assert isinstance(state.facts, AwsLoggingFacts)
    assert state.facts.trails[0].management_events == "write"


def test_credential_report_json_with_base64_content(tmp_path: Path) -> None:
    csv_text = (DEMO / "aws" / "credential-report.csv").read_text()
    (tmp_path / "report.json").write_text(
        json.dumps(
            {
                "Content": base64.b64encode(csv_text.encode()).decode(),
                "ReportFormat": "text/csv",
                "GeneratedTime": "2026-11-20T00:00:00Z",
            }
        )
    )
    inv = load(tmp_path / "report.json")
    assert any(i.name == "legacy-backup" for i in inv.identities)


def test_demo_folder_joins_users_across_files() -> None:
    inv = load(DEMO / "aws")
    ci = next(i for i in inv.identities if i.name == "ci-deployer")
    assert ci.usage == "machine" and "admin" in ci.permissions.classes
    assert isinstance(ci.facts, AwsIdentityFacts) and ci.facts.groups == ("deployers",)
    keys = [c for c in inv.credentials if c.identity_id == ci.id]
    assert [k.id for k in keys] == ["access_key_1"] and keys[0].active
    bob = next(i for i in inv.identities if i.name == "bob")
    assert bob.usage == "mixed"
    sso = next(i for i in inv.identities if i.name.startswith("AWSReservedSSO"))
    assert sso.usage == "human"
    assert not inv.gaps


def test_missing_policy_documents_are_a_gap(tmp_path: Path) -> None:
    data = json.loads((DEMO / "aws" / "iam-authorization-details.json").read_text())
    data["Policies"] = []
    for r in data["RoleDetailList"]:
        r["AttachedManagedPolicies"].append(
            {"PolicyName": "Custom", "PolicyArn": "arn:aws:iam::210987654321:policy/Custom"}
        )
    (tmp_path / "gaad.json").write_text(json.dumps(data))
    inv = load(tmp_path / "gaad.json")
    gaps = [g for g in inv.gaps if g.source == "managed policy documents"]
    assert gaps and "arn:aws:iam::210987654321:policy/Custom" in gaps[0].detail
    # AdministratorAccess is known without its document
    assert (
        "admin"
        in next(i for i in inv.identities if i.name == "OrganizationAccountAccessRole").permissions.classes
    )


def test_gaad_alone_reports_the_missing_report_and_trails(tmp_path: Path) -> None:
    shutil.copy(DEMO / "aws" / "iam-authorization-details.json", tmp_path)
    inv = load(tmp_path)
    sources = {g.source for g in inv.gaps}
    assert {"iam:GetCredentialReport", "cloudtrail:DescribeTrails"} <= sources
    assert inv.logging[0].status == "unknown"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "r.csv",
            "user,arn,user_creation_time\nbob,arn:aws:iam::1:user/bob,2020-01-01T00:00:00Z\n",
            "missing columns: password_enabled",
        ),
        (
            "r.json",
            json.dumps({"Content": "!!notbase64!!", "ReportFormat": "text/csv"}),
            "neither CSV nor base64",
        ),
        ("g.json", json.dumps({"UserDetailList": [{"UserName": "x"}]}), "UserDetailList[0]: missing Arn"),
        (
            "g.json",
            json.dumps(
                {"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r", "CreateDate": "yesterday"}]}
            ),
            "CreateDate: not a timestamp",
        ),
        (
            "g.json",
            json.dumps({"UserDetailList": "nope", "RoleDetailList": []}),
            "not a saved nhiscan inventory or a recognised export",
        ),
        ("t.json", json.dumps({"trailList": [{"Name": "x"}]}), "trailList[0] has no TrailARN"),
        (
            "p.json",
            json.dumps(
                {
                    "RoleDetailList": [
                        {
                            "Arn": "arn:aws:iam::111122223333:role/r",
                            "RolePolicyList": [
                                {
                                    "PolicyName": "p",
                                    "PolicyDocument": {
                                        "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]
                                    },
                                }
                            ],
                        }
                    ]
                }
            ),
            "Effect",
        ),
    ],
)
def test_malformed_exports_name_file_and_field(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError) as exc:
        load(path)
    line = exc.value.diagnostics()
    assert str(path) in line or "inline:" in line, line
    assert message in line and "\n" not in line


def test_report_row_with_wrong_field_count(tmp_path: Path) -> None:
    lines = (DEMO / "aws" / "credential-report.csv").read_text().splitlines()
    lines[2] = ",".join(lines[2].split(",")[:5])
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="line 3 has the wrong number of fields"):
        load(tmp_path / "r.csv")
