"""A reporter registered only by tests, to show a format is one registry line."""

from __future__ import annotations

from nhiscan.findings import ScanResult
from nhiscan.reporters.interface import Reporter, ReportOptions


class CountReporter(Reporter):
    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return f"{len(result.findings)} findings\n"
