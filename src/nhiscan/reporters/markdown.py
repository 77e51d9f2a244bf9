"""Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments (GitHub-flavoured tables).

Coverage gaps are always shown, because a clean report from a scan that could not read half the
estate must not look like a clean estate.
"""

from __future__ import annotations

import re

from nhiscan.findings import ScanResult
from nhiscan.reporters._common import (
    SEVERITIES_DESC,
    baseline_counts,
    baseline_used,
    identity_label,
    identity_names,
    open_findings,
    path_text,
    scope_label,
    severity_counts,
    suppressed_findings,
)
from nhiscan.reporters.interface import Reporter, ReportOptions

MAX_FINDINGS = 50


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
        names = identity_names(result.inventory)

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

        lines.append("### Findings")
        lines.append("")
        if not open_:
            lines.append(
                "No findings." if not suppressed else f"No open findings ({len(suppressed)} suppressed)."
            )
        else:
            shown = open_[:MAX_FINDINGS]
            lines += ["| Severity | Rule | Identity | Message |", "|---|---|---|---|"]
            for f in shown:
                message = f.message or f.title
                path = path_text(f, names)
                if path:
                    message += f"\nPath: {path}"
                lines.append(
                    f"| {f.severity.value} | {_code(f.rule_id)} | {cell(identity_label(f))} | {cell(message)} |"
                )
            if len(open_) > len(shown):
                lines.append("")
                lines.append(
                    f"_Showing the {len(shown)} most severe of {len(open_)} open findings; "
                    "the JSON and SARIF reports list all of them._"
                )
        return "\n".join(lines) + "\n"
