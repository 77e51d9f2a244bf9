"""Reading fields of canonical Azure objects (see :mod:`.documents`) with errors that name the
file and the field, so a malformed export fails with one line a user can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from nhiscan import timeutil
from nhiscan.errors import InputError

# Graph PowerShell's ConvertTo-Json writes dates as `\/Date(ms)\/`; nothing else in nhiscan does.
_MS_DATE = re.compile(r"^\\?/Date\((-?\d+)(?:[+-]\d{4})?\)\\?/$")
_OWNER_HINT = re.compile(r"\bowner\s*[:=]\s*([^\s,;]+)", re.IGNORECASE)

Located = tuple[dict[str, Any], str]
"""An object and where it was read (a file path or ``graph:GET ...``)."""


def lower(value: Any) -> str:
    """Entra and ARM ids compare case-insensitively: every id is kept lower-case."""
    return str(value).lower() if value is not None else ""


def require(obj: Mapping[str, Any], key: str, where: str, what: str) -> str:
    """A string field that must be present."""
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(where, f"{what}: field {key!r} is missing or not a string")
    return value


def field_list(obj: Mapping[str, Any], key: str, where: str, what: str) -> list[Any]:
    """A list field; absent or null is an empty list."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(where, f"{what}: field {key!r} should be a list, got {type(value).__name__}")
    return value


def check_lists(obj: Mapping[str, Any], keys: tuple[str, ...], where: str, what: str) -> None:
    """Fail on any of ``keys`` that is present but not a list."""
    for key in keys:
        field_list(obj, key, where, what)


def field_time(obj: Mapping[str, Any], key: str, where: str, what: str) -> datetime | None:
    """A date field: ISO 8601 (via :func:`nhiscan.timeutil.parse_time`) or Graph PowerShell's
    ``/Date(ms)/``; None when absent."""
    value = obj.get(key)
    try:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"expected a date string, got {type(value).__name__}")
        m = _MS_DATE.match(value.strip()) if value else None
        if m:
            return datetime.fromtimestamp(int(m.group(1)) / 1000, tz=timezone.utc)
        return timeutil.parse_time(value.strip() if value else value)
    except ValueError as exc:
        raise InputError(where, f"{what}: field {key!r} is not a date ({exc})") from exc


def merge_object(out: dict[str, Located], oid: str, obj: Mapping[str, Any], where: str) -> None:
    """Add ``obj`` under ``oid``; a second export of the same object (one with owners expanded,
    one with federated credentials) fills the keys the first left empty."""
    if oid in out:
        merged = dict(out[oid][0])
        for k, v in obj.items():
            if k not in merged or (merged[k] in (None, [], "") and v not in (None, [], "")):
                merged[k] = v
        out[oid] = (merged, out[oid][1])
    else:
        out[oid] = (dict(obj), where)


def owners(obj: Mapping[str, Any] | None) -> tuple[list[str], list[str], bool]:
    """(names, ids, known) of an expanded ``owners`` list; known is False when the export did not
    expand owners (unknown, not "no owners"). Entries that are neither objects nor ids are
    skipped: Graph PowerShell exports sometimes hold nulls there."""
    if obj is None or "owners" not in obj or obj.get("owners") is None:
        return [], [], False
    names: list[str] = []
    ids: list[str] = []
    for o in obj.get("owners") or []:
        if isinstance(o, Mapping):
            oid = lower(o.get("id"))
            ids.append(oid)
            names.append(str(o.get("userPrincipalName") or o.get("displayName") or oid))
        elif isinstance(o, str):
            ids.append(o.lower())
            names.append(o)
    return names, ids, True


def people(obj: Mapping[str, Any], key: str, where: str) -> tuple[list[str], list[str], bool]:
    """(names, ids, known) of a sponsors or owners list of an Entra agent object, strictly: the
    agent exports are new and a malformed entry is a broken export, not a quirk."""
    if key not in obj or obj.get(key) is None:
        return [], [], False
    raw = obj[key]
    if not isinstance(raw, list):
        raise InputError(where, f"{obj.get('id')}: field {key!r} should be a list, got {type(raw).__name__}")
    names: list[str] = []
    ids: list[str] = []
    for p in raw:
        if isinstance(p, Mapping):
            pid = lower(p.get("id"))
            ids.append(pid)
            names.append(str(p.get("userPrincipalName") or p.get("displayName") or pid))
        elif isinstance(p, str):
            ids.append(p.lower())
            names.append(p)
        else:
            raise InputError(where, f"{obj.get('id')}: {key} entries must be objects")
    return names, ids, True


def tags(raw: Any) -> tuple[dict[str, str], str | None]:
    """Graph tags are strings; keep the ``key:value`` / ``key=value`` ones as a mapping, and the
    owner a tag names (``owner``, ``nhiscan:owner``)."""
    out: dict[str, str] = {}
    if isinstance(raw, Mapping):
        out = {str(k): str(v) for k, v in raw.items()}
    elif isinstance(raw, list):
        for t in raw:
            text = str(t)
            for sep in (":", "="):
                if sep in text:
                    k, v = text.split(sep, 1)
                    out[k.strip()] = v.strip()
                    break
    owner = next(
        (v for k, v in out.items() if k.lower() in ("owner", "nhiscan:owner", "nhiscan-owner") and v), None
    )
    return out, owner


def notes_owner(notes: Any) -> str | None:
    """An ``owner: x`` hint in an application's free-text notes."""
    m = _OWNER_HINT.search(str(notes or ""))
    return m.group(1) if m else None
