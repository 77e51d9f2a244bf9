"""Reading Azure documents: the JSON that ``az`` exports, the REST pages that Microsoft Graph and
Azure Resource Manager return, and Microsoft Graph PowerShell's ``ConvertTo-Json`` output.

Every document is reduced to a list of plain dicts in one canonical shape (Graph camelCase keys,
ARM ``properties`` flattened into the object the way ``az`` prints it, ISO 8601 dates) and a
document type. The live collector and the offline importer both feed these lists to
:func:`nhiscan.providers.azure.build.build_inventory`, which is why they agree.

Decisions on awkward inputs:

- Graph PowerShell exports (UTF-16LE with BOM, PascalCase keys, ``\\/Date(ms)\\/`` dates) are
  imported: keys are camel-cased here, and the dates are read by
  :func:`nhiscan.providers.azure.fields.field_time`.
- ARM REST pages ``{"value": [{id, name, type, properties: {...}}]}`` are accepted wherever the
  ``az`` array is (role assignments, role definitions, diagnostic settings).
- A bare list of federated identity credentials (``az ad app federated-credential list``) is
  rejected: it does not say which application the credentials belong to. Export applications with
  ``$expand=federatedIdentityCredentials`` instead.
- A vcrpy cassette (recorded HTTP interactions) is rejected with a one-line error: it is a test
  recording, not an export, and silently reading half of it would hide what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.agents.documents import agent_doc_type, cast_type, inheritable_parent

# Keys whose values are user data (tag names) and must keep their spelling.
_OPAQUE_KEYS = frozenset({"tags", "userAssignedIdentities", "additionalProperties"})


def decode_bytes(raw: bytes) -> str:
    """Text of a file in whatever encoding Windows tools write: UTF-16 with a BOM (PowerShell's
    ``Out-File`` default) or UTF-8 with or without a BOM."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    return raw.decode("utf-8")


