"""Recognition as 就业困难人员 (002 §1–§2) and support tiers (002 §4).

The step machine: an application starts the first step of 002 §2; each further step's row is
written when the one before it passes, starting that day and due on its Nth working day after
(start day not counted, statutory holidays and make-up working days from the State Council
calendar; N is the policy parameter ``recognition.step_working_days``). Steps not yet started are
shown as a plan and never stored, so the duty list's "past due" means a step really running late.
A failed step rejects the application; the last step passing recognises the person.

The machine itself (``step_working_days``, ``step_row``, ``step_states``, ``current_step``,
``advance``) is pure: it works on a ``Recognition`` and its rows, never on the session.
``Recognitions`` is the service over a session and a caller: reach, locks, audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, StepOutcome
from ledger import audit
from ledger.access import Principal
from ledger.models import Person, Recognition, RecognitionStepRow, TierAssignment
from scoring import load_policies
from scoring.assess import STEP_CLAUSE, recognition_steps
from scoring.support import tier_duties
from scoring.workdays import working_calendar
from services.jurisdiction import Jurisdiction
from services.persons import reach

STEPS = list(RecognitionStep)
OPEN = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW, RecognitionStatus.RECOGNISED)
"""An application in one of these states blocks a new one."""
RECOGNITION_FIELDS = ["recognition.categories", "recognition.status", "recognition.steps"]
"""What reading or changing an application discloses, for the audit log."""
STEP_PARAMETER = "recognition.step_working_days"


# ----- the step machine (pure) -------------------------------------------------------------------


def step_working_days(applied_on: date) -> int:
    """002 §2's working days per step for an application made on ``applied_on``; 422 for an
    application from before 002 took effect."""
    parameter = load_policies().parameters[STEP_PARAMETER]
    days = parameter.at(applied_on)
    if days is None:
        raise InvalidInput(
            [
                FieldError(
                    "applied_on",
                    f"认定程序（{parameter.reference}）自 "
                    f"{parameter.values[0][0].isoformat()} 起施行，申请日期不能早于该日",
                )
            ]
        )
    return int(days)


def step_row(step: RecognitionStep, start: date, applied_on: date) -> RecognitionStepRow:
    """A step started on ``start``, due on its Nth working day; provisional where the year's
    holiday arrangement is not loaded yet."""
    due = working_calendar().add_working_days(start, step_working_days(applied_on))
    return RecognitionStepRow(
        step=step, started_on=start, due_on=due.day, due_provisional_note=due.note, outcome=StepOutcome.PENDING
    )


@dataclass(frozen=True)
class StepState:
    """One step of an application as it stands on a day: stored, under way, or planned."""

    step: str
    label: str
    clause: str
    started_on: date | None
    due_on: date | None
    """The Nth working day after the start (002 §2); a plan for steps not yet started."""
    completed_on: date | None
    outcome: str
    outcome_label: str
    overdue: bool
    status: str
    officer: str | None = None
    note: str | None = None
    due_provisional: bool = False
    """True where the due date was counted over a year whose holiday arrangement is not loaded yet."""
    calendar_note: str | None = None
    """Why the due date is provisional."""


def step_states(rec: Recognition, as_of: date) -> list[StepState]:
    """Every step of the application on ``as_of``: the stored rows, then (while the application
    is open) the current step and the plan of those after it."""
    rows = {r.step: r for r in rec.steps}
    done = {s: r.completed_on for s, r in rows.items() if r.completed_on is not None}
    days = load_policies().parameters[STEP_PARAMETER].at(rec.applied_on)
    # An application from before 002 took effect (older records) has no 002 §2 plan.
    plan = {p["step"]: p for p in recognition_steps(rec.applied_on, done, working_days=days)} if days else {}
    under_way = any(r.outcome is StepOutcome.PENDING for r in rows.values())
    steps = []
    for step in STEPS:
        row = rows.get(step)
        if row is not None:
            overdue = row.completed_on is None and as_of > row.due_on
            status = (
                ("逾期完成" if row.completed_on > row.due_on else "按时完成")
                if row.completed_on
                else "已逾期"
                if overdue
                else "办理中"
            )
            steps.append(
                StepState(
                    step.value,
                    step.label,
                    STEP_CLAUSE,
                    row.started_on,
                    row.due_on,
                    row.completed_on,
                    row.outcome.value,
                    row.outcome.label,
                    overdue,
                    status,
                    row.officer,
                    row.note,
                    row.due_provisional_note is not None,
                    row.due_provisional_note,
                )
            )
        elif rec.status in (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW):
            p = plan.get(step.value)
            start, due = (date.fromisoformat(p["started_on"]), date.fromisoformat(p["due_on"])) if p else (None, None)
            # An application entered without step rows (demo data, imports): its current step is under way.
            current, under_way = not under_way, True
            overdue = current and due is not None and as_of > due
            steps.append(
                StepState(
                    step.value,
                    step.label,
                    STEP_CLAUSE,
                    start,
                    due,
                    None,
                    *(
                        ("pending", StepOutcome.PENDING.label, overdue, "已逾期" if overdue else "办理中")
                        if current
                        else ("planned", "尚未开始", False, "计划")
                    ),
                    due_provisional=bool(p and p["due_provisional"]),
                    calendar_note=p["calendar_note"] if p else None,
                )
            )
    return steps


def current_step(rec: Recognition) -> RecognitionStepRow:
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


def advance(
    rec: Recognition,
    step: RecognitionStep,
    outcome: StepOutcome,
    completed_on: date,
    officer: str,
    note: str | None,
    today: date,
) -> RecognitionStepRow:
    """Record ``step``'s outcome on the application. Steps go in order (422 otherwise; 409 for a
    step that has its outcome already); a failed step rejects the application, the last step
    passing recognises the person from that day, any other passing starts the next step."""
    row = next((r for r in rec.steps if r.step is step), None)
    if row is not None and row.outcome is not StepOutcome.PENDING:
        raise Conflict(f"“{step.label}”已于 {row.completed_on} 办结（{row.outcome.label}），不能再次办理。")
    if rec.status not in (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW):
        raise InvalidInput([FieldError("step", f"该申请状态为“{rec.status.label}”，不能继续办理")])
    row = current_step(rec)
    if row.step is not step:
        raise InvalidInput([FieldError("step", f"须按顺序办理：当前环节为“{row.step.label}”（002 §2）")])
    errors = []
    if completed_on < row.started_on:
        errors.append(FieldError("completed_on", f"办结日期不能早于本环节开始日期 {row.started_on}"))
    if completed_on > today:
        errors.append(FieldError("completed_on", "办结日期不能晚于今天"))
    if outcome is StepOutcome.FAILED and not (note or "").strip():
        errors.append(FieldError("note", "不通过时须写明理由，以便告知本人"))
    if errors:
        raise InvalidInput(errors)
    row.outcome, row.completed_on = outcome, completed_on
    row.officer, row.note = officer, note
    index = STEPS.index(step)
    if outcome is StepOutcome.FAILED:
        rec.status = RecognitionStatus.REJECTED
    elif index == len(STEPS) - 1:
        rec.status, rec.recognised_on = RecognitionStatus.RECOGNISED, completed_on
    else:
        rec.status = RecognitionStatus.IN_REVIEW
        rec.steps.append(step_row(STEPS[index + 1], completed_on, rec.applied_on))
    return row


# ----- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecognitionView:
    """An application with its steps as they stand on ``as_of``."""

    recognition: Recognition
    categories: list[int]
    as_of: date
    steps: list[StepState]


def view(rec: Recognition, as_of: date) -> RecognitionView:
    return RecognitionView(rec, list(rec.categories), as_of, step_states(rec, as_of))


@dataclass(frozen=True)
class TierView:
    assignment: TierAssignment
    duties: str
    """The tier's duties (002 §4, abridged) with the policy figures in force from its start."""


