"""A blueprint's inheritable permissions: the delegated scopes every child agent identity gets
without additional consent, and which of them are high-privilege."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure.agents.documents import odata_type
from nhiscan.providers.azure.facts import InheritableScopes

# Resource applications whose names an export may not carry (their SPs are often left out).
RESOURCE_NAMES = {
    cat.MICROSOFT_GRAPH_APP_ID: "Microsoft Graph",
    "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
    "00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
    "00000004-0000-0ff1-ce00-000000000000": "Skype for Business Online",
}

# Graph's scope kinds, spelled as the beta API and as older exports spell them.
_SCOPE_KINDS = {
    "allallowed": "allAllowedScopes",
    "allallowedscopes": "allAllowedScopes",
    "enumerated": "enumeratedScopes",
    "enumeratedscopes": "enumeratedScopes",
    "none": "noScopes",
    "noscopes": "noScopes",
}
# Delegated Microsoft Graph scopes that let a child agent change the directory, read or send mail,
# or read and write every file: inheriting them silently hands each new agent that reach.
HIGH_PRIVILEGE_GRAPH_SCOPES = frozenset(
    {
        "Directory.AccessAsUser.All",
        "Directory.Read.All",
        "Mail.Read",
        "Mail.ReadWrite",
        "Mail.Send",
        "Files.Read.All",
        "Sites.FullControl.All",
        "Calendars.ReadWrite",
        "MailboxSettings.ReadWrite",
        "RoleManagement.ReadWrite.Directory",
        "Policy.ReadWrite.ConditionalAccess",
    }
)


def inheritable_scopes(
    entries: list[tuple[Any, str]], sp_by_app: Mapping[str, Mapping[str, Any]], label: str
) -> list[dict[str, Any]]:
    """The distinct {resource_app_id, resource, kind, scopes} entries of inheritablePermissions;
    ``sp_by_app`` names resources by their service principal's display name."""
    out: list[dict[str, Any]] = []
    for perm, where in entries:
        entry = _entry(perm, where, sp_by_app, label)
        if entry not in out:
            out.append(entry)
    return out


def _entry(perm: Any, where: str, sp_by_app: Mapping[str, Mapping[str, Any]], label: str) -> dict[str, Any]:
    if not isinstance(perm, Mapping):
        raise InputError(where, f"{label}: inheritablePermissions entries must be objects")
    app_id = perm.get("resourceAppId")
    if not isinstance(app_id, str) or not app_id:
        raise InputError(where, f"{label} inheritablePermissions: field 'resourceAppId' is missing")
    scopes_obj = perm.get("inheritableScopes")
    if not isinstance(scopes_obj, Mapping):
        raise InputError(where, f"{label} inheritablePermissions: field 'inheritableScopes' is not an object")
    raw_kind = str(scopes_obj.get("kind") or odata_type(scopes_obj).rsplit(".", 1)[-1])
    kind = _SCOPE_KINDS.get(raw_kind.lower(), raw_kind)
    scopes = scopes_obj.get("scopes") or []
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise InputError(where, f"{label} inheritablePermissions: field 'scopes' should be a list of strings")
    resource_sp = sp_by_app.get(app_id.lower())
    resource = RESOURCE_NAMES.get(app_id.lower()) or str((resource_sp or {}).get("displayName") or app_id)
    return {"resource_app_id": app_id.lower(), "resource": resource, "kind": kind, "scopes": list(scopes)}


def high_privilege(scopes: list[dict[str, Any]]) -> list[str]:
    """High-privilege Microsoft Graph scopes among the enumerated ones, in first-seen order."""
    high: list[str] = []
    for entry in scopes:
        if entry["resource_app_id"] != cat.MICROSOFT_GRAPH_APP_ID or entry["kind"] != "enumeratedScopes":
            continue
        for s in entry["scopes"]:
            if (
                s in HIGH_PRIVILEGE_GRAPH_SCOPES or s.endswith(".ReadWrite.All") or s.startswith("Directory.")
            ) and (s not in high):
                high.append(s)
    return high


def scope_facts(scopes: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The ``inheritable_*`` AzureIdentityFacts fields; ``scopes`` None means they were not read
    (the defaults say unknown)."""
    if scopes is None:
        return {}
    return {
        "inheritable_scopes": tuple(
            InheritableScopes(e["resource_app_id"], e["resource"], e["kind"], tuple(e["scopes"]))
            for e in scopes
        ),
        "inheritable_scopes_known": True,
        "inheritable_all_scopes": any(e["kind"] == "allAllowedScopes" for e in scopes),
        "inheritable_all_scopes_resources": tuple(
            e["resource"] for e in scopes if e["kind"] == "allAllowedScopes"
        ),
        "inheritable_high_privilege_scopes": tuple(high_privilege(scopes)),
    }
