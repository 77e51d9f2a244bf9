from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from nhiscan.engine.conditions import OPERATORS, ConditionError, compile_condition, resolve


def ok(
    cond: dict[str, Any], ctx: dict[str, Any], params: dict[str, Any] | None = None, target: str = "identity"
) -> bool:
    return compile_condition(cond, params or {}, target)(ctx)


IDENT = {
    "identity": {
        "kind": "aws.iam_role",
        "age_days": 100,
        "last_used": None,
        "tags": {"Owner": "x", "empty": ""},
        "permissions": {"classes": ["admin", "wildcard"]},
        "attributes": {"trust": {"external_accounts": ["1", "2"]}},
    }
}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"field": "identity.kind", "eq": "aws.iam_role"}, True),
        ({"field": "identity.kind", "ne": "aws.iam_role"}, False),
        ({"field": "identity.age_days", "gt": 99}, True),
        ({"field": "identity.age_days", "gt": 100}, False),
        ({"field": "identity.age_days", "gte": 100}, True),
        ({"field": "identity.age_days", "lt": 101}, True),
        ({"field": "identity.age_days", "lte": 99}, False),
        ({"field": "identity.last_used", "gt": 1}, False),  # missing never compares
        ({"field": "identity.last_used", "eq": None}, True),
        ({"field": "identity.kind", "in": ["aws.iam_user", "aws.iam_role"]}, True),
        ({"field": "identity.kind", "not_in": ["aws.iam_role"]}, False),
        ({"field": "identity.permissions.classes", "contains": "admin"}, True),
        ({"field": "identity.permissions.classes", "not_contains": "admin"}, False),
        ({"field": "identity.permissions.classes", "any_in": ["x", "wildcard"]}, True),
        ({"field": "identity.permissions.classes", "any_in": ["x"]}, False),
        ({"field": "identity.attributes.trust.external_accounts", "not_all_in": ["1", "2"]}, False),
        ({"field": "identity.attributes.trust.external_accounts", "not_all_in": ["1"]}, True),
        ({"field": "identity.kind", "matches": "^aws\\.iam_"}, True),
        ({"field": "identity.kind", "glob": "aws.*"}, True),
        ({"field": "identity.kind", "glob": "gcp.*"}, False),
        ({"field": "identity.tags", "has_any_key": ["owner"]}, True),  # case-insensitive
        ({"field": "identity.tags", "has_any_key": ["empty"]}, False),  # empty values do not count
        ({"field": "identity.last_used", "empty": True}, True),
        ({"field": "identity.tags", "empty": False}, True),
        ({"field": "identity.nope.deeper", "eq": None}, True),
        ({"all": [{"field": "identity.age_days", "gt": 1}, {"field": "identity.kind", "eq": "x"}]}, False),
        ({"any": [{"field": "identity.age_days", "gt": 1}, {"field": "identity.kind", "eq": "x"}]}, True),
        ({"not": {"field": "identity.kind", "eq": "x"}}, True),
    ],
)
def test_operators(cond: dict[str, Any], expected: bool) -> None:
    assert ok(cond, IDENT) is expected


def test_every_operator_is_exercised() -> None:
    assert set(OPERATORS) == {
        "eq",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "not_in",
        "contains",
        "not_contains",
        "any_in",
        "not_all_in",
        "matches",
        "glob",
        "has_any_key",
        "empty",
    }


def test_params_keep_their_type() -> None:
    cond = {"field": "identity.age_days", "gt": "${params.limit}"}
    assert ok(cond, IDENT, {"limit": 50}) is True
    assert ok(cond, IDENT, {"limit": 500}) is False


def test_dates_compare() -> None:
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert ok(
        {"field": "identity.created", "lt": t},
        {"identity": {"created": datetime(2025, 1, 1, tzinfo=timezone.utc)}},
    )


def test_bool_is_not_a_number() -> None:
    assert ok({"field": "identity.flag", "gt": 0}, {"identity": {"flag": True}}) is False


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        ({}, "expected a mapping"),
        ({"all": []}, "non-empty list"),
        ({"any": "x"}, "non-empty list"),
        ({"field": "identity.kind"}, "exactly one operator"),
        ({"field": "identity.kind", "eq": 1, "ne": 2}, "exactly one operator"),
        ({"field": "identity.kind", "approx": 1}, "unknown operator 'approx'"),
        ({"field": "credential.age_days", "gt": 1}, "not available for target identity"),
        ({"field": "identity.kind", "eq": "${params.nope}"}, "unknown parameter 'nope'"),
        ({"field": "identity.kind", "eq": "x${params.a}"}, "whole value"),
        ({"field": "identity.kind", "matches": "("}, "invalid regular expression"),
        ({"field": "identity.kind", "empty": "yes"}, "true or false"),
        ({"field": "identity..kind", "eq": 1}, "dotted path"),
        ({"field": "params.nope", "eq": 1}, "unknown parameter"),
        ({"fields": "identity.kind", "eq": 1}, "unknown keys"),
    ],
)
def test_malformed_conditions_are_named(cond: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionError, match=message.replace("(", "\\(")):
        compile_condition(cond, {"a": 1}, "identity")


def test_resolve_walks_dataclasses_and_mappings() -> None:
    from nhiscan.model import Grant

    ctx = {"identity": {"grants": Grant(source="s", kind="k")}}
    assert resolve(ctx, ("identity", "grants", "source")) == "s"
    assert resolve(ctx, ("identity", "grants", "missing")) is None
