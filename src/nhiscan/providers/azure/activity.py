"""Sign-in activity: when each service principal (``servicePrincipalSignInActivities``) and each
credential (``appCredentialSignInActivities``) last signed in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.fields import field_time, lower, require


def sp_sign_in(c: Collected) -> dict[str, datetime | None]:
    """Last sign-in per appId: the latest of the report's per-flow timestamps (delegated,
    application, as client, as resource)."""
    out: dict[str, datetime | None] = {}
    for index, (obj, where) in enumerate(c.items.get(dt.SIGN_IN_ACTIVITY, [])):
        app_id = lower(require(obj, "appId", where, f"sign-in activity [{index}]"))
        latest: datetime | None = None
        for key, value in obj.items():
            if isinstance(value, Mapping) and "lastSignInDateTime" in value:
                t = field_time(value, "lastSignInDateTime", where, f"sign-in activity {app_id}.{key}")
                if t and (latest is None or t > latest):
                    latest = t
        out[app_id] = latest
    return out


def credential_sign_in(c: Collected) -> dict[str, datetime | None]:
    """Last sign-in per credential key id."""
    out: dict[str, datetime | None] = {}
    for index, (obj, where) in enumerate(c.items.get(dt.CREDENTIAL_SIGN_IN_ACTIVITY, [])):
        what = f"credential sign-in activity [{index}]"
        key_id = lower(require(obj, "keyId", where, what))
        activity = obj.get("signInActivity")
        last = (
            field_time(activity, "lastSignInDateTime", where, what) if isinstance(activity, Mapping) else None
        )
        previous = out.get(key_id)
        out[key_id] = max((t for t in (previous, last) if t is not None), default=None)
    return out
