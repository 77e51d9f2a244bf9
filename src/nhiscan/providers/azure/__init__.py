"""Azure and Entra ID: service principals, app registrations and their credentials, managed
identities, Microsoft Graph application permissions, directory roles, Azure RBAC role assignments,
Activity Log and Entra diagnostic settings, and AI agents: Entra Agent ID agent identities and
blueprints, and the managed identities of AI resources (see :mod:`.agents`).

Live scans use ``azure-identity``'s ``DefaultAzureCredential`` and a small httpx client against
Microsoft Graph and Azure Resource Manager (read-only GETs, plus Resource Graph queries). Offline
scans read ``az`` exports (``az ad sp list --all``, ``az ad app list --all``, ``az role assignment
list --all --include-inherited``, ``az role definition list``, ``az monitor diagnostic-settings
subscription list``) and the Graph/ARM REST pages documented in ``docs/providers/azure.md``.
Nothing here imports an Azure SDK at import time.

Settings: :class:`~nhiscan.providers.azure.settings.AzureSettings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from nhiscan.model import Inventory
from nhiscan.providers.azure.facts import (
    AzureCredentialFacts,
    AzureEdgeFacts,
    AzureIdentityFacts,
    AzureLoggingFacts,
)
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import (
    CollectOptions,
    Delegation,
    DelegationContext,
    LoadedFile,
    ProviderPlugin,
    RecognisedFile,
)


class Plugin(ProviderPlugin):
    """The Azure / Entra ID provider."""

    name = "azure"
    extra = "azure"
    description = (
        "Entra ID service principals, app credentials, managed identities, Entra agent identities, "
        "Azure RBAC and logging"
    )
    display_name = "Azure"
    settings_class = AzureSettings
    sdk_modules = ("azure.identity", "httpx")
    external_source_edge_kinds: ClassVar[frozenset[str]] = frozenset({"azure.federated_credential"})
    identity_facts: ClassVar[type | None] = AzureIdentityFacts
    credential_facts: ClassVar[type | None] = AzureCredentialFacts
    edge_facts: ClassVar[type | None] = AzureEdgeFacts
    logging_facts: ClassVar[type | None] = AzureLoggingFacts
    identity_kinds: ClassVar[Mapping[str, str]] = {
        "azure.service_principal": "Entra service principal (application, legacy or first-party)",
        "azure.managed_identity": "Azure managed identity (system- or user-assigned)",
        "azure.application": "Entra app registration with no service principal in the tenant",
        "agent.entra_agent_identity": "Entra Agent ID agent identity",
        "agent.entra_agent_blueprint": "Entra Agent ID agent identity blueprint",
    }
    credential_kinds: ClassVar[Mapping[str, str]] = {
        "azure.client_secret": "client secret (password credential or symmetric key)",
        "azure.certificate": "certificate (asymmetric key credential)",
        "azure.federated_credential": "federated identity credential (trusted external token issuer)",
    }
    edge_kinds: ClassVar[Mapping[str, str]] = {
        "azure.owner_add_credential": "owner can add a credential to the application or SP it owns",
        "azure.app_permission": "Microsoft Graph permission that reaches every service principal of the tenant",
        "azure.directory_role_add_credential": "directory role that can add a credential to any (or one) app",
        "azure.managed_identity": "Azure resource runs as its managed identity",
        "azure.blueprint_impersonation": "agent blueprint credential holders obtain tokens as each agent",
        "azure.any_service_principal": "tenant hub expanded to each service principal that takes credentials",
        "azure.federated_credential": "external issuer and subject trusted by a federated credential",
        "agent.inherits_from": "Entra agent identity inherits from its blueprint",
        "agent.runs_as": "AI resource (Foundry, Machine Learning) runs as its managed identity",
    }

    def delegation(self, context: DelegationContext) -> Delegation | None:
        from nhiscan.providers.azure.delegation import AzureDelegation, tenant_hubs

        return AzureDelegation(context.inventory) if tenant_hubs(context.inventory) else None

    def credentials_hint(self, options: CollectOptions) -> str | None:
        env = os.environ
        if env.get("AZURE_CLIENT_ID") or env.get("AZURE_TENANT_ID"):
            return None
        if env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT"):
            return None
        config_dir = Path(env.get("AZURE_CONFIG_DIR") or Path.home() / ".azure")
        if config_dir.is_dir():
            return None
        return "no Azure credentials found (no AZURE_CLIENT_ID/AZURE_TENANT_ID, no managed identity, no `az login` in ~/.azure)"

    def collect(self, options: CollectOptions) -> Inventory:
        from nhiscan.providers.azure.collect import collect

        return collect(options)

    def recognise(self, file: LoadedFile) -> str | None:
        from nhiscan.providers.azure.documents import load_json, recognise

        return recognise(load_json(file.path, file.data))

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        from nhiscan.providers.azure.importer import build_from_files

        return build_from_files(files, options)
