"""The command line. The only module that prints, writes report files or exits.

Exit codes: 0 no failing finding; 1 findings at/above ``--fail-on``; 2 usage, configuration or
input error; 3 collection failed (nothing readable, or any coverage gap under ``--strict``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from nhiscan import __version__
from nhiscan.cli_options import ProviderOptionsCommand, collect_settings, provider_values
from nhiscan.errors import ConfigError, InputError, NhiscanError
from nhiscan.formats import FORMATS, format_names
from nhiscan.providers import names as registered_providers

app = typer.Typer(
    name="nhiscan",
    help="Inventory non-human identities (cloud roles, keys, service accounts, agents, MCP servers) "
    "and flag the risky ones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, show and validate rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_COLLECTION = 0, 1, 2, 3
SEVERITIES = ("critical", "high", "medium", "low", "info")
PROVIDER_NAMES = registered_providers()


FORMAT_NAMES = format_names()


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    none = "none"


class _State:
    """Per-invocation switches set by the top-level callback."""

    debug = False
    quiet = False
    no_color = False


STATE = _State()


def _err(message: str) -> None:
    sys.stderr.write(f"nhiscan: {message}\n")


def _fail(exc: NhiscanError) -> NoReturn:
    if STATE.debug:
        traceback.print_exc()
    _err(f"error: {exc.diagnostics()}")
    raise typer.Exit(exc.exit_code)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"nhiscan {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="Plain output (NO_COLOR is honoured too).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    STATE.debug, STATE.quiet = debug, quiet
    STATE.no_color = no_color or bool(os.environ.get("NO_COLOR"))


# --- shared option helpers -------------------------------------------------------------------


def _as_of(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    from nhiscan.timeutil import parse_time

    try:
        parsed = parse_time(value)
    except ValueError as exc:
        raise ConfigError("--as-of", f"not an ISO 8601 date or time: {value!r}") from exc
    if parsed is None:
        raise ConfigError("--as-of", f"not an ISO 8601 date or time: {value!r}")
    return parsed


class _StderrProgress:
    def __init__(self) -> None:
        self.enabled = not STATE.quiet and sys.stderr.isatty()

    def step(self, message: str) -> None:
        if self.enabled:
            sys.stderr.write(f"  {message}\n")


def _settings_for(ctx: typer.Context, mcp_paths: Sequence[str]) -> tuple[Any, ...]:
    """Typed provider settings from the generated options, plus the paths named after ``mcp``."""
    from nhiscan.providers.mcp.settings import McpSettings

    extra = [McpSettings(paths=tuple(Path(p) for p in mcp_paths))] if mcp_paths else []
    return collect_settings(provider_values(ctx), extra)


def _inventory(
    names: Sequence[str], from_path: Path | None, settings: tuple[Any, ...], as_of: datetime
) -> tuple[Any, tuple[str, ...], dict[str, str]]:
    from nhiscan.providers.interface import CollectOptions
    from nhiscan.sources import collect_live, load_path

    options = CollectOptions(as_of=as_of, settings=settings, progress=_StderrProgress())
    if from_path is not None:
        inv = load_path(from_path, options)
        if names:
            unknown = [p for p in names if p not in PROVIDER_NAMES]
            if unknown:
                raise InputError("command line", f"unknown provider {unknown[0]!r}")
            from nhiscan.inventory_filter import only_providers

            inv = only_providers(inv, names)
        return inv, tuple(inv.providers), {}
    return collect_live(names, options)


def pair_outputs(formats: Sequence[str], outputs: Sequence[str]) -> list[tuple[str, Path | None]]:
    """``-o`` values arrive as ``FORMAT=PATH`` (see :func:`main`, which pairs each ``-o`` with
    the ``-f`` before it). Formats without an output go to stdout; at most one may."""
    for f in formats:
        if f not in FORMATS:
            raise ConfigError("-f/--format", f"unknown format {f!r} (known: {', '.join(FORMAT_NAMES)})")
    by_format: dict[str, Path] = {}
    for item in outputs:
        fmt, _, path = item.partition("=")
        if not path or fmt not in FORMATS:
            raise ConfigError("-o/--output", "each -o PATH must follow the -f FORMAT it is for")
        by_format[fmt] = Path(path)
    if set(by_format) - set(formats):
        raise ConfigError("-o/--output", "each -o PATH must follow the -f FORMAT it is for")
    pairs = [(f, by_format.get(f)) for f in dict.fromkeys(formats)]
    if sum(1 for _, p in pairs if p is None) > 1:
        raise ConfigError("-f/--format", "only one format can go to standard output; give the others -o PATH")
    return pairs


def _write_atomic(contents: dict[Path, str]) -> None:
    """Render everything first, then move files into place, so a failure leaves nothing half-written."""
    staged: list[tuple[Path, str]] = []
    try:
        for path, text in contents.items():
            directory = path.parent if str(path.parent) else Path(".")
            if not directory.is_dir():
                raise InputError(str(path), "the output directory does not exist")
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            staged.append((path, tmp))
        for path, tmp in staged:
            os.replace(tmp, path)
    except OSError as exc:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        raise InputError(str(exc.filename or "output"), f"cannot write: {exc.strerror or exc}") from exc


def _color() -> bool:
    return not STATE.no_color and sys.stdout.isatty()


# --- scan ------------------------------------------------------------------------------------

ProvidersArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PROVIDER...",
        help=f"{' | '.join(PROVIDER_NAMES)}; none = every provider whose credentials are found. "
        "Paths after mcp are folders or files to search for MCP client configs.",
    ),
]
FromOpt = Annotated[
    Path | None,
    typer.Option("--from", help="A saved inventory, an exported file, or a folder of exported files."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", metavar="TIME", help="Evaluate ages as of this time (ISO 8601).")
]


def split_providers(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """``nhiscan scan mcp ./repo ~/work``: arguments after ``mcp`` that are not provider names are
    paths for the MCP scan. Anything else that is not a provider is an error."""
    names = [a for a in args if a in PROVIDER_NAMES]
    paths = [a for a in args if a not in PROVIDER_NAMES]
    if paths and "mcp" not in names:
        raise InputError(
            "command line", f"unknown provider {paths[0]!r} (known: {', '.join(PROVIDER_NAMES)})"
        )
    return names, paths


@app.command(cls=ProviderOptionsCommand)
def scan(
    ctx: typer.Context,
    providers: ProvidersArg = None,
    from_path: FromOpt = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", metavar="FORMAT", help=f"{' | '.join(FORMAT_NAMES)} (repeatable)."),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option("--output", "-o", metavar="PATH", help="File for the -f before it (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 1 when a finding is at/above this severity.")
    ] = None,
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules", metavar="DIR", help="Extra rules directory (repeatable).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="nhiscan.yaml (default: ./nhiscan.yaml).")
    ] = None,
    save_inventory: Annotated[
        Path | None, typer.Option("--save-inventory", help="Write the inventory JSON.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="A previous JSON report: mark findings new or unchanged, list fixed."
        ),
    ] = None,
    fail_on_new: Annotated[
        bool, typer.Option("--fail-on-new", help="With --baseline: only new findings count for --fail-on.")
    ] = False,
    ignore_file: Annotated[
        Path | None,
        typer.Option("--ignore-file", help="Suppression file (default: ./.nhiscan-ignore.yaml if present)."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3 on any coverage gap.")] = False,
    as_of: AsOfOpt = None,
    sarif_category: Annotated[
        str | None, typer.Option("--sarif-category", help="SARIF automationDetails.id category.")
    ] = None,
    sarif_include_suppressed: Annotated[
        bool,
        typer.Option(
            "--sarif-include-suppressed",
            help="Keep suppressed findings in SARIF, marked suppressed (GitHub would show them as open).",
        ),
    ] = False,
    severity: Annotated[
        str | None,
        typer.Option(
            "--severity",
            metavar="LEVEL",
            help=f"{' | '.join(SEVERITIES)}: the table and Markdown list only findings at or above "
            "LEVEL (their counts still cover all). JSON and SARIF stay complete; --fail-on is unchanged.",
        ),
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Table and Markdown show counts only: by severity, provider and rule, and the top "
            "identities. JSON and SARIF stay complete.",
        ),
    ] = False,
) -> None:
    """Inventory identities and evaluate the rules."""
    try:
        names, mcp_paths = split_providers(providers or [])
        request = ScanRequest(
            providers=names,
            from_path=from_path,
            formats=fmt or ["table"],
            outputs=output or [],
            fail_on=fail_on,
            rules_dirs=rules_dir or [],
            config_path=config,
            save_inventory=save_inventory,
            baseline=baseline,
            fail_on_new=fail_on_new,
            ignore_file=ignore_file,
            strict=strict,
            as_of_text=as_of,
            sarif_category=sarif_category,
            sarif_include_suppressed=sarif_include_suppressed,
            settings=_settings_for(ctx, mcp_paths),
            min_severity=_severity(severity),
            summary_only=summary,
        )
        code = _scan(request)
    except NhiscanError as exc:
        _fail(exc)
    raise typer.Exit(code)


@dataclass(frozen=True)
class ScanRequest:
    """Everything ``nhiscan scan`` was asked to do, after option parsing."""

    providers: list[str]
    from_path: Path | None
    formats: list[str]
    outputs: list[str]
    fail_on: FailOn | None
    rules_dirs: list[Path]
    config_path: Path | None
    save_inventory: Path | None
    baseline: Path | None
    fail_on_new: bool
    ignore_file: Path | None
    strict: bool
    as_of_text: str | None
    sarif_category: str | None
    sarif_include_suppressed: bool
    settings: tuple[Any, ...]
    min_severity: str | None = None
    summary_only: bool = False


def _severity(value: str | None) -> str | None:
    """``--severity``: one of :data:`SEVERITIES` (any case); anything else is a usage error."""
    if value is None:
        return None
    level = value.strip().lower()
    if level not in SEVERITIES:
        raise ConfigError("--severity", f"unknown severity {value!r} (choose from {', '.join(SEVERITIES)})")
    return level


def _scan(req: ScanRequest) -> int:
    from nhiscan import scan as pipeline
    from nhiscan.baseline import load_baseline
    from nhiscan.config import load_config
    from nhiscan.engine import load_rules
    from nhiscan.inventory_io import dump_inventory

    started = datetime.now(timezone.utc)
    as_of = _as_of(req.as_of_text)
    pairs = pair_outputs(req.formats, req.outputs)
    if req.fail_on_new and req.baseline is None:
        raise ConfigError("--fail-on-new", "needs --baseline FILE (a previous JSON report)")
    cfg = load_config(req.config_path)
    rules = load_rules(
        extra_dirs=[Path(d) for d in cfg.rules_dirs] + req.rules_dirs,
        param_overrides=cfg.param_overrides(),
        disabled=cfg.disabled(),
        global_params=cfg.params,
    )
    suppressions = _suppressions(req.ignore_file, cfg)
    baseline = load_baseline(req.baseline) if req.baseline is not None else None
    inventory, scanned, skipped = _inventory(req.providers, req.from_path, req.settings, as_of)
    for name, reason in skipped.items():
        _note(f"skipped {name}: {reason}")
    result, applied = pipeline.run(
        inventory,
        rules,
        as_of=as_of,
        started=started,
        providers=scanned,
        skipped=skipped,
        suppressions=suppressions,
        baseline=baseline,
    )
    for s in applied.expired:
        _note(f"suppression {s.source} expired on {s.entry.expires}: its findings are open again")
    for s in applied.unused:
        _note(f"suppression {s.source} ({s.entry.rule} {s.entry.identity}) matched nothing")
    rendered = _render(result, pairs, req)
    files = {path: text for (_, path), text in zip(pairs, rendered, strict=True) if path is not None}
    if req.save_inventory is not None:
        files[req.save_inventory] = dump_inventory(inventory)
    _write_atomic(files)
    for (_, path), text in zip(pairs, rendered, strict=True):
        if path is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    threshold = (req.fail_on.value if req.fail_on else None) or cfg.fail_on or "none"
    code = _exit_code(result, threshold, req.strict, only_new=req.fail_on_new)
    if code == EXIT_FINDINGS:
        _note(_failing_reason(result, threshold, only_new=req.fail_on_new))
    return code


def _note(message: str) -> None:
    if not STATE.quiet:
        _err(message)


def _suppressions(ignore_file: Path | None, cfg: Any) -> list[Any]:
    from nhiscan.suppress import DEFAULT_IGNORE_FILE, load_file, parse_entries

    entries = parse_entries(cfg.suppressions, cfg.source or "nhiscan.yaml")
    if ignore_file is not None:
        if not ignore_file.is_file():
            raise ConfigError(str(ignore_file), "suppression file not found")
        entries += load_file(ignore_file)
    elif Path(DEFAULT_IGNORE_FILE).is_file():
        entries += load_file(Path(DEFAULT_IGNORE_FILE))
    return entries


def _render(result: Any, pairs: list[tuple[str, Path | None]], req: ScanRequest) -> list[str]:
    from nhiscan.findings import Severity
    from nhiscan.reporters import get_reporter
    from nhiscan.reporters.interface import ReportOptions

    texts = []
    for fmt, path in pairs:
        color = path is None and FORMATS[fmt].terminal and _color()
        options = ReportOptions(
            color=color,
            width=120 if path else _width(),
            sarif_category=req.sarif_category,
            sarif_include_suppressed=req.sarif_include_suppressed,
            tool_version=__version__,
            min_severity=Severity(req.min_severity) if req.min_severity else None,
            summary_only=req.summary_only,
        )
        texts.append(get_reporter(fmt).render(result, options))
    return texts


def _width() -> int:
    """Report width: ``COLUMNS`` when set (the POSIX way to ask for a width, also when piping),
    else the terminal's width, else 120 for a pipe or file."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(40, min(400, int(columns)))
    try:
        return max(40, min(400, os.get_terminal_size(sys.stdout.fileno()).columns))
    except (OSError, ValueError, AttributeError):
        return 120


