"""Markdown: counts, baseline delta, gaps always visible, escaping, truncation."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.findings import ScanResult
from nhiscan.reporters import MarkdownReporter, ReportOptions
from nhiscan.reporters.markdown import MAX_FINDINGS, cell

OPTS = ReportOptions(tool_version="0.1.0")


def render(result: ScanResult) -> str:
    return MarkdownReporter().render(result, OPTS)


def test_counts_and_baseline(result: ScanResult) -> None:
    md = render(result)
    assert md.startswith("## nhiscan report\n")
    assert "| critical | 1 | 0 |" in md
    assert "| low | 0 | 1 |" in md
    assert "| **total** | **3** | **1** |" in md
    assert "| New | Unchanged | Fixed |" in md
    assert "| 2 | 1 | 1 |" in md
    assert "scan **incomplete**" in md


def test_no_baseline_table_without_baseline(clean_result: ScanResult) -> None:
    md = render(clean_result)
    assert "Unchanged" not in md
    assert "No findings." in md
    assert "None: every source that was tried could be read." in md


def test_gaps_and_skipped_providers_visible(result: ScanResult) -> None:
    md = render(result)
    gaps = md.split("### Coverage gaps", 1)[1].split("### Findings", 1)[0]
    assert (
        "| gcp | my-proj | iam.serviceAccounts.keys.list | denied | 403 PERMISSION_DENIED \\| caller lacks"
        in gaps
    )
    assert "Skipped provider **azure**: no credentials found" in gaps


def test_findings_table_escaping_and_path(result: ScanResult) -> None:
    md = render(result)
    findings = md.split("### Findings", 1)[1]
    rows = [line for line in findings.splitlines() if line.startswith("| ") and "NHI-" in line]
    assert [r.split("|")[2].strip() for r in rows] == ["`NHI-AWS-010`", "`NHI-K8S-002`", "`NHI-AWS-001`"]
    # The baseline was used, so new findings are marked.
    assert [r.split("|")[3].strip() for r in rows] == ["**new**", "**new**", ""]
    assert "| builder (service account) |" in rows[0]
    # Suppressed findings are counted, not listed.
    assert "NHI-GCP-003" not in md
    crit, high, _ = rows
    assert "builder can become an administrator in 2 hops.<br>Path: builder -> deployer -> OrgAdmin" in crit
    assert "builder \\| bound to cluster-admin<br>via ClusterRoleBinding ci-admin &lt;script>" in high
    # Every row keeps exactly 5 cells: escaped pipes do not split it.
    for row in rows:
        assert len(row.replace("\\|", "").split("|")) == 7


def test_cell_escaping() -> None:
    assert cell("a|b\r\nc\nd") == "a\\|b<br>c<br>d"
    assert cell("<img src=x>") == "&lt;img src=x>"
    assert cell("ping @org/security") == "ping &#64;org/security"
    assert cell("back\\slash `code`") == "back\\\\slash \\`code\\`"


def test_truncation_note(result: ScanResult) -> None:
    base = result.findings[2]
    many = tuple(
        replace(base, resource_id=f"sa-{i:03}", resource_name=f"sa-{i:03}") for i in range(MAX_FINDINGS + 7)
    )
    md = render(replace(result, findings=many))
    rows = [line for line in md.splitlines() if line.startswith("| high | `NHI-K8S-002`")]
    assert len(rows) == MAX_FINDINGS
    assert f"Showing the {MAX_FINDINGS} most severe of {MAX_FINDINGS + 7} open findings" in md


def test_top_findings_are_the_most_severe(result: ScanResult) -> None:
    lows = tuple(
        replace(result.findings[0], resource_id=f"u{i}", severity=result.findings[3].severity)
        for i in range(MAX_FINDINGS)
    )
    md = render(replace(result, findings=(*lows, result.findings[1])))
    assert "| critical | `NHI-AWS-010`" in md


def test_empty(empty_result: ScanResult) -> None:
    md = render(empty_result)
    assert "No findings." in md
    assert "Scanned 0 identities (none)" in md
    assert "### Coverage gaps" in md
