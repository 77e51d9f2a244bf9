"""Typed facts hold str Enums and tuples: operators compare enums by value, messages show the
value, and an empty tuple takes a template's fallback text like an empty list."""

from __future__ import annotations

from enum import Enum

from nhiscan.engine.conditions import compile_condition
from nhiscan.engine.evaluate import render_message


class Colour(str, Enum):
    RED = "red"
    BLUE = "blue"


CTX = {"identity": {"colours": (Colour.RED,), "one": Colour.BLUE, "none": ()}}


def test_any_in_and_not_all_in_compare_enums_by_value() -> None:
    assert compile_condition({"field": "identity.colours", "any_in": ["red"]}, {}, "identity")(CTX)
    assert not compile_condition({"field": "identity.colours", "not_all_in": ["red"]}, {}, "identity")(CTX)
    assert compile_condition({"field": "identity.colours", "not_all_in": ["blue"]}, {}, "identity")(CTX)
    assert compile_condition({"field": "identity.one", "in": ["blue"]}, {}, "identity")(CTX)


def test_messages_show_enum_values_and_fall_back_on_empty_tuples() -> None:
    assert render_message("{identity.colours} {identity.one}", CTX) == "red blue"
    assert render_message("{identity.none|nothing}", CTX) == "nothing"
