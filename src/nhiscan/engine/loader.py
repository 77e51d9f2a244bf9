"""Find, validate and compile rule files.

Built-in rules ship inside the wheel as ``nhiscan/_rules``; in a source checkout they are read from
the repository's top-level ``rules/``. Users add directories with ``--rules DIR``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from nhiscan.engine import schema
from nhiscan.engine.conditions import TEMPLATE, ConditionError, Predicate, compile_condition, substitute
from nhiscan.engine.model import BUILTIN_PREFIX, RuleSpec
from nhiscan.errors import RuleError
from nhiscan.findings import RuleInfo, Severity


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    path: Path
    params: Mapping[str, Any]
    predicate: Predicate
    fields: tuple[str, ...]
    overrides: tuple[tuple[Predicate, Severity], ...] = field(default=())

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def uses_graph_path(self) -> bool:
        """Findings carry the delegation path only for rules about reaching admin."""
        return any(f.startswith("identity.graph.") and "admin" in f for f in self.fields)

    def info(self) -> RuleInfo:
        s = self.spec
        return RuleInfo(
            id=s.id,
            title=s.title,
            severity=s.severity,
            description=s.description.strip(),
            remediation=s.remediation.strip(),
            references=s.references.model_dump(exclude_defaults=True),
            tags=tuple(s.tags),
            provider=s.provider,
            target=s.target,
        )


def builtin_rules_dir() -> Path:
    packaged = resources.files("nhiscan").joinpath("_rules")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleError("nhiscan", "built-in rules not found (broken installation: reinstall nhiscan)")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except OSError as exc:
        raise RuleError(str(path), f"cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise RuleError(str(path), f"invalid YAML{at}: {getattr(exc, 'problem', exc)}") from exc


def parse_rule(path: Path) -> RuleSpec:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise RuleError(str(path), "a rule file must be a YAML mapping")
    try:
        spec = RuleSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise RuleError(str(path), f"{loc}: {msg}") from exc
    if path.stem != spec.id:
        raise RuleError(str(path), f"file name must match the rule id {spec.id!r}")
    return spec


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


def _set_params(spec: RuleSpec, path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule's parameters with ``overrides`` applied; an override must have the type of the
    default (``max_key_age_days: "30"`` would otherwise compare a string and never fire)."""
    params = dict(spec.params)
    for name, value in (overrides or {}).items():
        if name not in params:
            raise RuleError(
                str(path), f"{spec.id} has no parameter {name!r} (it has: {', '.join(params) or 'none'})"
            )
        want, got = _value_kind(params[name]), _value_kind(value)
        if params[name] is not None and want != got:
            raise RuleError(str(path), f"{spec.id}: parameter {name!r} must be {want}, got {value!r}")
        params[name] = value
    return params


def _check_provider(spec: RuleSpec, fields: Iterable[str], reg: schema.Registry) -> None:
    """A rule for one provider that reads another provider's facts would never fire."""
    if spec.provider == "any":
        return
    for f in fields:
        parts = f.split(".")
        if len(parts) > 1 and parts[0] in ("identity", "credential", "logging") and parts[1] in reg.providers:
            if parts[1] != spec.provider:
                raise ConditionError(
                    f"field {f!r} reads {parts[1]} facts but the rule is for provider {spec.provider}"
                    " (use provider: any to read several providers)"
                )


def _check_message(message: str, namespaces: Mapping[str, Any]) -> None:
    """Every ``{path}`` in the message must name a field too."""
    paths = [m.group(1) for m in TEMPLATE.finditer(message)]
    try:
        for p in paths:
            schema.resolve_path(namespaces, p)
    except schema.SchemaError as exc:
        raise ConditionError(f"message: {exc}") from exc


def compile_rule(spec: RuleSpec, path: Path, overrides: Mapping[str, Any] | None = None) -> CompiledRule:
    params = _set_params(spec, path, overrides)
    fields: list[str] = []
    # fields read only by severity overrides are checked but are not finding evidence
    override_fields: list[str] = []
    reg = schema.registry()
    namespaces = reg.namespaces(spec.target.value, params)

    def check(field: str, op: str, value: Any) -> None:
        schema.check_test(namespaces, field, op, value, reg)

    try:
        predicate = compile_condition(spec.fail_when, params, spec.target.value, "fail_when", fields, check)
        sev = tuple(
            (
                compile_condition(
                    o.when, params, spec.target.value, f"severity_overrides[{i}].when", override_fields, check
                ),
                o.severity,
            )
            for i, o in enumerate(spec.severity_overrides)
        )
        substitute(spec.message, params, "message")
        _check_message(spec.message, namespaces)
        _check_provider(spec, fields + override_fields, reg)
    except ConditionError as exc:
        raise RuleError(str(path), f"{spec.id}: {exc}") from exc
    return CompiledRule(
        spec=spec,
        path=path,
        params=params,
        predicate=predicate,
        fields=tuple(dict.fromkeys(fields)),
        overrides=sev,
    )


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError(str(directory), "rules directory does not exist")
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_specs(directories: Iterable[Path]) -> list[tuple[RuleSpec, Path]]:
    specs: list[tuple[RuleSpec, Path]] = []
    seen: dict[str, Path] = {}
    for directory in directories:
        for path in rule_files(directory):
            spec = parse_rule(path)
            if spec.id in seen:
                raise RuleError(str(path), f"duplicate rule id {spec.id} (also in {seen[spec.id]})")
            seen[spec.id] = path
            specs.append((spec, path))
    return specs


def check_no_clash(specs: Iterable[tuple[RuleSpec, Path]]) -> None:
    """A user's rule may not reuse a built-in id (ids are never reused), nor take the built-in
    prefix for a new one: ``NHI-`` ids belong to nhiscan."""
    builtin_dir = builtin_rules_dir().resolve()
    builtin = {s.id: p for s, p in load_specs([builtin_dir])}
    for spec, path in specs:
        if path.resolve().is_relative_to(builtin_dir):
            continue
        if spec.id in builtin:
            raise RuleError(
                str(path), f"rule id {spec.id} clashes with the built-in rule {builtin[spec.id].name}"
            )
        if spec.id.startswith(BUILTIN_PREFIX):
            raise RuleError(
                str(path),
                f"rule id {spec.id}: the NHI- prefix is nhiscan's; give your rules your own (ACME-AWS-001)",
            )


def load_rules(
    extra_dirs: Iterable[Path] = (),
    param_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    disabled: Iterable[str] = (),
    global_params: Mapping[str, Any] | None = None,
    include_builtin: bool = True,
) -> list[CompiledRule]:
    """Load built-in and user rules, apply configuration, compile. ``param_overrides`` is keyed
    by rule id; ``global_params`` apply to every rule that declares a parameter of that name."""
    dirs = ([builtin_rules_dir()] if include_builtin else []) + list(extra_dirs)
    specs = load_specs(dirs)
    known = {s.id for s, _ in specs}
    for rid in list(param_overrides or {}) + list(disabled):
        if rid not in known:
            raise RuleError("configuration", f"unknown rule id {rid!r}")
    declared = {name for s, _ in specs for name in s.params}
    for name in global_params or {}:
        if name not in declared:
            raise RuleError("configuration", f"no rule has a parameter named {name!r}")
    off = set(disabled)
    compiled = []
    for spec, path in specs:
        if spec.id in off:
            continue
        merged = {k: v for k, v in (global_params or {}).items() if k in spec.params}
        merged.update((param_overrides or {}).get(spec.id, {}))
        compiled.append(compile_rule(spec, path, merged))
    return compiled
