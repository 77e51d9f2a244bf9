"""Helpers for the analyse tests: small policy builders and the shared real exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc
from support import shared_path

ACCOUNT = "111122223333"
OTHER = "444455556666"


def stmt(
    effect: str, action: str | list[str] | None = None, resource: str | list[str] | None = "*", **extra: Any
) -> dict[str, Any]:
    """One statement; pass NotAction/NotResource/Condition/Sid through ``extra``."""
    out: dict[str, Any] = {"Effect": effect}
    if action is not None:
        out["Action"] = action
    if resource is not None and "NotResource" not in extra:
        out["Resource"] = resource
    out.update(extra)
    return out


def allow(
    action: str | list[str] | None = None, resource: str | list[str] | None = "*", **extra: Any
) -> dict[str, Any]:
    return stmt("Allow", action, resource, **extra)


def deny(
    action: str | list[str] | None = None, resource: str | list[str] | None = "*", **extra: Any
) -> dict[str, Any]:
    return stmt("Deny", action, resource, **extra)


def policy(
    *statements: dict[str, Any], name: str = "p", kind: str = "managed_policy", via: str | None = None
) -> PolicyDoc:
    return PolicyDoc(
        source=f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        kind=kind,
        document={"Version": "2012-10-17", "Statement": list(statements)},
        via=via,
    )


def boundary(*statements: dict[str, Any], name: str = "boundary") -> PolicyDoc:
    return policy(*statements, name=name, kind="boundary")


ADMIN = PolicyDoc(
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "managed_policy",
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
)

# The AWS managed policy as published (v5).
POWER_USER = PolicyDoc(
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "managed_policy",
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                    "account:GetAccountInformation",
                ],
                "Resource": "*",
            },
        ],
    },
)


@pytest.fixture
def analyser() -> PolicyAnalyser:
    """A fresh analyser per test, so memo state never leaks between tests."""
    return PolicyAnalyser()


@pytest.fixture(scope="session")
def real_exports() -> Path:
    return shared_path("real-exports")
