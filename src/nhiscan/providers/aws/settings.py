"""AWS settings: the profile and regions to read, and hooks for tests and embedding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nhiscan.providers.settings import ProviderSettings, cli_option


@dataclass(frozen=True)
class AwsSettings(ProviderSettings):
    """What ``nhiscan scan aws`` reads and how."""

    profile: str | None = cli_option("--profile", "AWS profile.", metavar="NAME")
    """Named profile from the AWS config files; None uses the standard credential chain."""
    regions: tuple[str, ...] = cli_option(
        "--region", "AWS region for regional services (repeatable).", multiple=True, metavar="REGION"
    )
    """Regions for regional services (Bedrock agents, AgentCore); the first also serves the
    global calls. Empty: the session's default region, else us-east-1."""
    key_details: bool = cli_option(
        "--key-details", "Also list access key ids (one call per user with a key).", type=bool
    )
    """List each user's access key ids too (the credential report only numbers them)."""
    session: Any = None
    """A ready ``boto3.Session`` to use instead of building one from ``profile`` (tests, embedding)."""
    endpoint_url: str | None = None
    """Send every call here instead of the AWS endpoints (a local moto server in tests)."""
    max_attempts: int = 10
    """botocore's adaptive retry budget per call."""
    report_timeout: float = 60.0
    """Seconds to wait for the IAM credential report to be generated."""
