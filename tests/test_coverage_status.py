from __future__ import annotations

import pytest

from nhiscan.coverage import one_line, status_for
from nhiscan.model import CoverageStatus


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (401, "", CoverageStatus.DENIED),
        (403, "caller does not have permission", CoverageStatus.DENIED),
        (403, "SERVICE_DISABLED: API has not been used in project 1", CoverageStatus.NOT_ENABLED),
        (404, "", CoverageStatus.NOT_FOUND),
        (429, "", CoverageStatus.THROTTLED),
        (500, "", CoverageStatus.ERROR),
        (None, "connection refused", CoverageStatus.ERROR),
    ],
)
def test_status_for(code: int | None, message: str, expected: CoverageStatus) -> None:
    assert status_for(code, message) is expected


def test_overrides_win() -> None:
    assert status_for(503, overrides={503: CoverageStatus.THROTTLED}) is CoverageStatus.THROTTLED
    assert status_for(503) is CoverageStatus.ERROR


def test_one_line() -> None:
    assert one_line("<a>\n  b\n</a>") == "<a> b </a>"
    assert len(one_line("x" * 500)) == 200
