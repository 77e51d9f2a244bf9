"""Compile a rule's declarative condition into a plain Python predicate.

Rule files can never execute code: the only things a condition can do are read a field by dotted
path and apply one of the operators in ``OPERATORS``.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

Context = Mapping[str, Any]
Predicate = Callable[[Context], bool]

_MISSING = None
# ``{path}`` or ``{path|text if empty}`` in a rule's message
TEMPLATE = re.compile(r"\{([A-Za-z_][\w]*(?:\.[\w:/-]+)*)(?:\|([^{}]*))?\}")
PARAM_REF = re.compile(r"^\$\{params\.([A-Za-z_][A-Za-z0-9_]*)\}$")
NAMESPACES = {
    "identity": ("identity", "scope", "params"),
    "credential": ("credential", "identity", "scope", "params"),
    "logging": ("logging", "scope", "params"),
    "edge": ("edge", "src", "dst", "scope", "params"),
}


class ConditionError(ValueError):
    """A condition is malformed; the message names the offending part."""


@functools.lru_cache(maxsize=256)
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls)) if is_dataclass(cls) else frozenset()


def resolve(ctx: Context, path: Sequence[str]) -> Any:
    """Walk a dotted path through mappings and dataclasses; anything missing is None."""
    cur: Any = ctx
    for part in path:
        if cur is None:
            return None
        if type(cur) is dict or isinstance(cur, Mapping):  # the exact-type test skips a slow ABC check
            cur = cur.get(part)
        elif part in _field_names(type(cur)):  # type: ignore[arg-type]
            cur = getattr(cur, part)
        else:
            return None
    return cur


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, datetime)):
        return v
    return None


def _cmp(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def op(field: Any, value: Any) -> bool:
        a, b = _num(field), _num(value)
        if a is None or b is None:
            return False
        try:
            return fn(a, b)
        except TypeError:
            return False

    return op


def _is_empty(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, (list, tuple, set, frozenset, Mapping)) and len(v) == 0)


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    return [v]


def _contains(field: Any, value: Any) -> bool:
    if isinstance(field, str):
        return isinstance(value, str) and value in field
    if isinstance(field, Mapping):
        return value in field
    return value in _as_list(field)


def _text(v: Any) -> str:
    # a str Enum from a typed fact compares by its value, as the rule file spells it
    return str(v.value) if isinstance(v, Enum) else str(v)


def _has_any_key(field: Any, value: Any) -> bool:
    if not isinstance(field, Mapping):
        return False
    keys = {str(k).lower() for k, v in field.items() if not _is_empty(v)}
    return any(str(k).lower() in keys for k in _as_list(value))


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda f, v: f == v,
    "ne": lambda f, v: f != v,
    "gt": _cmp(lambda a, b: a > b),
    "gte": _cmp(lambda a, b: a >= b),
    "lt": _cmp(lambda a, b: a < b),
    "lte": _cmp(lambda a, b: a <= b),
    "in": lambda f, v: f in _as_list(v),
    "not_in": lambda f, v: f not in _as_list(v),
    "contains": _contains,
    "not_contains": lambda f, v: not _contains(f, v),
    "any_in": lambda f, v: bool(set(map(_text, _as_list(f))) & set(map(_text, _as_list(v)))),
    "not_all_in": lambda f, v: bool(set(map(_text, _as_list(f))) - set(map(_text, _as_list(v)))),
    "matches": lambda f, v: isinstance(f, str) and re.search(v, f) is not None,
    "glob": lambda f, v: isinstance(f, str) and fnmatch.fnmatchcase(f, v),
    "has_any_key": _has_any_key,
    "empty": lambda f, v: _is_empty(f) is bool(v),
}


def substitute(value: Any, params: Mapping[str, Any], where: str) -> Any:
    """Replace ``"${params.NAME}"`` (the whole string) by the parameter's value, keeping its type."""
    if isinstance(value, str):
        m = PARAM_REF.match(value)
        if m:
            name = m.group(1)
            if name not in params:
                raise ConditionError(f"{where}: unknown parameter {name!r}")
            return params[name]
        if "${" in value:
            raise ConditionError(
                f'{where}: parameter references must be the whole value, like "${{params.name}}"'
            )
        return value
    if isinstance(value, list):
        return [substitute(v, params, where) for v in value]
    return value


def compile_condition(
    node: Any,
    params: Mapping[str, Any],
    target: str,
    where: str = "fail_when",
    fields_out: list[str] | None = None,
    check: Callable[[str, str, Any], None] | None = None,
) -> Predicate:
    """Compile ``node``; ``fields_out`` collects every field path read (used as finding evidence).
    ``check(field, operator, value)`` raises ValueError when a test does not fit the fact schema
    (see :mod:`nhiscan.engine.schema`)."""
    if fields_out is None:
        fields_out = []
    if not isinstance(node, Mapping) or not node:
        raise ConditionError(f"{where}: expected a mapping with all/any/not or a field test")
    keys = set(node)
    if keys == {"all"} or keys == {"any"}:
        key = next(iter(keys))
        items = node[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"{where}.{key}: must be a non-empty list")
        preds = [
            compile_condition(item, params, target, f"{where}.{key}[{i}]", fields_out, check)
            for i, item in enumerate(items)
        ]
        if key == "all":
            return lambda ctx: all(p(ctx) for p in preds)
        return lambda ctx: any(p(ctx) for p in preds)
    if keys == {"not"}:
        inner = compile_condition(node["not"], params, target, f"{where}.not", fields_out, check)
        return lambda ctx: not inner(ctx)
    if "field" not in keys:
        raise ConditionError(f"{where}: unknown keys {sorted(keys)}; expected all, any, not or field")
    ops = keys - {"field"}
    if len(ops) != 1:
        raise ConditionError(f"{where}: a field test needs exactly one operator, got {sorted(ops) or 'none'}")
    op_name = next(iter(ops))
    if op_name not in OPERATORS:
        raise ConditionError(f"{where}: unknown operator {op_name!r} (known: {', '.join(OPERATORS)})")
    field = node["field"]
    if not isinstance(field, str) or not re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w:/-]+)*", field):
        raise ConditionError(f"{where}: field must be a dotted path, got {field!r}")
    path = tuple(field.split("."))
    allowed = NAMESPACES[target]
    if path[0] not in allowed:
        raise ConditionError(
            f"{where}: field {field!r} is not available for target {target} (use {', '.join(allowed)})"
        )
    if path[0] == "params" and (len(path) != 2 or path[1] not in params):
        raise ConditionError(f"{where}: unknown parameter in field {field!r}")
    value = substitute(node[op_name], params, where)
    if op_name == "matches":
        try:
            re.compile(value)
        except (re.error, TypeError) as exc:
            raise ConditionError(f"{where}: invalid regular expression {value!r}: {exc}") from exc
    if op_name == "empty" and not isinstance(value, bool):
        raise ConditionError(f"{where}: empty takes true or false")
    if check is not None:
        try:
            check(field, op_name, value)
        except ValueError as exc:
            raise ConditionError(f"{where}: {exc}") from exc
    fields_out.append(field)
    fn = OPERATORS[op_name]

    def leaf(ctx: Context) -> bool:
        return fn(resolve(ctx, path), value)

    return leaf
