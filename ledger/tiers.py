"""The support tier a person is served under (002 §4 (1)(2)(3)), as the ledger holds it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from ledger.models import TierAssignment

# Built once (every match and person read asks): building the statement cost more than running it.
_IN_FORCE = (
    select(TierAssignment.tier)
    .where(
        TierAssignment.person_id == bindparam("person_id"),
        TierAssignment.effective_from <= bindparam("day"),
        or_(TierAssignment.effective_to.is_(None), TierAssignment.effective_to >= bindparam("day")),
    )
    .order_by(TierAssignment.effective_from.desc(), TierAssignment.id.desc())
    .limit(1)
)


def current_tier(session: Session, person_id: int, day: date) -> int | None:
    """The tier in force on ``day``: of the assignments whose period holds the day, the one that
    started last (then the one entered last) wins, so overlapping periods — older data, imports —
    always give the same answer."""
    return session.scalar(_IN_FORCE, {"person_id": person_id, "day": day})