def load_json(path: Path, data: Any) -> Any:
    """The parsed document: ``data`` when the generic loader parsed it, else our own decode (the
    generic loader reads UTF-8 only). Returns None for anything that is not JSON."""
    if data is not None:
        return data
    try:
        return json.loads(decode_bytes(path.read_bytes()))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def camel_keys(value: Any) -> Any:
    """Graph PowerShell's PascalCase keys to Graph's camelCase, recursively (tag maps excepted)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k)
            if key and key[0].isupper():
                key = key[0].lower() + key[1:]
            out[key] = v if key in _OPAQUE_KEYS else camel_keys(v)
        return out
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def _is_pascal(item: Mapping[str, Any]) -> bool:
    return any(k in item for k in ("Id", "AppId", "DisplayName", "RoleDefinitionId", "PrincipalId"))


def flatten_arm(item: Mapping[str, Any]) -> dict[str, Any]:
    """An ARM REST object ``{id, name, type, properties: {...}}`` in the flat shape ``az`` prints."""
    props = item.get("properties")
    if not isinstance(props, Mapping):
        return dict(item)
    flat = {k: v for k, v in item.items() if k != "properties"}
    for k, v in props.items():
        flat.setdefault(k, v)
    return flat


def _items(doc: Any) -> tuple[list[Any], str]:
    """The list of objects in a document and the Graph ``@odata.context`` if any."""
    if isinstance(doc, list):
        return doc, ""
    if isinstance(doc, Mapping):
        if isinstance(doc.get("value"), list):
            return doc["value"], str(doc.get("@odata.context", ""))
        # `az graph query` output
        if isinstance(doc.get("data"), list) and (
            "count" in doc or "skip_token" in doc or "totalRecords" in doc
        ):
            return doc["data"], ""
    return [], ""


def _kind_of(item: Mapping[str, Any], context: str) -> str | None:
    ident = str(item.get("id", "")).lower()
    # Before the generic service-principal / application checks: agent types are subtypes of both.
    agent_type = agent_doc_type(item, context)
    if agent_type:
        return agent_type
    if "servicePrincipalSignInActivities" in context or "lastSignInActivity" in item:
        return dt.SIGN_IN_ACTIVITY
    if "appCredentialSignInActivities" in context or ("keyId" in item and "signInActivity" in item):
        return dt.CREDENTIAL_SIGN_IN_ACTIVITY
    if "/providers/microsoft.aadiam/diagnosticsettings/" in ident:
        return dt.ENTRA_SETTINGS
    if "/diagnosticsettings/" in ident and ident.startswith("/subscriptions/"):
        return dt.ACTIVITY_LOG_SETTINGS
    if "$metadata#applications" in context:
        return dt.APPLICATIONS
    if "$metadata#servicePrincipals" in context and "/appRoleAssignedTo" not in context:
        return dt.SERVICE_PRINCIPALS
    if "roleName" in item and "permissions" in item:
        return dt.ROLE_DEFINITIONS
    if "appRoleId" in item and "principalId" in item and "resourceId" in item:
        return dt.APP_ROLE_ASSIGNMENTS
    if "roleDefinitionId" in item and "principalId" in item:
        if "directoryScopeId" in item or "/roleassignments/" not in ident and "scope" not in item:
            return dt.DIRECTORY_ROLE_ASSIGNMENTS
        return dt.ROLE_ASSIGNMENTS
    if "appId" in item and any(
        k in item for k in ("servicePrincipalType", "servicePrincipalNames", "appOwnerOrganizationId")
    ):
        return dt.SERVICE_PRINCIPALS
    if "appId" in item and any(
        k in item
        for k in (
            "requiredResourceAccess",
            "identifierUris",
            "publisherDomain",
            "signInAudience",
            "web",
            "api",
        )
    ):
        return dt.APPLICATIONS
    if "issuer" in item and "subject" in item and "audiences" in item:
        # `az identity federated-credential list` ids name their identity; Graph's do not.
        if "/userassignedidentities/" in ident and "/federatedidentitycredentials/" in ident:
            return dt.MI_FEDERATED_CREDENTIALS
        return dt.BARE_FEDERATED_CREDENTIALS
    if "tenantId" in item and ("subscriptionId" in item or "cloudName" in item or "homeTenantId" in item):
        return dt.SUBSCRIPTIONS
    if isinstance(item.get("identity"), Mapping) or str(item.get("type", "")).lower() == (
        "microsoft.managedidentity/userassignedidentities"
    ):
        return dt.RESOURCES
    return None


def recognise(doc: Any) -> str | None:
    """The document type, judged by content, or None when this is not an Azure document."""
    if isinstance(doc, Mapping) and isinstance(doc.get("interactions"), list) and "version" in doc:
        text = json.dumps(list(doc["interactions"])[:3])[:20000]
        if "management.azure.com" in text or "graph.microsoft.com" in text:
            return dt.VCR_CASSETTE
        return None
    items, context = _items(doc)
    objects = [i for i in items[:5] if isinstance(i, Mapping)]
    if not objects:
        return None
    first = objects[0]
    if _is_pascal(first):
        first = camel_keys(first)
    return _kind_of(flatten_arm(first), context)


def normalise(doc: Any, doc_type: str, where: str) -> tuple[list[dict[str, Any]], bool]:
    """The document's objects in canonical shape, and whether a Graph page said more pages exist
    (``@odata.nextLink``) that the export left out. Raises InputError for the rejected types and
    for items that are not JSON objects."""
    if doc_type == dt.VCR_CASSETTE:
        raise InputError(
            where,
            "this is a vcrpy cassette of recorded HTTP calls, not an az export; "
            "export with az (see docs/providers/azure.md) or save the response bodies as separate files",
        )
    if doc_type == dt.BARE_FEDERATED_CREDENTIALS:
        raise InputError(
            where,
            "a bare list of federated identity credentials does not say which application they belong to; "
            "export applications with $expand=federatedIdentityCredentials (see docs/providers/azure.md)",
        )
    items, context = _items(doc)
    truncated = isinstance(doc, Mapping) and bool(doc.get("@odata.nextLink"))
    parent = inheritable_parent(context, where) if doc_type == dt.INHERITABLE_PERMISSIONS else None
    cast = cast_type(context)
    out: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InputError(where, f"item [{index}] is a {type(item).__name__}, expected a JSON object")
        obj = camel_keys(item) if _is_pascal(item) else dict(item)
        if parent is not None:
            obj["blueprintObjectId"] = parent
        if cast and not obj.get("@odata.type"):
            obj["@odata.type"] = cast
        out.append(flatten_arm(obj))
    return out, truncated
