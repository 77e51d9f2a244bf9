"""What counts as a hard-coded secret, and what is only a reference or a placeholder."""

from __future__ import annotations

import hashlib

import pytest

from nhiscan.providers.mcp.secrets import detect, secret_name

# Built from pieces so no complete token-shaped literal sits in the source.
PAT = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
FINE_PAT = "github_pat_" + "11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789"
AWS = "AKIA" + "Q3EGRXSWDNX7KP2Z"
OPENAI = "sk-proj-" + "Zq8xW3vT5nR7mK2pL9jH4gF6dS1aQ0yB"
ANTHROPIC = "sk-ant-api03-" + "Xy7Kq2Lm9Np4Rs6Tv8Wz1Ab3Cd5Ef"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
GOOGLE = "AIza" + "SyD3x8Q2w7E5r1T9y4U6i0O3p8A2s5D7f9G"


@pytest.mark.parametrize(
    ("value", "name", "kind"),
    [
        (PAT, None, "github_pat"),
        (FINE_PAT, None, "github_pat"),
        (AWS, "AWS_ACCESS_KEY_ID", "aws_access_key"),
        (OPENAI, "OPENAI_API_KEY", "openai_key"),
        (ANTHROPIC, None, "anthropic_key"),
        (SLACK, "SLACK_BOT_TOKEN", "slack_token"),
        (GOOGLE, None, "google_api_key"),
        ("Bearer " + "s3cr3tOpaqueValue42", "Authorization", "bearer"),
        ("Bearer " + PAT, "Authorization", "github_pat"),
        ("Kx9#mQ2$vL7pR4wZ", "DB_PASSWORD", "generic_secret"),
        ("f3a9c2e18b7d4a6c", "x-functions-key", "generic_secret"),
        ("a8F3kQ9zL2mN7pX4", "apiKey", "generic_secret"),
        (f"prefix-{PAT}-suffix", "ARG", "github_pat"),
    ],
)
def test_secrets_are_found(value: str, name: str | None, kind: str) -> None:
    hit = detect(value, name)
    assert hit is not None and hit.token_kind == kind
    assert len(hit.fingerprint) == 12 and all(c in "0123456789abcdef" for c in hit.fingerprint)
    assert hit.fingerprint not in value
    assert value not in repr(hit)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("${GITHUB_TOKEN}", "GITHUB_TOKEN"),
        ("${env:GITHUB_TOKEN}", "GITHUB_TOKEN"),
        ("${input:gh_pat}", "GITHUB_PERSONAL_ACCESS_TOKEN"),
        ("${API_KEY:-}", "API_KEY"),
        ("$MY_TOKEN", "API_KEY"),
        ("%API_TOKEN%", "API_KEY"),
        ("Bearer ${input:tok}", "Authorization"),
        ("Bearer $TOKEN", "Authorization"),
        ("Bearer <token>", "Authorization"),
        ("<APILLON_API_KEY>", "APILLON_API_KEY"),
        ("your-api-key-here", "API_KEY"),
        ("YOUR_TOKEN_HERE", "GITHUB_TOKEN"),
        ("ghp_" + "x" * 36, "GITHUB_TOKEN"),
        ("sk-...", "OPENAI_API_KEY"),
        ("", "API_KEY"),
        ("value", "KEY"),
        ("Hello MCP!", "HELLO"),
        ("debug", "LOG_LEVEL"),
        ("T01234567", "SLACK_TEAM_ID"),
        ("/Users/alice/.config/token.json", "TOKEN_FILE"),
        ("https://example.com/keys", "KEY_URL"),
        ("true", "USE_TOKEN"),
        ("12345678", "MAX_TOKENS"),
        ("a8F3kQ9zL2mN7pX4", "MONKEY"),
        (None, "API_KEY"),
        (12345678901234, "API_KEY"),
    ],
)
def test_references_and_placeholders_are_not_secrets(value: object, name: str) -> None:
    assert detect(value, name) is None


def test_fingerprint_is_the_sha256_prefix_of_the_token() -> None:
    hit = detect("Bearer " + PAT, "Authorization")
    assert hit is not None and hit.fingerprint == hashlib.sha256(PAT.encode()).hexdigest()[:12]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GITHUB_PERSONAL_ACCESS_TOKEN", True),
        ("apiKey", True),
        ("x-api-key", True),
        ("OPENAI_APIKEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AWS_ACCESS_KEY_ID", False),
        ("TOKEN_PATH", False),
        ("KEYBOARD", False),
        ("LOG_LEVEL", False),
    ],
)
def test_secret_names(name: str, expected: bool) -> None:
    assert secret_name(name) is expected


def test_passwords_in_connection_urls() -> None:
    hit = detect("postgresql://app:Xq7#v2LpR9s@db.prod.example.net:5432/app", "DATABASE_URL")
    assert hit is not None and hit.token_kind == "generic_secret"
    assert hit.fingerprint == hashlib.sha256(b"Xq7#v2LpR9s").hexdigest()[:12]
    assert (
        detect("postgresql://postgres:postgres@localhost/app", "DATABASE_URL") is None
    )  # a default, not a secret
    assert detect("postgresql://app:${DB_PASSWORD}@db/app", "DATABASE_URL") is None
    assert detect("redis://:<password>@cache:6379", None) is None
