"""Environment variables of agent containers, as facts and never as values: their names, and the
names that carry a literal secret-looking value in the manifest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError

_ENV_REF = re.compile(r"^(?:\$\([A-Za-z_][A-Za-z0-9_]*\)\s*)*$")  # only $(VAR) substitutions


def secret_like(name: str) -> bool:
    """The variable name looks like it holds a secret (the same judgement as for MCP configs)."""
    from nhiscan.providers.mcp.secrets import secret_name

    return secret_name(name)


def is_literal(value: Any) -> bool:
    """A non-empty literal string: ``$(VAR)`` substitutions and blanks are not literal secrets."""
    return isinstance(value, str) and bool(value.strip()) and not _ENV_REF.match(value)


def env_entries(where: str, path: str, env: Any, owner: str) -> list[tuple[str, bool]]:
    """``(name, has a literal value)`` for a container ``env`` list or a ``{name: value}`` map
    (kmcp). Values are looked at, never kept, and a ``valueFrom`` reference is never literal."""
    if env is None:
        return []
    if isinstance(env, Mapping):
        return [(str(k), is_literal(v)) for k, v in env.items()]
    if not isinstance(env, list):
        raise InputError(where, f"{path}: expected a list of {{name, value}} objects ({owner})")
    out = []
    for i, e in enumerate(env):
        if not isinstance(e, Mapping) or not isinstance(e.get("name"), str):
            raise InputError(where, f"{path}[{i}].name: missing or not a string ({owner})")
        out.append((e["name"], "valueFrom" not in e and is_literal(e.get("value"))))
    return out


def env_facts(where: str, path: str, env: Any, owner: str) -> tuple[list[str], list[str]]:
    """(names, names with a literal secret-looking value)."""
    entries = env_entries(where, path, env, owner)
    return [n for n, _ in entries], [n for n, lit in entries if lit and secret_like(n)]
