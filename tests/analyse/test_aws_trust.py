"""Trust-policy facts: any principal, cross-account, services, OIDC pinning, SAML, bad input."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from nhiscan.errors import InputError
from nhiscan.providers.aws.iam.trust import analyse_trust

from .conftest import ACCOUNT, OTHER

GITHUB = "token.actions.githubusercontent.com"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
EKS = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def assume(principal: Any, action: str | list[str] = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def facts(*statements: dict[str, Any]) -> dict[str, Any]:
    return analyse_trust(trust(*statements), ACCOUNT)


def web_identity(provider_arn: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    extra = {"Condition": condition} if condition is not None else {}
    return assume({"Federated": provider_arn}, "sts:AssumeRoleWithWebIdentity", **extra)


# ---------------------------------------------------------------- any principal


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_any_principal_without_condition(principal: Any) -> None:
    f = facts(assume(principal))
    assert f["any_principal"] is True
    assert f["any_principal_conditional"] is False


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"AWS:PRINCIPALACCOUNT": OTHER}},  # keys are case-insensitive
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci-*"}},
        {"StringEquals": {"sts:ExternalId": "abc"}},
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/*"}},
        {"StringEquals": {"aws:PrincipalOrgID": "*"}},  # a literal "*": matches no organisation
    ],
)
def test_any_principal_with_restricting_condition(condition: dict[str, Any]) -> None:
    f = facts(assume("*", Condition=condition))
    assert f["any_principal"] is False
    assert f["any_principal_conditional"] is True


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},  # who, not whether
        {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}},  # passes when the key is absent
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},  # likewise
        {"StringLike": {"aws:PrincipalArn": "*"}},  # matches everyone
        {"ArnLike": {"aws:PrincipalArn": "arn:*"}},  # likewise
        {"StringNotEquals": {"aws:PrincipalAccount": OTHER}},  # excludes one account only
    ],
)
def test_any_principal_with_non_restricting_condition(condition: dict[str, Any]) -> None:
    f = facts(assume({"AWS": "*"}, Condition=condition))
    assert f["any_principal"] is True
    assert f["principals"][0]["conditional"] is True


def test_any_principal_for_an_unrelated_action_is_not_trust() -> None:
    f = facts(assume("*", "sts:TagSession"))
    assert f["any_principal"] is False and f["principals"] == []


def test_not_principal_allow_trusts_everyone_else() -> None:
    f = facts(
        {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"}
    )
    assert f["any_principal"] is True


def test_any_principal_with_principal_account_condition_names_the_accounts() -> None:
    f = facts(assume("*", Condition={"StringEquals": {"aws:PrincipalAccount": [OTHER, ACCOUNT]}}))
    assert f["external_accounts"] == [OTHER]
    assert f["external_accounts_without_external_id"] == [OTHER]


def test_any_principal_with_principal_arn_condition_names_the_accounts() -> None:
    f = facts(
        assume(
            {"AWS": "*"},
            Condition={
                "ArnLike": {
                    "aws:PrincipalArn": [f"arn:aws:iam::{OTHER}:role/deploy-*", "arn:aws:iam::*:role/x"]
                },
                "StringEquals": {"sts:ExternalId": "abc"},
            },
        )
    )
    assert f["any_principal"] is False
    assert f["external_accounts"] == [OTHER]
    assert f["external_accounts_without_external_id"] == []


# ---------------------------------------------------------------- accounts


def test_cross_account_without_external_id() -> None:
    f = facts(assume({"AWS": f"arn:aws:iam::{OTHER}:root"}))
    assert f["external_accounts"] == [OTHER]
    assert f["external_accounts_without_external_id"] == [OTHER]
    assert f["principals"] == [
        {"type": "AWS", "value": f"arn:aws:iam::{OTHER}:root", "conditional": False, "account": OTHER}
    ]


def test_cross_account_with_external_id() -> None:
    f = facts(assume({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "vendor-42"}}))
    assert f["external_accounts"] == [OTHER]
    assert f["external_accounts_without_external_id"] == []


def test_external_id_in_one_statement_does_not_cover_another() -> None:
    f = facts(
        assume({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "vendor-42"}}),
        assume({"AWS": f"arn:aws:iam::{OTHER}:role/deployer"}),
    )
    assert f["external_accounts_without_external_id"] == [OTHER]


def test_own_account_is_not_external() -> None:
    f = facts(assume({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/ci"]}))
    assert f["external_accounts"] == []
    assert {p["account"] for p in f["principals"]} == {ACCOUNT}


def test_account_forms() -> None:
    third = "777788889999"
    f = facts(
        assume(
            {
                "AWS": [
                    OTHER,
                    f"arn:aws:iam::{third}:user/bob",
                    "arn:aws:sts::999900001111:assumed-role/r/session",
                    "AROAEXAMPLEUNIQUEID00",  # a deleted role shows as its unique id
                ]
            }
        )
    )
    assert f["external_accounts"] == sorted([OTHER, third, "999900001111"])
    assert f["principals"][-1]["account"] is None


def test_deny_statements_are_counted_not_trusted() -> None:
    f = facts(
        assume({"AWS": f"arn:aws:iam::{OTHER}:root"}),
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:user/mallory"}, "Action": "sts:*"},
    )
    assert f["deny_statements"] == 1
    assert [p["value"] for p in f["principals"]] == [f"arn:aws:iam::{OTHER}:root"]


# ---------------------------------------------------------------- services


def test_service_without_source_condition() -> None:
    f = facts(assume({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}))
    assert f["services"] == ["ec2.amazonaws.com", "lambda.amazonaws.com"]
    assert f["services_without_source_condition"] == ["ec2.amazonaws.com", "lambda.amazonaws.com"]


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudformation:*:{ACCOUNT}:stack/*"}},
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"StringEquals": {"aws:SourceOrgID": "o-abc123"}},
    ],
)
def test_service_with_source_condition(condition: dict[str, Any]) -> None:
    f = facts(assume({"Service": "cloudformation.amazonaws.com"}, Condition=condition))
    assert f["services"] == ["cloudformation.amazonaws.com"]
    assert f["services_without_source_condition"] == []


def test_service_with_if_exists_source_condition_is_unguarded() -> None:
    f = facts(
        assume(
            {"Service": "sns.amazonaws.com"},
            Condition={"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}},
        )
    )
    assert f["services_without_source_condition"] == ["sns.amazonaws.com"]


# ---------------------------------------------------------------- OIDC


AUD = {f"{GITHUB}:aud": "sts.amazonaws.com"}


def gh(condition: dict[str, Any] | None) -> dict[str, Any]:
    f = facts(web_identity(GITHUB_ARN, condition))
    assert len(f["oidc"]) == 1
    assert f["oidc"][0]["provider"] == GITHUB
    return f


def test_github_missing_aud() -> None:
    f = gh({"StringEquals": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}})
    assert f["oidc"][0]["issue"] == "missing-aud"
    assert f["oidc"][0]["subject_pinned"] is True and f["oidc"][0]["audience_pinned"] is False
    assert f["oidc_unpinned"] is True
    assert f["oidc_issues"] == [f"{GITHUB}: missing-aud"]


def test_github_missing_sub() -> None:
    f = gh({"StringEquals": AUD})
    assert f["oidc"][0]["issue"] == "missing-sub" and f["oidc"][0]["subjects"] == []
    assert f["oidc_unpinned"] is True


def test_github_no_condition_at_all() -> None:
    assert gh(None)["oidc"][0]["issue"] == "missing-sub"


@pytest.mark.parametrize("sub", ["repo:acme/*", "repo:*", "*", "repo:acme/app*:*", "repo:*/app:*"])
def test_github_wildcard_sub(sub: str) -> None:
    f = gh({"StringEquals": AUD, "StringLike": {f"{GITHUB}:sub": sub}})
    assert f["oidc"][0]["issue"] == "wildcard-sub"
    assert f["oidc"][0]["subject_pinned"] is False
    assert f["oidc"][0]["subjects"] == [sub]
    assert f["oidc_unpinned"] is True


def test_github_pinned_to_branch() -> None:
    f = gh({"StringEquals": {**AUD, f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}})
    entry = f["oidc"][0]
    assert entry == {
        "provider": GITHUB,
        "audience_pinned": True,
        "subject_pinned": True,
        "subjects": ["repo:acme/app:ref:refs/heads/main"],
        "issue": None,
    }
    assert f["oidc_unpinned"] is False and f["oidc_issues"] == []


def test_github_any_ref_of_one_repo_is_pinned() -> None:
    f = gh({"StringEquals": AUD, "StringLike": {f"{GITHUB}:sub": "repo:acme/app:*"}})
    assert f["oidc"][0]["issue"] is None


def test_github_one_wild_value_among_pinned_ones_unpins() -> None:
    f = gh({"StringEquals": AUD, "StringLike": {f"{GITHUB}:sub": ["repo:acme/app:*", "repo:acme/*"]}})
    assert f["oidc"][0]["issue"] == "wildcard-sub"


def test_github_condition_keys_and_operators_are_case_insensitive() -> None:
    f = gh(
        {
            "stringequals": {"Token.Actions.GitHubUserContent.com:AUD": "sts.amazonaws.com"},
            "ForAnyValue:StringLikeIfExists": {"TOKEN.actions.githubusercontent.com:sub": "repo:acme/app:*"},
        }
    )
    assert f["oidc"][0]["issue"] is None


def test_github_customised_subject_without_wildcards_is_pinned() -> None:
    f = gh({"StringEquals": {**AUD, f"{GITHUB}:sub": "repository_owner_id:123:repository_id:456"}})
    assert f["oidc"][0]["issue"] is None


def test_github_not_equals_sub_does_not_pin() -> None:
    f = gh({"StringEquals": AUD, "StringNotEquals": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}})
    assert f["oidc"][0]["issue"] == "missing-sub"


def test_eks_oidc_provider() -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{EKS}"
    pinned = facts(
        web_identity(
            arn,
            {
                "StringEquals": {
                    f"{EKS}:sub": "system:serviceaccount:payments:api",
                    f"{EKS}:aud": "sts.amazonaws.com",
                }
            },
        )
    )
    assert pinned["oidc"][0]["provider"] == EKS
    assert pinned["oidc"][0]["issue"] is None and pinned["oidc_unpinned"] is False
    unpinned = facts(web_identity(arn, {"StringEquals": {f"{EKS}:aud": "sts.amazonaws.com"}}))
    assert unpinned["oidc"][0]["issue"] == "missing-sub"
    wild = facts(web_identity(arn, {"StringLike": {f"{EKS}:sub": "*", f"{EKS}:aud": "sts.amazonaws.com"}}))
    assert wild["oidc"][0]["issue"] == "wildcard-sub"


def test_cognito_needs_only_an_audience() -> None:
    ok = facts(
        web_identity(
            "cognito-identity.amazonaws.com",
            {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool-id"}},
        )
    )
    assert ok["oidc"][0]["issue"] is None
    bad = facts(web_identity("cognito-identity.amazonaws.com"))
    assert bad["oidc"][0]["issue"] == "missing-aud"


def test_federated_principal_for_plain_assume_role_is_not_oidc() -> None:
    f = facts(assume({"Federated": GITHUB_ARN}, "sts:AssumeRole"))
    assert f["oidc"] == []


# ---------------------------------------------------------------- SAML and misc


def test_saml_provider() -> None:
    f = facts(
        assume(
            {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
            "sts:AssumeRoleWithSAML",
            Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        )
    )
    assert f["saml"] is True and f["oidc"] == []
    assert facts(assume({"Service": "ec2.amazonaws.com"}))["saml"] is False


def test_url_encoded_and_json_string_documents() -> None:
    doc = trust(assume({"AWS": f"arn:aws:iam::{OTHER}:root"}))
    for form in (json.dumps(doc), quote(json.dumps(doc), safe="")):
        assert analyse_trust(form, ACCOUNT)["external_accounts"] == [OTHER]


def test_single_statement_object_and_action_list() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": assume({"Service": "ec2.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]),
    }
    assert analyse_trust(doc, ACCOUNT)["services"] == ["ec2.amazonaws.com"]


def test_result_is_json_serialisable_and_complete() -> None:
    f = facts(assume("*"), web_identity(GITHUB_ARN))
    assert json.loads(json.dumps(f)) == f
    assert set(f) == {
        "principals",
        "any_principal",
        "any_principal_conditional",
        "external_accounts",
        "external_accounts_without_external_id",
        "services",
        "services_without_source_condition",
        "oidc",
        "oidc_unpinned",
        "oidc_issues",
        "saml",
        "deny_statements",
    }


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("nope", "not valid JSON"),
        ({"Version": "2012-10-17"}, "no Statement"),
        (trust({"Effect": "Allow", "Action": "sts:AssumeRole"}), "Statement[0] has no Principal"),
        (trust(assume({"Robot": "r2d2"})), "unknown principal type 'Robot'"),
        (trust(assume(42)), "Principal must be"),
        (trust(assume({"AWS": 123456789012})), "Principal.AWS must be a string"),
        (trust({"Effect": "Maybe", "Principal": "*", "Action": "sts:AssumeRole"}), "Statement[0].Effect"),
        (trust({"Effect": "Allow", "Principal": "*"}), "exactly one of Action or NotAction"),
        (trust(assume("*", "AssumeRole")), "service:action"),
        (trust(assume("*", Condition=["StringEquals"])), "Statement[0].Condition must be an object"),
        (trust(assume("*", Condition={"StringEquals": {"sts:ExternalId": {"a": 1}}})), "values must be"),
    ],
)
def test_malformed_trust_policies_raise_one_line_input_error(document: Any, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        analyse_trust(document, ACCOUNT, where="role/app")
    message = info.value.diagnostics()
    assert fragment in message
    assert message.startswith("role/app: ") and "\n" not in message