def _failing_reason(result: Any, threshold: str, only_new: bool) -> str:
    """Why the scan exits 1, for stderr: how many findings are at or above ``--fail-on``."""
    from nhiscan.findings import Severity, Status

    rank = Severity(threshold).rank
    failing = [f for f in result.findings if f.severity.rank >= rank and f.status is Status.OPEN]
    new = [f for f in failing if f.baseline == "new"]
    if only_new:
        return f"exit 1: {len(new)} new finding(s) at or above {threshold} since the baseline (--fail-on-new)"
    text = f"exit 1: {len(failing)} open finding(s) at or above {threshold} (--fail-on)"
    if result.baseline_used:
        text += f", {len(new)} of them new since the baseline"
    return text


def _exit_code(result: Any, threshold: str, strict: bool, only_new: bool = False) -> int:
    """Precedence: findings (1) over coverage gaps under --strict (3) over clean (0)."""
    from nhiscan.findings import Severity, Status

    failing = False
    if threshold != "none":
        rank = Severity(threshold).rank
        failing = any(
            f.severity.rank >= rank and f.status is Status.OPEN and (not only_new or f.baseline == "new")
            for f in result.findings
        )
    if failing:
        return EXIT_FINDINGS
    if strict and result.inventory.gaps:
        return EXIT_COLLECTION
    return EXIT_OK


