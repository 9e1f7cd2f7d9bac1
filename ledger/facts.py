"""The ledger turns rows into the facts the policy engine reads (``scoring.Case``).

Loaded in bulk for many persons at once (a dozen queries a call, grouped in Python), so reports
over a county and payment runs over a prefecture do not issue one query per person. Rows are
read as plain column tuples, never ORM objects: building an ORM instance (identity map, state,
type processing) cost more than the rest of the read put together (``docs/benchmarks.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, select, type_coerce
from sqlalchemy.orm import Session

from jiuyuan.clock import CHINA
from jiuyuan.vocab import ClaimStatus, RecognitionStatus
from ledger.fact_rows import contribution_facts, ids_in
from ledger.models import (
    Claim,
    ClaimLine,
    Contribution,
    Employer,
    Household,
    HrAgency,
    JobPosting,
    JobPush,
    LifeEvent,
    OfficerRuling,
    Person,
    Placement,
    Recognition,
    ServiceContact,
    TierAssignment,
    TrainingRecord,
)
from scoring import Case, case_from_python
from scoring.poverty_areas import poverty_counties

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
FEN = Decimal("0.01")


def _of(model: Any, names: str) -> list[Any]:
    return [getattr(model, name) for name in names.split()]


_PERSON = select(
    *_of(Person, "id id_number household_id hukou_region_code residence_region_code urban_rural"),
    *_of(Person, "registered_unemployed_since disability_grade retirement_category land_lost"),
    *_of(Person, "poverty_registered_from poverty_registered_to"),
    *(getattr(Household, c).label(f"h_{c}") for c in ("id", "urban_rural", "assistance", "zero_employment")),
    Household.zero_employment_since.label("h_zero_employment_since"),
).outerjoin(Household, Household.id == Person.household_id)
# The workplace's county (posting's, else employer's) and the agency's licence come with the
# placement in one query rather than three.
_PLACEMENT = (
    select(
        *_of(Placement, "id person_id kind start_date end_date agency_id contract_months full_time"),
        *_of(Placement, "weekly_hours monthly_wage rural_post temporary_public_welfare"),
        JobPosting.region_code.label("posting_region"),
        Employer.region_code.label("employer_region"),
        HrAgency.licence_no,
        HrAgency.licence_valid_until,
    )
    .outerjoin(JobPosting, JobPosting.id == Placement.posting_id)
    .outerjoin(Employer, Employer.id == Placement.employer_id)
    .outerjoin(HrAgency, HrAgency.id == Placement.agency_id)
)
_RECOGNITION = select(
    *_of(Recognition, "id person_id region_code recognised_on exited_on categories applied_on")
).where(
    Recognition.recognised_on.is_not(None),
    Recognition.status.in_((RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED)),
)
_TRAINING = select(*_of(TrainingRecord, "id person_id kind start_date end_date days_attended completed"))
_LIFE = select(*_of(LifeEvent, "id person_id kind happened_on reason"))


def _by_person(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.person_id].append(row)
    return grouped


def _licensed(licence_no: str | None, valid_until: date | None, on: date) -> bool:
    """A licence on record and in force on the placement's start (004 §2(2)2 具有合法资质)."""
    return licence_no is not None and (valid_until is None or valid_until >= on)


def _life(events: list[LifeEvent], as_of: date) -> dict[str, Any]:
    """The person facts 002 §5(1)(2)(3) read, from the dated events recorded up to ``as_of``."""
    facts: dict[str, Any] = {}
    for e in sorted((e for e in events if e.happened_on <= as_of), key=lambda e: (e.happened_on, e.id)):
        if e.kind == "management_role":
            facts.update(management_role=True, management_role_since=e.happened_on)
        elif e.kind == "management_role_ended":
            # The role's start still ends the subsidies it stopped (002 §5(1)); only a new
            # recognition after it lets them run again (scoring.schemes.common.paid_until).
            facts["management_role"] = False
        elif e.kind == "left_labour_market":  # the latest counts; a return is a new recognition
            facts.update(left_labour_market=e.reason, left_labour_market_on=e.happened_on)
        elif e.kind == "pension":
            facts.update(receives_pension=True, pension_since=e.happened_on)
    return facts


