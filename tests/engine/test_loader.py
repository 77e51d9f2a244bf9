from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.engine.loader import compile_rule, load_rules, load_specs, parse_rule
from nhiscan.errors import RuleError

GOOD = """\
id: NHI-TST-001
title: Test rule
severity: low
provider: aws
target: identity
description: A rule used by the tests only.
remediation: Nothing to do.
params: {limit: 3}
fail_when: {field: identity.age_days, gt: "${params.limit}"}
message: "{identity.name} is old"
"""


def write(tmp_path: Path, text: str, name: str = "NHI-TST-001.yaml") -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text)
    return p


def test_good_rule_loads(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    spec = parse_rule(path)
    rule = compile_rule(spec, path, {"limit": 10})
    assert rule.params == {"limit": 10}
    assert rule.fields == ("identity.age_days",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "confidence: high\n", "confidence: unknown field"),
        (GOOD.replace("severity: low", "severity: urgent"), "severity"),
        (GOOD.replace("id: NHI-TST-001", "id: TST-1"), "must look like NHI-AWS-001"),
        (GOOD.replace("provider: aws", "provider: oracle"), "provider 'oracle'"),
        (GOOD.replace("target: identity", "target: bucket"), "target"),
        (GOOD.replace('gt: "${params.limit}"', "approx: 1"), "unknown operator 'approx'"),
        (GOOD.replace("params.limit", "params.nope"), "unknown parameter 'nope'"),
        (GOOD + "  bad: [indent\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_bad_rules_give_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as exc:
        compile_rule(parse_rule(path), path)
    line = exc.value.diagnostics()
    assert str(path) in line and message in line and "\n" not in line


def test_file_name_must_match_id(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "other.yaml")
    with pytest.raises(RuleError, match="file name must match"):
        parse_rule(path)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    sub = tmp_path / "rules" / "sub"
    sub.mkdir()
    (sub / "NHI-TST-001.yaml").write_text(GOOD)
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_specs([tmp_path / "rules"])


def test_overrides_must_name_real_rules_and_params(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="unknown rule id 'NHI-AWS-999'"):
        load_rules(param_overrides={"NHI-AWS-999": {"x": 1}})
    with pytest.raises(RuleError, match="NHI-AWS-001 has no parameter 'max_age'"):
        load_rules(param_overrides={"NHI-AWS-001": {"max_age": 1}})
    with pytest.raises(RuleError, match="no rule has a parameter named 'nonsense'"):
        load_rules(global_params={"nonsense": 1})
    with pytest.raises(RuleError, match="unknown rule id"):
        load_rules(disabled=["NHI-NOPE-001"])


def test_global_params_and_disable() -> None:
    rules = {r.id: r for r in load_rules(global_params={"max_key_age_days": 30}, disabled=["NHI-AWS-003"])}
    assert rules["NHI-AWS-001"].params["max_key_age_days"] == 30
    assert "NHI-AWS-003" not in rules


def test_user_rules_are_added(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    ids = {r.id for r in load_rules(extra_dirs=[tmp_path / "rules"])}
    assert "NHI-TST-001" in ids and "NHI-AWS-001" in ids