# --- inventory -------------------------------------------------------------------------------


class InvFormat(str, Enum):
    table = "table"
    json = "json"


@app.command(cls=ProviderOptionsCommand)
def inventory(
    ctx: typer.Context,
    providers: ProvidersArg = None,
    from_path: FromOpt = None,
    fmt: Annotated[InvFormat, typer.Option("--format", "-f", help="table | json")] = InvFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """List identities (no rules)."""
    from nhiscan.inventory_io import dump_inventory
    from nhiscan.inventory_view import render_inventory

    try:
        when = _as_of(as_of)
        names, mcp_paths = split_providers(providers or [])
        inv, _, skipped = _inventory(names, from_path, _settings_for(ctx, mcp_paths), when)
        for name, reason in skipped.items():
            if not STATE.quiet:
                _err(f"skipped {name}: {reason}")
        if fmt is InvFormat.json:
            text = dump_inventory(inv)
        else:
            text = render_inventory(inv, when, color=output is None and _color(), width=_width())
        if output is not None:
            _write_atomic({output: text})
        else:
            sys.stdout.write(text)
    except NhiscanError as exc:
        _fail(exc)


# --- graph -----------------------------------------------------------------------------------


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"


@app.command(cls=ProviderOptionsCommand)
def graph(
    ctx: typer.Context,
    providers: ProvidersArg = None,
    from_path: FromOpt = None,
    identity: Annotated[
        str | None,
        typer.Option(
            "--identity",
            metavar="ID",
            help="Only the paths into and out of this identity (id, alias or name).",
        ),
    ] = None,
    to_admin: Annotated[
        bool, typer.Option("--to-admin", help="Only the paths that end at an admin node.")
    ] = False,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="dot | mermaid | json")
    ] = GraphFormat.mermaid,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write to a file.")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Print the delegation graph (who can act as whom), or the paths through one identity."""
    from nhiscan.analyse.graph_render import render_graph

    try:
        when = _as_of(as_of)
        names, mcp_paths = split_providers(providers or [])
        inv, _, skipped = _inventory(names, from_path, _settings_for(ctx, mcp_paths), when)
        for name, reason in skipped.items():
            _note(f"skipped {name}: {reason}")
        text = render_graph(inv, fmt.value, identity=identity, to_admin=to_admin)
        if output is not None:
            _write_atomic({output: text})
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    except NhiscanError as exc:
        _fail(exc)


