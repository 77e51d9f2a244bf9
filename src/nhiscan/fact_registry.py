"""Where the typed fact classes are found: the neutral ones in :mod:`nhiscan.facts`, the
per-provider ones on each provider's plugin (``identity_facts``, ``credential_facts``, ...).

Decoding a saved inventory goes through pydantic here, at the edge: the classes themselves are
plain frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Final

SECTIONS: Final = ("identity", "credential", "edge", "logging")


@functools.lru_cache(maxsize=1)
def registered_facts() -> dict[str, dict[str, type]]:
    """Section (one of :data:`SECTIONS`) -> provider -> the facts class it registers (cheap:
    plugin modules import no SDK)."""
    from nhiscan import providers

    out: dict[str, dict[str, type]] = {s: {} for s in SECTIONS}
    for name in providers.PROVIDER_MODULES:
        plugin = providers.get(name)
        for section in SECTIONS:
            cls = getattr(plugin, f"{section}_facts", None)
            if cls is not None:
                out[section][name] = cls
    return out


def facts_class(provider: str, section: str) -> type | None:
    """The facts class ``provider`` registers for ``section``, or None when the provider is
    unknown or registers none."""
    if section not in SECTIONS:
        raise ValueError(f"unknown facts section {section!r}")
    return registered_facts()[section].get(provider)


@functools.lru_cache(maxsize=64)
def _adapter(cls: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def decode(cls: type, value: Any) -> Any:
    """Build ``cls`` from its JSON form; raises ValueError naming the field that is wrong (one
    line: the first problem)."""
    from pydantic import ValidationError

    # pydantic drops unknown keys of a dataclass silently; a misspelt fact in a saved inventory
    # would then read as its default (e.g. ``is_admin`` lost), so refuse it instead
    unknown = unknown_key(cls, value)
    if unknown is not None:
        raise ValueError(f"{cls.__name__}.{unknown}: unknown field")
    try:
        return _adapter(cls).validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ValueError(f"{cls.__name__}.{where}: {first['msg']}") from None


def unknown_key(cls: Any, value: Any, prefix: str = "") -> str | None:
    """The dotted path of the first key in ``value`` that ``cls`` (a dataclass, possibly nested
    in Optional, tuples and mappings) does not declare, or None."""
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and isinstance(value, dict):
        hints = _hints(cls)
        for key, item in value.items():
            if key not in hints:
                return prefix + str(key)
            found = unknown_key(hints[key], item, f"{prefix}{key}.")
            if found is not None:
                return found
        return None
    origin = typing.get_origin(cls)
    args = typing.get_args(cls)
    if origin in (typing.Union, types.UnionType):
        nested = [a for a in args if dataclasses.is_dataclass(a)]
        return unknown_key(nested[0], value, prefix) if len(nested) == 1 else None
    if origin in (tuple, list, frozenset, set) and args and isinstance(value, list):
        for i, item in enumerate(value):
            found = unknown_key(args[0], item, f"{prefix}{i}.")
            if found is not None:
                return found
    return None


@functools.lru_cache(maxsize=64)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
