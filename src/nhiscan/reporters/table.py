"""Terminal report with rich: findings grouped by identity, coverage gaps, a summary line.

Each identity (or other target) gets one header line (display name, kind, provider and scope)
and its findings below it, most severe first, so a long report reads as a list of identities to
fix rather than a thousand-line table. Severity, rule id and the new-since-baseline marker sit in
``no_wrap`` columns so they are never broken; the message column wraps at word boundaries.
Messages are shown in the reader's words (:mod:`nhiscan.reporters.humanize`).

``ReportOptions.min_severity`` hides the findings below it (the counts still cover all of them);
``ReportOptions.summary_only`` replaces the finding lines with counts by severity, provider and
rule and the identities with the most severe findings.

rich is imported inside :meth:`TableReporter.render` so that importing the reporters (and
``nhiscan --help``) stays cheap. Every piece of text from the inventory is passed as a ``Text``
object and the console has markup off, so an identity named ``[red]x`` prints literally.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from nhiscan.findings import Finding, FindingSummary, ScanResult, Severity
from nhiscan.reporters._common import (
    SEVERITIES_DESC,
    TargetGroup,
    at_or_above,
    baseline_counts,
    baseline_used,
    fixed_at_or_above,
    group_by_target,
    identity_names,
    open_findings,
    path_nodes,
    provider_counts,
    rule_counts,
    scope_label,
    severity_counts,
    suppressed_findings,
    suppression_reason,
)
from nhiscan.reporters.humanize import Vocabulary, humanize, kind_label, vocabulary
from nhiscan.reporters.interface import Reporter, ReportOptions

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
SEVERITY_WIDTH = max(len(s.value) for s in Severity)
NEW = "NEW"
MAX_FIXED = 20
"""Fixed findings listed by name; the JSON report lists all of them."""
TOP_IDENTITIES = 10
"""Identities listed in the summary view."""
TOP_RULES = 20
"""Rules listed in the summary view (the most severe, then the most frequent)."""


def finding_message(f: Finding, vocab: Vocabulary) -> str:
    """The message as a person reads it, naming the credential when the message does not."""
    text = humanize(f.message or f.title, vocab)
    if f.credential_id and f.credential_id not in text:
        text += f" (credential {f.credential_id})"
    return text


def under_header(message: str, name: str, kind: str) -> str:
    """The message without the subject its group header already names: ``Agent ops-worker has no
    owner.`` under the header ``ops-worker  Bedrock agent`` reads ``has no owner.``. Only a leading
    ``name`` or ``<words of the kind> name`` is dropped, so no qualifier the header lacks
    (``Default compute service account ...``) is lost."""
    if not name:
        return message
    head, sep, rest = message.partition(name + " ")
    if not sep or not rest:
        return message
    label = kind_label(kind).lower().split()
    words = head.lower().split()
    if head and (head != head.rstrip() + " " or not all(w in label for w in words)):
        return message
    # "name (kind) has no owner": the header names the kind too.
    return rest.removeprefix(f"({kind_label(kind)}) ").removeprefix(f"({kind}) ")


def group_header(result: ScanResult, g: TargetGroup, color: bool) -> Any:
    """``name  IAM role · aws · account-name (id)``: one line naming the target."""
    from rich.text import Text

    header = Text(g.name, style="bold")
    details = [kind_label(g.kind)] if g.kind else []
    details += [g.provider, short_scope(result, g.scope)] if g.scope else [g.provider]
    header.append("  " + " · ".join(d for d in details if d), style="dim" if color else "")
    return header


def short_scope(result: ScanResult, scope: str) -> str:
    """The scope's name, with its id only when the id is short enough to help (an account
    number, a project id) rather than a GUID."""
    for s in result.inventory.scopes:
        if s.key == scope and s.name and s.name != s.id:
            return f"{s.name} ({s.id})" if len(s.id) <= 16 else s.name
    return scope_label(result, scope)


class TableReporter(Reporter):
    """Human-readable report for a terminal (or a plain-text file when colour is off)."""

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        from rich.console import Console
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
            # The CLI has already decided colour and width (NO_COLOR and COLUMNS included); don't
            # let the environment second-guess it.
            _environ={},
        )
        open_ = open_findings(result)
        suppressed = suppressed_findings(result)
        level = options.min_severity
        shown_open = at_or_above(open_, level)
        shown_suppressed = at_or_above(suppressed, level)

        header = Text("nhiscan ", style="bold")
        header.append(f"{options.tool_version}, as of {result.as_of:%Y-%m-%d %H:%M} UTC")
        console.print(header)
        console.print()

        if options.summary_only:
            self._summary_view(console, result, shown_open, options)
        else:
            self._findings_view(console, result, shown_open, shown_suppressed, options)
        self._gaps(console, result)
        if baseline_used(result) and result.fixed and not options.summary_only:
            self._fixed(console, result.fixed, options)
        self._summary_line(console, result, open_, suppressed, shown_open, options)

        text = buf.getvalue()
        if not options.color:
            # rich pads every line to the table width; plain text files should not carry that.
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        return text

    # --- the parts -----------------------------------------------------------------------

    def _findings_view(
        self,
        console: Any,
        result: ScanResult,
        open_: Sequence[Finding],
        suppressed: Sequence[Finding],
        options: ReportOptions,
    ) -> None:
        from rich.text import Text

        vocab = vocabulary(result.inventory)
        # Path nodes by display name; admin sinks and unnamed ids as the vocabulary reads them.
        names = {**vocab.words, **identity_names(result.inventory)}
        marks = baseline_used(result)
        if open_:
            groups = group_by_target(open_)
            title = Text(f"FINDINGS ({len(open_)}", style="bold")
            title.append(f" at {options.min_severity.value} or above" if options.min_severity else "")
            title.append(f", on {len(groups)} {'identity' if len(groups) == 1 else 'identities'})")
            console.print(title)
            console.print()
            self._groups(console, result, groups, vocab, names, marks, options, suppressed_section=False)
        else:
            console.print(
                Text(
                    "No findings."
                    if options.min_severity is None
                    else f"No findings at {options.min_severity.value} or above.",
                    style="bold green",
                )
            )
            console.print()
        if suppressed:
            console.print(Text(f"SUPPRESSED ({len(suppressed)})", style="bold dim"))
            console.print()
            groups = group_by_target(suppressed)
            self._groups(console, result, groups, vocab, names, False, options, suppressed_section=True)

    def _groups(
        self,
        console: Any,
        result: ScanResult,
        groups: Sequence[TargetGroup],
        vocab: Vocabulary,
        names: Mapping[str, str],
        marks: bool,
        options: ReportOptions,
        suppressed_section: bool,
    ) -> None:
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

        # One width for the rule column across every group keeps the messages aligned.
        rule_width = max(len(f.rule_id) for g in groups for f in g.findings)
        for g in groups:
            console.print(group_header(result, g, options.color))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, width=SEVERITY_WIDTH)
            grid.add_column(no_wrap=True, width=rule_width)
            if marks:
                grid.add_column(no_wrap=True, width=len(NEW))
            grid.add_column(ratio=1, overflow="fold")
            for f in g.findings:
                msg = Text(under_header(finding_message(f, vocab), g.name, g.kind))
                path = path_nodes(f, names)
                if path:
                    msg.append("\npath: ", style="bold")
                    msg.append(" -> ".join(path))
                if suppressed_section:
                    msg.append("\nsuppressed: ", style="bold")
                    msg.append(suppression_reason(f.suppression))
                cells = [Text(f.severity.value.upper(), style=STYLE[f.severity]), Text(f.rule_id)]
                if marks:
                    cells.append(Text(NEW if f.baseline == "new" else "", style="bold magenta"))
                grid.add_row(*cells, msg)
            console.print(Padding(grid, (0, 0, 1, 2)))

    def _summary_view(
        self, console: Any, result: ScanResult, open_: Sequence[Finding], options: ReportOptions
    ) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        def table(title: str) -> Table:
            console.print(Text(title, style="bold"))
            return Table(box=box.SIMPLE_HEAD, pad_edge=False)

        scope = f" at {options.min_severity.value} or above" if options.min_severity else ""
        by_severity = table("BY SEVERITY")
        by_severity.add_column("Severity", no_wrap=True)
        by_severity.add_column("Open", justify="right", no_wrap=True)
        by_severity.add_column("Suppressed", justify="right", no_wrap=True)
        open_counts = severity_counts(open_findings(result))
        supp_counts = severity_counts(suppressed_findings(result))
        for sev in SEVERITIES_DESC:
            by_severity.add_row(
                Text(sev.value.upper(), style=STYLE[sev]),
                Text(str(open_counts[sev.value])),
                Text(str(supp_counts[sev.value])),
            )
        console.print(by_severity)
        if not open_:
            console.print(Text(f"No findings{scope}.", style="bold green"))
            console.print()
            return

        by_provider = table(f"BY PROVIDER ({len(open_)} open findings{scope})")
        by_provider.add_column("Provider", no_wrap=True)
        by_provider.add_column("Findings", justify="right", no_wrap=True)
        for provider, n in provider_counts(open_).items():
            by_provider.add_row(Text(provider), Text(str(n)))
        console.print(by_provider)

        rules = rule_counts(open_)
        by_rule = table(f"BY RULE ({min(TOP_RULES, len(rules))} of {len(rules)} rules)")
        by_rule.add_column("Severity", no_wrap=True)
        by_rule.add_column("Rule", no_wrap=True)
        by_rule.add_column("Findings", justify="right", no_wrap=True)
        by_rule.add_column("Title", ratio=1, overflow="fold")
        for c in rules[:TOP_RULES]:
            by_rule.add_row(
                Text(c.severity.value.upper(), style=STYLE[c.severity]),
                Text(c.rule_id),
                Text(str(c.count)),
                Text(c.title),
            )
        console.print(by_rule)

        groups = group_by_target(open_)
        top = table(f"TOP IDENTITIES ({min(TOP_IDENTITIES, len(groups))} of {len(groups)})")
        top.add_column("Worst", no_wrap=True)
        top.add_column("Findings", justify="right", no_wrap=True)
        top.add_column("Identity", ratio=2, overflow="fold")
        top.add_column("Kind", ratio=1, overflow="fold")
        top.add_column("Scope", ratio=1, overflow="fold")
        for g in groups[:TOP_IDENTITIES]:
            top.add_row(
                Text(g.worst.value.upper(), style=STYLE[g.worst]),
                Text(str(len(g.findings))),
                Text(g.name),
                Text(kind_label(g.kind)),
                Text(f"{g.provider} {short_scope(result, g.scope)}"),
            )
        console.print(top)

    def _gaps(self, console: Any, result: ScanResult) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        gaps = sorted(result.inventory.gaps, key=lambda c: (c.provider, c.scope, c.source))
        if not gaps:
            return
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

    def _fixed(self, console: Any, all_fixed: Sequence[FindingSummary], options: ReportOptions) -> None:
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

        fixed = fixed_at_or_above(all_fixed, options.min_severity)
        if not fixed:
            return
        level = options.min_severity
        above = f", {len(fixed)} at {level.value} or above" if level else ""
        console.print(Text(f"FIXED SINCE THE BASELINE ({len(all_fixed)}{above})", style="bold green"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        for s in fixed[:MAX_FIXED]:
            target = s.resource_name or s.resource_id or s.fingerprint
            if s.credential_id:
                target += f" / {s.credential_id}"
            line = Text(target)
            if s.title:
                line.append(f": {s.title}", style="dim")
            grid.add_row(Text(s.rule_id or "?"), line)
        console.print(Padding(grid, (0, 0, 0, 2)))
        if len(fixed) > MAX_FIXED:
            console.print(
                Text(f"  ... and {len(fixed) - MAX_FIXED} more (the JSON report lists all of them)")
            )
        console.print()

    def _summary_line(
        self,
        console: Any,
        result: ScanResult,
        open_: Sequence[Finding],
        suppressed: Sequence[Finding],
        shown: Sequence[Finding],
        options: ReportOptions,
    ) -> None:
        from rich.text import Text

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
        if options.min_severity is not None and len(shown) < len(open_):
            console.print(
                Text(
                    f"{len(open_) - len(shown)} open finding(s) below {options.min_severity.value} not shown "
                    "(--severity); the JSON and SARIF reports list all of them."
                )
            )
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
                    f"Scan incomplete: {len(result.inventory.gaps)} coverage gap(s); "
                    "results cover only what could be read.",
                    style="yellow",
                )
            )
