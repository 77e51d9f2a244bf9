"""Command-line options generated from the registries, for ``scan``, ``inventory`` and ``graph``.

Every provider's :func:`~nhiscan.providers.settings.cli_option` fields become options of each of
those commands (:class:`ProviderOptionsCommand`), shown under a section per provider in ``--help``; the parsed
values come back as the typed settings objects (:func:`collect_settings`). Values are taken as text and converted here, so a value of the wrong
type is a one-line ``ConfigError`` naming the option, like every other usage error.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from nhiscan import providers
from nhiscan.providers.settings import CliOption, ProviderSettings, cli_fields, from_cli

VALUES_KEY = "nhiscan.provider_values"


@dataclass(frozen=True)
class ProviderOption:
    """One generated option."""

    provider: str
    """The provider whose settings it fills."""
    title: str
    """The provider's ``--help`` section title."""
    field: str
    """The settings field."""
    option: CliOption
    """Its declaration."""

    @property
    def param(self) -> str:
        """The Python parameter name on the generated command."""
        return f"{self.provider}_{self.field}"


@dataclass(frozen=True)
class ProviderValues:
    """The raw values of every generated option, by parameter name, as the parser gave them."""

    raw: Mapping[str, Any]
    """Parameter name -> str, tuple/list of str, bool or None."""


def provider_options() -> list[ProviderOption]:
    """Every provider's options, in registry then field order. A flag declared twice is a bug."""
    out: list[ProviderOption] = []
    seen: dict[str, str] = {}
    for name in providers.names():
        plugin = providers.plugin_class(name)
        for field, option in cli_fields(plugin.settings_class).items():
            if option.flag in seen:
                raise RuntimeError(f"{option.flag} is declared by {seen[option.flag]} and {name}")
            seen[option.flag] = name
            out.append(ProviderOption(name, plugin.display_name or name, field, option))
    return out


def _parameter(opt: ProviderOption) -> inspect.Parameter:
    o = opt.option
    if o.type is bool:
        annotation: Any = Annotated[bool, typer.Option(o.flag, help=o.help)]
        default: Any = False
    else:
        metavar = o.metavar or o.type.__name__.upper()
        text = list[str] | None if o.multiple else str | None
        annotation = Annotated[text, typer.Option(o.flag, help=o.help, metavar=metavar, show_default=False)]
        default = None
    return inspect.Parameter(
        opt.param, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _generated_params() -> list[Any]:
    """The options as parser parameters, built by typer from a generated signature (so they
    behave exactly like the hand-written options), in a throwaway single-command app."""
    params = [_parameter(o) for o in provider_options()]

    def command(**_: Any) -> None:
        return None

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    holder = typer.Typer(add_completion=False)
    holder.command()(command)
    return list(typer.main.get_command(holder).params)


def collect_settings(
    values: ProviderValues, extra: Sequence[ProviderSettings] = ()
) -> tuple[ProviderSettings, ...]:
    """The typed settings of every provider with an option given on the command line, plus
    ``extra`` (settings the CLI fills from elsewhere, such as the paths after ``mcp``). Raises
    ConfigError for a value of the wrong type."""
    by_provider: dict[str, dict[str, Any]] = {}
    for opt in provider_options():
        raw = values.raw.get(opt.param)
        if raw not in (None, False, [], ()):
            by_provider.setdefault(opt.provider, {})[opt.field] = raw
    out = list(extra)
    given = {type(s) for s in out}
    for name, fields in by_provider.items():
        cls = providers.plugin_class(name).settings_class
        if cls in given:
            raise RuntimeError(f"{name}: settings given twice")
        out.append(from_cli(cls, fields))
    return tuple(out)


class ProviderOptionsCommand(TyperCommand):
    """A command that also takes every provider's options. They are generated on first use
    (parsing or ``--help`` of this command), so other commands never load the plugin packages;
    ``--help`` lists them in one section per provider. The command function declares a
    ``ctx: typer.Context`` parameter and reads the values with :func:`provider_values`."""

    def _provider_params(self) -> list[Any]:
        cached: list[Any] | None = getattr(self, "_nhiscan_provider_params", None)
        if cached is None:
            cached = _generated_params()
            self._nhiscan_provider_params = cached
        return cached

    # ctx is Any: typer vendors its click, whose Context type has no public name
    def get_params(self, ctx: Any) -> list[Any]:
        own = super().get_params(ctx)
        extra = self._provider_params()
        help_option = [p for p in own if p not in self.params]
        return [*self.params, *extra, *help_option]

    def invoke(self, ctx: Any) -> Any:
        names = [p.name for p in self._provider_params()]
        ctx.meta[VALUES_KEY] = ProviderValues({n: ctx.params.pop(n, None) for n in names})
        return super().invoke(ctx)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        titles = {o.param: f"{o.title} options" for o in provider_options()}
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                sections["Arguments"].append(record)
            else:
                sections.setdefault(titles.get(param.name or "", "Options"), []).append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def provider_values(ctx: typer.Context) -> ProviderValues:
    """What the user gave for the provider options of the running command."""
    values: ProviderValues = ctx.meta.get(VALUES_KEY, ProviderValues({}))
    return values
