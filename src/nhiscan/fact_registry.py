"""Where the typed fact classes are found: the neutral ones in :mod:`nhiscan.facts`, the
per-provider ones on each provider's plugin (``identity_facts``, ``credential_facts``, ...).

Decoding a saved inventory goes through pydantic here, at the edge: the classes themselves are
plain frozen dataclasses.
"""

from __future__ import annotations

import functools
from typing import Any, Final

SECTIONS: Final = ("identity", "credential", "edge", "logging")


def facts_class(provider: str, section: str) -> type | None:
    """The facts class ``provider`` registers for ``section`` (one of :data:`SECTIONS`), or
    None when the provider is unknown or registers none."""
    from nhiscan import providers

    if section not in SECTIONS:
        raise ValueError(f"unknown facts section {section!r}")
    if provider not in providers.PROVIDER_MODULES:
        return None
    plugin = providers.get(provider)
    cls: type | None = getattr(plugin, f"{section}_facts", None)
    return cls


@functools.lru_cache(maxsize=64)
def _adapter(cls: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def decode(cls: type, value: Any) -> Any:
    """Build ``cls`` from its JSON form; raises ValueError naming the field that is wrong (one
    line: the first problem)."""
    from pydantic import ValidationError

    try:
        return _adapter(cls).validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ValueError(f"{cls.__name__}.{where}: {first['msg']}") from None
