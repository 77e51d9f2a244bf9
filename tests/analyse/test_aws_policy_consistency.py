"""The summary's fast path (per-document bit masks) must agree with the statement-by-statement
evaluator on every class, for many random principals."""

from __future__ import annotations

import random
from typing import Any

from nhiscan.providers.aws.iam.actions import ASSUME_ROLE, IAM_WRITE_ACTIONS, PASS_ROLE, SECRET_READ_ACTIONS
from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc

ACTIONS = [
    "*",
    "iam:*",
    "iam:Put*",
    "iam:CreateAccessKey",
    "iam:PassRole",
    "iam:Attach*Policy",
    "sts:AssumeRole",
    "sts:*",
    "lambda:*",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:UpdateFunctionCode",
    "ec2:RunInstances",
    "glue:*DevEndpoint",
    "cloudformation:CreateStack",
    "datapipeline:*",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter*",
    "s3:*",
]
RESOURCES = [
    "*",
    "arn:aws:iam::*:role/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:secretsmanager:*:*:secret:x*",
]
CONDITIONS = [
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    {"StringLike": {"iam:PassedToService": ["ec2.*", "glue.*"]}},
]


def random_statement(rng: random.Random) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": rng.choice(["Allow", "Allow", "Allow", "Deny"])}
    key = "NotAction" if rng.random() < 0.1 else "Action"
    st[key] = rng.sample(ACTIONS, rng.randint(1, 3))
    rkey = "NotResource" if rng.random() < 0.1 else "Resource"
    st[rkey] = rng.choice(RESOURCES)
    condition = rng.choice(CONDITIONS)
    if condition is not None:
        st["Condition"] = condition
    return st


def random_principal(rng: random.Random, n: int) -> tuple[list[PolicyDoc], PolicyDoc | None]:
    docs = [
        PolicyDoc(
            f"arn:aws:iam::111122223333:policy/p{n}-{i}",
            "managed_policy",
            {"Version": "2012-10-17", "Statement": [random_statement(rng) for _ in range(rng.randint(1, 3))]},
        )
        for i in range(rng.randint(1, 3))
    ]
    boundary = None
    if rng.random() < 0.25:
        boundary = PolicyDoc(
            f"arn:aws:iam::111122223333:policy/b{n}",
            "boundary",
            {"Version": "2012-10-17", "Statement": [random_statement(rng) for _ in range(rng.randint(1, 2))]},
        )
    return docs, boundary


def expected(
    analyser: PolicyAnalyser,
    docs: list[PolicyDoc],
    boundary: PolicyDoc | None,
    actions: tuple[str, ...],
    *,
    some: bool,
) -> set[str]:
    """The identity statements the evaluator names for those of ``actions`` it allows."""
    boundary_prefix = f"{boundary.source}#" if boundary is not None else None
    out: set[str] = set()
    for action in actions:
        d = analyser.evaluate(docs, boundary, action, on_some_resource=some)
        if d.allowed:
            out.update(x for x in d.allowed_by if not (boundary_prefix and x.startswith(boundary_prefix)))
    return out


def test_fast_summary_agrees_with_the_evaluator() -> None:
    rng = random.Random(20261123)
    analyser = PolicyAnalyser()
    seen: set[str] = set()
    for n in range(300):
        docs, boundary = random_principal(rng, n)
        arn = "arn:aws:iam::111122223333:user/alice"
        s = analyser.summarise(docs, boundary, principal_arn=arn)
        seen.update(s.classes)

        for cls, actions, some in (
            ("iam_write", IAM_WRITE_ACTIONS, True),
            ("secret_read", SECRET_READ_ACTIONS, True),
            ("pass_role", (PASS_ROLE,), True),
            ("assume_any_role", (ASSUME_ROLE,), False),
        ):
            want = expected(analyser, docs, boundary, actions, some=some)
            assert s.has(cls) == bool(want), (cls, n, docs, boundary)
            assert set(s.reasons.get(cls, ())) == want, (cls, n, docs, boundary)
        methods = analyser.escalation_methods(docs, boundary, principal_arn=arn)
        assert list(s.reasons.get("can_escalate", ())) == methods, (n, docs, boundary)
    # The random estate exercises every class, so the comparison above is not vacuous.
    assert seen >= {
        "admin",
        "iam_write",
        "secret_read",
        "pass_role",
        "assume_any_role",
        "can_escalate",
        "wildcard",
    }
