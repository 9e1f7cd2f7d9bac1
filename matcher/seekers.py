"""A registered person as a ``Seeker``: what matching may know — no name, ID number or phone."""

from __future__ import annotations

from datetime import date

from jiuyuan import gazetteer
from jiuyuan.vocab import Schedule
from ledger.models import Person
from matcher.posts import Seeker
from scoring.retirement import age_on


def seeker_from_person(person: Person, today: date, tier: int | None) -> Seeker:
    """Without a point entered, the person is placed at the residence county's centre (marked
    estimated), so distance still ranks and filters instead of being silently dropped."""
    home = gazetteer.point(person.latitude, person.longitude, person.residence_region_code)
    return Seeker(
        age=age_on(person.birth_date, today),
        sex=person.sex,
        region_code=person.residence_region_code,
        skills=tuple(person.skills or ()),
        wished_work=tuple(person.wished_work or ()),
        schedules=tuple(Schedule(s) for s in person.wished_schedules or ()),
        latitude=home.latitude if home else None,
        longitude=home.longitude if home else None,
        location_estimated=home is not None and home.precision.estimated,
        disabled=person.disability_certificate is not None,
        tier=tier,
    )
