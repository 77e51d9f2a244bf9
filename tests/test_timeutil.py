from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nhiscan.timeutil import format_time, parse_time

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 03:04:05+00:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1Z", datetime(2024, 1, 2, 3, 4, 5, 100000, tzinfo=UTC)),
        ("2024-01-02T04:04:05+01:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        (1704164645, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_parses(text: object, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", [None, "", "N/A", "not_supported", "no_information"])
def test_placeholders_are_none(text: object) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize("text", ["yesterday", "2024-13-45T00:00:00Z", True, ["2024-01-02"]])
def test_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_format_round_trips() -> None:
    t = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_time(t) == "2024-01-02T03:04:05Z"
    assert parse_time(format_time(t)) == t
