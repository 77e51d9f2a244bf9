"""Save and load an inventory as versioned JSON, validated against the published schema
(``nhiscan/schemas/inventory.schema.json``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from nhiscan.errors import InputError
from nhiscan.fact_registry import decode, facts_class
from nhiscan.facts import AgentFacts
from nhiscan.model import (
    INVENTORY_SCHEMA_VERSION,
    CoverageEntry,
    Credential,
    Edge,
    Evidence,
    Grant,
    Identity,
    Inventory,
    LoggingState,
    PermissionSummary,
    Scope,
)
from nhiscan.timeutil import format_time, parse_time

INVENTORY_FORMAT = "nhiscan-inventory"


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums and datetimes to plain JSON values (datetimes as UTC ISO 8601)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "value") and type(value).__mro__[1:2] == (str,):
        return value.value
    return value


# Fields whose default is left out of the file, so that an inventory without typed facts reads
# exactly as it did before they existed.
_DEFAULTS: Final[dict[str, Any]] = {
    "facts": None,
    "agent": None,
    "aliases": [],
    "managed_by": "customer",
    "conditional": False,
}


def _drop_defaults(items: list[dict[str, Any]]) -> None:
    for item in items:
        for key, default in _DEFAULTS.items():
            if key in item and item[key] == default:
                del item[key]


def inventory_to_dict(inv: Inventory) -> dict[str, Any]:
    body = to_jsonable(inv)
    for section in ("identities", "credentials", "edges", "logging"):
        _drop_defaults(body.get(section) or [])
    return {"format": INVENTORY_FORMAT, **body}


def dump_inventory(inv: Inventory) -> str:
    return json.dumps(inventory_to_dict(inv), indent=1, sort_keys=False) + "\n"


@lru_cache(maxsize=1)
def inventory_schema() -> dict[str, Any]:
    text = resources.files("nhiscan").joinpath("schemas/inventory.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def looks_like_inventory(data: Any) -> bool:
    return isinstance(data, Mapping) and data.get("format") == INVENTORY_FORMAT


def _time(v: str | None) -> datetime | None:
    return parse_time(v) if v else None


def _evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in items)


def inventory_from_dict(data: Mapping[str, Any], where: str) -> Inventory:
    """Validate against the schema, then build the dataclasses. Raises InputError naming the
    file and the JSON path of the first problem."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(inventory_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise InputError(where, f"not a valid nhiscan inventory at {path or '(top)'}: {error.message}")
    version = str(data["schema_version"])
    if version.split(".")[0] != INVENTORY_SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            where,
            f"inventory schema_version {version} is not supported (expected {INVENTORY_SCHEMA_VERSION})",
        )

    try:
        return _build(data, version)
    except (ValueError, TypeError) as exc:
        raise InputError(where, f"not a valid nhiscan inventory: {exc}") from exc


def _facts(section: str, provider: str, value: Any) -> Any:
    """Decode a facts object with the class the provider registers for ``section``."""
    if value is None:
        return None
    cls = facts_class(provider, section)
    if cls is None:
        raise ValueError(f"provider {provider!r} declares no {section} facts, but the file has some")
    return decode(cls, value)


def _agent(value: Any) -> AgentFacts | None:
    return None if value is None else decode(AgentFacts, value)


def _perms(p: Mapping[str, Any] | None) -> PermissionSummary:
    if not p:
        return PermissionSummary()
    grants = tuple(
        Grant(
            **{
                **g,
                "actions": tuple(g.get("actions", ())),
                "not_actions": tuple(g.get("not_actions", ())),
                "resources": tuple(g.get("resources", ())),
            }
        )
        for g in p.get("grants", ())
    )
    reasons = {k: tuple(v) for k, v in p.get("reasons", {}).items()}
    return PermissionSummary(grants=grants, classes=tuple(p.get("classes", ())), reasons=reasons)


def _build(data: Mapping[str, Any], version: str) -> Inventory:
    identities = tuple(
        Identity(
            id=i["id"],
            provider=i["provider"],
            kind=i["kind"],
            scope=i["scope"],
            name=i["name"],
            created=_time(i.get("created")),
            last_used=_time(i.get("last_used")),
            owner=i.get("owner"),
            tags=dict(i.get("tags") or {}),
            usage=i.get("usage", "unknown"),
            evidence=_evidence(i.get("evidence", [])),
            attributes=dict(i.get("attributes") or {}),
            permissions=_perms(i.get("permissions")),
            managed_by=i.get("managed_by", "customer"),
            aliases=tuple(i.get("aliases") or ()),
            facts=_facts("identity", i["provider"], i.get("facts")),
            agent=_agent(i.get("agent")),
        )
        for i in data.get("identities", ())
    )
    owners = {i.id: i.provider for i in identities}
    credentials = tuple(
        Credential(
            id=c["id"],
            identity_id=c["identity_id"],
            kind=c["kind"],
            created=_time(c.get("created")),
            expires=_time(c.get("expires")),
            last_used=_time(c.get("last_used")),
            active=c.get("active", True),
            location=c.get("location"),
            fingerprint=c.get("fingerprint"),
            attributes=dict(c.get("attributes") or {}),
            facts=_facts("credential", owners.get(c["identity_id"], ""), c.get("facts")),
        )
        for c in data.get("credentials", ())
    )
    edges = tuple(
        Edge(
            src=e["src"],
            dst=e["dst"],
            kind=e["kind"],
            evidence=_evidence(e.get("evidence", [])),
            attributes=dict(e.get("attributes") or {}),
            conditional=bool(e.get("conditional", False)),
            facts=_facts("edge", e["kind"].partition(".")[0], e.get("facts")),
        )
        for e in data.get("edges", ())
    )
    logging = tuple(
        LoggingState(
            scope=lg["scope"],
            provider=lg["provider"],
            status=lg["status"],
            summary=lg.get("summary", ""),
            evidence=_evidence(lg.get("evidence", [])),
            attributes=dict(lg.get("attributes") or {}),
            facts=_facts("logging", lg["provider"], lg.get("facts")),
        )
        for lg in data.get("logging", ())
    )
    coverage = tuple(CoverageEntry(**c) for c in data.get("coverage", ()))
    scopes = tuple(Scope(**s) for s in data.get("scopes", ()))
    return Inventory(
        identities=identities,
        credentials=credentials,
        edges=edges,
        logging=logging,
        coverage=coverage,
        scopes=scopes,
        providers=tuple(data.get("providers", ())),
        generated_at=_time(data.get("generated_at")),
        schema_version=version,
    )


def load_inventory(path: Path) -> Inventory:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read file: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    return inventory_from_dict(data, str(path))
