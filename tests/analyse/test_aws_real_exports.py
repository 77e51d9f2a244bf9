"""Run the policy evaluator and trust analyser over real ``get-account-authorization-details``
exports (from the shared folder beside the repository) and check facts known about them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from nhiscan.model import PermissionSummary
from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc
from nhiscan.providers.aws.iam.trust import analyse_trust
from support import needs_shared

pytestmark = needs_shared("real-exports", "aws")

GAAD = "aws/iam-authorization-details"
CLOUDSPLAINING = "salesforce__cloudsplaining__test__files__example-authz-details.json"
CLOUDMAPPER = (
    "duo-labs__cloudmapper__account-data__demo__us-east-1__iam-get-account-authorization-details.json"
)
IAMSPY_BATCH = "WithSecureLabs__IAMSpy__tests__files__batch-allow.json"
IAMSPY_BOUNDARY = "WithSecureLabs__IAMSpy__tests__files__user-boundary-deny.json"


class Estate:
    """The principals of one export, with their policy documents assembled the way the AWS
    provider does it (managed by ARN, inline per principal, group policies with ``via``)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.managed: dict[str, Any] = {}
        for p in data.get("Policies", []):
            self.managed[p["Arn"]] = next(
                v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"]
            )
        self.groups = {g["GroupName"]: g for g in data.get("GroupDetailList", [])}

    def _docs(
        self, detail: Mapping[str, Any], inline_key: str, kind: str, via: str | None
    ) -> list[PolicyDoc]:
        docs = [
            PolicyDoc(
                a["PolicyArn"],
                "group_policy" if via else "managed_policy",
                self.managed[a["PolicyArn"]],
                via=via,
            )
            for a in detail.get("AttachedManagedPolicies", [])
            if a["PolicyArn"] in self.managed
        ]
        docs += [
            PolicyDoc(f"inline:{detail['Arn']}:{p['PolicyName']}", kind, p["PolicyDocument"], via=via)
            for p in detail.get(inline_key) or []
        ]
        return docs

    def principal(self, arn: str) -> tuple[list[PolicyDoc], PolicyDoc | None, Mapping[str, Any]]:
        for key, inline_key in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList")):
            for detail in self.data.get(key, []):
                if detail["Arn"] == arn:
                    docs = self._docs(detail, inline_key, "inline_policy", None)
                    for name in detail.get("GroupList") or []:
                        docs += self._docs(self.groups[name], "GroupPolicyList", "group_policy", name)
                    b = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
                    boundary = PolicyDoc(b, "boundary", self.managed[b]) if b in self.managed else None
                    return docs, boundary, detail
        raise KeyError(arn)

    def principals(self) -> list[str]:
        return [d["Arn"] for key in ("UserDetailList", "RoleDetailList") for d in self.data.get(key, [])]


@pytest.fixture(scope="module")
def estates(real_exports: Path) -> dict[str, Estate]:
    folder = real_exports / GAAD
    files = sorted(folder.glob("*.json"))
    assert len(files) >= 4, f"expected the real GAAD exports in {folder}"
    return {f.name: Estate(json.loads(f.read_text())) for f in files}


def summary(estates: dict[str, Estate], name: str, arn: str, analyser: PolicyAnalyser) -> PermissionSummary:
    docs, boundary, _ = estates[name].principal(arn)
    return analyser.summarise(docs, boundary, principal_arn=arn)


def test_every_principal_group_and_trust_policy_analyses(estates: dict[str, Estate]) -> None:
    analyser = PolicyAnalyser()
    counted = 0
    for estate in estates.values():
        for arn in estate.principals():
            docs, boundary, detail = estate.principal(arn)
            s = analyser.summarise(docs, boundary, principal_arn=arn)
            assert len(s.grants) >= len(docs)  # every document has at least one statement
            if "AssumeRolePolicyDocument" in detail:
                facts = analyse_trust(detail["AssumeRolePolicyDocument"], arn.split(":")[4])
                assert json.loads(json.dumps(facts)) == facts
            counted += 1
        for group in estate.groups.values():
            analyser.summarise(estate._docs(group, "GroupPolicyList", "group_policy", group["GroupName"]))
        for arn, doc in estate.managed.items():
            analyser.compile(PolicyDoc(arn, "managed_policy", doc))
    assert counted == 16


CS = "arn:aws:iam::012345678901"


