"""Report writers: table (rich, for terminals), JSON (the source of truth, with a published
schema), SARIF 2.1.0 (for GitHub code scanning) and Markdown (step summaries, PR comments).

The formats are registered in :mod:`nhiscan.formats`; ``REPORTERS`` maps each name to its reporter
class and :func:`get_reporter` returns an instance. Importing this package does not import rich (only ``table.render`` does).
"""

from __future__ import annotations

from nhiscan.formats import FORMATS
from nhiscan.reporters.interface import Reporter, ReportOptions
from nhiscan.reporters.json import JsonReporter
from nhiscan.reporters.markdown import MarkdownReporter
from nhiscan.reporters.sarif import SarifReporter
from nhiscan.reporters.table import TableReporter

REPORTERS: dict[str, type[Reporter]] = {name: spec.reporter_class() for name, spec in FORMATS.items()}
"""Format name -> reporter class, for every format in :data:`nhiscan.formats.FORMATS`."""


def get_reporter(fmt: str) -> Reporter:
    """Instantiate the reporter for the format named ``fmt``.

    Raises ValueError for an unknown format name; the CLI checks names against the registry.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    return FORMATS[fmt].reporter_class()()


__all__ = [
    "REPORTERS",
    "JsonReporter",
    "MarkdownReporter",
    "ReportOptions",
    "Reporter",
    "SarifReporter",
    "TableReporter",
    "get_reporter",
]
