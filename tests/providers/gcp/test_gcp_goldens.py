"""The committed GCP golden folders are exactly what the GCP importer produces today."""

from __future__ import annotations

import pytest

from providers.gcp.gcp_goldens import EXPECTED, REPO, rendered

RENDERED = rendered()


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_golden_folder_is_current(rule_id: str) -> None:
    folder = REPO / "tests" / "rules" / rule_id
    for name, content in RENDERED[rule_id].items():
        path = folder / name
        assert path.is_file(), f"{path} missing; run tests/providers/gcp/gcp_goldens.py"
        assert path.read_text(encoding="utf-8") == content, (
            f"{path} is stale; run tests/providers/gcp/gcp_goldens.py"
        )


def test_every_gcp_rule_has_expectations() -> None:
    rules = {p.stem for p in (REPO / "rules" / "gcp").glob("*.yaml")}
    assert rules == set(EXPECTED)
