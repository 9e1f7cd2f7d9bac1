"""Recognition as 就业困难人员 (002 §1–§2) and support tiers (002 §4).

An application starts the first step of 002 §2; each further step's row is written when the one
before it passes, starting that day and due on its 5th working day after (start day not counted,
statutory holidays and make-up working days from the State Council calendar). Steps not yet
started are shown as a plan and never stored, so the duty list's "past due" means a step really
running late. A failed step rejects the application; the last step passing recognises the person.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.errors import Conflict, FieldError, InvalidInput, NotFound
from api.auth import allow
from api.errors import problem_responses
from api.routes.person_wire import (
    WRITERS, PersonId, Purpose, RecognitionIn, RecognitionOut, StepIn, StepOut, TierIn, TierOut, TierResult, category_out, in_reach, purpose_of, reach,
)
from jiuyuan import clock
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, Role, StepOutcome
from ledger import audit
from ledger.models import Person, Recognition, RecognitionStepRow, TierAssignment
from scoring import load_policies
from scoring.assess import STEP_CLAUSE, recognition_steps
from scoring.support import tier_duties
from scoring.workdays import working_calendar

RecognitionId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="认定申请编号")]
STEPS = list(RecognitionStep)
OPEN = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW, RecognitionStatus.RECOGNISED)


def step_working_days(applied_on: date) -> int:
    """002 §2's working days per step for an application made on ``applied_on``."""
    parameter = load_policies().parameters["recognition.step_working_days"]
    days = parameter.at(applied_on)
    if days is None:
        raise InvalidInput([FieldError("applied_on", f"认定程序（{parameter.reference}）自 "
                                       f"{parameter.values[0][0].isoformat()} 起施行，申请日期不能早于该日")])
    return int(days)


def step_row(step: RecognitionStep, start: date, applied_on: date) -> RecognitionStepRow:
    """A step started on ``start``, due on its 5th working day; provisional where the year's
    holiday arrangement is not loaded yet."""
    due = working_calendar().add_working_days(start, step_working_days(applied_on))
    return RecognitionStepRow(step=step, started_on=start, due_on=due.day, due_provisional_note=due.note,
                              outcome=StepOutcome.PENDING)


def recognition_out(rec: Recognition, as_of: date) -> RecognitionOut:
    rows = {r.step: r for r in rec.steps}
    done = {s: r.completed_on for s, r in rows.items() if r.completed_on is not None}
    days = load_policies().parameters["recognition.step_working_days"].at(rec.applied_on)
    # An application from before 002 took effect (older records) has no 002 §2 plan.
    plan = {p["step"]: p for p in recognition_steps(rec.applied_on, done, working_days=days)} if days else {}
    under_way = any(r.outcome is StepOutcome.PENDING for r in rows.values())
    steps = []
    for step in STEPS:
        row = rows.get(step)
        if row is not None:
            overdue = row.completed_on is None and as_of > row.due_on
            status = (("逾期完成" if row.completed_on > row.due_on else "按时完成") if row.completed_on
                      else "已逾期" if overdue else "办理中")
            steps.append(StepOut(step.value, step.label, STEP_CLAUSE, row.started_on, row.due_on, row.completed_on,
                                 row.outcome.value, row.outcome.label, overdue, status, row.officer, row.note,
                                 row.due_provisional_note is not None, row.due_provisional_note))
        elif rec.status in (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW):
            p = plan.get(step.value)
            start, due = (date.fromisoformat(p["started_on"]), date.fromisoformat(p["due_on"])) if p else (None, None)
            # An application entered without step rows (demo data, imports): its current step is under way.
            current, under_way = not under_way, True
            overdue = current and due is not None and as_of > due
            steps.append(StepOut(step.value, step.label, STEP_CLAUSE, start, due, None,
                                 *(("pending", StepOutcome.PENDING.label, overdue, "已逾期" if overdue else "办理中")
                                   if current else ("planned", "尚未开始", False, "计划")),
                                 due_provisional=bool(p and p["due_provisional"]),
                                 calendar_note=p["calendar_note"] if p else None))
    return RecognitionOut(rec.id, rec.person_id, rec.region_code, regions.full_name(rec.region_code),
                          [category_out(n) for n in rec.categories], rec.status.value, rec.status.label,
                          rec.applied_on, rec.recognised_on, rec.exited_on, as_of, steps)


RECOGNITION_FIELDS = ["recognition.categories", "recognition.status", "recognition.steps"]


@post("/persons/{person_id:int}/recognitions", operation_id="applyRecognition", tags=["recognition"],
      sync_to_thread=True, guards=[WRITERS], responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
      summary="受理就业困难人员认定申请（002 §1、§2）")
