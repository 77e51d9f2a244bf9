"""Findings: what a rule reports about one target, and the result of a whole scan."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from nhiscan.facts import Hop as Hop  # one Hop: findings carry the graph's path steps
from nhiscan.model import Inventory


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Target(str, Enum):
    """What a rule is evaluated against."""

    IDENTITY = "identity"
    CREDENTIAL = "credential"
    EDGE = "edge"
    LOGGING = "logging"


class Status(str, Enum):
    OPEN = "open"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    message: str
    provider: str
    scope: str  # Scope.key of the target
    resource_id: str  # canonical id of what is wrong: identity id, scope key, edge src
    resource_name: str
    resource_kind: str  # identity kind, "aws.cloudtrail", ...
    credential_id: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    path: tuple[Hop, ...] = ()
    status: Status = Status.OPEN
    suppression: Mapping[str, Any] | None = None
    baseline: str | None = None  # new | unchanged, when a baseline was given

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule_id, self.provider, self.scope, self.resource_id, self.credential_id)

    @property
    def target_id(self) -> str:
        """How golden tests and suppressions name the target."""
        if self.credential_id is not None:
            return f"{self.resource_id}#{self.credential_id}"
        return self.resource_id


def fingerprint(rule_id: str, provider: str, scope: str, resource_id: str, credential_id: str | None) -> str:
    """Stable across runs: only ids go in, never messages, severities, dates or display names."""
    parts = [rule_id, provider, scope, resource_id, credential_id or ""]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FindingSummary:
    """Enough of a finding to name it without its evidence: what a baseline report says about a
    finding this scan no longer produces (a *fixed* finding). Reports written before 1.1 or by
    hand may lack any field but the fingerprint, so the others default to empty."""

    fingerprint: str
    """The finding's fingerprint (see :func:`fingerprint`)."""
    rule_id: str = ""
    """The rule that produced it."""
    title: str = ""
    """The rule's title, as the baseline report wrote it."""
    severity: str = ""
    """Its severity as written in the baseline (text: a later rule version may have changed it)."""
    provider: str = ""
    """Provider of its target."""
    scope: str = ""
    """Scope key of its target."""
    resource_id: str = ""
    """Canonical id of its target."""
    resource_name: str = ""
    """Display name of its target."""
    resource_kind: str = ""
    """Kind of its target."""
    credential_id: str | None = None
    """The credential, for a credential finding."""


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to know about a rule that ran (SARIF lists every rule, even clean)."""

    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    references: Mapping[str, Any]
    tags: tuple[str, ...]
    provider: str
    target: Target


@dataclass(frozen=True)
class ScanResult:
    inventory: Inventory
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    started: datetime
    as_of: datetime
    providers: tuple[str, ...]
    skipped_providers: Mapping[str, str] = field(default_factory=dict)  # provider -> reason
    fixed: tuple[FindingSummary, ...] = ()  # baseline findings that are gone, by fingerprint
    baseline_used: bool = False

    @property
    def complete(self) -> bool:
        return not self.inventory.gaps
