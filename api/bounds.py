"""Bounds at the edge: the dates a caller names in the query (``on``, ``as_of``, ``valid_on``,
``start``) lie between 2000-01-01 and ten years from today, so that no date arithmetic behind
them overflows (9999-12-31 plus a working day is past ``date.max``)."""

from __future__ import annotations

from datetime import date

from litestar import Request

from jiuyuan import clock
from jiuyuan.errors import FieldError, InvalidInput
from scoring.dates import add_months

DATE_PARAMS = ("on", "as_of", "valid_on", "start")
EARLIEST = date(2000, 1, 1)
HORIZON = 10  # calendar years past today; an input bound, not a policy figure


def check_query_dates(request: Request) -> None:
    """``before_request`` hook: 422 problem details naming each query date out of range. A value
    that is not a date at all is left to the parser, which answers 400."""
    last = add_months(clock.today(), 12 * HORIZON)
    errors = []
    for name in DATE_PARAMS:
        for value in request.query_params.getall(name, []):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                continue
            if not EARLIEST <= day <= last:
                errors.append(FieldError(name, f"日期应在 {EARLIEST.isoformat()} 至 {last.isoformat()} 之间"))
    if errors:
        raise InvalidInput(errors, "查询日期超出可办理的范围。")


__all__ = ["check_query_dates"]
