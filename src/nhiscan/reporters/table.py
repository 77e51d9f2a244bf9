"""Terminal report with rich: findings grouped by severity, coverage gaps, a summary line.

rich is imported inside :meth:`TableReporter.render` so that importing the reporters (and
``nhiscan --help``) stays cheap. Every piece of text from the inventory is passed as a ``Text``
object, never as markup, so an identity named ``[red]x`` prints literally.
"""

from __future__ import annotations

import io

from nhiscan.findings import Finding, ScanResult, Severity
from nhiscan.reporters._common import (
    SEVERITIES_DESC,
    baseline_counts,
    baseline_used,
    identity_names,
    open_findings,
    path_text,
    scope_label,
    severity_counts,
    suppressed_findings,
    suppression_reason,
)
from nhiscan.reporters.interface import Reporter, ReportOptions

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


class TableReporter(Reporter):
    """Human-readable report for a terminal (or a plain-text file when colour is off)."""

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        buf = io.StringIO()
        console = Console(
            file=buf,
            width=options.width,
            force_terminal=options.color,
            color_system="standard" if options.color else None,
            no_color=not options.color,
            highlight=False,
            markup=False,
            emoji=False,
            legacy_windows=False,
            # The CLI has already decided colour and width (NO_COLOR included); don't let
            # COLUMNS, FORCE_COLOR or TERM in the environment second-guess it.
            _environ={},
        )
        names = identity_names(result.inventory)
        open_ = open_findings(result)
        suppressed = suppressed_findings(result)

        def finding_table(title: Text, findings: list[Finding], suppressed_section: bool) -> Table:
            # One table for all severities (sections between them) keeps the columns aligned.
            table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
            table.add_column("Severity", no_wrap=True)
            table.add_column("Rule", no_wrap=True)
            table.add_column("Identity", overflow="fold", ratio=2)
            table.add_column("Message", overflow="fold", ratio=4)
            for i, f in enumerate(findings):
                ident = Text(f.resource_name or f.resource_id)
                ident.append(f" ({f.resource_kind})" if f.resource_kind else "", style="dim")
                if f.credential_id:
                    ident.append(f" / {f.credential_id}")
                msg = Text(f.message or f.title)
                path = path_text(f, names)
                if path:
                    msg.append("\npath: ", style="bold")
                    msg.append(path)
                if suppressed_section:
                    msg.append("\nsuppressed: ", style="bold")
                    msg.append(suppression_reason(f.suppression))
                last_of_group = i + 1 < len(findings) and findings[i + 1].severity != f.severity
                table.add_row(
                    Text(f.severity.value.upper(), style=STYLE[f.severity]),
                    Text(f.rule_id),
                    ident,
                    msg,
                    end_section=last_of_group and not suppressed_section,
                )
            return table

        header = Text("nhiscan ", style="bold")
        header.append(f"{options.tool_version}, as of {result.as_of:%Y-%m-%d %H:%M} UTC")
        console.print(header)
        console.print()

        if open_:
            # open_ is already sorted most severe first, so consecutive rows form the groups.
            console.print(finding_table(Text(f"FINDINGS ({len(open_)})", style="bold"), open_, False))
        else:
            console.print(Text("No findings.", style="bold green"))
            console.print()
        if suppressed:
            console.print(
                finding_table(Text(f"SUPPRESSED ({len(suppressed)})", style="dim"), suppressed, True)
            )

        gaps = sorted(result.inventory.gaps, key=lambda c: (c.provider, c.scope, c.source))
        if gaps:
            gap_table = Table(
                title=Text(f"COVERAGE GAPS ({len(gaps)}): these sources were not read", style="bold yellow"),
                title_justify="left",
                box=box.SIMPLE_HEAD,
                pad_edge=False,
            )
            for col in ("Provider", "Scope", "Source", "Status", "Detail"):
                gap_table.add_column(col, overflow="fold")
            for g in gaps:
                gap_table.add_row(
                    Text(g.provider),
                    Text(scope_label(result, g.scope)),
                    Text(g.source),
                    Text(g.status),
                    Text(g.detail),
                )
            console.print(gap_table)

        counts = severity_counts(open_)
        summary = Text("Summary: ", style="bold")
        summary.append(", ".join(f"{counts[s.value]} {s.value}" for s in SEVERITIES_DESC))
        summary.append(f"; {len(open_)} open, {len(suppressed)} suppressed")
        if baseline_used(result):
            b = baseline_counts(result)
            summary.append(f"; {b['new']} new, {b['unchanged']} unchanged, {b['fixed']} fixed")
        summary.append(f"; {len(result.inventory.identities)} identities")
        summary.append(f"; providers: {', '.join(result.providers) or 'none'}")
        console.print(summary)
        if result.skipped_providers:
            skipped = "; ".join(
                f"{p} ({result.skipped_providers[p]})" for p in sorted(result.skipped_providers)
            )
            line = Text("Skipped providers: ", style="bold")
            line.append(skipped)
            console.print(line)
        if not result.complete:
            console.print(
                Text(
                    f"Scan incomplete: {len(gaps)} coverage gap(s); results cover only what could be read.",
                    style="yellow",
                )
            )
        text = buf.getvalue()
        if not options.color:
            # rich pads every line to the table width; plain text files should not carry that.
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        return text
