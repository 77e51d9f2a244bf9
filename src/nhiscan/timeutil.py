"""Parse the many timestamp spellings that provider exports use."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

_FRACTION = re.compile(r"(\.\d{6})\d+")


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
    if text.lower() in ("n/a", "not_supported", "no_information", "none", "null", "-"):
        return None
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    text = _FRACTION.sub(r"\1", text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00+00:00"
    # Python 3.10's fromisoformat wants exactly 3 or 6 fraction digits
    text = re.sub(r"\.(\d{1,5})(?=[+-]|$)", lambda m: "." + m.group(1).ljust(6, "0"), text)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)
