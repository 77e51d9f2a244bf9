"""Google Cloud settings: the projects or organization to read, and hooks for tests."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.providers.settings import ProviderSettings, cli_option


@dataclass(frozen=True)
class GcpSettings(ProviderSettings):
    """What ``nhiscan scan gcp`` reads and how."""

    projects: tuple[str, ...] = cli_option(
        "--project", "GCP project (repeatable).", multiple=True, metavar="PROJECT"
    )
    """Projects to read; with neither this nor ``organization``, the credentials' default project."""
    organization: str | None = cli_option("--organization", "GCP organization id.", metavar="ORG")
    """Organization whose projects (and organization/folder policies) are read."""
    locations: tuple[str, ...] = cli_option(
        "--location",
        "Vertex AI location to search for agents (repeatable).",
        multiple=True,
        metavar="LOCATION",
    )
    """Vertex AI locations searched for Agent Engine; empty: every location the project lists."""
    aiplatform_endpoint: str | None = None
    """Vertex AI REST base URL; None: Google's regional endpoints (a local fake in tests)."""
