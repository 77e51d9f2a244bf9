"""Which execution roles can read every credential in the AgentCore token vault."""

from __future__ import annotations

import pytest

from nhiscan.model import Grant
from nhiscan.providers.aws.agents import reads_any_vault_credential

VAULT = "arn:aws:bedrock-agentcore:us-east-1:111122223333:token-vault/default"


@pytest.mark.parametrize(
    ("actions", "resources", "effect", "expected"),
    [
        (("bedrock-agentcore:GetResourceApiKey",), ("*",), "allow", True),
        (("bedrock-agentcore:getresourceoauth2token",), (f"{VAULT}/*",), "allow", True),
        (("bedrock-agentcore:*",), ("*",), "allow", True),
        (("*",), ("*",), "allow", True),
        (
            ("bedrock-agentcore:GetResourceApiKey",),
            (f"{VAULT}/apikeycredentialprovider/orders",),
            "allow",
            False,
        ),
        (("bedrock-agentcore:GetResourceApiKey",), ("*",), "deny", False),
        (("bedrock-agentcore:InvokeAgentRuntime",), ("*",), "allow", False),
    ],
)
def test_vault_wide_read(
    actions: tuple[str, ...], resources: tuple[str, ...], effect: str, expected: bool
) -> None:
    grant = Grant(source="p#0", kind="inline_policy", effect=effect, actions=actions, resources=resources)
    assert reads_any_vault_credential([grant]) is expected
