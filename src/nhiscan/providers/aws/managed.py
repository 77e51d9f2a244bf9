"""Documents of the AWS-managed policies that decide admin and escalation, for exports that list
attachments but not the policy documents (``get-account-authorization-details --filter
LocalManagedPolicy``). Each holds the statements of the published default version that matter for
classification (admin, IAM write, secret read); larger policies are a subset, so an export that
includes the real documents always wins over this table."""

from __future__ import annotations

from typing import Any

WELL_KNOWN: dict[str, dict[str, Any]] = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "arn:aws:iam::aws:policy/PowerUserAccess": {
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
    "arn:aws:iam::aws:policy/IAMFullAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount"], "Resource": "*"},
        ],
    },
    "arn:aws:iam::aws:policy/SecretsManagerReadWrite": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*"], "Resource": "*"}],
    },
}