def apply(request: Request, db_session: NamedDependency[Session], person_id: PersonId,
          data: Annotated[RecognitionIn, Body(examples=[Example(summary="大龄且连续失业（002 §1(1)）", value={
              "categories": [1], "applied_on": "2025-09-29"})])]) -> RecognitionOut:
    """Accept an application; the first step (community review) starts on the application day.

    Returns:
        The application with its steps and due dates; 409 while another is open or recognised.
    """
    person = reach(db_session, request.user, person_id, lock=True)  # one open application at a time
    region = data.region_code or person.hukou_region_code  # 002 §2: applied for at the hukou community
    if region not in (person.hukou_region_code, person.residence_region_code):
        raise InvalidInput([FieldError("region_code", "受理地须为本人户籍地或常住地县区")])
    if not request.user.covers(region):
        raise PermissionDeniedException(f"受理地 {region} 不在您的管辖范围（{request.user.region_prefix}）内。")
    if data.applied_on > clock.today():
        raise InvalidInput([FieldError("applied_on", "申请日期不能晚于今天")])
    current = db_session.scalar(select(Recognition).where(Recognition.person_id == person_id,
                                                          Recognition.status.in_(OPEN)))
    if current is not None:
        raise Conflict(f"该人员已有认定申请 {current.id}（{current.status.label}），不能重复申请。")
    rec = Recognition(person_id=person_id, region_code=region, categories=sorted(set(data.categories)),
                      applied_on=data.applied_on, status=RecognitionStatus.APPLIED)
    rec.steps.append(step_row(STEPS[0], data.applied_on, data.applied_on))
    db_session.add(rec)
    db_session.flush()
    audit.record(db_session, request.user, "recognition.apply", person_id, RECOGNITION_FIELDS, "受理认定申请")
    out = recognition_out(rec, clock.today())
    db_session.commit()
    return out


def _current(rec: Recognition) -> RecognitionStepRow:
    """The step under way. An open application entered without step rows (demo data, imports) gets the
    row of its current step now, started when the step before it passed."""
    rows, start = {r.step: r for r in rec.steps}, rec.applied_on
    for step in STEPS:
        row = rows.get(step)
        if row is None:
            row = step_row(step, start, rec.applied_on)
            rec.steps.append(row)
            return row
        if row.outcome is not StepOutcome.PASSED:
            return row
        start = row.completed_on
    raise InvalidInput([FieldError("step", "各环节均已办结")])  # all passed yet still open: inconsistent data


def _recognition(session: Session, request: Request, recognition_id: int, lock: bool = False) -> Recognition:
    rec = session.get(Recognition, recognition_id, with_for_update=lock)
    if rec is None or not in_reach(request.user, session.get(Person, rec.person_id)):
        raise NotFound(f"认定申请 {recognition_id} 不存在或不在您的管辖范围内。")
    return rec


@get("/recognitions/{recognition_id:int}", operation_id="getRecognition", tags=["recognition"],
     sync_to_thread=True, guards=[WRITERS], responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
     summary="认定申请及各环节办理期限（002 §2）")
def get_recognition(request: Request, db_session: NamedDependency[Session], recognition_id: RecognitionId,
                    purpose: Purpose,
                    as_of: Annotated[date | None, QueryParameter(description="判断是否逾期的日期，默认今天")] = None,
                    ) -> RecognitionOut:
    """The application, its steps with start and due dates, and which is overdue; the read is audited.

    Returns:
        The application, or 404 when unknown or outside the caller's jurisdiction.
    """
    why = purpose_of(purpose)
    rec = _recognition(db_session, request, recognition_id)
    out = recognition_out(rec, as_of or clock.today())
    audit.record(db_session, request.user, "recognition.read", rec.person_id, RECOGNITION_FIELDS, why)
    db_session.commit()
    return out


@post("/recognitions/{recognition_id:int}/steps/{step:str}", operation_id="completeRecognitionStep",
      tags=["recognition"], sync_to_thread=True, status_code=200, guards=[allow(Role.OFFICER)],
      responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503), summary="办结认定环节（002 §2）")
