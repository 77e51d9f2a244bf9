"""The three AWS permission questions (a principal's summary from its policy documents, the
delegation edges from its grants, and the AgentCore vault read) are answered by one evaluator.

Each case gives the same policies to all three and checks they agree. Before the evaluator was
shared they did not: the vault check ignored Deny statements, permissions boundaries and
NotAction, and the delegation evaluator removed an Allow "on some resource" only for a Deny of
every resource."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.model import Grant
from nhiscan.providers.aws.agents import reads_any_vault_credential
from nhiscan.providers.aws.delegation import GrantSet
from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc

ACCT = "111122223333"
VAULT = f"arn:aws:bedrock-agentcore:us-east-1:{ACCT}:token-vault/default"
API_KEY = "bedrock-agentcore:GetResourceApiKey"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _grants(policies: list[dict[str, Any]], boundary: dict[str, Any] | None = None) -> tuple[Grant, ...]:
    analyser = PolicyAnalyser()
    docs = [
        PolicyDoc(f"arn:aws:iam::{ACCT}:policy/p{i}", "managed_policy", d) for i, d in enumerate(policies)
    ]
    b = PolicyDoc(f"arn:aws:iam::{ACCT}:policy/b", "boundary", boundary) if boundary else None
    return analyser.summarise(docs, b).grants


def _analyser_allows(
    policies: list[dict[str, Any]], boundary: dict[str, Any] | None, action: str, res: str
) -> bool:
    docs = [
        PolicyDoc(f"arn:aws:iam::{ACCT}:policy/p{i}", "managed_policy", d) for i, d in enumerate(policies)
    ]
    b = PolicyDoc(f"arn:aws:iam::{ACCT}:policy/b", "boundary", boundary) if boundary else None
    return PolicyAnalyser().evaluate(docs, b, action, res).allowed


ALLOW_VAULT = {"Effect": "Allow", "Action": API_KEY, "Resource": "*"}
VAULT_CASES = [
    pytest.param([_doc(ALLOW_VAULT)], None, True, id="allow-everywhere"),
    pytest.param(
        [_doc(ALLOW_VAULT, {"Effect": "Deny", "Action": "bedrock-agentcore:*", "Resource": "*"})],
        None,
        False,
        id="deny-wins",  # the vault check used to say True
    ),
    pytest.param(
        [_doc(ALLOW_VAULT)],
        _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        False,
        id="boundary-caps",  # the vault check used to say True
    ),
    pytest.param(
        [_doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
        None,
        True,
        id="not-action",  # the vault check used to say False
    ),
    pytest.param(
        [
            _doc(
                {"Effect": "Allow", "Action": API_KEY, "Resource": f"{VAULT}/apikeycredentialprovider/orders"}
            )
        ],
        None,
        False,
        id="one-provider-only",
    ),
    pytest.param(
        [_doc({"Effect": "Allow", "Action": API_KEY, "Resource": f"{VAULT}/*"})],
        None,
        True,
        id="vault-wide-pattern",
    ),
]


@pytest.mark.parametrize(("policies", "boundary", "expected"), VAULT_CASES)
def test_vault_read_agrees_with_the_policy_evaluator(
    policies: list[dict[str, Any]], boundary: dict[str, Any] | None, expected: bool
) -> None:
    probe = f"{VAULT}/apikeycredentialprovider/nhiscan-probe"
    assert _analyser_allows(policies, boundary, API_KEY, probe) is expected
    assert reads_any_vault_credential(_grants(policies, boundary)) is expected


ROLE = f"arn:aws:iam::{ACCT}:role/app-web"


@pytest.mark.parametrize(
    ("policies", "resource", "expected"),
    [
        ([_doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})], ROLE, True),
        (
            [
                _doc(
                    {
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": f"arn:aws:iam::{ACCT}:role/app-*",
                    },
                    {"Effect": "Deny", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{ACCT}:role/*"},
                )
            ],
            None,  # on some resource: the Deny covers every role the Allow names
            False,  # GrantSet used to say True (only a Deny of "*" counted)
        ),
        (
            [_doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
            ROLE,
            False,
        ),
    ],
)
def test_grant_set_agrees_with_the_policy_evaluator(
    policies: list[dict[str, Any]], resource: str | None, expected: bool
) -> None:
    docs = [
        PolicyDoc(f"arn:aws:iam::{ACCT}:policy/p{i}", "managed_policy", d) for i, d in enumerate(policies)
    ]
    d = PolicyAnalyser().evaluate(
        docs, None, "iam:PassRole", resource or "*", on_some_resource=resource is None
    )
    assert d.allowed is expected
    assert GrantSet(_grants(policies)).decide("iam:PassRole", resource).allowed is expected


def test_a_conditional_grant_stays_conditional_in_every_view() -> None:
    policies = [
        _doc(
            {
                "Effect": "Allow",
                "Action": API_KEY,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
            }
        )
    ]
    v = GrantSet(_grants(policies)).decide(API_KEY, f"{VAULT}/apikeycredentialprovider/x")
    assert v.allowed and v.conditional
    # a capability class counts conditional grants (as iam_write and secret_read do)
    assert reads_any_vault_credential(_grants(policies)) is True


def test_escalation_methods_and_delegation_agree_on_services_that_take_a_passed_role() -> None:
    from nhiscan.providers.aws.iam.actions import ESCALATION_METHODS, PASS_ROLE_SERVICES, PASSED_TO_SERVICE

    for name, actions in ESCALATION_METHODS:
        if "iam:PassRole" not in actions:
            assert name not in PASSED_TO_SERVICE
            continue
        service = PASSED_TO_SERVICE[name]
        rest = tuple(a for a in actions if a != "iam:PassRole")
        assert rest in PASS_ROLE_SERVICES[service], name
