"""The typed field reads every GCP reader shares: good values come through, bad ones name the
file and the JSON path."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nhiscan.errors import InputError
from nhiscan.providers.gcp import fields


def test_timestamps_with_nanoseconds_and_z_read_as_utc() -> None:
    got = fields.timestamp({"t": "2025-03-01T10:00:00.123456789Z"}, "t", "f.json", "x")
    assert got == datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert fields.timestamp({}, "t", "f.json", "x") is None


@pytest.mark.parametrize("value", ["yesterday", "N/A", "2025-13-01T00:00:00Z"])
def test_a_bad_timestamp_names_the_field(value: str) -> None:
    with pytest.raises(InputError) as err:
        fields.timestamp({"createTime": value}, "createTime", "f.json", "items[2]")
    assert err.value.where == "f.json" and err.value.problem.startswith("items[2].createTime:")


def test_integers_accept_the_int64_string_form_and_reject_bools() -> None:
    assert fields.integer({"n": "12"}, "n", "f", "p") == 12
    assert fields.integer({"n": 3}, "n", "f", "p") == 3
    with pytest.raises(InputError, match=r"p\.n: expected an integer"):
        fields.integer({"n": True}, "n", "f", "p")


def test_required_string_strings_and_containers() -> None:
    assert fields.required_string({"id": 104857600000000000001}, "id", "f", "p") == "104857600000000000001"
    with pytest.raises(InputError, match=r"p\.email: missing"):
        fields.required_string({"email": ""}, "email", "f", "p")
    with pytest.raises(InputError, match="expected a string, got bool"):
        fields.string({"email": False}, "email", "f", "p")
    with pytest.raises(InputError, match=r"\(top\): expected a list, got dict"):
        fields.as_list({}, "f", "")
    assert fields.optional_object({"spec": None}, "spec", "f", "p") == {}
    with pytest.raises(InputError, match=r"p\.spec: expected an object"):
        fields.optional_object({"spec": []}, "spec", "f", "p")
