"""The schema itself keeps data honest: unique keys, foreign keys, CHECKs on money and dates."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from jiuyuan.vocab import ClaimStatus, PlacementKind, PostingKind, Schedule, UrbanRural, WageUnit
from ledger.models import Claim, Employer, JobPosting, Person, Placement


def _person(**over) -> Person:
    row = dict(
        id_number="430102198507150011",
        name="王伟",
        sex="M",
        birth_date=date(1985, 7, 15),
        hukou_region_code="430102",
        residence_region_code="430102",
        urban_rural=UrbanRural.URBAN,
    )
    return Person(**(row | over))


def _posting(**over) -> JobPosting:
    row = dict(
        ref="P1",
        title="保洁员",
        kind=PostingKind.ORDINARY,
        schedule=Schedule.FULL_TIME,
        wage_min=Decimal("2000"),
        wage_max=Decimal("2500"),
        wage_unit=WageUnit.MONTH,
        region_code="430102",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 3, 1),
    )
    return JobPosting(**(row | over))


def _fails(sessions, because: str, *rows) -> None:
    """The insert is refused, and the database names ``because`` (a constraint) as the reason.

    SQLite names a unique or foreign-key failure by column, not by constraint; the
    alternatives after "|" cover that.
    """
    with pytest.raises(IntegrityError) as err, sessions.begin() as s:
        s.add_all(rows)
    assert any(reason in str(err.value.orig) for reason in because.split("|")), err.value.orig


def test_money_round_trips_exactly_in_fen(sessions):
    with sessions.begin() as s:
        s.add(_posting(wage_min=Decimal("0.01"), wage_max=Decimal("99999.99"), wage_unit=WageUnit.PIECE))
    with sessions() as s:
        p = s.scalars(select(JobPosting)).one()
        assert (p.wage_min, p.wage_max) == (Decimal("0.01"), Decimal("99999.99"))
        assert s.execute(text("SELECT wage_max FROM job_postings")).scalar() == 9999999


def test_negative_wage_is_refused_by_the_database(sessions):
    _fails(sessions, "ck_job_postings_wage_min_non_negative", _posting(wage_min=Decimal("-1"), wage_max=Decimal("10")))


def test_wage_max_below_min_is_refused(sessions):
    _fails(sessions, "ck_job_postings_wage_range", _posting(wage_min=Decimal("3000"), wage_max=Decimal("2000")))


def test_validity_ending_before_it_starts_is_refused(sessions):
    _fails(sessions, "ck_job_postings_validity", _posting(valid_from=date(2026, 3, 1), valid_until=date(2026, 2, 1)))


def test_love_post_with_an_age_limit_is_refused_000_s2(sessions):
    """000 §2: 爱心岗位 无年龄限制 — the database holds that too."""
    _fails(sessions, "ck_job_postings_love_no_age_limit", _posting(kind=PostingKind.LOVE, age_min=18, age_max=50))


def test_placement_ending_before_it_starts_is_refused(sessions):
    with sessions.begin() as s:
        s.add(_person())
    with sessions() as s:
        pid = s.scalar(select(Person.id))
    _fails(
        sessions,
        "ck_placements_period",
        Placement(person_id=pid, kind=PlacementKind.FLEXIBLE, start_date=date(2026, 5, 1), end_date=date(2026, 4, 30)),
    )


def test_foreign_keys_are_enforced(sessions):
    _fails(
        sessions,
        "fk_placements_person_id_persons|FOREIGN KEY constraint failed",
        Placement(person_id=999, kind=PlacementKind.FLEXIBLE, start_date=date(2026, 5, 1)),
    )


def test_id_number_and_uscc_are_unique(sessions):
    with sessions.begin() as s:
        s.add(_person())
        s.add(Employer(uscc="91110000600037341L", name="甲", region_code="430102"))
    _fails(sessions, "uq_persons_id_number|persons.id_number", _person(name="另一人"))
    _fails(
        sessions,
        "uq_employers_uscc|employers.uscc",
        Employer(uscc="91110000600037341L", name="乙", region_code="430102"),
    )


def test_enum_values_are_checked_by_the_database(sessions, engine):
    with pytest.raises(IntegrityError, match="ck_job_postings_posting_kind"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO job_postings (ref, title, description, kind, schedule, wage_min, wage_max, wage_unit,"
                " region_code, skills_required, disabled_suitable, headcount, valid_from, valid_until, status,"
                " created_at) VALUES ('X', 't', '', 'bogus', 'daily', 1, 1, 'day', '430102', '[]', false, 1,"
                " '2026-01-01', '2026-01-02', 'open', '2026-01-01 00:00:00+00')"
            )
        )


def test_one_live_claim_per_scheme_person_year(sessions):
    """004 §2(2)2 "每人每年只能享受一次": a second live claim is refused; a rejected one does not block."""
    with sessions.begin() as s:
        person = _person()
        s.add(person)
        s.flush()
        placement = Placement(person_id=person.id, kind=PlacementKind.EMPLOYER_ABSORPTION, start_date=date(2019, 1, 1))
        s.add(placement)
        s.flush()
        ids = (person.id, placement.id)

    def claim(key, status=ClaimStatus.SUBMITTED, decided=None):
        return Claim(
            idempotency_key=key,
            scheme_code="agency_fee_004",
            person_id=ids[0],
            placement_id=ids[1],
            claim_year=2019,
            amount=Decimal("200"),
            status=status,
            decided_at=decided,
        )

    from datetime import datetime

    with sessions.begin() as s:
        s.add(claim("a", ClaimStatus.REJECTED, datetime(2019, 8, 1, tzinfo=UTC)))
        s.add(claim("b"))
    _fails(sessions, "uq_claims_scheme_person_year_live|claims.scheme_code", claim("c"))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 2
