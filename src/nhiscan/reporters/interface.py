"""The reporter contract: a reporter turns a :class:`~nhiscan.findings.ScanResult` into text.

Reporters never open files, print or exit; the CLI decides where the text goes. They never decide
severity or status either: they render what the rule engine produced.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from nhiscan import __version__
from nhiscan.findings import ScanResult


@dataclass(frozen=True)
class ReportOptions:
    """Rendering switches shared by all reporters; each reporter reads the ones it understands."""

    color: bool = False
    width: int = 120
    sarif_include_suppressed: bool = False
    # Written as ``run.automationDetails.id = "<category>/"``; None leaves it to upload-sarif's
    # ``category:`` input, which is only applied when automationDetails is absent.
    sarif_category: str | None = None
    tool_version: str = __version__


class Reporter(ABC):
    """Renders a scan result in one output format."""

    @abstractmethod
    def render(self, result: ScanResult, options: ReportOptions) -> str:
        """Return the whole report as a string (ending with a newline).

        Must not raise for any well-formed ``ScanResult``, including one with no findings, no
        identities or no rules; must not perform I/O.
        """
