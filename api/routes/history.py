"""A case's life over time (issue 15): social-insurance contributions, the end of a placement and
in-post checks, a person's retirement category and life events (002 §5), officers' rulings.

Counter staff and officers write these for persons within their jurisdiction (others answer 404);
only officers rule. Each write is audited and re-scores the person's placements. The rules are
``services.history``'s: these handlers decode, call it and encode.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, RawBody
from msgspec import Meta

from api.auth import allow
from api.deps import service
from api.errors import problem, problem_responses
from api.routes.person_wire import LINE, TEXT, WRITERS, PersonId, Purpose, purpose_of
from api.routes.placements import PlacementOut, placement_out
from api.schemas import Input
from jiuyuan import clock
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import LEFT_REASONS, Role
from ledger.intake_history import INSURANCES, LIFE_EVENTS, PAYERS, RETIREMENT_CATEGORIES, RULING_QUESTIONS
from ledger.models import Contribution, LifeEvent, OfficerRuling, PlacementConfirmation
from services.history import History

PlacementId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="安置记录编号")]
Note = Annotated[str, Meta(max_length=500, pattern=TEXT)]


S = TypeVar("S", bound=msgspec.Struct)


def strict(body: bytes, cls: type[S]) -> S:
    """The body decoded strictly: Litestar's decoding turns "true" into true; here a boolean is a
    JSON boolean, refused (400, naming the field) otherwise."""
    try:
        return msgspec.json.decode(body, type=cls, strict=True)
    except msgspec.ValidationError as exc:
        found = re.search(r"at `\$\.?([^`]*)`", str(exc))
        raise ValidationException(
            "请求参数格式不正确。", extra=[{"key": found[1] if found else "", "message": str(exc)}]
        ) from None


def _described(labels: dict[str, str]) -> str:
    return "；".join(f"{k}：{v}" for k, v in labels.items())


class ContributionIn(Input, kw_only=True):
    id_number: Annotated[str, Meta(max_length=30, pattern=LINE, description="公民身份号码，18位，须已在台账中登记")]
    month: Annotated[
        str, Meta(max_length=20, pattern=LINE, description="费款所属期：2026-11（也可 202611、2026年11月）")
    ]
    payer: Annotated[Literal["employer", "personal"], Meta(description=_described(PAYERS))]
    insurance: Annotated[Literal["pension", "medical", "unemployment"], Meta(description=_described(INSURANCES))]
    amount: Annotated[
        str,
        Meta(
            max_length=30,
            description="缴费金额（元），十进制字符串，最多两位小数，如 620.16",
        ),
    ]
    source: Annotated[
        str, Meta(min_length=1, max_length=200, pattern=LINE, description="数据来源，如社保经办机构导出文件及日期")
    ]


class ContributionBatchOut(msgspec.Struct):
    recorded: int
    person_ids: list[int]


class ContributionOut(msgspec.Struct):
    id: int
    placement_id: int
    month: str
    payer: str
    payer_label: str
    insurance: str
    insurance_label: str
    amount: Decimal
    source: str
    recorded_by: str
    recorded_at: datetime


class PlacementEndIn(Input, kw_only=True):
    end_date: Annotated[date, Meta(description="最后在岗日（含当日）")]
    reason: Annotated[str, Meta(max_length=500, pattern=TEXT, description="结束原因")]


class ConfirmationIn(Input, kw_only=True):
    confirmed_on: date
    in_post: bool
    note: Note | None = None


class ConfirmationOut(msgspec.Struct):
    id: int
    placement_id: int
    confirmed_on: date
    in_post: bool
    note: str | None
    recorded_by: str


class RetirementCategoryIn(Input, kw_only=True):
    category: Annotated[
        Literal["male", "female_55", "female_50"],
        Meta(
            description="原法定退休年龄类别（2024年渐进式延迟退休改革据此起算）：" + _described(RETIREMENT_CATEGORIES)
        ),
    ]


class RetirementCategoryOut(msgspec.Struct):
    person_id: int
    retirement_category: str
    label: str


class LifeEventIn(Input, kw_only=True):
    kind: Annotated[
        Literal["management_role", "management_role_ended", "left_labour_market", "pension"],
        Meta(description=_described(LIFE_EVENTS)),
    ]
    happened_on: date
    reason: (
        Annotated[
            Literal["death", "study", "military", "emigration", "prison", "incapacity"],
            Meta(description="仅退出劳动力市场时必填（002 §5(3)）：" + _described(LEFT_REASONS)),
        ]
        | None
    ) = None
    note: Note | None = None


class LifeEventOut(msgspec.Struct):
    id: int
    person_id: int
    kind: str
    kind_label: str
    happened_on: date
    reason: str | None
    reason_label: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class RulingIn(Input, kw_only=True):
    question: Annotated[Literal["public_welfare_beyond_limit"], Meta(description=_described(RULING_QUESTIONS))]
    approved: bool
    reason: Annotated[str, Meta(max_length=500, pattern=TEXT, description="审批理由，至少4个字")]


class RulingOut(msgspec.Struct):
    id: int
    placement_id: int
    person_id: int
    question: str
    question_label: str
    approved: bool
    reason: str
    decided_by: str
    decided_at: datetime


def contribution_out(c: Contribution) -> ContributionOut:
    return ContributionOut(
        c.id,
        c.placement_id,
        c.month,
        c.payer,
        PAYERS[c.payer],
        c.insurance,
        INSURANCES[c.insurance],
        c.amount,
        c.source,
        c.recorded_by,
        c.recorded_at,
    )


def life_event_out(e: LifeEvent) -> LifeEventOut:
    reason_label = LEFT_REASONS.get(e.reason) if e.reason else None
    return LifeEventOut(
        e.id,
        e.person_id,
        e.kind,
        LIFE_EVENTS[e.kind],
        e.happened_on,
        e.reason,
        reason_label,
        e.note,
        e.recorded_by,
        e.recorded_at,
    )


def ruling_out(r: OfficerRuling) -> RulingOut:
    label = RULING_QUESTIONS.get(r.question, r.question)
    return RulingOut(
        r.id, r.placement_id, r.person_id, r.question, label, r.approved, r.reason, r.decided_by, r.decided_at
    )


def confirmation_out(c: PlacementConfirmation) -> ConfirmationOut:
    return ConfirmationOut(c.id, c.placement_id, c.confirmed_on, c.in_post, c.note, c.recorded_by)


CONTRIBUTIONS_EXAMPLE = Example(
    summary="社保经办机构月度数据：单位缴纳的养老保险",
    value=[
        {
            "id_number": "430121197003071234",
            "month": "2026-11",
            "payer": "employer",
            "insurance": "pension",
            "amount": "620.16",
            "source": "长沙县社保中心 2026年11月 缴费明细",
        }
    ],
)


class HistoryController(Controller):
    """Counter staff and officers; rulings officers only."""

    path = "/"
    tags = ["history"]
    guards = [WRITERS]
    dependencies = {"history": service(History)}

    @post(
        "/contributions",
        operation_id="recordContributions",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 422, 503),
        summary="批量登记社保缴费记录（按身份证号码；全部保存或全部不保存，逐行说明原因）",
    )
    def record_contributions(
        self,
        request: Request,
        history: NamedDependency[History],
        data: Annotated[
            Annotated[list[ContributionIn], Meta(min_length=1, max_length=5000)],
            Body(examples=[CONTRIBUTIONS_EXAMPLE]),
        ],
    ) -> Response[ContributionBatchOut]:
        """Each row is one month of one insurance by one payer, stored in the placement its month
        falls in (the unit's part: an employer or public-welfare post; the personal part: a flexible
        placement). The persons' subsidy decisions are scored again.

        Returns:
            201 with the count; 422 problem details listing each refused row (numbered from 1,
            the column in Chinese, the reason), and nothing written.
        """
        report = history.record_contributions([msgspec.structs.asdict(r) for r in data], clock.today())
        if not report.ok:
            return problem(
                request,
                422,
                "contributions-rejected",
                f"{report.rejected_rows} 行有误，整批未保存（共 {report.total} 行）。",
                errors=[
                    {
                        "field": r.column,
                        "message": f"第{r.row}行 {r.column}：{r.message}" if r.row is not None else r.message,
                        "row": r.row,
                    }
                    for r in report.rejected
                ],
            )
        return Response(ContributionBatchOut(report.total, report.subjects), status_code=201)

    @get(
        "/persons/{person_id:int}/contributions",
        operation_id="listContributions",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="人员的社保缴费记录（写入审计日志）",
    )
    def list_contributions(
        self, history: NamedDependency[History], person_id: PersonId, purpose: Purpose
    ) -> list[ContributionOut]:
        """By month, payer and insurance; the read is audited.

        Returns:
            The contributions, or 404 when the person is unknown or outside the caller's jurisdiction.
        """
        return [contribution_out(c) for c in history.contributions(person_id, purpose_of(purpose))]

    @post(
        "/placements/{placement_id:int}/end",
        operation_id="endPlacement",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
        summary="登记安置结束（离岗日期与原因）",
    )
    def end_placement(
        self,
        history: NamedDependency[History],
        placement_id: PlacementId,
        data: Annotated[
            PlacementEndIn,
            Body(
                examples=[Example(summary="合同期满离岗", value={"end_date": "2026-10-31", "reason": "劳动合同期满"})]
            ),
        ],
    ) -> PlacementOut:
        """The last day in post (not before the start, at most a year from today); 409 when
        contributions are recorded for later months of this placement (named).

        Returns:
            The placement with its newest decisions, scored again.
        """
        return placement_out(history.end_placement(placement_id, msgspec.structs.asdict(data), clock.today()))

    @post(
        "/placements/{placement_id:int}/confirmations",
        operation_id="confirmPlacement",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="记录在岗核实（跟踪回访，002 §1）",
    )
    def confirm_placement(
        self,
        history: NamedDependency[History],
        placement_id: PlacementId,
        body: RawBody,
        data: Annotated[
            ConfirmationIn,
            Body(
                examples=[
                    Example(
                        summary="电话回访在岗",
                        value={"confirmed_on": "2026-11-20", "in_post": True, "note": "电话回访"},
                    )
                ]
            ),
        ],
    ) -> ConfirmationOut:
        """Returns:
        The confirmation recorded.
        """
        fields = msgspec.structs.asdict(strict(body, ConfirmationIn))
        return confirmation_out(history.confirm(placement_id, fields, clock.today()))

    @put(
        "/persons/{person_id:int}/retirement-category",
        operation_id="setRetirementCategory",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="登记原法定退休年龄类别（男职工 / 女干部或以灵活就业人员身份参保的女性 / 女工人）",
    )
    def set_retirement_category(
        self,
        history: NamedDependency[History],
        person_id: PersonId,
        data: Annotated[
            RetirementCategoryIn, Body(examples=[Example(summary="女工人", value={"category": "female_50"})])
        ],
    ) -> RetirementCategoryOut:
        """male（男职工）、female_55（女干部，或以灵活就业人员身份参保的女性）、female_50（女工人）:
        the category the 2024 reform counts the retirement age from; it must agree with the sex in
        the ID number.

        Returns:
            The category now recorded.
        """
        person = history.set_retirement_category(person_id, data.category, clock.today())
        category = str(person.retirement_category)
        return RetirementCategoryOut(person.id, category, RETIREMENT_CATEGORIES[category])

    @post(
        "/persons/{person_id:int}/life-events",
        operation_id="addLifeEvent",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="登记人员事项（担任/不再担任企业管理职务、退出劳动力市场、领取养老金；002 §5）",
    )
    def add_life_event(
        self,
        history: NamedDependency[History],
        person_id: PersonId,
        data: Annotated[
            LifeEventIn,
            Body(
                examples=[
                    Example(
                        summary="升学退出劳动力市场",
                        value={"kind": "left_labour_market", "happened_on": "2026-09-01", "reason": "study"},
                    )
                ]
            ),
        ],
    ) -> LifeEventOut:
        """A dated fact 002 §5 reads; leaving the labour market needs its reason (§5(3)).

        Returns:
            The event recorded.
        """
        return life_event_out(history.add_life_event(person_id, msgspec.structs.asdict(data), clock.today()))

    @post(
        "/placements/{placement_id:int}/rulings",
        operation_id="ruleOnPlacement",
        sync_to_thread=True,
        status_code=201,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="经办人员审批“原则上”的事项（如第3次公益性岗位安置，002 §5）",
    )
    def rule(
        self,
        history: NamedDependency[History],
        placement_id: PlacementId,
        body: RawBody,
        data: Annotated[
            RulingIn,
            Body(
                examples=[
                    Example(
                        summary="批准第3次公益性岗位安置",
                        value={
                            "question": "public_welfare_beyond_limit",
                            "approved": True,
                            "reason": "本人残疾且家庭无其他收入，经集体研究同意",
                        },
                    )
                ]
            ),
        ],
    ) -> RulingOut:
        """The newest ruling on a question stands.

        Returns:
            The ruling recorded.
        """
        return ruling_out(history.rule(placement_id, msgspec.structs.asdict(strict(body, RulingIn)), clock.today()))

    @get(
        "/placements/{placement_id:int}/rulings",
        operation_id="listRulings",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 503),
        summary="安置的审批记录（最新的一条有效）",
    )
    def list_rulings(self, history: NamedDependency[History], placement_id: PlacementId) -> list[RulingOut]:
        """Newest first.

        Returns:
            The rulings on the placement.
        """
        return [ruling_out(r) for r in history.rulings(placement_id)]


ROUTES = [HistoryController]
