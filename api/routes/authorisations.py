"""A person's service authorisations of HR agencies (PIPL): recorded at a counter (or imported
with proof), dated, revocable, audited. Counter staff and officers whose jurisdiction covers the
person (404 otherwise). An agency acts for a person only while one is active: the rule is
``services.authorisations``'s; these handlers decode, call it and encode.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import PersonId, Purpose, purpose_of
from api.schemas import Input
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import Role
from ledger.models import AgencyAuthorisation
from services.authorisations import AgencyAuthorisations


class AuthorisationIn(Input, kw_only=True):
    agency_uscc: Annotated[str, msgspec.Meta(min_length=18, max_length=18)]
    """The agency's unified social credit code."""
    valid_from: date
    valid_to: date
    purpose: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
    source: Literal["counter", "import"] = "counter"
    proof: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    """Required for an imported authorisation: the signed form's reference."""


class RevokeIn(Input, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]


class AuthorisationOut(msgspec.Struct):
    id: int
    person_id: int
    agency_id: int
    valid_from: date
    valid_to: date
    purpose: str
    source: str
    proof: str | None
    recorded_by: str
    recorded_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None


def authorisation_out(a: AgencyAuthorisation) -> AuthorisationOut:
    return AuthorisationOut(
        a.id,
        a.person_id,
        a.agency_id,
        a.valid_from,
        a.valid_to,
        a.purpose,
        a.source,
        a.proof,
        a.recorded_by,
        a.recorded_at,
        a.revoked_at,
        a.revoked_by,
        a.revoke_reason,
    )


GRANT_EXAMPLE = Example(
    summary="窗口当面登记本人对某人力资源服务机构的授权",
    value={
        "agency_uscc": "91430100MA4L000001",
        "valid_from": "2026-06-01",
        "valid_to": "2027-05-31",
        "purpose": "委托该机构推荐就业并代为申领就业创业服务补贴",
    },
)


class AuthorisationsController(Controller):
    """Counter staff and officers, within reach."""

    path = "/"
    tags = ["persons"]
    guards = [allow(Role.COUNTER, Role.OFFICER)]
    dependencies = {"authorisations": service(AgencyAuthorisations)}

    @post(
        "/persons/{person_id:int}/agency-authorisations",
        operation_id="grantAgencyAuthorisation",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="登记本人对人力资源服务机构的服务授权",
    )
    def grant(
        self,
        authorisations: NamedDependency[AgencyAuthorisations],
        person_id: PersonId,
        data: Annotated[AuthorisationIn, Body(examples=[GRANT_EXAMPLE])],
    ) -> AuthorisationOut:
        """Record the person's authorisation of one agency, dated from/to; audited with its purpose.

        Returns:
            The authorisation recorded.
        """
        row = authorisations.grant(
            person_id, data.agency_uscc, data.valid_from, data.valid_to, data.purpose, data.source, data.proof
        )
        return authorisation_out(row)

    @get(
        "/persons/{person_id:int}/agency-authorisations",
        operation_id="listAgencyAuthorisations",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="本人对人力资源服务机构的授权（含已撤回、已到期）",
    )
    def listing(
        self, authorisations: NamedDependency[AgencyAuthorisations], person_id: PersonId, purpose: Purpose
    ) -> list[AuthorisationOut]:
        """The person's authorisations, newest first; the read is audited with ``purpose``.

        Returns:
            Every authorisation, revoked and expired ones included.
        """
        return [authorisation_out(a) for a in authorisations.listing(person_id, purpose_of(purpose))]

    @post(
        "/persons/{person_id:int}/agency-authorisations/{authorisation_id:int}/revoke",
        operation_id="revokeAgencyAuthorisation",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="撤回对人力资源服务机构的授权",
    )
    def revoke(
        self,
        authorisations: NamedDependency[AgencyAuthorisations],
        person_id: PersonId,
        authorisation_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        data: Annotated[RevokeIn, Body()],
    ) -> AuthorisationOut:
        """Revoke an authorisation from now on; the agency can no longer act for the person.

        Returns:
            The authorisation, revoked.
        """
        return authorisation_out(authorisations.revoke(person_id, authorisation_id, data.reason))


ROUTES = [AuthorisationsController]
