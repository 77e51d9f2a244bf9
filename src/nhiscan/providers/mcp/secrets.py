"""Recognising hard-coded secrets in MCP server definitions without ever keeping them.

A value is a secret when it has a well-known token shape (GitHub, AWS, OpenAI, Anthropic, Slack,
Google, GitLab, JWT), is a literal ``Bearer``/``Basic``/``Token`` credential, or sits under a
secret-looking name (``*_TOKEN``, ``*_KEY``, ``x-api-key``, ``--password``) with a literal value of
reasonable length and variety. References the client expands at start-up (``${VAR}``,
``${env:VAR}``, ``${input:id}``, ``$VAR``, ``%VAR%``) and documentation placeholders
(``<API_KEY>``, ``your-key-here``, ``xxxxxxxx``) are not secrets.

Callers get a :class:`Hit` with the token kind and a short SHA-256 fingerprint; the value itself
is dropped here and never leaves this module.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Order matters: the first matching shape names the kind (sk-ant- before sk-).
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws_access_key", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("github_pat", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}")),
    ("github_pat", re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}")),
    ("anthropic_key", re.compile(r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}")),
    ("openai_key", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9_-])xox[bpasr]-[A-Za-z0-9-]{10,}")),
    ("google_api_key", re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}")),
    ("gitlab_pat", re.compile(r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
)

# Expansions the client resolves at start-up: the file holds a name, not the secret.
REFERENCE = re.compile(
    r"\$\{[^}]*\}"  # ${VAR} ${env:VAR} ${input:id} ${VAR:-default} ${workspaceFolder}
    r"|(?<![A-Za-z0-9])\$[A-Za-z_][A-Za-z0-9_]*"  # $VAR (not a '$' inside a password)
    r"|%[A-Za-z_][A-Za-z0-9_]*%"  # %VAR% (Windows)
    r"|\{\{[^}]*\}\}"  # {{ template }}
    r"|<[^<>]*>"  # <API_KEY>
)
PLACEHOLDER_WORDS = re.compile(
    r"your|example|placeholder|changeme|change_me|replace|insert|redacted|<|>|\.\.\.|\*\*\*",
    re.IGNORECASE,
)
REPEATED = re.compile(r"(.)\1{7,}")  # xxxxxxxx, 00000000, ********
# scheme://user:password@host (database URLs in args and env values)
URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/:@\s]*:([^@\s/]+)@")
AUTH_SCHEME = re.compile(r"^\s*(bearer|basic|token|apikey)\s+(\S.*)$", re.IGNORECASE)

SECRET_NAME_PARTS = frozenset(
    {
        "token",
        "secret",
        "key",
        "apikey",
        "password",
        "passwd",
        "pwd",
        "pass",
        "pat",
        "credential",
        "credentials",
        "auth",
        "authorization",
        "cookie",
        "sig",
        "signature",
        "code",
    }
)
# A secret-looking name that ends in one of these holds a reference to a secret, not one.
NON_SECRET_SUFFIXES = frozenset(
    {
        "id",
        "name",
        "url",
        "uri",
        "path",
        "file",
        "dir",
        "region",
        "endpoint",
        "host",
        "port",
        "type",
        "mode",
        "length",
        "expiry",
        "ttl",
        "header",
        "var",
        "env",
        "user",
        "username",
    }
)
MIN_GENERIC_LENGTH = 8


@dataclass(frozen=True)
class Hit:
    """A secret found in a value: its kind and fingerprint, never the value."""

    token_kind: str
    fingerprint: str


def fingerprint(value: str) -> str:
    import hashlib  # loads OpenSSL: pay for it only when a secret is found

    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def name_parts(name: str) -> list[str]:
    """``GITHUB_PERSONAL_ACCESS_TOKEN`` -> [github, personal, access, token]; camelCase too."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [p for p in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if p]


def secret_name(name: str) -> bool:
    parts = name_parts(name)
    if not parts or parts[-1] in NON_SECRET_SUFFIXES:
        return False
    joined = "".join(parts)
    return any(p in SECRET_NAME_PARTS for p in parts) or joined.endswith(("apikey", "accesskey", "secretkey"))


def literal_part(value: str) -> str:
    """The value with every reference removed: what is really written in the file."""
    return REFERENCE.sub("", value).strip()


def is_placeholder(text: str) -> bool:
    return not text or bool(PLACEHOLDER_WORDS.search(text)) or bool(REPEATED.search(text))


def _shape(text: str) -> tuple[str, str] | None:
    """(kind, token) of the first well-known token shape in ``text``."""
    for kind, pattern in TOKEN_SHAPES:
        m = pattern.search(text)
        if m and not is_placeholder(m.group(0)):
            return kind, m.group(0)
    return None


def _looks_random(text: str) -> bool:
    if len(text) < MIN_GENERIC_LENGTH or any(c.isspace() for c in text):
        return False
    if text.lower() in ("true", "false", "null", "none") or text.replace(".", "").isdigit():
        return False
    if text.startswith(("/", "~", "./", "../", "http://", "https://")) or "\\" in text:
        return False  # a path or URL, not a secret
    classes = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
    counts = {c: text.count(c) for c in set(text)}
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return classes >= 2 or entropy >= 3.0


def detect(value: object, name: str | None = None) -> Hit | None:
    """Classify one configured value. ``name`` is the env var, header, flag or query parameter it
    is assigned to, when there is one. Non-strings and references are never secrets."""
    if not isinstance(value, str):
        return None
    literal = literal_part(value)
    if not literal:
        return None
    shaped = _shape(literal)
    if shaped is not None:
        kind, token = shaped
        return Hit(kind, fingerprint(token))
    url = URL_PASSWORD.search(literal)
    if url is not None:
        password = url.group(1)
        if not is_placeholder(password) and _looks_random(password):
            return Hit("generic_secret", fingerprint(password))
    scheme = AUTH_SCHEME.match(value)
    if scheme:
        inner = literal_part(scheme.group(2))
        if inner and not is_placeholder(inner) and len(inner) >= MIN_GENERIC_LENGTH:
            return Hit("bearer", fingerprint(inner))
        return None
    if name is not None and secret_name(name) and not is_placeholder(literal) and _looks_random(literal):
        return Hit("generic_secret", fingerprint(literal))
    return None
