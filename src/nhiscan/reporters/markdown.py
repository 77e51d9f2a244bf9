"""Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments (GitHub-flavoured tables).

Coverage gaps are always shown, because a clean report from a scan that could not read half the
estate must not look like a clean estate. With a baseline, new findings are marked and the fixed
ones are listed by rule and identity. ``ReportOptions.min_severity`` and ``summary_only`` shape
what is listed, as in the table; the counts always cover every finding. Messages are shown in the
reader's words (:mod:`nhiscan.reporters.humanize`); every cell is escaped with :func:`cell`.
"""

from __future__ import annotations

import re

from nhiscan.findings import Finding, ScanResult
from nhiscan.reporters._common import (
    SEVERITIES_DESC,
    at_or_above,
    baseline_counts,
    baseline_used,
    fixed_at_or_above,
    group_by_target,
    identity_label,
    identity_names,
    open_findings,
    path_text,
    provider_counts,
    rule_counts,
    scope_label,
    severity_counts,
    suppressed_findings,
)
from nhiscan.reporters.humanize import humanize, kind_label, vocabulary
from nhiscan.reporters.interface import Reporter, ReportOptions

MAX_FINDINGS = 50
MAX_FIXED = 50
TOP_RULES = 20
TOP_IDENTITIES = 10


def cell(text: str) -> str:
    """Make arbitrary text safe inside a GFM table cell.

    '|' would end the cell and a newline the row; '<' could open HTML (GitHub renders some of
    it); '@' would mention a user or team when the report is posted as a PR comment.
    """
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("@", "&#64;")
    text = text.replace("`", "\\`")
    return re.sub(r"\r\n|\r|\n", "<br>", text).strip()


def _code(text: str) -> str:
    # Rule ids are plain tokens, but keep the cell intact even if a custom rule id is not.
    return f"`{text}`" if re.fullmatch(r"[A-Za-z0-9_.\-]+", text) else cell(text)


