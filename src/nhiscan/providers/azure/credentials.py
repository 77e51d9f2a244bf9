"""Credentials of applications, service principals and user-assigned managed identities:
client secrets, certificates and federated identity credentials. Secret values, ``secretText``,
``hint`` and certificate blobs are never copied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.model import Credential
from nhiscan.providers.azure.context import TenantIndex
from nhiscan.providers.azure.facts import AzureCredentialFacts
from nhiscan.providers.azure.fields import field_list, field_time, lower, require


def audiences(value: Any) -> tuple[str, ...]:
    """A federated credential's audiences (exports write one audience as a string)."""
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),) if value else ()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def credentials(
    t: TenantIndex, identity_id: str, obj: Mapping[str, Any], source: str, where: str, seen: set[str]
) -> list[Credential]:
    """Every credential on one application or service principal; ``seen`` keeps ids unique
    when the same key id is on both."""
    label = f"{source} {obj.get('id')}"
    entries = [("passwordCredentials", c) for c in field_list(obj, "passwordCredentials", where, label)]
    entries += [("keyCredentials", c) for c in field_list(obj, "keyCredentials", where, label)]
    creds = [_key(t, identity_id, obj, source, where, seen, name, c) for name, c in entries]
    creds += [
        _federated(identity_id, obj, source, where, label, f)
        for f in field_list(obj, "federatedIdentityCredentials", where, label)
    ]
    return creds


def _key(
    t: TenantIndex,
    identity_id: str,
    obj: Mapping[str, Any],
    source: str,
    where: str,
    seen: set[str],
    field_name: str,
    c: Any,
) -> Credential:
    label = f"{source} {obj.get('id')}"
    if not isinstance(c, Mapping):
        raise InputError(where, f"{label}: {field_name} entries must be objects")
    what = f"{label} {field_name}"
    key_id = lower(require(c, "keyId", where, what))
    key_type = str(c.get("type") or "")
    kind = "azure.client_secret"
    if field_name == "keyCredentials" and key_type != "Symmetric":
        kind = "azure.certificate"
    cred_id = key_id if key_id not in seen else f"{key_id}/{len(seen)}"
    seen.add(cred_id)
    expires = field_time(c, "endDateTime", where, what)
    is_key = field_name == "keyCredentials"
    facts = AzureCredentialFacts(
        source=source,
        display_name=_text(c.get("displayName")),
        sign_in_known=t.credential_use_known,
        key_usage=_text(c.get("usage")) if is_key else None,
        key_type=(key_type or None) if is_key else None,
    )
    return Credential(
        id=cred_id,
        identity_id=identity_id,
        kind=kind,
        created=field_time(c, "startDateTime", where, what),
        expires=expires,
        last_used=t.credential_use.get(key_id),
        active=expires is None or expires > t.as_of,
        location=f"{source}:{obj.get('id')}/{field_name}",
        facts=facts,
    )


def _federated(
    identity_id: str, obj: Mapping[str, Any], source: str, where: str, label: str, f: Any
) -> Credential:
    if not isinstance(f, Mapping):
        raise InputError(where, f"{label}: federatedIdentityCredentials entries must be objects")
    fid = str(f.get("name") or f.get("id") or "")
    if not fid:
        raise InputError(where, f"{label} federatedIdentityCredentials: field 'name' is missing")
    cme = f.get("claimsMatchingExpression")
    return Credential(
        id=fid,
        identity_id=identity_id,
        kind="azure.federated_credential",
        location=f"{source}:{obj.get('id')}/federatedIdentityCredentials",
        facts=AzureCredentialFacts(
            source=source,
            display_name=_text(f.get("name")),
            issuer=_text(f.get("issuer")),
            subject=_text(f.get("subject")),
            claims_matching_expression=_text(cme.get("value")) if isinstance(cme, Mapping) else None,
            audiences=audiences(f.get("audiences")),
        ),
    )


def mi_federated(t: TenantIndex, identity_id: str, resource_id: str) -> list[Credential]:
    """Federated credentials of a user-assigned identity (ARM child resources)."""
    creds: list[Credential] = []
    for obj, _where in t.mi_fics.get(resource_id, []):
        name = str(obj.get("name") or lower(obj.get("id")).rsplit("/", 1)[-1])
        creds.append(
            Credential(
                id=name,
                identity_id=identity_id,
                kind="azure.federated_credential",
                location=str(obj.get("id")),
                facts=AzureCredentialFacts(
                    source="managed_identity",
                    display_name=name,
                    issuer=_text(obj.get("issuer")),
                    subject=_text(obj.get("subject")),
                    audiences=audiences(obj.get("audiences")),
                ),
            )
        )
    return creds
