"""Terminal views that are not finding reports: the identity inventory and the rule list.

Every cell is a rich ``Text`` and the console has markup off, so inventory text (an MCP server
named ``[/bold]evil``, a rule title with brackets) prints literally instead of being parsed as
rich markup, which would restyle the output or raise ``MarkupError``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from nhiscan.engine.evaluate import days_between
from nhiscan.findings import RuleInfo
from nhiscan.model import Inventory


def _console(color: bool, width: int):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        # The CLI has already decided colour and width; don't let COLUMNS or TERM second-guess it.
        _environ={},
    )


def _ago(dt: datetime | None, as_of: datetime) -> str:
    if dt is None:
        return "never"
    days = days_between(dt, as_of)
    return f"{dt.date().isoformat()} ({days}d)"


def render_inventory(inv: Inventory, as_of: datetime, *, color: bool = False, width: int = 120) -> str:
    from rich.table import Table
    from rich.text import Text

    creds: dict[str, list[str]] = {}
    for c in inv.credentials:
        if c.active:
            creds.setdefault(c.identity_id, []).append(c.kind.split(".", 1)[-1])
    table = Table(title=Text(f"{len(inv.identities)} identities"), show_lines=False, expand=False)
    for col in ("kind", "name", "scope", "usage", "created", "last used", "owner", "credentials", "admin"):
        table.add_column(col, overflow="fold")
    for i in sorted(inv.identities, key=lambda x: (x.provider, x.kind, x.scope, x.name)):
        active = creds.get(i.id, [])
        cells = (
            i.kind,
            i.name,
            i.scope.split(":", 2)[-1],
            i.usage,
            i.created.date().isoformat() if i.created else "-",
            _ago(i.last_used, as_of),
            i.owner or "-",
            ", ".join(sorted(active)) or "-",
            "yes" if "admin" in i.permissions.classes else "no",
        )
        table.add_row(*(Text(c) for c in cells))
    console = _console(color, width)
    console.print(table)
    gaps = inv.gaps
    if gaps:
        console.print(Text(f"\nCoverage gaps ({len(gaps)}): the inventory may be incomplete"))
        for g in gaps:
            console.print(
                Text(f"  - {g.provider} {g.scope.split(':', 2)[-1]} {g.source}: {g.status} {g.detail}")
            )
    return console.file.getvalue()  # type: ignore[no-any-return]


def render_rules(rules: Sequence[RuleInfo], *, color: bool = False, width: int = 120) -> str:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(rules)} rules")
    for col in ("id", "severity", "provider", "target", "title"):
        table.add_column(col, overflow="fold")
    for r in sorted(rules, key=lambda r: r.id):
        table.add_row(*(Text(c) for c in (r.id, r.severity.value, r.provider, r.target.value, r.title)))
    console = _console(color, width)
    console.print(table)
    return console.file.getvalue()  # type: ignore[no-any-return]
