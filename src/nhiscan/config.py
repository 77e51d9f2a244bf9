"""``nhiscan.yaml``: rule parameters, disabled rules and the failure threshold.

```yaml
fail_on: high                 # critical | high | medium | low | none
params:                       # applies to every rule that declares the parameter
  max_key_age_days: 30
rules:
  NHI-AWS-003: {enabled: false}
  NHI-AWS-002: {params: {max_unused_days: 30}}
disable: [NHI-AWS-015]
suppressions:                 # same entries as .nhiscan-ignore.yaml (see nhiscan.suppress)
  - {rule: NHI-AWS-004, identity: "arn:aws:iam::*:user/legacy-*", reason: "...", expires: 2027-01-31}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nhiscan.errors import ConfigError

DEFAULT_CONFIG_NAMES = ("nhiscan.yaml", "nhiscan.yml", ".nhiscan.yaml")


class RuleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_on: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    rules: dict[str, RuleConfig] = Field(default_factory=dict)
    disable: list[str] = Field(default_factory=list)
    rules_dirs: list[str] = Field(default_factory=list)
    suppressions: list[Any] | None = None
    source: str | None = None

    def disabled(self) -> list[str]:
        return sorted(set(self.disable) | {rid for rid, rc in self.rules.items() if not rc.enabled})

    def param_overrides(self) -> dict[str, dict[str, Any]]:
        return {rid: rc.params for rid, rc in self.rules.items() if rc.params}


def load_config(path: Path | None) -> Config:
    """Load ``path``, or ``nhiscan.yaml`` in the working directory if present, else defaults."""
    if path is None:
        for name in DEFAULT_CONFIG_NAMES:
            if Path(name).is_file():
                path = Path(name)
                break
        else:
            return Config()
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
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(where, "must be a YAML mapping")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        raise ConfigError(where, f"{loc}: {msg}") from exc
    if config.fail_on is not None and config.fail_on not in (
        "critical",
        "high",
        "medium",
        "low",
        "info",
        "none",
    ):
        raise ConfigError(where, f"fail_on: {config.fail_on!r} is not a severity or none")
    base = path.parent
    config.rules_dirs = [str((base / d).resolve()) for d in config.rules_dirs]
    config.source = where
    return config
