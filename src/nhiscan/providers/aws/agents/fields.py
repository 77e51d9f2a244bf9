"""Typed reads of fields in agent documents: each raises InputError naming the file and field,
so a malformed export says where it is wrong instead of failing somewhere in the builder."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from nhiscan.errors import InputError

ARN = re.compile(r"^arn:aws[a-zA-Z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$")


def arn_parts(arn: Any) -> tuple[str, str, str, str] | None:
    """(service, region, account, resource) of an ARN with an account, else None."""
    m = ARN.match(arn) if isinstance(arn, str) else None
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None


def obj(value: Any, where: str, name: str) -> Mapping[str, Any]:
    """An optional object field ({} when absent)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(where, f"{name} must be an object")
    return value


def objects(value: Any, where: str, name: str) -> list[Mapping[str, Any]]:
    """An optional list-of-objects field ([] when absent)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(where, f"{name} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InputError(where, f"{name}[{i}] must be an object")
    return value


def required_arn(document: Mapping[str, Any], key: str, where: str) -> str:
    """A field that must hold an ARN with an account (identities are keyed by it)."""
    value = document.get(key)
    if arn_parts(value) is None:
        raise InputError(where, f"{key} is missing or not an ARN: {value!r}")
    return str(value)


def safe_url(url: Any) -> str | None:
    """A URL without its query, fragment or user info: those can carry tokens."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else None


def tag_map(value: Any) -> dict[str, str]:
    """Bedrock and AgentCore return tags as a plain object (IAM uses a Key/Value list)."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {}


def optional_str(value: Any) -> str | None:
    """A non-empty string field, else None (an empty role ARN means no role)."""
    return value if isinstance(value, str) and value else None
