"""Registry of report formats: the one place a ``scan -f`` format is listed.

Each entry names the reporter class by import path (imported only when the format is rendered,
so the CLI's ``-f`` choices cost nothing at start-up), the extension of its files, and whether it
is made for a terminal (rendered with colour and the terminal's width when it goes to one).
Adding a format is a reporter module under :mod:`nhiscan.reporters` plus one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhiscan.reporters.interface import Reporter


@dataclass(frozen=True)
class FormatSpec:
    """One output format."""

    name: str
    """What ``-f`` takes."""
    reporter: str
    """``module:Class`` of its :class:`~nhiscan.reporters.interface.Reporter`."""
    extension: str
    """Usual file extension, with the dot."""
    terminal: bool = False
    """Made for a terminal: coloured, and as wide as the terminal, when written to one."""

    def reporter_class(self) -> type[Reporter]:
        module, _, name = self.reporter.partition(":")
        cls: type[Reporter] = getattr(importlib.import_module(module), name)
        return cls


FORMATS: dict[str, FormatSpec] = {
    f.name: f
    for f in (
        FormatSpec("table", "nhiscan.reporters.table:TableReporter", ".txt", terminal=True),
        FormatSpec("json", "nhiscan.reporters.json:JsonReporter", ".json"),
        FormatSpec("sarif", "nhiscan.reporters.sarif:SarifReporter", ".sarif"),
        FormatSpec("markdown", "nhiscan.reporters.markdown:MarkdownReporter", ".md"),
    )
}


def format_names() -> tuple[str, ...]:
    return tuple(FORMATS)
