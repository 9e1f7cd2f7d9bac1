"""Recognition as 就业困难人员 (002 §1–§2) and support tiers (002 §4).

The step machine, its due dates and the tiers' duties are ``services.recognition``'s (figures from
the policy parameters); these handlers decode, call it and encode.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import (
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
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import RecognitionStep, Role, StepOutcome
from services.recognition import Recognitions, RecognitionView, StepState, TierChange, TierView

RecognitionId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="认定申请编号")]


def step_out(s: StepState) -> StepOut:
    return msgspec.convert(s, StepOut, from_attributes=True)


def recognition_out(v: RecognitionView) -> RecognitionOut:
    rec = v.recognition
    return RecognitionOut(
        rec.id,
        rec.person_id,
        rec.region_code,
        regions.full_name(rec.region_code),
        [category_out(n) for n in v.categories],
        rec.status.value,
        rec.status.label,
        rec.applied_on,
        rec.recognised_on,
        rec.exited_on,
        v.as_of,
        [step_out(s) for s in v.steps],
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
    ) -> RecognitionOut:
        """Accept an application; the first step (community review) starts on the application day.

        Returns:
            The application with its steps and due dates; 409 while another is open or recognised.
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
    ) -> RecognitionOut:
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
    ) -> RecognitionOut:
        """Record a step's outcome. Steps go in order; a failed step rejects the application, the county
        review passing recognises the person from that day.

        Returns:
            The application as it now stands; 409 if the step has its outcome already, 422 out of order.
        """
        return recognition_out(
            recognitions.complete_step(recognition_id, step, StepOutcome(data.outcome), data.completed_on, data.note)
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
