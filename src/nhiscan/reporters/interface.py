"""The reporter contract: a reporter turns a :class:`~nhiscan.findings.ScanResult` into text.

Reporters never open files, print or exit; the CLI decides where the text goes. They never decide
severity or status either: they render what the rule engine produced.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from nhiscan import __version__
from nhiscan.findings import ScanResult, Severity


@dataclass(frozen=True)
class ReportOptions:
    """Rendering switches shared by all reporters; each reporter reads the ones it understands."""

    color: bool = False
    """Terminal colour (table only)."""
    width: int = 120
    """Line width in columns (table only)."""
    sarif_include_suppressed: bool = False
    """Keep suppressed findings in SARIF, marked as suppressed."""
    sarif_category: str | None = None
    """Written as ``run.automationDetails.id = "<category>/"``; None leaves it to upload-sarif's
    ``category:`` input, which is only applied when automationDetails is absent."""
    tool_version: str = __version__
    """The nhiscan version the report names."""
    min_severity: Severity | None = None
    """Human views (table, Markdown) list only findings at or above it; their counts still cover
    every finding. JSON and SARIF ignore it: machine formats are always complete."""
    summary_only: bool = False
    """Human views show counts only (by severity, provider, rule, top identities), no finding
    lines. JSON and SARIF ignore it."""


class Reporter(ABC):
    """Renders a scan result in one output format."""

    @abstractmethod
    def render(self, result: ScanResult, options: ReportOptions) -> str:
        """Return the whole report as a string (ending with a newline).

        Must not raise for any well-formed ``ScanResult``, including one with no findings, no
        identities or no rules; must not perform I/O.
        """
