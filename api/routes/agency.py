"""An HR agency's caseload (``GET /agency/persons``): the persons who authorised it, masked, with
the agency's placements of them. The rules are ``services.agency``'s."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_privacy import card_out
from api.routes.person_wire import PersonCard, Purpose, purpose_of
from jiuyuan import clock
from jiuyuan.vocab import Role
from services.agency import Agency, Authorised


class PlacementBrief(msgspec.Struct):
    id: int
    kind: str
    kind_label: str
    start_date: date
    end_date: date | None


class AuthorisedOut(msgspec.Struct):
    person: PersonCard
    valid_from: date
    valid_to: date
    purpose: str
    placements: list[PlacementBrief]


def authorised_out(a: Authorised) -> AuthorisedOut:
    return AuthorisedOut(
        person=card_out(a.person, clock.today()),
        valid_from=a.authorisation.valid_from,
        valid_to=a.authorisation.valid_to,
        purpose=a.authorisation.purpose,
        placements=[PlacementBrief(p.id, p.kind.value, p.kind.label, p.start_date, p.end_date) for p in a.placements],
    )


class AgencyController(Controller):
    path = "/"
    tags = ["placements"]
    dependencies = {"agency": service(Agency)}

    @get(
        "/agency/persons",
        operation_id="agencyPersons",
        sync_to_thread=True,
        guards=[allow(Role.AGENCY)],
        responses=problem_responses(400, 401, 403, 422, 500, 503),
        summary="本机构受委托的人员（脱敏）及本机构的安置记录",
    )
    def persons(
        self,
        request: Request,
        agency: NamedDependency[Agency],
        purpose: Purpose,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 100,
    ) -> list[AuthorisedOut]:
        """Persons whose authorisation of the calling agency is active today, newest first.

        Returns:
            Each person's masked card, the authorisation's period and purpose, and the agency's
            placements of that person; each person listed is an audited read.
        """
        return [authorised_out(a) for a in agency.persons(purpose_of(purpose, request.user.role), limit)]


ROUTES = [AgencyController]