class MarkdownReporter(Reporter):
    """Title, counts, baseline delta, coverage gaps, then the most severe findings."""

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        lines: list[str] = []
        open_ = open_findings(result)
        suppressed = suppressed_findings(result)

        lines.append("## nhiscan report")
        lines.append("")
        providers = ", ".join(result.providers) or "none"
        status = "complete" if result.complete else "**incomplete** (see coverage gaps)"
        lines.append(
            f"Scanned {len(result.inventory.identities)} identities ({cell(providers)}), "
            f"as of {result.as_of.strftime('%Y-%m-%d %H:%M UTC')}; scan {status}."
        )
        lines.append("")

        open_counts = severity_counts(open_)
        supp_counts = severity_counts(suppressed)
        lines += ["| Severity | Open | Suppressed |", "|---|---:|---:|"]
        for sev in SEVERITIES_DESC:
            lines.append(f"| {sev.value} | {open_counts[sev.value]} | {supp_counts[sev.value]} |")
        lines.append(f"| **total** | **{len(open_)}** | **{len(suppressed)}** |")
        lines.append("")

        if baseline_used(result):
            b = baseline_counts(result)
            lines += [
                "| New | Unchanged | Fixed |",
                "|---:|---:|---:|",
                f"| {b['new']} | {b['unchanged']} | {b['fixed']} |",
                "",
            ]

        lines.append("### Coverage gaps")
        lines.append("")
        gaps = sorted(result.inventory.gaps, key=lambda c: (c.provider, c.scope, c.source))
        if gaps:
            lines += ["| Provider | Scope | Source | Status | Detail |", "|---|---|---|---|---|"]
            for g in gaps:
                lines.append(
                    f"| {cell(g.provider)} | {cell(scope_label(result, g.scope))} | {cell(g.source)} "
                    f"| {cell(g.status)} | {cell(g.detail)} |"
                )
        else:
            lines.append("None: every source that was tried could be read.")
        if result.skipped_providers:
            lines.append("")
            for provider in sorted(result.skipped_providers):
                lines.append(
                    f"- Skipped provider **{cell(provider)}**: {cell(result.skipped_providers[provider])}"
                )
        lines.append("")

        if baseline_used(result) and result.fixed and not options.summary_only:
            lines += self._fixed(result, options)
        if options.summary_only:
            lines += self._summary(result, at_or_above(open_, options.min_severity), options)
        else:
            lines += self._findings(result, open_, suppressed, options)
        return "\n".join(lines) + "\n"

    def _findings(
        self, result: ScanResult, open_: list[Finding], suppressed: list[Finding], options: ReportOptions
    ) -> list[str]:
        lines = ["### Findings", ""]
        level = options.min_severity
        above = f" at {level.value} or above" if level else ""
        shown_open = at_or_above(open_, level)
        if not shown_open:
            if not open_:
                lines.append(
                    "No findings." if not suppressed else f"No open findings ({len(suppressed)} suppressed)."
                )
            else:
                lines.append(f"No open findings{above} ({len(open_)} below it).")
            return lines
        vocab = vocabulary(result.inventory)
        names = {**vocab.words, **identity_names(result.inventory)}
        marks = baseline_used(result)
        shown = shown_open[:MAX_FINDINGS]
        if marks:
            lines += ["| Severity | Rule | New | Identity | Message |", "|---|---|---|---|---|"]
        else:
            lines += ["| Severity | Rule | Identity | Message |", "|---|---|---|---|"]
        for f in shown:
            message = humanize(f.message or f.title, vocab)
            path = path_text(f, names)
            if path:
                message += f"\nPath: {path}"
            new = (" **new** |" if f.baseline == "new" else " |") if marks else ""
            lines.append(
                f"| {f.severity.value} | {_code(f.rule_id)} |{new} {cell(identity_label(f, kind_label(f.resource_kind)))} | {cell(message)} |"
            )
        if len(shown_open) > len(shown) or len(shown_open) < len(open_):
            lines.append("")
            lines.append(
                f"_Showing the {len(shown)} most severe of {len(open_)} open findings{above}; "
                "the JSON and SARIF reports list all of them._"
                if len(shown_open) == len(open_)
                else f"_Showing {len(shown)} of {len(open_)} open findings ({len(shown_open)}{above}); "
                "the JSON and SARIF reports list all of them._"
            )
        return lines

    def _fixed(self, result: ScanResult, options: ReportOptions) -> list[str]:
        fixed = fixed_at_or_above(result.fixed, options.min_severity)
        if not fixed:
            return []
        above = f", {len(fixed)} at {options.min_severity.value} or above" if options.min_severity else ""
        lines = [f"### Fixed since the baseline ({len(result.fixed)}{above})", ""]
        lines += ["| Rule | Identity | Title |", "|---|---|---|"]
        for s in fixed[:MAX_FIXED]:
            target = s.resource_name or s.resource_id or s.fingerprint
            if s.resource_kind:
                target += f" ({kind_label(s.resource_kind)})"
            if s.credential_id:
                target += f" / {s.credential_id}"
            lines.append(f"| {_code(s.rule_id or '?')} | {cell(target)} | {cell(s.title)} |")
        if len(fixed) > MAX_FIXED:
            lines += ["", f"_{len(fixed) - MAX_FIXED} more in the JSON report (`fixed_findings`)._"]
        lines.append("")
        return lines

    def _summary(self, result: ScanResult, open_: list[Finding], options: ReportOptions) -> list[str]:
        above = f" at {options.min_severity.value} or above" if options.min_severity else ""
        lines = ["### Findings by provider", ""]
        if not open_:
            return lines[:1] + ["", f"No open findings{above}."]
        lines += ["| Provider | Findings |", "|---|---:|"]
        lines += [f"| {cell(p)} | {n} |" for p, n in provider_counts(open_).items()]
        rules = rule_counts(open_)
        lines += ["", f"### Findings by rule ({min(TOP_RULES, len(rules))} of {len(rules)} rules{above})", ""]
        lines += ["| Severity | Rule | Findings | Title |", "|---|---|---:|---|"]
        lines += [
            f"| {c.severity.value} | {_code(c.rule_id)} | {c.count} | {cell(c.title)} |"
            for c in rules[:TOP_RULES]
        ]
        groups = group_by_target(open_)
        lines += ["", f"### Top identities ({min(TOP_IDENTITIES, len(groups))} of {len(groups)})", ""]
        lines += ["| Worst | Findings | Identity | Kind | Scope |", "|---|---:|---|---|---|"]
        for g in groups[:TOP_IDENTITIES]:
            lines.append(
                f"| {g.worst.value} | {len(g.findings)} | {cell(g.name)} | {cell(kind_label(g.kind))} "
                f"| {cell(g.provider + ' ' + scope_label(result, g.scope))} |"
            )
        return lines
