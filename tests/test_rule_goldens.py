"""Every rule has a golden file, tests/rules/<RULE-ID>.yaml, naming estates of exported files
(tests/rules/estates.yaml), the time to evaluate them at, and the exact target ids the rule must
flag (``fail``) and must not flag (``pass``). The estates are imported with the real importers and
scanned with the CLI's pipeline, so a golden proves that the provider computes the facts the rule
reads, not only that the rule reads them.

A golden file::

    estates: [aws]                      # names from tests/rules/estates.yaml
    as_of: 2026-11-01T00:00:00Z
    params: {max_key_age_days: 30}      # optional rule parameter overrides
    fail:
      - arn:aws:iam::210987654321:user/ci-deployer#access_key_1
      - {target: <id>, xfail: <why the importer cannot produce this case yet>}
    pass:
      - arn:aws:iam::210987654321:user/reporting-bot#access_key_1

A rule with ``provider: any`` must list estates that together cover every provider. Every target
must exist in the estates (a renamed id fails loudly instead of passing silently). MCP ids are
written ``mcp://<repo>/...``: their repository part depends on where the checkout lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from golden_estates import Estates, estate_folders, scan, stable_id, targets
from nhiscan import providers
from nhiscan.engine import load_rules
from nhiscan.engine.loader import builtin_rules_dir, compile_rule, load_specs
from nhiscan.timeutil import parse_time

GOLDEN = Path(__file__).parent / "rules"
SPECS = {spec.id: (spec, path) for spec, path in load_specs([builtin_rules_dir()])}
FILES = sorted(p.stem for p in GOLDEN.glob("NHI-*.yaml"))
KEYS = {"estates", "as_of", "params", "fail", "pass"}


@dataclass(frozen=True)
class Golden:
    """One rule's golden file, checked."""

    estates: tuple[str, ...]
    """Estate names from tests/rules/estates.yaml."""
    as_of: datetime
    """The time the scan evaluates ages at (``--as-of``)."""
    params: dict[str, Any]
    """Rule parameter overrides."""
    fail: dict[str, str | None]
    """Target id -> xfail reason (None: must be flagged now)."""
    passing: dict[str, str | None]
    """Target id -> xfail reason (None: must not be flagged now)."""


def _targets(items: Any, where: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items or []:
        if isinstance(item, str):
            out[item] = None
        elif isinstance(item, dict) and set(item) == {"target", "xfail"} and item["xfail"]:
            out[str(item["target"])] = str(item["xfail"])
        else:
            raise AssertionError(f"{where}: a target is an id or {{target: ID, xfail: REASON}}: {item!r}")
    return out


def read_golden(path: Path) -> Golden:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: expected a mapping"
    assert not set(data) - KEYS, f"{path}: unknown keys {sorted(set(data) - KEYS)}"
    as_of = parse_time(str(data.get("as_of")))
    assert as_of is not None, f"{path}: as_of must be an ISO 8601 time"
    estates = tuple(data.get("estates") or ())
    assert estates, f"{path}: name at least one estate"
    return Golden(
        estates=estates,
        as_of=as_of,
        params=dict(data.get("params") or {}),
        fail=_targets(data.get("fail"), f"{path} fail"),
        passing=_targets(data.get("pass"), f"{path} pass"),
    )


def test_every_rule_has_a_golden_file() -> None:
    assert SPECS, "no rules found"
    missing = sorted(set(SPECS) - set(FILES))
    assert not missing, f"rules without tests/rules/<id>.yaml: {missing}"


def test_every_golden_file_has_a_rule() -> None:
    orphans = sorted(set(FILES) - set(SPECS))
    assert not orphans, f"golden files without a rule: {orphans}"


def test_rule_files_live_under_their_provider() -> None:
    for spec, path in SPECS.values():
        assert path.parent.name == spec.provider or spec.provider == "any", path


def test_every_estate_folder_is_named_and_used() -> None:
    folders = estate_folders()
    for name, paths in folders.items():
        for p in paths:
            assert p.is_dir(), f"estate {name}: no folder {p}"
    deltas = {p.resolve() for p in (GOLDEN / "estates").iterdir() if p.is_dir()}
    named = {p.resolve() for paths in folders.values() for p in paths}
    assert not deltas - named, f"delta folders no estate names: {sorted(map(str, deltas - named))}"
    used = {e for rid in FILES for e in read_golden(GOLDEN / f"{rid}.yaml").estates}
    assert not set(folders) - used, f"estates no golden uses: {sorted(set(folders) - used)}"


@pytest.mark.parametrize("rule_id", FILES)
def test_golden(rule_id: str, estates: Estates) -> None:
    golden = read_golden(GOLDEN / f"{rule_id}.yaml")
    assert golden.fail, "a golden needs at least one target that fails"
    assert golden.passing, "a golden needs at least one target that passes"
    spec, path = SPECS[rule_id]
    rule = compile_rule(spec, path, golden.params)
    flagged: set[str] = set()
    seen: set[str] = set()
    covered: set[str] = set()
    for name in golden.estates:
        inventory = estates.get(name, golden.as_of)
        covered |= set(inventory.providers)
        seen |= targets(inventory, spec.target.value)
        for f in scan(inventory, [rule], golden.as_of):
            assert "{" not in f.message, f"unrendered template in message: {f.message}"
            flagged.add(stable_id(inventory, f.target_id))
    wanted = set(providers.available()) if spec.provider == "any" else {spec.provider}
    assert wanted <= covered, f"the estates do not cover provider(s) {sorted(wanted - covered)}"
    unknown = sorted((set(golden.fail) | set(golden.passing)) - seen)
    assert not unknown, f"no such {spec.target.value} target in the estates: {unknown}"
    wrong: list[str] = []
    expected: list[str] = []
    for ids, should_flag in ((golden.fail, True), (golden.passing, False)):
        for target, xfail in ids.items():
            ok = (target in flagged) == should_flag
            verb = "not flagged" if should_flag else "flagged but should pass"
            if xfail is None and not ok:
                wrong.append(f"{verb}: {target}")
            elif xfail is not None and ok:
                wrong.append(f"marked xfail but behaves as expected now, remove the xfail: {target}")
            elif xfail is not None:
                expected.append(f"{target}: {xfail}")
    assert not wrong, "\n".join(wrong)
    if expected:
        pytest.xfail("; ".join(expected))


def test_load_rules_compiles_every_builtin_rule() -> None:
    rules = load_rules()
    assert {r.id for r in rules} == set(SPECS)