def complete_step(request: Request, db_session: NamedDependency[Session], recognition_id: RecognitionId,
                  step: Annotated[RecognitionStep, PathParameter(description="环节")],
                  data: Annotated[StepIn, Body(examples=[Example(summary="社区调查通过", value={
                      "outcome": "passed", "completed_on": "2025-10-10", "note": "经核实符合条件"})])],
                  ) -> RecognitionOut:
    """Record a step's outcome. Steps go in order; a failed step rejects the application, the county
    review passing recognises the person from that day.

    Returns:
        The application as it now stands; 409 if the step has its outcome already, 422 out of order.
    """
    rec = _recognition(db_session, request, recognition_id, lock=True)  # one outcome per step, even racing
    if not request.user.covers(rec.region_code):
        raise PermissionDeniedException(f"受理地 {rec.region_code} 不在您的管辖范围内。")
    row = next((r for r in rec.steps if r.step is step), None)
    if row is not None and row.outcome is not StepOutcome.PENDING:
        raise Conflict(f"“{step.label}”已于 {row.completed_on} 办结（{row.outcome.label}），不能再次办理。")
    if rec.status not in (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW):
        raise InvalidInput([FieldError("step", f"该申请状态为“{rec.status.label}”，不能继续办理")])
    row = _current(rec)
    if row.step is not step:
        raise InvalidInput([FieldError("step", f"须按顺序办理：当前环节为“{row.step.label}”（002 §2）")])
    errors = []
    if data.completed_on < row.started_on:
        errors.append(FieldError("completed_on", f"办结日期不能早于本环节开始日期 {row.started_on}"))
    if data.completed_on > clock.today():
        errors.append(FieldError("completed_on", "办结日期不能晚于今天"))
    if data.outcome == StepOutcome.FAILED.value and not (data.note or "").strip():
        errors.append(FieldError("note", "不通过时须写明理由，以便告知本人"))
    if errors:
        raise InvalidInput(errors)
    row.outcome, row.completed_on = StepOutcome(data.outcome), data.completed_on
    row.officer, row.note = request.user.actor[:60], data.note
    index = STEPS.index(step)
    if row.outcome is StepOutcome.FAILED:
        rec.status = RecognitionStatus.REJECTED
    elif index == len(STEPS) - 1:
        rec.status, rec.recognised_on = RecognitionStatus.RECOGNISED, data.completed_on
    else:
        rec.status = RecognitionStatus.IN_REVIEW
        rec.steps.append(step_row(STEPS[index + 1], data.completed_on, rec.applied_on))
    db_session.flush()
    audit.record(db_session, request.user, "recognition.step", rec.person_id, RECOGNITION_FIELDS,
                 f"办理认定环节：{step.label}")
    out = recognition_out(rec, clock.today())
    db_session.commit()
    return out


@post("/persons/{person_id:int}/tier", operation_id="assignTier", tags=["recognition"], sync_to_thread=True,
      guards=[allow(Role.OFFICER)], responses=problem_responses(400, 401, 403, 404, 409, 422, 500, 503),
      summary="确定帮扶分级（002 §4）")
def assign_tier(request: Request, db_session: NamedDependency[Session], person_id: PersonId,
                data: Annotated[TierIn, Body(examples=[Example(summary="三类：每月服务、公益性岗位兜底", value={
                    "tier": 3, "effective_from": "2025-11-01", "reason": "就业能力弱、生活困难"})])]) -> TierResult:
    """Assign a recognised person to tier 1, 2 or 3 from a date; the tier in force until then ends the day
    before (periods are closed).

    Returns:
        The new assignment and the one it ended, if any.
    """
    reach(db_session, request.user, person_id, lock=True)  # serialises assignments: one open tier
    rec = db_session.scalar(select(Recognition).where(Recognition.person_id == person_id,
                                                      Recognition.status == RecognitionStatus.RECOGNISED))
    if rec is None:
        raise InvalidInput([FieldError("tier", "该人员尚未认定为就业困难人员，不能分级（002 §4）")])
    if data.effective_from < rec.recognised_on:
        raise InvalidInput([FieldError("effective_from", f"分级起始日不能早于认定日 {rec.recognised_on}")])
    rows = list(db_session.scalars(select(TierAssignment).where(TierAssignment.person_id == person_id)
                                   .order_by(TierAssignment.effective_from)))
    latest = rows[-1] if rows else None
    if latest is not None and latest.effective_from >= data.effective_from:
        raise InvalidInput([FieldError("effective_from", f"须晚于现行分级的起始日 {latest.effective_from}")])
    if latest is not None and latest.effective_to is None and latest.tier == data.tier:
        raise Conflict(f"该人员自 {latest.effective_from} 起已是{data.tier}类帮扶对象。")
    ended = None
    if latest is not None and (latest.effective_to is None or latest.effective_to >= data.effective_from):
        latest.effective_to, ended = data.effective_from - timedelta(days=1), latest
    new = TierAssignment(person_id=person_id, tier=data.tier, effective_from=data.effective_from,
                         assigned_by=request.user.actor[:60], reason=data.reason)
    db_session.add(new)
    db_session.flush()
    audit.record(db_session, request.user, "tier", person_id, ["tier"], f"确定帮扶分级：{data.tier}类")

    def tier_out(t: TierAssignment) -> TierOut:
        return TierOut(t.id, t.person_id, t.tier, tier_duties(t.tier, t.effective_from), t.effective_from, t.effective_to,
                       t.assigned_by, t.reason)

    out = TierResult(assigned=tier_out(new), ended=tier_out(ended) if ended else None)
    db_session.commit()
    return out


ROUTES = [apply, get_recognition, complete_step, assign_tier]
