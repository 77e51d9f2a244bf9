"""What the agent builder needs from the IAM inventory of the same accounts: the permission
classes of every role (agents record what the role they run as can do) and the ARN of every
user (Bedrock API keys name their user only)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any

from nhiscan.model import Grant, Inventory

VAULT_ACTIONS = ("bedrock-agentcore:getresourceapikey", "bedrock-agentcore:getresourceoauth2token")


def reads_any_vault_credential(grants: Sequence[Grant]) -> bool:
    """AgentCore does not bind workload identities to credential providers: a role allowed
    GetResourceApiKey / GetResourceOauth2Token on every resource can fetch every credential in
    the account's token vault (scope-credential-provider-access in the AgentCore guide)."""
    for g in grants:
        if g.effect != "allow" or not g.actions:
            continue
        if not any(fnmatch.fnmatchcase(a, p.lower()) for a in VAULT_ACTIONS for p in g.actions):
            continue
        if any(
            r == "*" or r.endswith(("token-vault/*", "token-vault/default", "token-vault/default/*"))
            for r in g.resources
        ):
            return True
    return False


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
