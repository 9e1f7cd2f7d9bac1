"""Placements, the subsidy decisions they open, and HR agencies' claims on them.

Recording a placement runs the policy engine at once and stores every decision about it with
its trace. An agency claims its service fee with an Idempotency-Key; an officer approves or
rejects it, finally. Rules on money are the database's too (see ledger.claims). Who may do what,
and the audit entries, are ``services.placements``'s and ``services.claims``'s.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter, PathParameter, QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import Purpose, purpose_of
from api.schemas import Input
from jiuyuan import clock
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import ClaimStatus, PlacementKind, Role
from ledger.models import Claim, SubsidyDecision
from scoring.disclosure import Disclosed
from services.claims import Claims
from services.placements import Placements, PlacementView

Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


class PlacementIn(Input, kw_only=True):
    person_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    kind: PlacementKind
    start_date: date
    posting_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    employer_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    agency_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    """An agency's own placements carry its id whatever is sent."""
    end_date: date | None = None
    # A bound of 0 is lost from Litestar's schema of an optional field: extra_json_schema restates it.
    contract_months: Annotated[int, msgspec.Meta(ge=0, le=600, extra_json_schema={"extra": {"minimum": 0}})] | None = (
        None
    )
    full_time: bool = True
    weekly_hours: Annotated[int, msgspec.Meta(ge=0, le=84, extra_json_schema={"extra": {"minimum": 0}})] | None = None
    monthly_wage: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    """元, as a decimal string ("2500.00")."""
    rural_post: bool = False
    temporary_public_welfare: bool = False
    backdate_reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    """Officers only: why a placement that started more than a year ago is recorded now."""


class DecisionOut(msgspec.Struct):
    id: int
    scheme: str
    status: str
    status_label: str
    amount: Decimal | None
    period_start: date | None
    period_end: date | None
    matures_on: date | None
    legal_basis: str
    ruleset_version: str
    open_conditions: dict
    parameters: dict
    trace: list
    decided_at: datetime
    months: list[str]
    """The months a monthly subsidy pays (YYYY-MM)."""
    next_step: str | None
    """What would make an unpaid decision payable."""


class PlacementOut(msgspec.Struct):
    id: int
    person_id: int
    kind: str
    kind_label: str
    posting_id: int | None
    employer_id: int | None
    agency_id: int | None
    start_date: date
    end_date: date | None
    decisions: list[DecisionOut]


class ClaimIn(Input, kw_only=True):
    placement_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    scheme: Literal["agency_fee", "agency_service_jiaxing"] = "agency_fee"


class ClaimDecisionIn(Input, kw_only=True):
    approve: bool
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class ClaimOut(msgspec.Struct):
    id: int
    scheme: str
    placement_id: int
    person_id: int
    agency_id: int | None
    claim_year: int
    amount: Decimal
    status: str
    status_label: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    decision_id: int | None


def decision_out(d: SubsidyDecision, shown: Disclosed) -> DecisionOut:
    """A stored decision as its audience may read it (``shown``: ``PlacementView.disclosed``)."""
    return DecisionOut(
        d.id,
        shown.scheme,
        d.status.value,
        d.status.label,
        d.amount,
        d.period_start,
        d.period_end,
        d.matures_on,
        d.legal_basis,
        d.ruleset_version,
        {"failed": shown.failed, "missing": shown.missing, "unset": shown.unset},
        shown.parameters,
        shown.trace,
        d.decided_at,
        list(d.months or []),
        shown.next_step,
    )


def placement_out(v: PlacementView) -> PlacementOut:
    p = v.placement
    return PlacementOut(
        p.id,
        p.person_id,
        p.kind.value,
        p.kind.label,
        p.posting_id,
        p.employer_id,
        p.agency_id,
        p.start_date,
        p.end_date,
        [decision_out(d, v.disclosed(d)) for d in v.decisions],
    )


def claim_out(c: Claim) -> ClaimOut:
    return ClaimOut(
        c.id,
        c.scheme_code,
        c.placement_id,
        c.person_id,
        c.agency_id,
        c.claim_year,
        c.amount,
        c.status.value,
        c.status.label,
        c.submitted_at,
        c.decided_at,
        c.decided_by,
        c.reason,
        c.decision_id,
    )


PLACEMENT_EXAMPLE = Example(
    summary="企业吸纳就业（经人力资源服务机构介绍）",
    value={
        "person_id": 1,
        "kind": "employer_absorption",
        "start_date": "2026-05-01",
        "employer_id": 1,
        "agency_id": 1,
        "contract_months": 12,
        "full_time": True,
        "monthly_wage": "2300.00",
    },
)
CLAIM_EXAMPLE = Example(summary="申领就业创业服务补贴（004 §2(2)2）", value={"placement_id": 1, "scheme": "agency_fee"})


