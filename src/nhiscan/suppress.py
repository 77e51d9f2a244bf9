"""Suppressions: accepted findings, each with a reason and optionally an owner, a ticket and an
expiry date.

Read from ``.nhiscan-ignore.yaml`` (``--ignore-file``) and from ``suppressions:`` in
``nhiscan.yaml``::

    suppressions:
      - rule: NHI-AWS-001              # exact id or glob (NHI-AWS-*)
        identity: "arn:aws:iam::123456789012:user/break-glass-*"   # exact or glob
        reason: Vaulted break-glass user, rotation tracked in SEC-123   # required
        owner: "@platform-security"
        ticket: SEC-123
        expires: 2026-12-31            # the last day it applies (UTC)

``identity`` is matched against the finding's resource id (ARN, SA email, ...), its target id
(``<identity id>#<credential id>`` for credentials) and its display name. An expired entry stops
suppressing and raises a finding of its own (``NHI-META-001``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nhiscan.errors import ConfigError
from nhiscan.findings import Finding, RuleInfo, Severity, Status, Target

DEFAULT_IGNORE_FILE = ".nhiscan-ignore.yaml"

EXPIRED_RULE = RuleInfo(
    id="NHI-META-001",
    title="Suppression expired",
    severity=Severity.MEDIUM,
    description=(
        "A suppression passed its expiry date, so the findings it covered are open again. Expiry "
        "dates make accepted risk come back for review instead of staying accepted forever."
    ),
    remediation=(
        "Fix the findings it covered, or review the exception and extend its expiry date with a "
        "fresh reason (and ticket)."
    ),
    references={"owasp_nhi": ["NHI1"]},
    tags=("governance", "suppression"),
    provider="any",
    target=Target.IDENTITY,
)


class SuppressionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1)
    identity: str = Field(default="*", min_length=1)
    reason: str = Field(min_length=3)
    owner: str | None = None
    ticket: str | None = None
    expires: date | None = None

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("reason must not be blank")
        return v.strip()


@dataclass(frozen=True)
class Suppression:
    entry: SuppressionEntry
    source: str  # file and entry index, e.g. ".nhiscan-ignore.yaml#suppressions[2]"

    def matches(self, f: Finding) -> bool:
        if not fnmatch.fnmatchcase(f.rule_id, self.entry.rule):
            return False
        pattern = self.entry.identity
        return any(fnmatch.fnmatchcase(v, pattern) for v in (f.resource_id, f.target_id, f.resource_name))

    def expired(self, as_of: datetime) -> bool:
        return self.entry.expires is not None and self.entry.expires < as_of.date()

    def record(self) -> dict[str, Any]:
        e = self.entry
        out: dict[str, Any] = {"reason": e.reason, "source": self.source}
        for key in ("owner", "ticket"):
            if getattr(e, key):
                out[key] = getattr(e, key)
        if e.expires:
            out["expires"] = e.expires.isoformat()
        return out


def parse_entries(items: Any, where: str) -> list[Suppression]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConfigError(where, "suppressions must be a list")
    out = []
    for i, item in enumerate(items):
        at = f"{where}: suppressions[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(at, "must be a mapping with rule, identity and reason")
        try:
            entry = SuppressionEntry.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
            if err["type"] == "missing":
                msg = "is required"
            elif err["type"] == "extra_forbidden":
                msg = "unknown key"
            else:
                msg = err["msg"]
            raise ConfigError(at, f"{loc}: {msg}") from exc
        out.append(Suppression(entry, f"{where}#suppressions[{i}]"))
    return out


def load_file(path: Path) -> list[Suppression]:
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(where, f"cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(where, f"invalid YAML{at}: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"version", "suppressions"}:
        raise ConfigError(where, "expected a mapping with a 'suppressions' list (and optionally 'version')")
    return parse_entries(data.get("suppressions"), where)


@dataclass(frozen=True)
class Applied:
    findings: tuple[Finding, ...]
    unused: tuple[Suppression, ...]
    expired: tuple[Suppression, ...]


def apply(findings: Sequence[Finding], suppressions: Iterable[Suppression], as_of: datetime) -> Applied:
    """Mark matching findings suppressed; an expired entry suppresses nothing and becomes a finding."""
    active: list[Suppression] = []
    expired: list[Suppression] = []
    for s in suppressions:
        (expired if s.expired(as_of) else active).append(s)
    used: set[int] = set()
    out = []
    for f in findings:
        match = next((i for i, s in enumerate(active) if s.matches(f)), None)
        if match is None:
            out.append(f)
            continue
        used.add(match)
        out.append(replace(f, status=Status.SUPPRESSED, suppression=active[match].record()))
    out.extend(_expired_finding(s) for s in expired)
    unused = tuple(s for i, s in enumerate(active) if i not in used)
    return Applied(findings=tuple(out), unused=unused, expired=tuple(expired))


def _expired_finding(s: Suppression) -> Finding:
    e = s.entry
    file = s.source.split("#", 1)[0]
    return Finding(
        rule_id=EXPIRED_RULE.id,
        title=EXPIRED_RULE.title,
        severity=EXPIRED_RULE.severity,
        message=(
            f"Suppression of {e.rule} for {e.identity} expired on {e.expires} "
            f"({e.reason}{'; owner ' + e.owner if e.owner else ''}{'; ticket ' + e.ticket if e.ticket else ''})."
        ),
        provider="nhiscan",
        scope=f"nhiscan:config:{file}",
        resource_id=s.source,
        resource_name=f"{e.rule} {e.identity}",
        resource_kind="nhiscan.suppression",
        evidence={"rule": e.rule, "identity": e.identity, "expires": str(e.expires), "reason": e.reason},
    )
