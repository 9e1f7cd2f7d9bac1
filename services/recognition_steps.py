"""The step machine of 002 §2, pure: it works on a ``Recognition`` and its rows, never on the
session (``services.recognition`` is the service over it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jiuyuan.errors import Conflict, FieldError, InvalidInput
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, StepOutcome
from ledger.models import Recognition, RecognitionStepRow
from scoring import load_policies
from scoring.assess import STEP_CLAUSE, recognition_steps
from scoring.workdays import working_calendar

STEPS = list(RecognitionStep)
STEP_PARAMETER = "recognition.step_working_days"
LIVE = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW)
"""An application still being decided."""


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


def _step_status(step: RecognitionStep, row: RecognitionStepRow, as_of: date) -> tuple[bool, str]:
    """(overdue, status) of a stored step on ``as_of``. Publicity is a minimum, not a deadline
    (002 §2 "公示N个工作日后无异议的"): never overdue, "公示中" until its day, "公示期满" from it."""
    if step is RecognitionStep.PUBLICITY:
        if row.completed_on is not None:
            return False, "已完成"
        return False, "公示期满" if as_of >= row.due_on else "公示中"
    if row.completed_on is not None:
        return False, "逾期完成" if row.completed_on > row.due_on else "按时完成"
    overdue = as_of > row.due_on
    return overdue, "已逾期" if overdue else "办理中"


def step_states(rec: Recognition, as_of: date) -> list[StepState]:
    """Every step of the application on ``as_of``: the stored rows, then (while the application
    is open) the current step and the plan of those after it. A step whose predecessor is not
    complete is "未开始": never overdue, planned from no earlier than ``as_of``."""
    rows = {r.step: r for r in rec.steps}
    done = {s: r.completed_on for s, r in rows.items() if r.completed_on is not None}
    days = load_policies().parameters[STEP_PARAMETER].at(rec.applied_on)
    # An application from before 002 took effect (older records) has no 002 §2 plan.
    plan = {p["step"]: p for p in recognition_steps(rec.applied_on, done, as_of, working_days=days)} if days else {}
    steps = []
    begun = True  # the first step begins with the application; each further one when the one before it is done
    for step in STEPS:
        row = rows.get(step)
        if row is not None:
            overdue, status = _step_status(step, row, as_of)
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
        elif rec.status in LIVE:
            p = plan.get(step.value)
            start, due = (date.fromisoformat(p["started_on"]), date.fromisoformat(p["due_on"])) if p else (None, None)
            if begun:  # under way, though entered without a row (demo data, imports)
                status = p["status"] if p else "办理中"
                outcome = ("pending", StepOutcome.PENDING.label, status == "已逾期", status)
            else:
                outcome = ("planned", "尚未开始", False, "未开始")
            steps.append(
                StepState(
                    step.value,
                    step.label,
                    STEP_CLAUSE,
                    start,
                    due,
                    None,
                    *outcome,
                    due_provisional=bool(p and p["due_provisional"]),
                    calendar_note=p["calendar_note"] if p else None,
                )
            )
        begun = row is not None and row.completed_on is not None
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
    before_pass: Callable[[RecognitionStepRow], None] | None = None,
) -> RecognitionStepRow:
    """Record ``step``'s outcome on the application. Steps go in order (422 otherwise; 409 for a
    step that has its outcome already); a failed step rejects the application, the last step
    passing recognises the person from that day, any other passing starts the next step.

    Publicity passes no earlier than its Nth working day (002 §2 "公示N个工作日后无异议的"; 422
    naming the earliest day). ``before_pass`` checks what needs the ledger (open objections, the
    002 §1 conditions) once the step is known to be the current one, and raises to refuse."""
    row = next((r for r in rec.steps if r.step is step), None)
    if row is not None and row.outcome is not StepOutcome.PENDING:
        raise Conflict(f"“{step.label}”已于 {row.completed_on} 办结（{row.outcome.label}），不能再次办理。")
    if rec.status not in LIVE:
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
    if step is RecognitionStep.PUBLICITY and outcome is StepOutcome.PASSED and completed_on < row.due_on:
        days = step_working_days(rec.applied_on)
        errors.append(
            FieldError(
                "completed_on",
                f"公示须满{days}个工作日（{STEP_CLAUSE}“公示{days}个工作日后无异议的”）："
                f"自 {row.started_on} 起公示，最早可于 {row.due_on} 办结",
            )
        )
    if errors:
        raise InvalidInput(errors)
    if outcome is StepOutcome.PASSED and before_pass is not None:
        before_pass(row)
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


def unmet_conditions(result: dict[str, Any], claimed: list[int]) -> list[FieldError]:
    """Each 002 §1 condition ``scoring.assess.recognition`` found unmet, in Chinese; empty when
    the person may be recognised."""
    if not result.get("applicable"):
        return [FieldError("conditions", f"不适用 002 的认定条件：{result.get('reason', '')}")]
    if result["eligible"]:
        return []
    errors = [
        FieldError("conditions", f"不满足：{p['label']}（{p['reference']}）")
        for p in result["preconditions"]
        if not p["met"]
    ]
    if not result["categories_met"]:
        errors += [
            FieldError("categories", f"不符合 {c['clause']} {c['label']}（{c['evidence']}）")
            for c in result["categories"]
            if c["number"] in claimed
        ] or [FieldError("categories", "不符合 002 §1 所列任何一类")]
    return errors


# ----- views -------------------------------------------------------------------------------------