class PlacementsController(Controller):
    """Counter staff, officers and HR agencies."""

    path = "/"
    tags = ["placements"]
    guards = [allow(Role.COUNTER, Role.OFFICER, Role.AGENCY)]
    dependencies = {"placements": service(Placements)}

    @post(
        "/placements",
        operation_id="recordPlacement",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 409, 422, 503),
        summary="登记就业安置（随即进行补贴资格评估）",
    )
    def record_placement(
        self, placements: NamedDependency[Placements], data: Annotated[PlacementIn, Body(examples=[PLACEMENT_EXAMPLE])]
    ) -> PlacementOut:
        """Record that a person started work; every subsidy decision about it is stored at once.

        Returns:
            The placement with its decisions (amount, dates, legal basis, trace).
        """
        return placement_out(placements.record(msgspec.structs.asdict(data), clock.today()))

    @get(
        "/placements/{placement_id:int}",
        operation_id="getPlacement",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="安置记录及其补贴决定（写入审计日志）",
    )
    def get_placement(
        self, request: Request, placements: NamedDependency[Placements], placement_id: Id, purpose: Purpose
    ) -> PlacementOut:
        """A placement with the newest decision per scheme (each claim re-scores; history is kept).

        Returns:
            The placement and its decisions; 404 for a placement the caller may not see. The read is audited.
        """
        return placement_out(placements.get(placement_id, purpose_of(purpose, request.user.role)))


class ClaimsController(Controller):
    """HR agencies claim; officers see and decide the claims within their jurisdiction."""

    path = "/"
    tags = ["claims"]
    dependencies = {"claims": service(Claims)}

    @post(
        "/claims",
        operation_id="submitClaim",
        guards=[allow(Role.AGENCY)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
        status_code=201,
        summary="人力资源服务机构申领服务补贴（须带 Idempotency-Key）",
    )
    async def submit_claim(
        self,
        claims: NamedDependency[Claims],
        data: Annotated[ClaimIn, Body(examples=[CLAIM_EXAMPLE])],
        idempotency_key: Annotated[
            str,
            HeaderParameter(
                name="Idempotency-Key",
                min_length=8,
                max_length=64,
                pattern=r"^[A-Za-z0-9_.:-]{8,64}$",
                description="每笔申领一个新键；重试时用同一个键，只会得到同一笔申领",
            ),
        ],
    ) -> Response[ClaimOut]:
        """Claim the service fee for one of the agency's placements; the placement is scored again
        today and only an eligible decision with an amount can be claimed.

        Returns:
            201 with a new claim, or 200 with the claim this key already made.
        """

        def submit() -> tuple[ClaimOut, bool]:
            result = claims.submit(data.placement_id, data.scheme, idempotency_key, clock.today())
            return claim_out(result.claim), result.created

        # The ledger work runs in a worker thread from an async handler: as a sync_to_thread handler
        # returning a Response, this route's result reached Litestar 2.25's response step un-awaited.
        out, created = await anyio.to_thread.run_sync(submit)
        return Response(out, status_code=201 if created else 200)

    @get(
        "/claims",
        operation_id="listClaims",
        sync_to_thread=True,
        guards=[allow(Role.AGENCY, Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 422, 503),
        summary="申领列表（机构只见本机构的；经办人员见管辖范围内的）",
    )
    def list_claims(
        self,
        request: Request,
        claims: NamedDependency[Claims],
        purpose: Purpose,
        status: Annotated[ClaimStatus | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> list[ClaimOut]:
        """Claims, newest first; an agency's only while the person's authorisation of it is active.

        Returns:
            One page of claims the caller may see; each is an audited read of its person.
        """
        return [claim_out(c) for c in claims.visible(status, limit, offset, purpose_of(purpose, request.user.role))]

    @post(
        "/claims/{claim_id:int}/decision",
        operation_id="decideClaim",
        sync_to_thread=True,
        guards=[allow(Role.OFFICER)],
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
        summary="经办人员核准或驳回申领（决定为终局）",
    )
    def decide_claim(
        self,
        claims: NamedDependency[Claims],
        claim_id: Id,
        data: Annotated[
            ClaimDecisionIn,
            Body(examples=[Example(summary="驳回", value={"approve": False, "reason": "劳动合同未满6个月"})]),
        ],
    ) -> ClaimOut:
        """Approve or reject a submitted claim; rejecting needs a reason; the decision is audited
        and final (409 once decided).

        Returns:
            The decided claim.
        """
        return claim_out(claims.decide(claim_id, data.approve, data.reason))


ROUTES = [PlacementsController, ClaimsController]
