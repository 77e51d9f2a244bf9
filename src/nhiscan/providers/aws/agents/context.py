"""What the agent builder needs from the IAM inventory of the same accounts: the permission
classes of every role (agents record what the role they run as can do) and the ARN of every
user (Bedrock API keys name their user only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nhiscan.model import Grant, Inventory
from nhiscan.providers.aws.iam.policy import GrantEvaluator

VAULT_ACTIONS = ("bedrock-agentcore:GetResourceApiKey", "bedrock-agentcore:GetResourceOauth2Token")
# a credential provider no policy names: an Allow that reaches it reaches every provider
_PROBE = (
    "arn:aws:bedrock-agentcore:{region}:{account}:token-vault/default/{kind}credentialprovider/nhiscan-probe"
)
_ARN_FIELDS = re.compile(r"^arn:aws[a-zA-Z-]*:bedrock-agentcore:([^:]*):([^:]*):token-vault/")


def reads_any_vault_credential(grants: Sequence[Grant]) -> bool:
    """AgentCore does not bind workload identities to credential providers: a role allowed
    GetResourceApiKey / GetResourceOauth2Token on every provider of a token vault can fetch every
    credential in it (scope-credential-provider-access in the AgentCore guide).

    The one AWS policy evaluator decides it (so Deny, NotAction, permissions boundaries and
    conditions count as everywhere else): the action must be allowed, maybe conditionally, on
    a provider no policy names, in each region and account the grants name for a vault."""
    evaluator = GrantEvaluator(grants)
    for action in VAULT_ACTIONS:
        kind = "apikey" if action.endswith("ApiKey") else "oauth2"
        for region, account in _vault_places(grants):
            probe = _PROBE.format(region=region, account=account, kind=kind)
            if evaluator.evaluate(action, probe).allowed:
                return True
    return False


def _vault_places(grants: Sequence[Grant]) -> list[tuple[str, str]]:
    """(region, account) pairs to probe: a placeholder pair (for ``*`` resources), plus the
    literal region and account of every vault ARN the grants name (a wildcard field stays a
    placeholder, which the wildcard matches)."""
    places = {("us-east-1", "123456789012")}
    for g in grants:
        for r in g.resources:
            m = _ARN_FIELDS.match(r.lstrip("!"))
            if m:
                region, account = m.group(1), m.group(2)
                places.add(
                    (
                        region if region and not set(region) & set("*?$") else "us-east-1",
                        account if account and not set(account) & set("*?$") else "123456789012",
                    )
                )
    return sorted(places)


def context_from(inventory: Inventory) -> dict[str, Any]:
    """Keyword arguments for :func:`~.build.build_agents` and :func:`~.live.collect_agents`:
    ``role_classes`` (role ARN -> its permission classes, plus ``credential_vault_any`` when it
    can read every AgentCore vault credential) and ``known_users`` (user name -> ARN)."""
    return {
        "role_classes": {
            i.id: list(i.permissions.classes)
            + (["credential_vault_any"] if reads_any_vault_credential(i.permissions.grants) else [])
            for i in inventory.identities
            if i.kind == "aws.iam_role"
        },
        "known_users": {i.name: i.id for i in inventory.identities if i.kind == "aws.iam_user"},
    }
