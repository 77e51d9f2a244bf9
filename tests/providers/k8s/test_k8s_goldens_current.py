"""The committed rule goldens are what the current importer produces from their inputs."""

from __future__ import annotations

import pytest

from providers.k8s.k8s_goldens import GOLDEN_DIR, GOLDENS, render


@pytest.mark.parametrize("rule_id", sorted(GOLDENS))
def test_golden_inventory_is_current(rule_id: str) -> None:
    inventory, expected = render(rule_id)
    folder = GOLDEN_DIR / rule_id
    assert (folder / "inventory.json").read_text() == inventory, (
        f"regenerate: python {__file__.replace('test_k8s_goldens_current', 'k8s_goldens')}"
    )
    assert (folder / "expected.yaml").read_text() == expected
