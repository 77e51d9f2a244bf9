"""The registry covers every output format, and every reporter handles every kind of result."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from nhiscan.findings import ScanResult
from nhiscan.formats import FORMATS
from nhiscan.model import Credential
from nhiscan.reporters import REPORTERS, Reporter, ReportOptions, get_reporter

CANARY = "CANARY-SECRET-7f3a9c1e"


def test_every_format_has_a_reporter() -> None:
    assert list(REPORTERS) == list(FORMATS) == ["table", "json", "sarif", "markdown"]
    for fmt in FORMATS:
        assert isinstance(get_reporter(fmt), REPORTERS[fmt])
        assert isinstance(get_reporter(fmt), Reporter)
    with pytest.raises(ValueError):
        get_reporter("xml")
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)
    assert [f.name for f in FORMATS.values() if f.terminal] == ["table"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_reporter_renders_every_result(
    fmt: str, result: ScanResult, empty_result: ScanResult, clean_result: ScanResult
) -> None:
    reporter = get_reporter(fmt)
    for r in (result, empty_result, clean_result):
        out = reporter.render(r, ReportOptions())
        assert out.endswith("\n") and out.strip()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_inventory_secret_material_in_output(fmt: str, result: ScanResult) -> None:
    # Reporters render findings and a compact identity list; they must not dump raw attributes,
    # credential locations or fingerprints, where a collector's bug could have left a value.
    inv = result.inventory
    ident = replace(inv.identities[0], attributes={"aliases": [], "token": CANARY}, tags={"k": CANARY})
    cred = Credential(
        id="key-1",
        identity_id=ident.id,
        kind="mcp.static_token",
        location=f"env {CANARY}",
        fingerprint=CANARY,
    )
    poisoned = replace(
        result, inventory=replace(inv, identities=(ident, *inv.identities[1:]), credentials=(cred,))
    )
    out = get_reporter(fmt).render(poisoned, ReportOptions(sarif_include_suppressed=True))
    assert CANARY not in out


def test_importing_reporters_does_not_import_rich() -> None:
    code = "import sys, nhiscan.reporters; assert 'rich' not in sys.modules, 'rich imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_options_are_frozen() -> None:
    opts = ReportOptions()
    with pytest.raises(AttributeError):
        opts.color = True  # type: ignore[misc]
    assert opts.width == 120 and not opts.sarif_include_suppressed and opts.sarif_category is None