@dataclass(frozen=True)
class TierChange:
    assigned: TierView
    ended: TierView | None


def tier_view(t: TierAssignment) -> TierView:
    return TierView(t, tier_duties(t.tier, t.effective_from))


# ----- the service -------------------------------------------------------------------------------


class Recognitions:
    """Applications and tiers of the persons a caller (counter staff, officers) may reach."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _application(self, recognition_id: int, lock: bool = False) -> Recognition:
        rec = self.session.get(Recognition, recognition_id, with_for_update=lock)
        if rec is None or not self.jurisdiction.covers(self.session.get(Person, rec.person_id)):
            raise NotFound(f"认定申请 {recognition_id} 不存在或不在您的管辖范围内。")
        return rec

    def apply(
        self, person_id: int, categories: list[int], applied_on: date, region_code: str | None = None
    ) -> RecognitionView:
        """Accept an application at the hukou county (default, 002 §2) or the residence county;
        the first step starts on the application day. 409 while another is open or recognised."""
        person = reach(self.session, self.jurisdiction, person_id, lock=True)  # one open application at a time
        region = region_code or person.hukou_region_code  # 002 §2: applied for at the hukou community
        if region not in (person.hukou_region_code, person.residence_region_code):
            raise InvalidInput([FieldError("region_code", "受理地须为本人户籍地或常住地县区")])
        if not self.jurisdiction.covers_region(region):
            raise Forbidden(f"受理地 {region} 不在您的管辖范围（{self.jurisdiction.label}）内。")
        if applied_on > clock.today():
            raise InvalidInput([FieldError("applied_on", "申请日期不能晚于今天")])
        current = self.session.scalar(
            select(Recognition).where(Recognition.person_id == person_id, Recognition.status.in_(OPEN))
        )
        if current is not None:
            raise Conflict(f"该人员已有认定申请 {current.id}（{current.status.label}），不能重复申请。")
        rec = Recognition(
            person_id=person_id,
            region_code=region,
            categories=sorted(set(categories)),
            applied_on=applied_on,
            status=RecognitionStatus.APPLIED,
        )
        rec.steps.append(step_row(STEPS[0], applied_on, applied_on))
        self.session.add(rec)
        self.session.flush()
        audit.record(self.session, self.who, "recognition.apply", person_id, RECOGNITION_FIELDS, "受理认定申请")
        return view(rec, clock.today())

    def read(self, recognition_id: int, purpose: str, as_of: date | None = None) -> RecognitionView:
        """The application and its steps on ``as_of`` (default today); the read is audited."""
        rec = self._application(recognition_id)
        out = view(rec, as_of or clock.today())
        audit.record(self.session, self.who, "recognition.read", rec.person_id, RECOGNITION_FIELDS, purpose)
        return out

    def complete_step(
        self, recognition_id: int, step: RecognitionStep, outcome: StepOutcome, completed_on: date, note: str | None
    ) -> RecognitionView:
        """Record a step's outcome (see ``advance``); only where the application was made lies
        within the caller's jurisdiction."""
        rec = self._application(recognition_id, lock=True)  # one outcome per step, even racing
        if not self.jurisdiction.covers_region(rec.region_code):
            raise Forbidden(f"受理地 {rec.region_code} 不在您的管辖范围内。")
        advance(rec, step, outcome, completed_on, self.who.actor[:60], note, clock.today())
        self.session.flush()
        audit.record(
            self.session, self.who, "recognition.step", rec.person_id, RECOGNITION_FIELDS, f"办理认定环节：{step.label}"
        )
        return view(rec, clock.today())

    def assign_tier(self, person_id: int, tier: int, effective_from: date, reason: str | None) -> TierChange:
        """Assign a recognised person to tier 1, 2 or 3 from a date; the tier in force until then
        ends the day before (periods are closed)."""
        reach(self.session, self.jurisdiction, person_id, lock=True)  # serialises assignments: one open tier
        rec = self.session.scalar(
            select(Recognition).where(
                Recognition.person_id == person_id, Recognition.status == RecognitionStatus.RECOGNISED
            )
        )
        if rec is None:
            raise InvalidInput([FieldError("tier", "该人员尚未认定为就业困难人员，不能分级（002 §4）")])
        if effective_from < rec.recognised_on:
            raise InvalidInput([FieldError("effective_from", f"分级起始日不能早于认定日 {rec.recognised_on}")])
        rows = list(
            self.session.scalars(
                select(TierAssignment)
                .where(TierAssignment.person_id == person_id)
                .order_by(TierAssignment.effective_from)
            )
        )
        latest = rows[-1] if rows else None
        if latest is not None and latest.effective_from >= effective_from:
            raise InvalidInput([FieldError("effective_from", f"须晚于现行分级的起始日 {latest.effective_from}")])
        if latest is not None and latest.effective_to is None and latest.tier == tier:
            raise Conflict(f"该人员自 {latest.effective_from} 起已是{tier}类帮扶对象。")
        ended = None
        if latest is not None and (latest.effective_to is None or latest.effective_to >= effective_from):
            latest.effective_to, ended = effective_from - timedelta(days=1), latest
        new = TierAssignment(
            person_id=person_id,
            tier=tier,
            effective_from=effective_from,
            assigned_by=self.who.actor[:60],
            reason=reason,
        )
        self.session.add(new)
        self.session.flush()
        audit.record(self.session, self.who, "tier", person_id, ["tier"], f"确定帮扶分级：{tier}类")
        return TierChange(tier_view(new), tier_view(ended) if ended else None)