# --- rules -----------------------------------------------------------------------------------


@rules_app.command("list")
def rules_list(
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules", metavar="DIR", help="Extra rules directory (repeatable).")
    ] = None,
    fmt: Annotated[InvFormat, typer.Option("--format", "-f", help="table | json")] = InvFormat.table,
) -> None:
    """List every rule."""
    import json

    from nhiscan.engine import load_rules

    try:
        rules = load_rules(extra_dirs=rules_dir or [])
    except NhiscanError as exc:
        _fail(exc)
    if fmt is InvFormat.json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "severity": r.spec.severity.value,
                        "provider": r.spec.provider,
                        "target": r.spec.target.value,
                        "title": r.spec.title,
                        "params": dict(r.params),
                    }
                    for r in rules
                ],
                indent=1,
            )
            + "\n"
        )
        return
    from nhiscan.inventory_view import render_rules

    sys.stdout.write(render_rules([r.info() for r in rules], color=_color(), width=_width()))


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. NHI-AWS-001.")],
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules", metavar="DIR", help="Extra rules directory (repeatable).")
    ] = None,
) -> None:
    """Show one rule: description, parameters, condition, remediation, references."""
    from nhiscan.engine import load_rules

    try:
        rules = {r.id: r for r in load_rules(extra_dirs=rules_dir or [])}
        if rule_id not in rules:
            raise ConfigError("rules show", f"unknown rule id {rule_id!r} (see: nhiscan rules list)")
    except NhiscanError as exc:
        _fail(exc)
    sys.stdout.write(rules[rule_id].path.read_text(encoding="utf-8"))


