"""Typed reads of one field of a gcloud / Google API JSON document.

The service-account, policy and Agent Engine readers all check the same things (an object where an
object belongs, a string that is not a bool, an RFC 3339 timestamp), and every failure must name the
file and the JSON path; one set of helpers keeps those messages the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.timeutil import parse_time


def as_object(value: Any, where: str, path: str) -> Mapping[str, Any]:
    """``value`` itself when it is a JSON object; InputError naming ``path`` otherwise."""
    if not isinstance(value, Mapping):
        raise InputError(where, f"{path or '(top)'}: expected an object, got {type(value).__name__}")
    return value


def as_list(value: Any, where: str, path: str) -> list[Any]:
    """``value`` itself when it is a JSON array; InputError naming ``path`` otherwise."""
    if not isinstance(value, list):
        raise InputError(where, f"{path or '(top)'}: expected a list, got {type(value).__name__}")
    return value


def optional_object(item: Mapping[str, Any], key: str, where: str, path: str) -> Mapping[str, Any]:
    """``item[key]`` as an object; an absent or null field reads as ``{}``."""
    value = item.get(key)
    return {} if value is None else as_object(value, where, f"{path}.{key}")


def optional_list(item: Mapping[str, Any], key: str, where: str, path: str) -> list[Any]:
    """``item[key]`` as a list; an absent or null field reads as ``[]``."""
    value = item.get(key)
    return [] if value is None else as_list(value, where, f"{path}.{key}")


def string(item: Mapping[str, Any], key: str, where: str, path: str, required: bool = False) -> str | None:
    """``item[key]`` as a string; None when absent or empty (InputError when ``required``).
    Numbers are accepted because proto3 JSON prints int64 ids either way."""
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise InputError(where, f"{path}.{key}: missing")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InputError(where, f"{path}.{key}: expected a string, got {type(value).__name__}")
    return str(value)


def required_string(item: Mapping[str, Any], key: str, where: str, path: str) -> str:
    """``item[key]`` as a non-empty string; InputError when it is missing."""
    value = string(item, key, where, path, required=True)
    assert value is not None  # string() raised otherwise
    return value


def boolean(item: Mapping[str, Any], key: str, where: str, path: str) -> bool:
    """``item[key]`` as a bool; absent reads as False (how proto3 JSON omits a false field)."""
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise InputError(where, f"{path}.{key}: expected true or false, got {value!r}")
    return value


def integer(item: Mapping[str, Any], key: str, where: str, path: str) -> int | None:
    """``item[key]`` as an int, or None when absent. proto3 JSON prints int32 as a number and
    int64 as a string; both are accepted."""
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise InputError(where, f"{path}.{key}: expected an integer")
    return int(value)


def timestamp(item: Mapping[str, Any], key: str, where: str, path: str) -> datetime | None:
    """``item[key]`` as an aware UTC datetime (Google prints RFC 3339 with nanoseconds and ``Z``),
    or None when absent."""
    value = string(item, key, where, path)
    if value is None:
        return None
    try:
        parsed = parse_time(value)
    except ValueError as exc:
        raise InputError(where, f"{path}.{key}: {value!r} is not an RFC 3339 timestamp") from exc
    if parsed is None:
        # A placeholder such as "N/A" is not something a Google API prints for a timestamp.
        raise InputError(where, f"{path}.{key}: {value!r} is not an RFC 3339 timestamp")
    return parsed