def _hours_a_month(weekly_hours: int | None) -> Decimal | None:
    """000 §8 caps a part-time post by the hourly minimum wage × hours: weekly hours × 52 / 12."""
    return None if weekly_hours is None else (weekly_hours * WEEKS_PER_MONTH).quantize(Decimal("0.01"))


def _columns(conn: Connection, query: Any, owner: Any, ids: Iterable[int]) -> dict[int, list[Any]]:
    return _by_person(conn.execute(query.where(ids_in(conn, owner, ids)).order_by(query.selected_columns[0])).all())


def cases_for(session: Session, person_ids: list[int], as_of: date) -> dict[int, Case]:
    """A scoring case for each person: profile, household, recognitions, tier on ``as_of``,
    placements, pushes, service contacts and training."""
    if not person_ids:
        return {}
    if session.autoflush:  # as session.execute would: the Core connection below does not flush
        session.flush()
    # Core, not the ORM's execute: plain rows come back two to three times faster.
    conn = session.connection()
    persons = {p.id: p for p in conn.execute(_PERSON.where(ids_in(conn, Person.id, person_ids))).all()}
    household_ids = {p.household_id for p in persons.values() if p.household_id}
    # Household members' start dates (000's zero-employment household: a member employed since).
    member_started: dict[int, list[date]] = defaultdict(list)
    if household_ids:
        for hid, started in conn.execute(
            select(Person.household_id, Placement.start_date)
            .join(Placement, Placement.person_id == Person.id)
            .where(ids_in(conn, Person.household_id, household_ids))
        ).all():
            member_started[hid].append(started)
    recognitions = _columns(conn, _RECOGNITION, Recognition.person_id, person_ids)
    tiers = _columns(
        conn,
        select(*_of(TierAssignment, "id person_id tier effective_from")).where(
            TierAssignment.effective_from <= as_of,
            TierAssignment.effective_to.is_(None) | (TierAssignment.effective_to >= as_of),
        ),
        TierAssignment.person_id,
        person_ids,
    )
    pushes = _columns(conn, select(*_of(JobPush, "id person_id pushed_at")), JobPush.person_id, person_ids)
    contacts = _columns(
        conn, select(*_of(ServiceContact, "id person_id contacted_on")), ServiceContact.person_id, person_ids
    )
    training = _columns(conn, _TRAINING, TrainingRecord.person_id, person_ids)
    life = _columns(conn, _LIFE, LifeEvent.person_id, person_ids)
    placements = _columns(conn, _PLACEMENT, Placement.person_id, person_ids)
    placement_ids = [pl.id for rows in placements.values() for pl in rows]
    contributions = contribution_facts(
        conn.execute(
            select(
                *_of(Contribution, "placement_id month payer insurance"),
                type_coerce(Contribution.amount, BigInteger),  # fen, converted once per value (_yuan)
            ).where(ids_in(conn, Contribution.placement_id, placement_ids))
        ).all()
    )
    rulings: dict[int, dict[str, bool]] = defaultdict(dict)
    for placement_id, question, approved in conn.execute(
        select(OfficerRuling.placement_id, OfficerRuling.question, OfficerRuling.approved)
        .where(ids_in(conn, OfficerRuling.placement_id, placement_ids))
        .order_by(OfficerRuling.id)
    ).all():
        rulings[placement_id][question] = approved  # the newest ruling stands
    areas = poverty_counties()
    # 004 §2(2)2 pays the agency fee once a person a year: a claim not rejected keeps its year
    # for its placement (the engine refuses the year to the others).
    fee_claims = dict(
        conn.execute(
            select(Claim.placement_id, Claim.claim_year).where(
                ids_in(conn, Claim.person_id, person_ids),
                Claim.scheme_code == "agency_fee",
                Claim.status != ClaimStatus.REJECTED,
            )
        ).all()
    )
    # §5(6) "超过两年未享受…补贴": the money the ledger paid out (approved claims and approved
    # payment-run lines with money in them); the engine adds what it grants.
    paid_on: dict[int, date] = {}
    for pid, decided_at in conn.execute(
        select(Claim.person_id, Claim.decided_at)
        .where(ids_in(conn, Claim.person_id, person_ids), Claim.status == ClaimStatus.APPROVED)
        .union_all(
            select(ClaimLine.person_id, ClaimLine.decided_at).where(
                ids_in(conn, ClaimLine.person_id, person_ids), ClaimLine.decision == "approved", ClaimLine.amount > 0
            )
        )
    ).all():
        day = decided_at.astimezone(CHINA).date()
        paid_on[pid] = max(paid_on.get(pid, day), day)

    out: dict[int, Case] = {}
    for pid, person in persons.items():
        started = member_started.get(person.household_id, [])
        current_tier = max(tiers.get(pid, []), key=lambda t: t.effective_from, default=None)
        facts = {
            "case_id": f"person-{pid}",
            "person": {
                "id_number": person.id_number,
                "hukou_region_code": person.hukou_region_code,
                "urban_rural": person.urban_rural.value,
                "registered_unemployed_since": person.registered_unemployed_since,
                "disability_grade": person.disability_grade,
                "retirement_category": person.retirement_category,
                "land_lost": person.land_lost,
                "last_subsidy_on": paid_on.get(pid),
                **_life(life.get(pid, []), as_of),
                "poverty_registration": {"start": person.poverty_registered_from, "end": person.poverty_registered_to}
                if person.poverty_registered_from
                else None,
                "household": {
                    "urban_rural": person.h_urban_rural.value,
                    "assistance": person.h_assistance.value,
                    "zero_employment": person.h_zero_employment,
                    "member_employed_on": min(
                        (
                            d
                            for d in started
                            if person.h_zero_employment_since is None or d >= person.h_zero_employment_since
                        ),
                        default=None,
                    ),
                }
                if person.h_id is not None
                else {},
            },
            "recognitions": [
                {
                    "region_code": r.region_code,
                    "recognised_on": r.recognised_on,
                    "exited_on": r.exited_on,
                    "categories": r.categories,
                }
                for r in sorted(recognitions.get(pid, []), key=lambda r: r.applied_on)
            ],
            "tier": current_tier.tier if current_tier else None,
            "tier_since": current_tier.effective_from if current_tier else None,
            "placements": [
                {
                    "id": str(pl.id),
                    "kind": pl.kind.value,
                    "start": pl.start_date,
                    "end": pl.end_date,
                    # Where the work is (employer-side subsidies are paid there, 004 §2(3)): the
                    # posting's county, else the employer's, else (flexible work) where the person lives.
                    "region_code": (region := pl.posting_region or pl.employer_region or person.residence_region_code),
                    "contract_months": pl.contract_months,
                    "full_time": pl.full_time,
                    "monthly_hours": _hours_a_month(pl.weekly_hours),
                    "monthly_wage": pl.monthly_wage,
                    "rural_post": pl.rural_post,
                    "temporary_public_welfare": pl.temporary_public_welfare,
                    "agency": {
                        "id": str(pl.agency_id),
                        "licensed": _licensed(pl.licence_no, pl.licence_valid_until, pl.start_date),
                    }
                    if pl.agency_id
                    else None,
                    "contributions": contributions.get(pl.id, []),
                    "in_poverty_area": areas.in_poverty_area(region, pl.start_date),
                    "rulings": rulings.get(pl.id, {}),
                    "agency_fee_claimed_year": fee_claims.get(pl.id),
                }
                for pl in sorted(placements.get(pid, []), key=lambda pl: (pl.start_date, pl.id))
            ],
            "training": [
                {
                    "kind": t.kind,
                    "start": t.start_date,
                    "end": t.end_date,
                    "days_attended": t.days_attended,
                    "completed": t.completed,
                }
                for t in training.get(pid, [])
            ],
            "pushes": sorted(p.pushed_at.astimezone(CHINA).date() for p in pushes.get(pid, [])),
            "contacts": sorted(c.contacted_on for c in contacts.get(pid, [])),
        }
        out[pid] = case_from_python(facts)
    return out
