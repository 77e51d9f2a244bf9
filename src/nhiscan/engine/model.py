"""The rule file format, validated with pydantic at the edge (see docs/rules.md)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nhiscan.findings import Severity, Target

# NHI- is nhiscan's own prefix; an organisation's rules use theirs (ACME-AWS-001)
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Z0-9]+-[0-9]{3}$")
BUILTIN_PREFIX = "NHI-"
PROVIDERS = ("aws", "azure", "gcp", "k8s", "mcp", "any")


class References(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cis: dict[str, str] = Field(default_factory=dict)
    owasp_nhi: list[str] = Field(default_factory=list)
    owasp_agentic: list[str] = Field(default_factory=list)
    prowler: list[str] = Field(default_factory=list)
    mcp: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)


class SeverityOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: dict[str, Any]
    severity: Severity


class RuleSpec(BaseModel):
    """One rule file. Unknown keys are errors so a typo never silently disables a check."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=3)
    severity: Severity
    provider: str
    target: Target
    description: str = Field(min_length=10)
    remediation: str = Field(min_length=5)
    references: References = Field(default_factory=References)
    tags: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    fail_when: dict[str, Any]
    severity_overrides: list[SeverityOverride] = Field(default_factory=list)
    message: str = Field(min_length=3)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not RULE_ID.match(v):
            raise ValueError(f"rule id {v!r} must look like NHI-AWS-001 (or ACME-AWS-001 for your own)")
        return v

    @field_validator("provider")
    @classmethod
    def _provider(cls, v: str) -> str:
        if v not in PROVIDERS:
            raise ValueError(f"provider {v!r} must be one of {', '.join(PROVIDERS)}")
        return v
