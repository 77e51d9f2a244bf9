"""Messages in the reader's words: whole tokens only, ambiguous names keep their ids."""

from __future__ import annotations

from nhiscan.model import Credential, Identity, Inventory, Scope
from nhiscan.reporters.humanize import humanize, kind_label, vocabulary

SCOPE = "azure:tenant:6a1f3c2e-9b4d-4e8a-a1c7-3f5e2d8b9c10"


def ident(id_: str, name: str, kind: str = "azure.service_principal", scope: str = SCOPE) -> Identity:
    return Identity(id=id_, provider="azure", kind=kind, scope=scope, name=name)


def test_ids_scopes_classes_and_policies() -> None:
    inv = Inventory(
        identities=(
            ident("0000-a", "helpdesk-bot"),
            ident("0000-b", "twin"),
            ident("0000-c", "twin"),  # same name and kind: ambiguous, keeps the id
            ident("0000-d", "ops", kind="agent.entra_agent_identity"),
            ident("0000-e", "ops"),  # same name, other kind: named with its kind
        ),
        scopes=(Scope("azure", "tenant", SCOPE.split(":")[2], "Northwind"),),
    )
    v = vocabulary(inv)
    text = (
        "0000-a, 0000-b and 0000-d reach admin of azure:tenant:6a1f3c2e-9b4d-4e8a-a1c7-3f5e2d8b9c10 "
        "with can_escalate, credential_vault_any (via arn:aws:iam::aws:policy/AdministratorAccess#0)."
    )
    assert humanize(text, v) == (
        "helpdesk-bot, 0000-b and ops (Entra agent identity) reach admin of tenant Northwind "
        "with privilege escalation, read every token-vault credential (via AdministratorAccess)."
    )
    # only whole tokens: an id inside a longer token is left alone
    assert humanize("x0000-a and 0000-a/y", v) == "x0000-a and 0000-a/y"
    assert (
        humanize("inline:arn:aws:iam::1:role/r:Deploy#AllowAll", v)
        == "inline policy Deploy (statement AllowAll)"
    )


def test_kind_labels_and_sentence_start() -> None:
    assert kind_label("aws.iam_role") == "IAM role"
    assert kind_label("agent.mcp_server") == "MCP server"
    inv = Inventory(identities=(ident("0000-a", "app"),))
    inv = Inventory(
        identities=inv.identities, credentials=(Credential("k1", "0000-a", "azure.client_secret"),)
    )
    assert (
        humanize("azure.client_secret k1 on app expires", vocabulary(inv))
        == "Client secret k1 on app expires"
    )
