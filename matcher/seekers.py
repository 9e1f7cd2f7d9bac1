"""A registered person as a ``Seeker``: what matching may know — no name, ID number or phone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jiuyuan.vocab import Schedule
from ledger.models import Person, TierAssignment
from matcher.posts import Seeker
from scoring.retirement import age_on


def current_tier(session: Session, person_id: int, today: date) -> int | None:
    """The support tier in force today (002 §4), the latest assignment winning."""
    return session.scalar(
        select(TierAssignment.tier).where(
            TierAssignment.person_id == person_id, TierAssignment.effective_from <= today,
            or_(TierAssignment.effective_to.is_(None), TierAssignment.effective_to >= today))
        .order_by(TierAssignment.effective_from.desc(), TierAssignment.id.desc()).limit(1))


def seeker_from_person(person: Person, today: date, tier: int | None) -> Seeker:
    return Seeker(
        age=age_on(person.birth_date, today), sex=person.sex, region_code=person.residence_region_code,
        skills=tuple(person.skills or ()), wished_work=tuple(person.wished_work or ()),
        schedules=tuple(Schedule(s) for s in person.wished_schedules or ()),
        latitude=person.latitude, longitude=person.longitude,
        disabled=person.disability_certificate is not None, tier=tier,
    )
