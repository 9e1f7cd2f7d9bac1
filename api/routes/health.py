from __future__ import annotations

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.errors import problem_responses
from api.schemas import CalendarHealth, Health
from jiuyuan import clock
from jiuyuan import __version__, regions
from ledger.access import Principal
from scoring.workdays import working_calendar


@get("/health", operation_id="health", tags=["system"], sync_to_thread=True,
     security=[], responses=problem_responses(500, 503), summary="健康检查 / health check")
def health(db_session: NamedDependency[Session]) -> Health:
    """Answers 200 when the service and its ledger respond; 503 problem details when the database does not.

    Returns:
        The service version, the database status, and how far the working-day calendar is loaded.
    """
    db_session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok", version=__version__, calendar=calendar_health())


def calendar_health() -> CalendarHealth:
    calendar = working_calendar()
    return CalendarHealth(calendar.official_through().isoformat(), calendar.coverage_warning(clock.today()))



class Me(msgspec.Struct):
    name: str
    role: str
    role_label: str
    region: str | None
    region_name: str | None
    employer_id: int | None
    agency_id: int | None


@get("/me", operation_id="whoAmI", tags=["system"], responses=problem_responses(401), summary="当前令牌的持有人与角色")
async def me(request: Request) -> Me:
    """Who the token belongs to: the web page shows it and offers the views of that role.

    Returns:
        Name, role, jurisdiction or organisation.
    """
    who: Principal = request.user
    return Me(who.name, who.role.value, who.role.label, who.region_prefix,
              regions.full_name(who.region_prefix.ljust(6, "0")) if who.region_prefix else None,
              who.employer_id, who.agency_id)


ROUTES = [health, me]