@rules_app.command("validate")
def rules_validate(directory: Annotated[Path, typer.Argument(help="Directory of rule YAML files.")]) -> None:
    """Validate every rule file in DIR (schema, condition, parameters, unique ids)."""
    from nhiscan.engine.loader import check_no_clash, compile_rule, load_specs

    try:
        specs = load_specs([directory])
        for spec, path in specs:
            compile_rule(spec, path)
        check_no_clash(specs)
    except NhiscanError as exc:
        _fail(exc)
    sys.stdout.write(f"{len(specs)} rule(s) valid in {directory}\n")


@rules_app.command("docs")
def rules_docs() -> None:
    """Print the rule reference (docs/rules.md): the guide, every field a rule may read, every rule."""
    from nhiscan.engine.fact_docs import render

    sys.stdout.write(render())


# --- entry point -----------------------------------------------------------------------------


def _pair_argv(args: list[str]) -> list[str]:
    """Rewrite each ``-o PATH`` to ``-o FORMAT=PATH`` using the ``-f FORMAT`` before it, because
    the pairing is positional and the parser only keeps each option's values."""
    out: list[str] = []
    last_format: str | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-f", "--format") and i + 1 < len(args):
            last_format = args[i + 1]
            out += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith("--format="):
            last_format = a.split("=", 1)[1]
        if a in ("-o", "--output") and i + 1 < len(args) and _is_scan(args):
            out += [a, f"{last_format or ''}={args[i + 1]}"]
            i += 2
            continue
        if a.startswith("--output=") and _is_scan(args):
            out.append(f"--output={last_format or ''}={a.split('=', 1)[1]}")
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def _is_scan(args: list[str]) -> bool:
    command = next((a for a in args if not a.startswith("-")), None)
    return command == "scan"


GLOBAL_FLAGS = ("--debug", "-q", "--quiet", "--no-color")


def _hoist_global_flags(args: list[str]) -> list[str]:
    """Accept ``--debug``, ``-q`` and ``--no-color`` after the command too (``nhiscan scan -q``)."""
    flags = [a for a in args if a in GLOBAL_FLAGS]
    return flags + [a for a in args if a not in GLOBAL_FLAGS]


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    app(args=_pair_argv(_hoist_global_flags(args)), prog_name="nhiscan")


if __name__ == "__main__":  # pragma: no cover
    main()
