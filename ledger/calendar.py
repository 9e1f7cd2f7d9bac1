"""Recomputing the recognition due dates that were stored as provisional (002 §2).

A step's due date counted over a year whose holiday arrangement was not yet loaded carries a
note (``RecognitionStepRow.due_provisional_note``). Once an officer adds that year's
arrangement, :func:`rederive` counts those dates again on the new calendar and returns the
ones that moved, so the office can tell whoever was given the old date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Recognition, RecognitionStepRow
from scoring.params import PolicySet
from scoring.workdays import WorkingDayCalendar


@dataclass(frozen=True)
class MovedDue:
    recognition_id: int
    person_id: int
    step: str
    started_on: date
    old_due: date
    new_due: date
    still_provisional: bool


def rederive(session: Session, calendar: WorkingDayCalendar, policies: PolicySet) -> tuple[int, list[MovedDue]]:
    """Recount every provisional due date; returns how many were recounted and those that moved."""
    rows = session.execute(
        select(RecognitionStepRow, Recognition)
        .join(Recognition, Recognition.id == RecognitionStepRow.recognition_id)
        .where(RecognitionStepRow.due_provisional_note.is_not(None))
        .order_by(RecognitionStepRow.recognition_id, RecognitionStepRow.started_on)
    ).all()
    moved = []
    for row, rec in rows:
        days = policies.parameters["recognition.step_working_days"].at(rec.applied_on)
        due = calendar.add_working_days(row.started_on, days)
        if due.day != row.due_on:
            moved.append(
                MovedDue(rec.id, rec.person_id, row.step.label, row.started_on, row.due_on, due.day, due.provisional)
            )
        row.due_on, row.due_provisional_note = due.day, due.note
    return len(rows), moved
