"""Every rule has a golden folder (tests/rules/<RULE-ID>/) with an inventory and the targets the
rule must and must not flag; every folder belongs to a rule."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from nhiscan.engine import evaluate, load_rules
from nhiscan.engine.loader import builtin_rules_dir, compile_rule, load_specs
from nhiscan.inventory_io import load_inventory
from nhiscan.scan import analyse

GOLDEN = Path(__file__).parent / "rules"
SPECS = {spec.id: (spec, path) for spec, path in load_specs([builtin_rules_dir()])}
FOLDERS = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) if GOLDEN.is_dir() else []


def test_every_rule_has_a_golden_folder() -> None:
    assert SPECS, "no rules found"
    missing = sorted(set(SPECS) - set(FOLDERS))
    assert not missing, f"rules without tests/rules/<id>/: {missing}"


def test_every_golden_folder_has_a_rule() -> None:
    orphans = sorted(set(FOLDERS) - set(SPECS))
    assert not orphans, f"golden folders without a rule: {orphans}"


def test_rule_files_live_under_their_provider() -> None:
    for spec, path in SPECS.values():
        assert path.parent.name == spec.provider or spec.provider == "any", path


@pytest.mark.parametrize("rule_id", FOLDERS)
def test_golden(rule_id: str) -> None:
    folder = GOLDEN / rule_id
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    fail, passing = set(expected.get("fail") or []), set(expected.get("pass") or [])
    assert fail, "a golden needs at least one target that fails"
    assert passing, "a golden needs at least one target that passes"
    spec, path = SPECS[rule_id]
    rule = compile_rule(spec, path, expected.get("params") or {})
    inventory = load_inventory(folder / "inventory.json")
    as_of = datetime.fromisoformat(str(expected["as_of"]).replace("Z", "+00:00"))
    findings = evaluate(inventory, [rule], as_of, analyse(inventory))
    flagged = {f.target_id for f in findings}
    assert fail <= flagged, f"not flagged: {sorted(fail - flagged)}"
    assert not (passing & flagged), f"flagged but should pass: {sorted(passing & flagged)}"
    for f in findings:
        assert "{" not in f.message, f"unrendered template in message: {f.message}"


def test_load_rules_compiles_every_builtin_rule() -> None:
    rules = load_rules()
    assert {r.id for r in rules} == set(SPECS)
