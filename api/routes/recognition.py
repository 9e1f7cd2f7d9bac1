"""Recognition as 就业困难人员 (002 §1–§2), publicity objections, exit (002 §5) and support tiers (002 §4).

The step machine, its due dates and the tiers' duties are ``services.recognition``'s (figures from
the policy parameters); these handlers decode, call it and encode.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter
from msgspec import Meta

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import (
    TEXT,
    WRITERS,
    PersonId,
    Purpose,
    RecognitionIn,
    RecognitionOut,
    StepIn,
    StepOut,
    TierIn,
    TierOut,
    TierResult,
    category_out,
    purpose_of,
)
from api.schemas import Input
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import RecognitionStep, Role, StepOutcome
from services.recognition import ObjectionView, Recognitions, RecognitionView, StepState, TierChange, TierView

RecognitionId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="认定申请编号")]
ObjectionId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="异议编号")]
Reason = Annotated[str, Meta(min_length=1, max_length=500, pattern=TEXT, description="须写明（不能为空）")]
ExitClause = Literal[
    "002 §5", "002 §5(1)", "002 §5(2)", "002 §5(3)", "002 §5(4)", "002 §5(5)", "002 §5(6)", "002 §5(7)"
]


class ObjectionIn(Input):
    raised_on: date
    summary: Reason
    """What the objection says and who raised it, as far as they agreed to be named."""


class ObjectionDecisionIn(Input):
    outcome: Literal["upheld", "dismissed"]
    reason: Reason
    decided_on: date | None = None
    """Default today."""


class ExitIn(Input):
    route: Literal["self", "office"]
    """``self``: the person reported it; ``office``: the community found it (002 §5 last paragraph)."""
    clause: ExitClause
    """002 §5(1)…(7), or "002 §5" for its first paragraph (不再符合认定条件)."""
    exited_on: date
    reason: Reason
    exit_notified_on: date | None = None
    """For ``office``: the day the person was told or the notice was published (on or before exited_on)."""


class ObjectionOut(msgspec.Struct):
    id: int
    raised_on: date
    summary: str
    outcome: str
    outcome_label: str
    decided_on: date | None
    decided_by: str | None
    reason: str | None
    recorded_by: str


class RecognitionRecord(RecognitionOut, kw_only=True):
    """An application with its steps, the objections raised during its publicity and its exit."""

    objections: list[ObjectionOut] = []
    exit_clause: str | None = None
    exit_clause_label: str | None = None
    exit_route: str | None = None
    exit_route_label: str | None = None
    exit_reason: str | None = None
    exit_notified_on: date | None = None


def objection_out(o: ObjectionView) -> ObjectionOut:
    return msgspec.convert(o, ObjectionOut, from_attributes=True)


def step_out(s: StepState) -> StepOut:
    return msgspec.convert(s, StepOut, from_attributes=True)


def recognition_out(v: RecognitionView) -> RecognitionRecord:
    rec = v.recognition
    return RecognitionRecord(
        id=rec.id,
        person_id=rec.person_id,
        region_code=rec.region_code,
        region_name=regions.full_name(rec.region_code),
        categories=[category_out(n) for n in v.categories],
        status=rec.status.value,
        status_label=rec.status.label,
        applied_on=rec.applied_on,
        recognised_on=rec.recognised_on,
        exited_on=rec.exited_on,
        as_of=v.as_of,
        steps=[step_out(s) for s in v.steps],
        objections=[objection_out(o) for o in v.objections],
        exit_clause=rec.exit_clause,
        exit_clause_label=v.exit_clause_label,
        exit_route=rec.exit_route,
        exit_route_label=v.exit_route_label,
        exit_reason=rec.exit_reason,
        exit_notified_on=rec.exit_notified_on,
    )


def tier_out(v: TierView) -> TierOut:
    t = v.assignment
    return TierOut(t.id, t.person_id, t.tier, v.duties, t.effective_from, t.effective_to, t.assigned_by, t.reason)


def tier_result(change: TierChange) -> TierResult:
    return TierResult(assigned=tier_out(change.assigned), ended=tier_out(change.ended) if change.ended else None)


class RecognitionController(Controller):
    """Counter staff and officers; completing steps and assigning tiers officers only."""

    path = "/"
    tags = ["recognition"]
    guards = [WRITERS]
    dependencies = {"recognitions": service(Recognitions)}

    @post(
        "/persons/{person_id:int}/recognitions",
        operation_id="applyRecognition",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="受理就业困难人员认定申请（002 §1、§2）",
    )
    def apply(
        self,
        recognitions: NamedDependency[Recognitions],
        person_id: PersonId,
        data: Annotated[
            RecognitionIn,
            Body(
                examples=[
                    Example(
                        summary="大龄且连续失业（002 §1(1)）", value={"categories": [1], "applied_on": "2025-09-29"}
                    )
                ]
            ),
        ],
    ) -> RecognitionRecord:
        """Accept an application at the person's hukou county (002 §2); the first step (community review)
        starts on the application day.

        Returns:
            The application with its steps and due dates; 422 at the residence county or past the statutory
            retirement age; 409 while another is being decided or the person is recognised.
        """
        return recognition_out(recognitions.apply(person_id, list(data.categories), data.applied_on, data.region_code))

    @get(
        "/recognitions/{recognition_id:int}",
        operation_id="getRecognition",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="认定申请及各环节办理期限（002 §2）",
    )
    def get_recognition(
        self,
        recognitions: NamedDependency[Recognitions],
        recognition_id: RecognitionId,
        purpose: Purpose,
        as_of: Annotated[date | None, QueryParameter(description="判断是否逾期的日期，默认今天")] = None,
    ) -> RecognitionRecord:
        """The application, its steps with start and due dates, and which is overdue; the read is audited.

        Returns:
            The application, or 404 when unknown or outside the caller's jurisdiction.
        """
        return recognition_out(recognitions.read(recognition_id, purpose_of(purpose), as_of))

    @post(
        "/recognitions/{recognition_id:int}/steps/{step:str}",
        operation_id="completeRecognitionStep",
        sync_to_thread=True,
        status_code=200,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="办结认定环节（002 §2）",
    )
    def complete_step(
        self,
        recognitions: NamedDependency[Recognitions],
        recognition_id: RecognitionId,
        step: Annotated[RecognitionStep, PathParameter(description="环节")],
        data: Annotated[
            StepIn,
            Body(
                examples=[
                    Example(
                        summary="社区调查通过",
                        value={"outcome": "passed", "completed_on": "2025-10-10", "note": "经核实符合条件"},
                    )
                ]
            ),
        ],
    ) -> RecognitionRecord:
        """Record a step's outcome. Steps go in order; a failed step rejects the application, the county
        review passing recognises the person from that day. Publicity passes no earlier than its 5th working
        day and with no objection open; the county review only for a person who meets 002 §1 that day.

        Returns:
            The application as it now stands; 409 if the step has its outcome already or an objection is open,
            422 out of order, before publicity ends (naming the earliest day) or listing the unmet 002 §1 conditions.
        """
        return recognition_out(
            recognitions.complete_step(recognition_id, step, StepOutcome(data.outcome), data.completed_on, data.note)
        )

    @post(
        "/recognitions/{recognition_id:int}/objections",
        operation_id="raiseRecognitionObjection",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="登记公示期间的异议（002 §2）",
    )
    def raise_objection(
        self,
        recognitions: NamedDependency[Recognitions],
        recognition_id: RecognitionId,
        data: Annotated[
            ObjectionIn,
            Body(
                examples=[
                    Example(
                        summary="群众反映本人在外务工",
                        value={"raised_on": "2025-10-13", "summary": "邻居反映本人已在外地务工"},
                    )
                ]
            ),
        ],
    ) -> RecognitionRecord:
        """Record an objection while the application is publicised; publicity cannot pass while it is open.

        Returns:
            The application with its objections; 422 when it is not in publicity.
        """
        return recognition_out(recognitions.raise_objection(recognition_id, data.raised_on, data.summary))

    @post(
        "/recognitions/{recognition_id:int}/objections/{objection_id:int}/decision",
        operation_id="decideRecognitionObjection",
        sync_to_thread=True,
        status_code=200,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="处理公示异议（002 §2）",
    )
    def decide_objection(
        self,
        recognitions: NamedDependency[Recognitions],
        recognition_id: RecognitionId,
        objection_id: ObjectionId,
        data: Annotated[
            ObjectionDecisionIn,
            Body(
                examples=[
                    Example(
                        summary="经核实异议不成立",
                        value={
                            "outcome": "dismissed",
                            "reason": "经核实本人仍处于失业状态",
                            "decided_on": "2025-10-15",
                        },
                    )
                ]
            ),
        ],
    ) -> RecognitionRecord:
        """Uphold or dismiss an open objection; upheld, the publicity step fails and the application is rejected
        with the reason recorded.

        Returns:
            The application as it now stands; 409 if the objection was decided already.
        """
        return recognition_out(
            recognitions.decide_objection(recognition_id, objection_id, data.outcome, data.reason, data.decided_on)
        )

    @post(
        "/recognitions/{recognition_id:int}/exit",
        operation_id="exitRecognition",
        sync_to_thread=True,
        status_code=200,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="退出就业困难人员（002 §5）",
    )
    def exit_recognition(
        self,
        recognitions: NamedDependency[Recognitions],
        recognition_id: RecognitionId,
        data: Annotated[
            ExitIn,
            Body(
                examples=[
                    Example(
                        summary="本人申报：已担任企业法定代表人（002 §5(1)）",
                        value={
                            "route": "self",
                            "clause": "002 §5(1)",
                            "exited_on": "2026-03-02",
                            "reason": "本人申报已注册公司并担任法定代表人",
                        },
                    ),
                    Example(
                        summary="社区发现：一年内超过六个月无法联系（002 §5(4)），已公示",
                        value={
                            "route": "office",
                            "clause": "002 §5(4)",
                            "exited_on": "2026-03-10",
                            "reason": "多次回访无法取得联系",
                            "exit_notified_on": "2026-03-02",
                        },
                    ),
                ]
            ),
        ],
    ) -> RecognitionRecord:
        """End a recognition (002 §5 last paragraph): reported by the person, or found by the community after
        telling the person or publishing a notice. The tier in force ends and placements are scored again.

        Returns:
            The application, now exited; 422 unless recognised, 409 if exited already.
        """
        return recognition_out(
            recognitions.exit(
                recognition_id, data.route, data.clause, data.exited_on, data.reason, data.exit_notified_on
            )
        )

    @post(
        "/persons/{person_id:int}/tier",
        operation_id="assignTier",
        sync_to_thread=True,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
        summary="确定帮扶分级（002 §4）",
    )
    def assign_tier(
        self,
        recognitions: NamedDependency[Recognitions],
        person_id: PersonId,
        data: Annotated[
            TierIn,
            Body(
                examples=[
                    Example(
                        summary="三类：每月服务、公益性岗位兜底",
                        value={"tier": 3, "effective_from": "2025-11-01", "reason": "就业能力弱、生活困难"},
                    )
                ]
            ),
        ],
    ) -> TierResult:
        """Assign a recognised person to tier 1, 2 or 3 from a date; the tier in force until then ends the day
        before (periods are closed).

        Returns:
            The new assignment and the one it ended, if any.
        """
        return tier_result(recognitions.assign_tier(person_id, data.tier, data.effective_from, data.reason))


ROUTES = [RecognitionController]
