"""Report writers: table (rich, for terminals), JSON (the source of truth, with a published
schema), SARIF 2.1.0 (for GitHub code scanning) and Markdown (step summaries, PR comments).

``REPORTERS`` maps each :class:`OutputFormat` to its reporter class; :func:`get_reporter` returns
an instance. Importing this package does not import rich (only ``table.render`` does).
"""

from __future__ import annotations

from enum import Enum

from nhiscan.reporters.interface import Reporter, ReportOptions
from nhiscan.reporters.json import JsonReporter
from nhiscan.reporters.markdown import MarkdownReporter
from nhiscan.reporters.sarif import SarifReporter
from nhiscan.reporters.table import TableReporter


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"


REPORTERS: dict[OutputFormat, type[Reporter]] = {
    OutputFormat.TABLE: TableReporter,
    OutputFormat.JSON: JsonReporter,
    OutputFormat.SARIF: SarifReporter,
    OutputFormat.MARKDOWN: MarkdownReporter,
}


def get_reporter(fmt: OutputFormat | str) -> Reporter:
    """Instantiate the reporter for ``fmt`` (an OutputFormat or its string value).

    Raises ValueError for an unknown format name; the CLI restricts choices to OutputFormat.
    """
    return REPORTERS[OutputFormat(fmt)]()


__all__ = [
    "REPORTERS",
    "JsonReporter",
    "MarkdownReporter",
    "OutputFormat",
    "ReportOptions",
    "Reporter",
    "SarifReporter",
    "TableReporter",
    "get_reporter",
]
