"""Recognise and parse the documents the AWS CLI exports, by content.

Accepted (each also inside a placebo/botocore recording ``{"status_code": ..., "data": {...}}``,
whose datetimes are ``{"__class__": "datetime", ...}`` objects):

- ``aws iam get-account-authorization-details``: ``UserDetailList`` / ``GroupDetailList`` /
  ``RoleDetailList`` / ``Policies``
- the credential report: the CSV (``aws iam get-credential-report --query Content --output text |
  base64 -d``) or the JSON that ``aws iam get-credential-report`` prints (``Content`` base64 or CSV)
- ``aws cloudtrail describe-trails`` (``trailList``), ``get-trail-status`` (``IsLogging``),
  ``get-event-selectors`` (``TrailARN`` + ``EventSelectors``/``AdvancedEventSelectors``)
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from nhiscan.errors import InputError
from nhiscan.timeutil import parse_time

GAAD = "aws.authorization_details"
CREDENTIAL_REPORT = "aws.credential_report"
TRAILS = "aws.cloudtrail_trails"
TRAIL_STATUS = "aws.cloudtrail_status"
EVENT_SELECTORS = "aws.cloudtrail_event_selectors"

GAAD_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
REPORT_COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
)


def unwrap(data: Any) -> Any:
    """Strip a placebo recording wrapper and revive its datetime objects as ISO strings."""
    if (
        isinstance(data, Mapping)
        and set(data) == {"status_code", "data"}
        and isinstance(data["data"], Mapping)
    ):
        data = data["data"]
    return _revive(data)


def _revive(value: Any) -> Any:
    if isinstance(value, Mapping):
        if value.get("__class__") == "datetime":
            fields = ("year", "month", "day", "hour", "minute", "second", "microsecond")
            try:
                y, mo, d, h, mi, sec, us = (int(value.get(k, 0)) for k in fields)
                return datetime(y, mo, d, h, mi, sec, us, tzinfo=timezone.utc).isoformat()
            except (TypeError, ValueError):
                return None
        return {k: _revive(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def recognise(data: Any, text: str) -> str | None:
    if data is None:
        return CREDENTIAL_REPORT if _looks_like_report_csv(text) else None
    data = unwrap(data)
    if not isinstance(data, Mapping):
        return None
    if any(k in data for k in GAAD_KEYS) and all(isinstance(data.get(k, []), list) for k in GAAD_KEYS):
        return GAAD
    if isinstance(data.get("Content"), str) and ("ReportFormat" in data or "GeneratedTime" in data):
        return CREDENTIAL_REPORT
    if isinstance(data.get("trailList"), list):
        return TRAILS
    if "IsLogging" in data:
        return TRAIL_STATUS
    if "TrailARN" in data and ("EventSelectors" in data or "AdvancedEventSelectors" in data):
        return EVENT_SELECTORS
    return None


def _looks_like_report_csv(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("user,arn,user_creation_time")


def report_csv(data: Any, text: str, where: str) -> str:
    """The credential report CSV from either the CSV file or the CLI's JSON."""
    if data is None:
        return text.lstrip("\ufeff")
    content = str(unwrap(data)["Content"])
    if content.startswith("user,"):
        return content
    try:
        return base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InputError(where, "credential report Content is neither CSV nor base64-encoded CSV") from exc


def parse_report(csv_text: str, where: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(csv_text))
    header = reader.fieldnames or []
    missing = [c for c in REPORT_COLUMNS if c not in header]
    if missing:
        raise InputError(where, f"credential report is missing columns: {', '.join(missing)}")
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise InputError(where, f"credential report line {lineno} has the wrong number of fields")
        rows.append(row)
    return rows


def require_list(doc: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InputError(where, f"{key} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InputError(where, f"{key}[{i}] must be an object")
    return value


def timestamp(value: Any, where: str, field_name: str) -> datetime | None:
    """A timestamp field of an export, or None when empty; raises InputError naming the file and
    field (a bare ValueError would not say where the bad value is)."""
    try:
        return parse_time(value)
    except (TypeError, ValueError) as exc:
        raise InputError(where, f"{field_name}: not a timestamp: {value!r}") from exc
