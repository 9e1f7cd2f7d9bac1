"""The service's own state (health, for load balancers and the page) and who the caller is."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Operation
from sqlalchemy.orm import Session

from api.auth import BEFORE_REGISTRATION
from api.errors import problem_responses
from api.schemas import CalendarHealth, Health
from jiuyuan import __version__, clock
from jiuyuan.errors import Unavailable
from ledger import db
from ledger.access import Principal
from scoring.workdays import working_calendar
from services.jurisdiction import Jurisdiction


@dataclass
class PublicOperation(Operation):
    """An operation that needs no token: ``security: []`` in the document, which overrides the
    document-wide requirement (Litestar leaves an empty ``security=[]`` out, so it would not)."""

    def __post_init__(self) -> None:
        self.security = []


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
    employer_uscc: str | None = None
    """An employer key's company; while it is not registered (``employer_id`` null) the page
    offers only “登记本单位” with this USCC."""


class SystemController(Controller):
    path = "/"
    tags = ["system"]

    @get(
        "/health",
        operation_id="health",
        sync_to_thread=True,
        security=[],
        operation_class=PublicOperation,
        responses=problem_responses(500, 503),
        summary="健康检查 / health check",
    )
    def health(self, db_session: NamedDependency[Session]) -> Health:
        """Answers 200 when the service and its ledger respond; 503 problem details when the database does
        not, or its ledger is not migrated to what this code reads (``jiuyuan db upgrade``).

        Returns:
            The service version, the database status, and how far the working-day calendar is loaded.
        """
        # A ledger never migrated (or behind this code) answers SELECT 1 but fails every route.
        if db.applied_revisions(db_session.connection()) != db.head_revisions():
            raise Unavailable("台账数据库尚未迁移到当前版本：请由系统管理员运行 jiuyuan db upgrade。")
        return Health(status="ok", database="ok", version=__version__, calendar=calendar_health())

    @get(
        "/me",
        operation_id="whoAmI",
        responses=problem_responses(401),
        summary="当前令牌的持有人与角色",
        opt=BEFORE_REGISTRATION,
    )
    async def me(self, request: Request) -> Me:
        """Who the token belongs to: the web page shows it and offers the views of that role.

        Returns:
            Name, role, jurisdiction or organisation.
        """
        who: Principal = request.user
        reach = Jurisdiction.of(who)
        return Me(
            who.name,
            who.role.value,
            who.role.label,
            reach.region,
            reach.region_name,
            who.employer_id,
            who.agency_id,
            who.employer_uscc,
        )


ROUTES = [SystemController]
