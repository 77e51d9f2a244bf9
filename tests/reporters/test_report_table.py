"""Terminal table: grouping, paths, gaps, summary, colour switch, literal text."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.findings import ScanResult
from nhiscan.reporters import ReportOptions, TableReporter


def render(result: ScanResult, **opts: object) -> str:
    return TableReporter().render(result, ReportOptions(tool_version="0.1.0", **opts))  # type: ignore[arg-type]


def test_grouped_most_severe_first(result: ScanResult) -> None:
    out = render(result)
    positions = [out.index(s) for s in ("CRITICAL", "HIGH", "MEDIUM")]
    assert positions == sorted(positions)
    assert out.index("NHI-AWS-010") < out.index("NHI-K8S-002") < out.index("NHI-AWS-001")
    # One header per identity, its findings below it.
    assert out.count("builder  service account · k8s · prod-eu") == 1


def test_path_rendered(result: ScanResult) -> None:
    out = render(result, width=200)
    assert "path: builder -> deployer -> OrgAdmin" in out


def test_suppressed_gaps_and_summary(result: ScanResult) -> None:
    out = render(result, width=200)
    assert "SUPPRESSED (1)" in out
    assert "suppressed: Vaulted key, tracked in SEC-123" in out
    gaps = out.split("COVERAGE GAPS (1)", 1)[1]
    assert "iam.serviceAccounts.keys.list" in gaps and "denied" in gaps
    assert (
        "Summary: 1 critical, 1 high, 1 medium, 0 low, 0 info; 3 open, 1 suppressed; 2 new, 1 unchanged, 1 fixed"
        in out
    )
    assert "Skipped providers: azure (no credentials found (AZURE_CLIENT_ID unset, az login absent))" in out
    assert "Scan incomplete: 1 coverage gap(s)" in out


def test_no_findings_still_shows_gaps(result: ScanResult) -> None:
    out = render(replace(result, findings=(), fixed=()))
    assert "No findings." in out
    assert "COVERAGE GAPS (1)" in out
    assert "FINDINGS" not in out


def test_clean_and_empty(clean_result: ScanResult, empty_result: ScanResult) -> None:
    clean = render(clean_result)
    assert "No findings." in clean and "COVERAGE GAPS" not in clean and "incomplete" not in clean
    empty = render(empty_result)
    assert "No findings." in empty
    assert "0 identities; providers: none" in empty


def test_colour_switch_and_width(result: ScanResult) -> None:
    plain = render(result, width=80)
    assert "\x1b[" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 80
    assert all(line == line.rstrip() for line in plain.splitlines())
    coloured = render(result, color=True)
    assert "\x1b[" in coloured


def test_inventory_text_is_not_markup(result: ScanResult) -> None:
    f = replace(
        result.findings[0], resource_name="[bold red]evil[/]", message="see [link=http://x]here[/link]"
    )
    out = render(replace(result, findings=(f,)), color=True, width=200)
    assert "[bold red]evil[/]" in out
    assert "[link=http://x]here[/link]" in out
