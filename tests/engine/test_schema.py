"""Rule field paths and values are checked against the typed fact schema at load time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nhiscan.engine.loader import compile_rule, load_rules, parse_rule
from nhiscan.engine.schema import fields_of, registry
from nhiscan.errors import RuleError
from nhiscan.facts import AgentFacts, GraphFacts

RULE = """\
id: {rid}
title: Test rule
severity: low
provider: {provider}
target: {target}
description: A rule used by the tests only.
remediation: Nothing to do.
params: {{limit: 30}}
fail_when: {{field: {field}, {op}: {value}}}
message: "{message}"
"""


def rule_file(tmp_path: Path, **kw: str) -> Path:
    values = {
        "rid": "ACME-AWS-001",
        "provider": "aws",
        "target": "identity",
        "field": "identity.age_days",
        "op": "gt",
        "value": '"${params.limit}"',
        "message": "{identity.name} is old",
        **kw,
    }
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    path = d / f"{values['rid']}.yaml"
    path.write_text(RULE.format(**values))
    return path


def compile_file(path: Path, overrides: dict[str, object] | None = None) -> None:
    compile_rule(parse_rule(path), path, overrides)


def test_a_good_custom_rule_with_its_own_prefix_loads(tmp_path: Path) -> None:
    path = rule_file(tmp_path)
    rules = load_rules([path.parent])
    assert "ACME-AWS-001" in {r.id for r in rules}


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"field": "identity.knd", "op": "eq", "value": "aws.iam_role"}, "did you mean 'kind'"),
        ({"field": "identity.graph.can_reach_admn", "op": "eq", "value": "true"}, "can_reach_admin"),
        ({"field": "identity.agent.inbound_auth", "op": "eq", "value": "telepathy"}, "inbound_auth"),
        ({"field": "identity.graph.can_reach_admin", "op": "eq", "value": '"yes"'}, "true or false"),
        (
            {"field": "identity.permissions.classes", "op": "contains", "value": "admn"},
            "did you mean 'admin'",
        ),
        ({"field": "identity.managed_by", "op": "eq", "value": "google"}, "customer, provider, third_party"),
        ({"field": "identity.name", "op": "gt", "value": "3"}, "numeric field"),
        ({"field": "identity.tags", "op": "eq", "value": "x"}, None),
        ({"field": "identity.graph", "op": "eq", "value": "x"}, "is an object"),
        ({"field": "identity.graph.path.src", "op": "eq", "value": "x"}, "list"),
        ({"field": "identity.provider", "op": "eq", "value": "awz"}, "one of aws"),
        ({"message": "{identity.agent.platfrom}"}, "did you mean 'platform'"),
        (
            {"target": "credential", "field": "credential.days_until_expiry", "op": "lt", "value": "true"},
            "number",
        ),
        (
            {"target": "edge", "field": "edge.conditonal", "op": "eq", "value": "true"},
            "did you mean 'conditional'",
        ),
    ],
)
def test_bad_paths_and_values_are_errors(tmp_path: Path, kw: dict[str, str], expected: str | None) -> None:
    path = rule_file(tmp_path, **kw)
    if expected is None:  # a tag value is any string: this one is fine
        compile_file(path)
        return
    with pytest.raises(RuleError) as err:
        compile_file(path)
    message = err.value.diagnostics()
    assert str(path) in message and "ACME-AWS-001" in message
    assert expected in message
    assert "\n" not in message


def test_a_mistyped_parameter_override_is_an_error(tmp_path: Path) -> None:
    path = rule_file(tmp_path)
    with pytest.raises(RuleError, match=r"parameter 'limit' must be a number, got '30'"):
        compile_file(path, {"limit": "30"})
    compile_file(path, {"limit": 45})


def test_a_mistyped_parameter_default_is_an_error(tmp_path: Path) -> None:
    path = rule_file(tmp_path)
    path.write_text(path.read_text().replace("{limit: 30}", '{limit: "30"}'))
    with pytest.raises(RuleError, match="gt expects a number"):
        compile_file(path)


def test_a_rule_for_one_provider_may_not_read_another_providers_facts(tmp_path: Path) -> None:
    registered = registry().facts["identity"]
    other = next((p for p in registered if p != "aws"), None)
    if other is None:
        pytest.skip("no provider other than aws registers identity facts yet")
    path = rule_file(tmp_path, field=f"identity.{other}", op="empty", value="false")
    with pytest.raises(RuleError, match=f"reads {other} facts"):
        compile_file(path)


def test_every_builtin_rule_passes_the_schema() -> None:
    assert len(load_rules()) >= 74


def _validate(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", "rules", "validate", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_rules_validate_rejects_the_typo(tmp_path: Path) -> None:
    path = rule_file(tmp_path, field="identity.knd", op="eq", value="aws.iam_role")
    done = _validate(path.parent)
    assert done.returncode == 2
    assert "did you mean 'kind'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_rules_validate_rejects_a_clash_with_a_builtin_id(tmp_path: Path) -> None:
    path = rule_file(tmp_path, rid="NHI-AWS-001")
    done = _validate(path.parent)
    assert done.returncode == 2
    assert "clashes with the built-in rule NHI-AWS-001.yaml" in done.stderr


def test_rules_validate_reserves_the_builtin_prefix(tmp_path: Path) -> None:
    path = rule_file(tmp_path, rid="NHI-AWS-999")
    done = _validate(path.parent)
    assert done.returncode == 2
    assert "your own" in done.stderr


def test_rules_validate_accepts_a_good_custom_rule(tmp_path: Path) -> None:
    path = rule_file(tmp_path)
    done = _validate(path.parent)
    assert done.returncode == 0, done.stderr
    assert "1 rule(s) valid" in done.stdout


@pytest.mark.parametrize("cls", [GraphFacts, AgentFacts])
def test_every_fact_field_has_a_docstring(cls: type) -> None:
    from nhiscan.engine.fact_docs import field_docs

    docs = field_docs(cls)
    missing = [name for name in fields_of(cls) if not docs.get(name)]
    assert not missing, f"{cls.__name__} fields without a docstring: {missing}"


def test_docs_rules_md_is_current() -> None:
    from nhiscan.engine.fact_docs import render

    committed = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert committed.read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run nhiscan rules docs > docs/rules.md"
    )


def test_every_builtin_rule_has_a_heading_in_docs_rules_md() -> None:
    from nhiscan.engine.fact_docs import render

    text = render()
    for rule in load_rules():
        assert f"\n### {rule.id}\n" in text


def test_severity_override_fields_are_checked_but_not_evidence(tmp_path: Path) -> None:
    path = rule_file(tmp_path)
    text = path.read_text().replace(
        'message: "',
        "severity_overrides:\n  - when: {field: identity.permissions.classes, contains: admin}\n    severity: high\n"
        'message: "',
    )
    path.write_text(text)
    rule = compile_rule(parse_rule(path), path)
    assert rule.fields == ("identity.age_days",)
    path.write_text(text.replace("contains: admin", "contains: admn"))
    with pytest.raises(RuleError, match=r"severity_overrides\[0\]\.when"):
        compile_file(path)
