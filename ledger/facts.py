"""The ledger turns rows into the facts the policy engine reads (``scoring.Case``).

Loaded in bulk for many persons at once (a few queries, grouped in Python), so reports
over a county do not issue one query per person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.clock import CHINA
from jiuyuan.vocab import ClaimStatus, RecognitionStatus
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


def _by_person(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.person_id].append(row)
    return grouped


def _workplace(pl: Placement, posting_regions: dict[int, str], employer_regions: dict[int, str], person: Person) -> str:
    """Where the work is (employer-side subsidies are paid there, 004 §2(3)): the posting's
    county, else the employer's, else (flexible work, self-employment) where the person lives."""
    return (
        (pl.posting_id and posting_regions.get(pl.posting_id))
        or (pl.employer_id and employer_regions.get(pl.employer_id))
        or person.residence_region_code
    )


def _licensed(agency: HrAgency, on: date) -> bool:
    """A licence on record and in force on the placement's start (004 §2(2)2 具有合法资质)."""
    return agency.licence_no is not None and (agency.licence_valid_until is None or agency.licence_valid_until >= on)


def _contributions(rows: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    """Per placement, one fact per month: the employer's and the personal parts by insurance.
    ``rows``: (placement_id, month, payer, insurance, amount) tuples — plain rows, not ORM objects,
    since a payment run reads twelve a placement."""
    months: dict[int, dict[str, dict[str, dict[str, Decimal]]]] = defaultdict(dict)
    for placement_id, month_label, payer, insurance, amount in rows:
        month = months[placement_id].setdefault(month_label, {"employer": {}, "personal": {}})
        month[payer][insurance] = amount
    return {pid: [{"month": m, **parts} for m, parts in sorted(by.items())] for pid, by in months.items()}


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


def cases_for(session: Session, person_ids: list[int], as_of: date) -> dict[int, Case]:
    """A scoring case for each person: profile, household, recognitions, tier on ``as_of``,
    placements, pushes, service contacts and training."""
    if not person_ids:
        return {}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    household_ids = {p.household_id for p in persons.values() if p.household_id}
    households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(household_ids)))}
    members: dict[int, list[int]] = defaultdict(list)
    for pid, hid in session.execute(
        select(Person.id, Person.household_id).where(Person.household_id.in_(household_ids))
    ):
        members[hid].append(pid)

    def rows(model, owner=None):
        column = owner if owner is not None else model.person_id
        return _by_person(session.scalars(select(model).where(column.in_(person_ids))))

    recognitions = rows(Recognition)
    tiers = rows(TierAssignment)
    pushes = _by_person(
        session.execute(select(JobPush.person_id, JobPush.pushed_at).where(JobPush.person_id.in_(person_ids)))
    )
    contacts = rows(ServiceContact)
    training = rows(TrainingRecord)
    all_member_ids = [m for ids in members.values() for m in ids]
    placement_rows = list(
        session.scalars(select(Placement).where(Placement.person_id.in_(set(person_ids) | set(all_member_ids))))
    )
    posting_regions = dict(
        session.execute(
            select(JobPosting.id, JobPosting.region_code).where(
                JobPosting.id.in_({p.posting_id for p in placement_rows if p.posting_id})
            )
        ).all()
    )
    employer_regions = dict(
        session.execute(
            select(Employer.id, Employer.region_code).where(
                Employer.id.in_({p.employer_id for p in placement_rows if p.employer_id})
            )
        ).all()
    )
    placement_ids = [p.id for p in placement_rows if p.person_id in person_ids]
    contributions = _contributions(
        session.execute(
            select(
                Contribution.placement_id,
                Contribution.month,
                Contribution.payer,
                Contribution.insurance,
                Contribution.amount,
            ).where(Contribution.placement_id.in_(placement_ids))
        )
    )
    rulings: dict[int, dict[str, bool]] = defaultdict(dict)
    for r in session.scalars(
        select(OfficerRuling).where(OfficerRuling.placement_id.in_(placement_ids)).order_by(OfficerRuling.id)
    ):
        rulings[r.placement_id][r.question] = r.approved  # the newest ruling stands
    life = rows(LifeEvent)
    areas = poverty_counties()
    placements = _by_person(placement_rows)
    agencies = {
        a.id: a
        for a in session.scalars(
            select(HrAgency).where(HrAgency.id.in_({p.agency_id for p in placement_rows if p.agency_id}))
        )
    }
    # 004 §2(2)2 pays the agency fee once a person a year: a claim not rejected keeps its year
    # for its placement (the engine refuses the year to the others).
    fee_claims = dict(
        session.execute(
            select(Claim.placement_id, Claim.claim_year).where(
                Claim.person_id.in_(person_ids), Claim.scheme_code == "agency_fee", Claim.status != ClaimStatus.REJECTED
            )
        ).all()
    )
    # §5(6) "超过两年未享受…补贴": the money the ledger paid out (approved claims and approved
    # payment-run lines with money in them); the engine adds what it grants.
    paid_on: dict[int, date] = {}
    for pid, decided_at in session.execute(
        select(Claim.person_id, Claim.decided_at)
        .where(Claim.person_id.in_(person_ids), Claim.status == ClaimStatus.APPROVED)
        .union_all(
            select(ClaimLine.person_id, ClaimLine.decided_at).where(
                ClaimLine.person_id.in_(person_ids), ClaimLine.decision == "approved", ClaimLine.amount > 0
            )
        )
    ):
        day = decided_at.astimezone(CHINA).date()
        paid_on[pid] = max(paid_on.get(pid, day), day)

    out: dict[int, Case] = {}
    for pid, person in persons.items():
        household = households.get(person.household_id)
        member_started = [pl.start_date for m in members.get(person.household_id, []) for pl in placements.get(m, [])]
        current_tier = max(
            (
                t
                for t in tiers.get(pid, [])
                if t.effective_from <= as_of and (t.effective_to is None or as_of <= t.effective_to)
            ),
            key=lambda t: t.effective_from,
            default=None,
        )
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
                    "urban_rural": household.urban_rural.value,
                    "assistance": household.assistance.value,
                    "zero_employment": household.zero_employment,
                    "member_employed_on": min(
                        (
                            d
                            for d in member_started
                            if household.zero_employment_since is None or d >= household.zero_employment_since
                        ),
                        default=None,
                    ),
                }
                if household
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
                if r.recognised_on and r.status in (RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED)
            ],
            "tier": current_tier.tier if current_tier else None,
            "tier_since": current_tier.effective_from if current_tier else None,
            "placements": [
                {
                    "id": str(pl.id),
                    "kind": pl.kind.value,
                    "start": pl.start_date,
                    "end": pl.end_date,
                    "region_code": (region := _workplace(pl, posting_regions, employer_regions, person)),
                    "contract_months": pl.contract_months,
                    "full_time": pl.full_time,
                    "monthly_hours": _hours_a_month(pl.weekly_hours),
                    "monthly_wage": pl.monthly_wage,
                    "rural_post": pl.rural_post,
                    "temporary_public_welfare": pl.temporary_public_welfare,
                    "agency": {"id": str(pl.agency_id), "licensed": _licensed(agencies[pl.agency_id], pl.start_date)}
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
            "pushes": sorted(at.astimezone(CHINA).date() for _, at in pushes.get(pid, [])),
            "contacts": sorted(c.contacted_on for c in contacts.get(pid, [])),
        }
        out[pid] = case_from_python(facts)
    return out