def test_cloudsplaining_admins(estates: dict[str, Estate], analyser: PolicyAnalyser) -> None:
    obama = summary(estates, CLOUDSPLAINING, f"{CS}:user/obama", analyser)
    assert obama.has("admin")
    assert obama.reasons["admin"] == ("arn:aws:iam::aws:policy/AdministratorAccess#0",)
    # Direct and through the admin group: two grants from the same statement.
    assert sorted((g.kind, g.via or "") for g in obama.grants) == [
        ("group_policy", "admin"),
        ("managed_policy", ""),
    ]
    lots = summary(estates, CLOUDSPLAINING, f"{CS}:user/userwithlotsofpermissions", analyser)
    assert lots.has("admin")
    assert [
        g.via for g in lots.grants if g.source.startswith("arn:aws:iam::aws:policy/AdministratorAccess")
    ] == ["admin"]


def test_cloudsplaining_non_admins(estates: dict[str, Estate], analyser: PolicyAnalyser) -> None:
    biden = summary(estates, CLOUDSPLAINING, f"{CS}:user/biden", analyser)
    assert not biden.has("admin")
    assert not biden.has("iam_write")
    assert "PassExistingRoleToNewLambdaThenInvoke" in biden.reasons["can_escalate"]
    ec2 = summary(estates, CLOUDSPLAINING, f"{CS}:role/OverprivilegedEC2", analyser)
    assert not ec2.has("admin")
    assert "CreateAccessKey" in ec2.reasons["can_escalate"]
    assert ec2.has("secret_read") and ec2.has("iam_write")
    my_role = summary(estates, CLOUDSPLAINING, f"{CS}:role/MyRole", analyser)
    assert my_role.classes == ("pass_role",)


def test_cloudsplaining_trust_policies(estates: dict[str, Estate]) -> None:
    _, _, detail = estates[CLOUDSPLAINING].principal(f"{CS}:role/OverprivilegedEC2")
    facts = analyse_trust(detail["AssumeRolePolicyDocument"], "012345678901")
    assert facts["services_without_source_condition"] == ["ec2.amazonaws.com"]
    assert facts["any_principal"] is False and facts["external_accounts"] == []


def test_cloudmapper_open_trust_and_admin(estates: dict[str, Estate], analyser: PolicyAnalyser) -> None:
    arn = "arn:aws:iam::123456789012:role/bad_role"
    _, _, detail = estates[CLOUDMAPPER].principal(arn)
    assert analyse_trust(detail["AssumeRolePolicyDocument"], "123456789012")["any_principal"] is True
    assert summary(estates, CLOUDMAPPER, arn, analyser).has("admin")
    # A user inherits ssm:GetParameters through its group.
    user = summary(estates, CLOUDMAPPER, "arn:aws:iam::aws:user/USER", analyser)
    assert user.has("secret_read")
    assert {g.via for g in user.grants} == {"GROUP_WITH_BAD_INLINE_POLICY"}


def test_iamspy_resource_scoped_allows(estates: dict[str, Estate], analyser: PolicyAnalyser) -> None:
    estate = estates[IAMSPY_BATCH]
    name1, _, _ = estate.principal("arn:aws:iam::123456789012:role/name1")
    name3, _, detail3 = estate.principal("arn:aws:iam::123456789012:role/name3")
    assert analyser.evaluate(name1, None, "s3:GetObject", "arn:aws:s3:::bucket1/key").allowed
    assert not analyser.evaluate(name1, None, "s3:GetObject", "arn:aws:s3:::bucket3/key").allowed
    assert not analyser.evaluate(name1, None, "s3:GetObject").allowed  # not on every resource
    assert not analyser.evaluate(name3, None, "s3:GetObject", "arn:aws:s3:::bucket1/key").allowed
    assert analyse_trust(detail3["AssumeRolePolicyDocument"], "123456789012")["external_accounts"] == []


def test_iamspy_boundary_blocks_invoke(estates: dict[str, Estate], analyser: PolicyAnalyser) -> None:
    docs, boundary, _ = estates[IAMSPY_BOUNDARY].principal(
        "arn:aws:iam::391638756970:user/PermissionBoundaryBlock"
    )
    assert boundary is not None
    d = analyser.evaluate(docs, boundary, "lambda:InvokeFunction")
    assert not d.allowed and d.boundary_blocked
    assert analyser.evaluate(docs, None, "lambda:InvokeFunction").allowed
