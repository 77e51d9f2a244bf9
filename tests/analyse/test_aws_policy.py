"""The AWS identity-policy evaluator: evaluation logic, classes, grants, escalation, bad input."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from nhiscan.errors import InputError
from nhiscan.providers.aws.iam import policy as aws_policy
from nhiscan.providers.aws.iam.actions import ESCALATION_METHODS
from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc

from .conftest import ACCOUNT, ADMIN, POWER_USER, allow, boundary, deny, policy

USER = f"arn:aws:iam::{ACCOUNT}:user/alice"

# ---------------------------------------------------------------- admin


def test_administrator_access_is_admin(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([ADMIN])
    assert s.has("admin")
    assert s.reasons["admin"] == ("arn:aws:iam::aws:policy/AdministratorAccess#0",)
    for cls in ("iam_write", "secret_read", "wildcard", "can_escalate", "pass_role", "assume_any_role"):
        assert s.has(cls), cls
    assert list(s.reasons["can_escalate"]) == [name for name, _ in ESCALATION_METHODS]
    assert s.classes == tuple(sorted(s.classes))


def test_power_user_access_is_not_admin(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([POWER_USER])
    assert not s.has("admin")
    assert not s.has("iam_write")
    assert not s.has("pass_role")
    assert s.has("wildcard")  # NotAction on every resource
    assert s.has("secret_read")
    # No IAM at all, but it can still edit a Lambda function or Glue endpoint running as a role.
    assert s.reasons["can_escalate"] == (
        "UpdateExistingGlueDevEndpoint",
        "EditExistingLambdaFunctionWithRole",
    )
    assert not analyser.evaluate([POWER_USER], None, "iam:CreateUser").allowed
    assert analyser.evaluate([POWER_USER], None, "iam:ListRoles").allowed
    assert analyser.evaluate([POWER_USER], None, "s3:GetObject").allowed


def test_star_colon_star_is_admin(analyser: PolicyAnalyser) -> None:
    assert analyser.summarise([policy(allow("*:*"))]).has("admin")


def test_admin_cut_down_by_deny_of_iam_in_another_policy(analyser: PolicyAnalyser) -> None:
    no_iam = policy(deny("iam:*"), name="no-iam")
    s = analyser.summarise([ADMIN, no_iam])
    assert not s.has("admin")
    assert not s.has("iam_write")
    assert s.has("secret_read")
    d = analyser.evaluate([ADMIN, no_iam], None, "iam:CreateUser")
    assert not d.allowed
    assert d.denied_by == (f"arn:aws:iam::{ACCOUNT}:policy/no-iam#0",)


def test_admin_cut_down_by_deny_of_sts(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([ADMIN, policy(deny("sts:AssumeRole"), name="no-sts")])
    assert not s.has("admin")
    assert not s.has("assume_any_role")


def test_admin_survives_a_deny_of_unrelated_actions(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([ADMIN, policy(deny("s3:DeleteBucket"), name="keep-buckets")])
    assert s.has("admin")


def test_admin_survives_a_conditional_deny_but_the_deny_is_recorded(analyser: PolicyAnalyser) -> None:
    mfa = policy(
        deny("iam:*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}), name="need-mfa"
    )
    s = analyser.summarise([ADMIN, mfa])
    assert s.has("admin")
    d = analyser.evaluate([ADMIN, mfa], None, "iam:CreateUser")
    assert d.allowed and d.conditional
    assert d.conditional_denies == (f"arn:aws:iam::{ACCOUNT}:policy/need-mfa#0",)
    assert d.denied_by == ()


def test_conditional_star_allow_is_not_admin(analyser: PolicyAnalyser) -> None:
    p = policy(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    s = analyser.summarise([p])
    assert not s.has("admin")
    assert not s.has("wildcard")
    assert not s.has("can_escalate")
    assert s.has("iam_write")  # a capability under a condition is still a capability
    d = analyser.evaluate([p], None, "iam:CreateUser")
    assert d.allowed and d.conditional


def test_star_on_one_resource_is_not_admin(analyser: PolicyAnalyser) -> None:
    assert not analyser.summarise([policy(allow("*", "arn:aws:s3:::bucket/*"))]).has("admin")


def test_star_on_arn_wildcard_counts_as_every_resource(analyser: PolicyAnalyser) -> None:
    assert analyser.summarise([policy(allow("*", "arn:aws:*:*:*:*"))]).has("admin")
    assert analyser.summarise([policy(allow("*", "arn:*"))]).has("admin")


def test_boundary_without_iam_removes_admin(analyser: PolicyAnalyser) -> None:
    b = boundary(allow(["s3:*", "ec2:*"]))
    s = analyser.summarise([ADMIN], b)
    assert not s.has("admin")
    assert not s.has("iam_write")
    assert not s.has("secret_read")
    d = analyser.evaluate([ADMIN], b, "iam:CreateUser")
    assert not d.allowed and d.boundary_blocked
    assert analyser.evaluate([ADMIN], b, "s3:GetObject").allowed
    # The boundary's statements are reported as grants of kind "boundary".
    assert [g.kind for g in s.grants] == ["managed_policy", "boundary"]


def test_boundary_allowing_everything_keeps_admin(analyser: PolicyAnalyser) -> None:
    assert analyser.summarise([ADMIN], boundary(allow("*"))).has("admin")


def test_boundary_alone_grants_nothing(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([], boundary(allow("*")))
    assert s.classes == ()
    assert not analyser.evaluate([], boundary(allow("*")), "s3:GetObject").allowed


def test_boundary_deny_of_iam_removes_admin(analyser: PolicyAnalyser) -> None:
    b = boundary(allow("*"), deny("iam:CreateAccessKey"))
    assert not analyser.summarise([ADMIN], b).has("admin")


# ---------------------------------------------------------------- matching


def test_not_action(analyser: PolicyAnalyser) -> None:
    p = [policy(allow(None, NotAction="S3:*"))]
    assert not analyser.evaluate(p, None, "s3:GetObject").allowed
    assert analyser.evaluate(p, None, "ec2:RunInstances").allowed


def test_not_action_in_deny(analyser: PolicyAnalyser) -> None:
    p = [ADMIN, policy(deny(None, NotAction=["s3:*", "sts:GetCallerIdentity"]), name="only-s3")]
    assert analyser.evaluate(p, None, "s3:PutObject").allowed
    assert not analyser.evaluate(p, None, "ec2:RunInstances").allowed
    assert not analyser.summarise(p).has("admin")


def test_not_resource(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("s3:*", None, NotResource="arn:aws:s3:::secret/*"))]
    assert not analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::secret/key").allowed
    assert analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::public/key").allowed
    # "everything but one bucket" is not "every resource"
    assert not analyser.evaluate(p, None, "s3:GetObject").allowed
    assert analyser.evaluate(p, None, "s3:GetObject", on_some_resource=True).allowed
    assert analyser.summarise(p).grants[0].resources == ("!arn:aws:s3:::secret/*",)


def test_deny_with_not_resource(analyser: PolicyAnalyser) -> None:
    p = [
        ADMIN,
        policy(deny("s3:*", None, NotResource=["arn:aws:s3:::ok", "arn:aws:s3:::ok/*"]), name="fence"),
    ]
    assert analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::ok/key").allowed
    d = analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::other/key")
    assert not d.allowed and d.denied_by == (f"arn:aws:iam::{ACCOUNT}:policy/fence#0",)


def test_wildcard_action_patterns(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("iam:Put*Policy"))]
    assert analyser.evaluate(p, None, "iam:PutUserPolicy").allowed
    assert analyser.evaluate(p, None, "iam:PutRolePolicy").allowed
    assert not analyser.evaluate(p, None, "iam:PutUserPermissionsBoundary").allowed
    s = analyser.summarise(p)
    assert s.has("iam_write") and s.has("wildcard")
    assert {"PutUserPolicy", "PutGroupPolicy", "PutRolePolicy"} <= set(s.reasons["can_escalate"])


def test_question_mark_matches_one_character(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("iam:Get?ser"))]
    assert analyser.evaluate(p, None, "iam:GetUser").allowed
    assert not analyser.evaluate(p, None, "iam:GetUsers").allowed


def test_actions_match_case_insensitively_resources_do_not(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("IAM:createuser", "arn:aws:s3:::Bucket/*"))]
    assert analyser.evaluate(p, None, "iam:CreateUser", "arn:aws:s3:::Bucket/x").allowed
    assert not analyser.evaluate(p, None, "iam:CreateUser", "arn:aws:s3:::bucket/x").allowed
    assert analyser.summarise(p).has("iam_write")


def test_resource_wildcards_match_arns(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("s3:GetObject", "arn:aws:s3:::logs-??/*"))]
    assert analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::logs-01/2024/a.gz").allowed
    assert not analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::logs-001/a.gz").allowed


def test_policy_variables_match_anything_in_2012_but_are_literal_in_2008(analyser: PolicyAnalyser) -> None:
    new = PolicyDoc(
        "new",
        "inline_policy",
        {"Version": "2012-10-17", "Statement": [allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}")]},
    )
    old = PolicyDoc(
        "old",
        "inline_policy",
        {"Version": "2008-10-17", "Statement": [allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}")]},
    )
    assert analyser.evaluate([new], None, "iam:GetUser", USER).allowed
    assert not analyser.evaluate([old], None, "iam:GetUser", USER).allowed
    assert analyser.evaluate([old], None, "iam:GetUser", "arn:aws:iam::1:user/${aws:username}").allowed


def test_deny_without_matching_allow_is_reported(analyser: PolicyAnalyser) -> None:
    d = analyser.evaluate([policy(deny("iam:*"))], None, "iam:CreateUser")
    assert not d.allowed and d.denied_by == (f"arn:aws:iam::{ACCOUNT}:policy/p#0",)


def test_deny_on_another_resource_is_not_reported(analyser: PolicyAnalyser) -> None:
    p = [policy(deny("s3:*", "arn:aws:s3:::private/*"))]
    assert analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::public/x").denied_by == ()
    assert analyser.evaluate(p, None, "s3:GetObject", "arn:aws:s3:::private/x").denied_by != ()


def test_nothing_allowed_by_default(analyser: PolicyAnalyser) -> None:
    d = analyser.evaluate([], None, "s3:GetObject")
    assert d == aws_policy.Decision(allowed=False)
    assert analyser.summarise([]).classes == ()


# ---------------------------------------------------------------- capability classes


def test_iam_write_on_own_user_only(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"))]
    s = analyser.summarise(p, principal_arn=USER)
    assert s.has("iam_write")
    assert "can_escalate" not in s.classes  # a key for yourself is not escalation


def test_iam_write_removed_by_deny_covering_its_resources(analyser: PolicyAnalyser) -> None:
    a = policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/svc-*"), name="a")
    assert not analyser.summarise(
        [a, policy(deny("iam:CreateAccessKey", "arn:aws:iam::*:user/*"), name="d")]
    ).has("iam_write")
    assert not analyser.summarise([a, policy(deny("iam:*"), name="d2")]).has("iam_write")
    # A narrower Deny leaves other users.
    narrow = policy(deny("iam:CreateAccessKey", "arn:aws:iam::*:user/svc-admin"), name="d3")
    s = analyser.summarise([a, narrow])
    assert s.has("iam_write")
    assert s.reasons["iam_write"] == (f"arn:aws:iam::{ACCOUNT}:policy/a#0",)


def test_deny_on_own_user_does_not_cover_every_user(analyser: PolicyAnalyser) -> None:
    everyone = policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/*"), name="a")
    only_self = policy(deny("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"), name="d")
    assert analyser.summarise([everyone, only_self]).has("iam_write")
    own = policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"), name="own")
    assert not analyser.summarise([own, only_self]).has("iam_write")


def test_question_mark_deny_does_not_cover_a_star(analyser: PolicyAnalyser) -> None:
    a = policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/a*c"), name="a")
    assert analyser.summarise([a, policy(deny("iam:CreateAccessKey", "arn:aws:iam::*:user/a?c"))]).has(
        "iam_write"
    )
    assert not analyser.summarise([a, policy(deny("iam:CreateAccessKey", "arn:aws:iam::*:user/a*"))]).has(
        "iam_write"
    )


def test_not_resource_deny_covers_only_what_it_surely_excludes(analyser: PolicyAnalyser) -> None:
    fence = policy(deny("iam:CreateAccessKey", None, NotResource="arn:aws:iam::*:user/ok-*"), name="fence")
    other = policy(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/bob"), name="bob")
    assert not analyser.summarise([other, fence]).has("iam_write")
    ok = policy(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/ok-1"), name="ok")
    assert analyser.summarise([ok, fence]).has("iam_write")
    # A wildcard that overlaps the exception keeps the capability.
    wide = policy(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/*"), name="wide")
    assert analyser.summarise([wide, fence]).has("iam_write")


def test_pass_role_is_not_iam_write(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([policy(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app"))])
    assert s.classes == ("pass_role",)


def test_secret_read(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise(
        [policy(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:1:secret:db-*"))]
    )
    assert s.classes == ("secret_read",)
    assert analyser.summarise(
        [policy(allow("ssm:GetParametersByPath", "arn:aws:ssm:*:*:parameter/app/*"))]
    ).has("secret_read")
    assert not analyser.summarise([policy(allow("kms:Decrypt"))]).has("secret_read")


def test_assume_any_role(analyser: PolicyAnalyser) -> None:
    assert analyser.summarise([policy(allow("sts:AssumeRole"))]).classes == ("assume_any_role",)
    assert (
        analyser.summarise([policy(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/x"))]).classes == ()
    )


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("*", "*", True),
        ("s3:*", "arn:aws:s3:::one-bucket/*", True),  # a whole service, even on one resource
        ("s3:Get*", "*", True),  # a wildcard action on every resource
        ("s3:Get*", "arn:aws:s3:::one-bucket/*", False),
        ("s3:GetObject", "*", False),
        (["s3:GetObject", "ec2:Describe?nstances"], "*", True),
    ],
)
def test_wildcard_class(
    analyser: PolicyAnalyser, action: str | list[str], resource: str, expected: bool
) -> None:
    s = analyser.summarise([policy(allow(action, resource))])
    assert s.has("wildcard") is expected
    if expected:
        assert s.reasons["wildcard"] == (f"arn:aws:iam::{ACCOUNT}:policy/p#0",)


def test_not_action_on_every_resource_is_wildcard(analyser: PolicyAnalyser) -> None:
    assert analyser.summarise([policy(allow(None, NotAction="iam:*"))]).has("wildcard")
    assert not analyser.summarise([policy(allow(None, "arn:aws:s3:::b/*", NotAction="iam:*"))]).has(
        "wildcard"
    )


# ---------------------------------------------------------------- escalation


LAMBDA_HALF = policy(allow(["lambda:CreateFunction", "lambda:InvokeFunction"]), name="lambda")
PASS_HALF = policy(allow("iam:PassRole"), name="pass")


def test_escalation_split_across_two_policies_is_found(analyser: PolicyAnalyser) -> None:
    s = analyser.summarise([PASS_HALF, LAMBDA_HALF])
    assert "PassExistingRoleToNewLambdaThenInvoke" in s.reasons["can_escalate"]
    assert analyser.escalation_methods([PASS_HALF, LAMBDA_HALF]) == list(s.reasons["can_escalate"])


def test_escalation_not_found_when_one_half_is_missing(analyser: PolicyAnalyser) -> None:
    assert not analyser.summarise([LAMBDA_HALF]).has("can_escalate")
    assert not analyser.summarise([PASS_HALF]).has("can_escalate")


def test_escalation_not_found_when_one_half_is_denied(analyser: PolicyAnalyser) -> None:
    no_create = policy(deny("lambda:CreateFunction"), name="no-create")
    assert not analyser.summarise([PASS_HALF, LAMBDA_HALF, no_create]).has("can_escalate")
    assert analyser.escalation_methods([PASS_HALF, LAMBDA_HALF, no_create]) == []


def test_escalation_not_found_when_one_half_is_conditional(analyser: PolicyAnalyser) -> None:
    cond = policy(
        allow(
            ["lambda:CreateFunction", "lambda:InvokeFunction"],
            Condition={"StringEquals": {"aws:RequestTag/t": "x"}},
        ),
        name="cond",
    )
    assert not analyser.summarise([PASS_HALF, cond]).has("can_escalate")


def test_escalation_not_found_when_boundary_blocks_a_half(analyser: PolicyAnalyser) -> None:
    b = boundary(allow(["lambda:*"]))
    assert not analyser.summarise([PASS_HALF, LAMBDA_HALF], b).has("can_escalate")
    assert analyser.summarise([PASS_HALF, LAMBDA_HALF], boundary(allow(["lambda:*", "iam:PassRole"]))).has(
        "can_escalate"
    )


def test_pass_role_on_one_role_is_not_escalation_to_everything(analyser: PolicyAnalyser) -> None:
    one = policy(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app"), name="one")
    assert not analyser.summarise([one, LAMBDA_HALF]).has("can_escalate")


def test_passed_to_service_condition_counts_for_that_service_only(analyser: PolicyAnalyser) -> None:
    to_lambda = policy(
        allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        name="to-lambda",
    )
    run = policy(allow(["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"]), name="run")
    methods = analyser.escalation_methods([to_lambda, run])
    assert "PassExistingRoleToNewLambdaThenInvoke" in methods
    assert "CreateEC2WithExistingIP" not in methods
    assert analyser.summarise([to_lambda, run]).reasons["can_escalate"] == tuple(methods)
    d = analyser.evaluate(
        [to_lambda], None, "iam:PassRole", context={"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not d.allowed


def test_update_assume_role_policy_needs_assume_role(analyser: PolicyAnalyser) -> None:
    only = policy(allow("iam:UpdateAssumeRolePolicy"))
    assert "UpdateRolePolicyToAssumeIt" not in analyser.escalation_methods([only])
    both = policy(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]))
    assert "UpdateRolePolicyToAssumeIt" in analyser.escalation_methods([both])


def test_put_user_policy_on_self_is_escalation_when_the_principal_is_known(analyser: PolicyAnalyser) -> None:
    p = [policy(allow("iam:PutUserPolicy", "arn:aws:iam::*:user/${aws:username}"), kind="inline_policy")]
    assert analyser.summarise(p, principal_arn=USER).reasons["can_escalate"] == ("PutUserPolicy",)
    assert not analyser.summarise(p).has("can_escalate")
    assert not analyser.summarise(p, principal_arn=f"arn:aws:iam::{ACCOUNT}:role/r").has("can_escalate")


# ---------------------------------------------------------------- grants


def test_grants_record_each_statement() -> None:
    p = PolicyDoc(
        "group:devs:arn:aws:iam::aws:policy/X",
        "group_policy",
        {
            "Version": "2012-10-17",
            "Statement": [
                allow("s3:GetObject", Sid="Read"),
                allow(["ec2:*"], Sid="Dup"),
                deny("ec2:TerminateInstances", Sid="Dup", Condition={"Bool": {"aws:SecureTransport": False}}),
                allow(None, None, NotAction=["iam:*"], NotResource="arn:aws:s3:::x"),
            ],
        },
        via="devs",
    )
    grants = PolicyAnalyser().summarise([p]).grants
    assert [g.source for g in grants] == [
        "group:devs:arn:aws:iam::aws:policy/X#Read",
        "group:devs:arn:aws:iam::aws:policy/X#1",  # duplicate Sids fall back to the index
        "group:devs:arn:aws:iam::aws:policy/X#2",
        "group:devs:arn:aws:iam::aws:policy/X#3",
    ]
    assert {g.kind for g in grants} == {"group_policy"} and {g.via for g in grants} == {"devs"}
    assert grants[0].actions == ("s3:GetObject",) and grants[0].resources == ("*",)
    assert grants[2].effect == "deny" and grants[2].conditional
    assert grants[3].not_actions == ("iam:*",) and grants[3].actions == ()
    assert grants[3].resources == ("!arn:aws:s3:::x",)


# ---------------------------------------------------------------- document forms


DOC = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}}


@pytest.mark.parametrize(
    "document",
    [DOC, json.dumps(DOC), quote(json.dumps(DOC), safe=""), "  " + json.dumps(DOC, indent=2)],
    ids=["mapping", "json", "url-encoded", "indented-json"],
)
def test_document_forms(analyser: PolicyAnalyser, document: object) -> None:
    s = analyser.summarise([PolicyDoc("inline:x:y", "inline_policy", document)])  # type: ignore[arg-type]
    assert s.classes == ("iam_write",)


def test_url_encoded_document_with_plus_and_spaces(analyser: PolicyAnalyser) -> None:
    doc = {"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::a+b/with space/*")]}
    encoded = quote(json.dumps(doc), safe="")
    d = analyser.evaluate(
        [PolicyDoc("x", "inline_policy", encoded)], None, "s3:GetObject", "arn:aws:s3:::a+b/with space/k"
    )
    assert d.allowed


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("", "empty"),
        ("[1, 2]", "must be a JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": "Allow everything"}, "Statement must be an object or a list"),
        ({"Statement": [42]}, "Statement[0] must be an object"),
        ({"Version": "2020-01-01", "Statement": []}, "Version '2020-01-01'"),
        ({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}, "Statement[0].Effect"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "exactly one of Action or NotAction"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]},
            "exactly one",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "exactly one of Resource or NotResource"),
        (
            {"Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]},
            "Statement[0].Action must be a string",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", None], "Resource": "*"}]}, "NoneType"),
        ({"Statement": [{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}]}, "service:action"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": ""}]}, "empty string"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "yes"}]},
            "Condition",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": 1}}]},
            "Condition",
        ),
    ],
)
def test_malformed_documents_raise_one_line_input_error(
    analyser: PolicyAnalyser, document: object, fragment: str
) -> None:
    source = f"inline:arn:aws:iam::{ACCOUNT}:role/app:broken"
    with pytest.raises(InputError) as info:
        analyser.summarise([PolicyDoc(source, "inline_policy", document)])  # type: ignore[arg-type]
    message = info.value.diagnostics()
    assert fragment in message
    assert info.value.where == source and message.startswith(source + ": ")
    assert "\n" not in message


def test_document_of_wrong_type_is_input_error(analyser: PolicyAnalyser) -> None:
    with pytest.raises(InputError, match="JSON text or an object"):
        analyser.summarise([PolicyDoc("x", "inline_policy", 42)])  # type: ignore[arg-type]


def test_unknown_kind_and_misplaced_boundary_are_programming_errors(analyser: PolicyAnalyser) -> None:
    with pytest.raises(ValueError, match="unknown policy kind"):
        PolicyDoc("x", "scp", DOC)
    with pytest.raises(ValueError, match="boundary"):
        analyser.summarise([boundary(allow("*"))])


# ---------------------------------------------------------------- memo


def test_memo_reuses_compiled_documents_and_summaries() -> None:
    a = PolicyAnalyser()
    first = a.summarise([ADMIN, PASS_HALF])
    again = a.summarise([ADMIN, PASS_HALF])
    assert again is first
    stats = a.stats()
    assert stats.documents_compiled == 2
    assert stats.summary_hits == 1 and stats.summary_misses == 1
    assert 0 < stats.document_hit_rate < 1 and stats.summary_hit_rate == 0.5


def test_memo_notices_changed_content_under_the_same_source() -> None:
    a = PolicyAnalyser()
    v1 = PolicyDoc("arn:aws:iam::aws:policy/Shifty", "managed_policy", {"Statement": [allow("s3:GetObject")]})
    v2 = PolicyDoc(
        "arn:aws:iam::aws:policy/Shifty", "managed_policy", {"Statement": [allow("iam:CreateUser")]}
    )
    assert a.summarise([v1]).classes == ()
    assert a.summarise([v2]).classes == ("iam_write",)
    # An equal document in a new object is recognised by content.
    v2_copy = PolicyDoc(v2.source, v2.kind, json.loads(json.dumps(v2.document)))
    assert a.summarise([v2_copy]) is a.summarise([v2])
    assert a.stats().documents_compiled == 2


def test_same_document_through_group_and_directly_gives_two_grants(analyser: PolicyAnalyser) -> None:
    via_group = PolicyDoc(ADMIN.source, "group_policy", ADMIN.document, via="admins")
    s = analyser.summarise([ADMIN, via_group])
    assert [(g.kind, g.via) for g in s.grants] == [("managed_policy", None), ("group_policy", "admins")]
    assert s.reasons["admin"] == ("arn:aws:iam::aws:policy/AdministratorAccess#0",)


def test_module_functions_use_a_shared_analyser() -> None:
    assert aws_policy.summarise([ADMIN]).has("admin")
    assert aws_policy.evaluate([ADMIN], None, "iam:CreateUser").allowed
    assert aws_policy.escalation_methods([PASS_HALF, LAMBDA_HALF])
    assert aws_policy.default_analyser() is aws_policy.default_analyser()
