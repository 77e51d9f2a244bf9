"""Azure settings: the tenant and subscriptions to read, and hooks for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhiscan.providers.settings import ProviderSettings, cli_option


@dataclass(frozen=True)
class AzureSettings(ProviderSettings):
    """What ``nhiscan scan azure`` reads and how."""

    tenant: str | None = cli_option("--tenant", "Entra tenant id.", metavar="TENANT")
    """Entra tenant to read; None: the credential's home tenant. Also names the tenant scope of
    imported files."""
    subscriptions: tuple[str, ...] = cli_option(
        "--subscription", "Azure subscription (repeatable).", multiple=True, metavar="SUBSCRIPTION"
    )
    """Subscriptions to read; empty: every subscription the credential can list."""
    all_subscriptions: bool = cli_option("--all-subscriptions", "Every readable subscription.", type=bool)
    """List and read every readable subscription even when ``subscriptions`` names some."""
    credential: Any = None
    """An ``azure.core`` TokenCredential to use instead of ``DefaultAzureCredential`` (tests)."""
    graph_endpoint: str | None = None
    """Microsoft Graph base URL; None: the public cloud's (a local fake in tests)."""
    arm_endpoint: str | None = None
    """Azure Resource Manager base URL; None: the public cloud's (a local fake in tests)."""
    max_retries: int = 4
    """Retries per request on throttling and server errors."""
    resource_graph_threshold: int | None = None
    """Above this many subscriptions, role assignments come from one Resource Graph query
    instead of two ARM calls per subscription; None: the collector's default."""
