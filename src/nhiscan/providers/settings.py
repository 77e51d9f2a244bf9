"""Typed provider settings, and the command-line options that fill them.

Each provider declares one frozen dataclass deriving from :class:`ProviderSettings` in its
package's ``settings.py`` and names it on its plugin (``settings_class``). A field the user sets on
the command line is declared with :func:`cli_option`, which keeps the flag, help, value type and
repeatability beside the field, so the CLI builds ``scan``/``inventory``/``graph`` options from the
registry and nothing is declared twice. Fields without a CLI option are for callers and tests
(an injected session or credential, a local endpoint).

Providers read their settings with ``options.settings_for(AwsSettings)``
(:meth:`nhiscan.providers.interface.CollectOptions.settings_for`).

This module imports nothing but the standard library and :mod:`nhiscan.errors`: the CLI loads it
to build ``--help``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from nhiscan.errors import ConfigError

CLI_KEY = "nhiscan.cli_option"
VALUE_TYPES: dict[type, str] = {str: "a string", int: "an integer", float: "a number", Path: "a path"}


@dataclass(frozen=True)
class CliOption:
    """How one settings field appears on the command line."""

    flag: str
    """The long option, ``--region``; unique across every provider."""
    help: str
    """One line for ``--help``."""
    type: type = str
    """The value's type: ``str``, ``int``, ``float``, ``Path``; ``bool`` makes an on/off flag."""
    multiple: bool = False
    """Repeatable; the field then holds a tuple of values."""
    metavar: str | None = None
    """Placeholder in ``--help`` (``REGION``); default: the type's name."""

    def convert(self, raw: Any) -> Any:
        """The field value for what the command line gave (a string, a tuple of them, or a
        flag's bool). A value that is not of the option's type is a ConfigError naming the flag."""
        if self.type is bool:
            return bool(raw)
        if self.multiple:
            return tuple(self._one(v) for v in raw or ())
        return None if raw is None else self._one(raw)

    def _one(self, raw: Any) -> Any:
        try:
            return self.type(raw)
        except (TypeError, ValueError):
            raise ConfigError(self.flag, f"expected {VALUE_TYPES[self.type]}, got {raw!r}") from None

    def check(self, value: Any) -> None:
        """Raise ConfigError when a field holds a value of the wrong type (a caller's mistake:
        a list where a tuple is declared, a str where a Path is)."""
        if self.type is bool:
            ok = isinstance(value, bool)
            want = "true or false"
        elif self.multiple:
            ok = isinstance(value, tuple) and all(isinstance(v, self.type) for v in value)
            want = f"a tuple of {VALUE_TYPES[self.type].removeprefix('a ').removeprefix('an ')}s"
        else:
            ok = value is None or isinstance(value, self.type)
            want = VALUE_TYPES[self.type]
        if not ok:
            raise ConfigError(self.flag, f"expected {want}, got {value!r}")


def cli_option(
    flag: str, help: str, *, type: type = str, multiple: bool = False, metavar: str | None = None
) -> Any:
    """A settings field filled by a command-line option. Defaults: ``()`` when repeatable,
    ``False`` for a flag, else ``None``."""
    if type is not bool and type not in VALUE_TYPES:
        raise TypeError(f"{flag}: unsupported option type {type!r}")
    option = CliOption(flag=flag, help=help, type=type, multiple=multiple, metavar=metavar)
    default: Any = () if multiple else (False if type is bool else None)
    return dataclasses.field(default=default, metadata={CLI_KEY: option})


@dataclass(frozen=True)
class ProviderSettings:
    """Base of every provider's settings. Field values are type-checked on construction."""

    def __post_init__(self) -> None:
        for name, option in cli_fields(type(self)).items():
            option.check(getattr(self, name))


S = TypeVar("S", bound=ProviderSettings)


def cli_fields(cls: type[ProviderSettings]) -> dict[str, CliOption]:
    """Field name -> its command-line option, in declaration order."""
    return {f.name: f.metadata[CLI_KEY] for f in dataclasses.fields(cls) if CLI_KEY in f.metadata}


def from_cli(cls: type[S], values: Mapping[str, Any]) -> S:
    """Settings from command-line values keyed by field name (missing fields keep defaults)."""
    options = cli_fields(cls)
    return cls(**{name: options[name].convert(raw) for name, raw in values.items()})
