"""Parse the many timestamp spellings that provider exports use, in one place.

``datetime.fromisoformat`` on Python 3.10 rejects ``Z``, nanoseconds and fractions that are not 3
or 6 digits long, all of which provider exports contain (Kubernetes, gcloud, Graph); dateutil's
strict ISO 8601 parser reads them the same on every supported Python.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

PLACEHOLDERS = frozenset({"n/a", "not_supported", "no_information", "none", "null", "-"})


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 with ``Z``, offsets, a space separator or nanoseconds; epoch seconds; returns an
    aware UTC datetime, or None for empty and placeholder values (``N/A``, ``not_supported``,
    ``no_information``). Raises ValueError for anything else, so callers can name the field."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.lower() in PLACEHOLDERS:
        return None
    from dateutil.parser import isoparse

    try:
        dt = isoparse(text)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def format_time(value: datetime) -> str:
    """The one way nhiscan writes a timestamp: UTC, ISO 8601, ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
