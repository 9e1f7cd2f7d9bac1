"""``ledger.facts.cases_for`` reads plain columns in a dozen Core queries (the payment run's read
path, issue 16); these tests hold its output to the ORM reading it replaced, kept below as the
oracle, on the demo ledger with every kind of fact a case reads added to it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import event, select

from demo.generate import generate
from demo.load import load
from jiuyuan.clock import CHINA
from jiuyuan.vocab import ClaimStatus, PushChannel, RecognitionStatus
from ledger import facts
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
    PaymentRun,
    Person,
    Placement,
    Recognition,
    ServiceContact,
    TierAssignment,
    TrainingRecord,
)
from scoring import case_from_python
from scoring.poverty_areas import poverty_counties

ANCHOR = date(2026, 11, 22)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def oracle(session, person_ids: list[int], as_of: date) -> dict:
    """The ORM reading ``cases_for`` did before issue 16's read path: one object per row."""

    def rows(model, column=None):
        grouped = defaultdict(list)
        for r in session.scalars(select(model).where((column or model.person_id).in_(person_ids))):
            grouped[r.person_id].append(r)
        return grouped

    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    households = {h.id: h for h in session.scalars(select(Household))}
    members = defaultdict(list)
    for p in session.scalars(select(Person).where(Person.household_id.is_not(None))):
        members[p.household_id].append(p.id)
    everyone = set(person_ids) | {m for ids in members.values() for m in ids}
    placement_rows = list(session.scalars(select(Placement).where(Placement.person_id.in_(everyone))))
    placements = defaultdict(list)
    for pl in placement_rows:
        placements[pl.person_id].append(pl)
    posting_regions = dict(session.execute(select(JobPosting.id, JobPosting.region_code)).all())
    employer_regions = dict(session.execute(select(Employer.id, Employer.region_code)).all())
    agencies = {a.id: a for a in session.scalars(select(HrAgency))}
    months = defaultdict(dict)
    for c in session.scalars(select(Contribution)):
        months[c.placement_id].setdefault(c.month, {"employer": {}, "personal": {}})[c.payer][c.insurance] = c.amount
    rulings = defaultdict(dict)
    for r in session.scalars(select(OfficerRuling).order_by(OfficerRuling.id)):
        rulings[r.placement_id][r.question] = r.approved
    fee = {
        c.placement_id: c.claim_year
        for c in session.scalars(select(Claim))
        if c.scheme_code == "agency_fee" and c.status != ClaimStatus.REJECTED
    }
    paid = defaultdict(list)
    for c in session.scalars(select(Claim).where(Claim.status == ClaimStatus.APPROVED)):
        paid[c.person_id].append(c.decided_at.astimezone(CHINA).date())
    for line in session.scalars(select(ClaimLine).where(ClaimLine.decision == "approved", ClaimLine.amount > 0)):
        paid[line.person_id].append(line.decided_at.astimezone(CHINA).date())
    recognitions, tiers, training, life = rows(Recognition), rows(TierAssignment), rows(TrainingRecord), rows(LifeEvent)
    pushes, contacts, areas = rows(JobPush), rows(ServiceContact), poverty_counties()
    out = {}
    for pid, person in persons.items():
        household = households.get(person.household_id)
        started = [pl.start_date for m in members.get(person.household_id, []) for pl in placements.get(m, [])]
        tier = max(
            (
                t
                for t in tiers[pid]
                if t.effective_from <= as_of and (t.effective_to is None or as_of <= t.effective_to)
            ),
            key=lambda t: t.effective_from,
            default=None,
        )

        def region(pl, person=person):
            return (
                (pl.posting_id and posting_regions.get(pl.posting_id))
                or (pl.employer_id and employer_regions.get(pl.employer_id))
                or person.residence_region_code
            )

        def agency(pl):
            a = agencies[pl.agency_id]
            licensed = a.licence_no is not None and (
                a.licence_valid_until is None or a.licence_valid_until >= pl.start_date
            )
            return {"id": str(pl.agency_id), "licensed": licensed}

        out[pid] = case_from_python(
            {
                "case_id": f"person-{pid}",
                "person": {
                    "id_number": person.id_number,
                    "hukou_region_code": person.hukou_region_code,
                    "urban_rural": person.urban_rural.value,
                    "registered_unemployed_since": person.registered_unemployed_since,
                    "disability_grade": person.disability_grade,
                    "retirement_category": person.retirement_category,
                    "land_lost": person.land_lost,
                    "last_subsidy_on": max(paid[pid], default=None),
                    **facts._life(life[pid], as_of),
                    "poverty_registration": {
                        "start": person.poverty_registered_from,
                        "end": person.poverty_registered_to,
                    }
                    if person.poverty_registered_from
                    else None,
                    "household": {
                        "urban_rural": household.urban_rural.value,
                        "assistance": household.assistance.value,
                        "zero_employment": household.zero_employment,
                        "member_employed_on": min(
                            (
                                d
                                for d in started
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
                    for r in sorted(recognitions[pid], key=lambda r: r.applied_on)
                    if r.recognised_on and r.status in (RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED)
                ],
                "tier": tier.tier if tier else None,
                "tier_since": tier.effective_from if tier else None,
                "placements": [
                    {
                        "id": str(pl.id),
                        "kind": pl.kind.value,
                        "start": pl.start_date,
                        "end": pl.end_date,
                        "region_code": region(pl),
                        "contract_months": pl.contract_months,
                        "full_time": pl.full_time,
                        "monthly_hours": facts._hours_a_month(pl.weekly_hours),
                        "monthly_wage": pl.monthly_wage,
                        "rural_post": pl.rural_post,
                        "temporary_public_welfare": pl.temporary_public_welfare,
                        "agency": agency(pl) if pl.agency_id else None,
                        "contributions": [{"month": m, **parts} for m, parts in sorted(months[pl.id].items())],
                        "in_poverty_area": areas.in_poverty_area(region(pl), pl.start_date),
                        "rulings": rulings.get(pl.id, {}),
                        "agency_fee_claimed_year": fee.get(pl.id),
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
                    for t in training[pid]
                ],
                "pushes": sorted(p.pushed_at.astimezone(CHINA).date() for p in pushes[pid]),
                "contacts": sorted(c.contacted_on for c in contacts[pid]),
            }
        )
    return out


def _more_facts(s) -> None:
    """What the demo does not record, for a few persons: contributions (both parts, several
    insurances, one month split), life events, rulings, pushes, contacts, claims and paid lines."""
    placed = list(s.scalars(select(Placement).order_by(Placement.id).limit(12)))
    posting = s.scalar(select(JobPosting.id))
    for i, pl in enumerate(placed):
        who = {"person_id": pl.person_id, "recorded_by": "测试"}
        for n, month in enumerate(("2026-01", "2026-02", "2026-03")):
            s.add(Contribution(**who, placement_id=pl.id, month=month, payer="employer", insurance="pension",
                               amount=Decimal("512.30"), source="测试"))  # fmt: skip
            if i % 2:
                s.add(Contribution(**who, placement_id=pl.id, month=month, payer="personal", insurance="medical",
                                   amount=Decimal(100 + n), source="测试"))  # fmt: skip
        if i % 3 == 0:
            s.add(LifeEvent(**who, kind="pension", happened_on=date(2026, 3, 1)))
            s.add(OfficerRuling(person_id=pl.person_id, placement_id=pl.id, question="stable", approved=True,
                                reason="测试", decided_by="测试"))  # fmt: skip
            s.add(OfficerRuling(person_id=pl.person_id, placement_id=pl.id, question="stable", approved=False,
                                reason="后改", decided_by="测试"))  # fmt: skip
        if i % 4 == 1:
            s.add(
                JobPush(
                    person_id=pl.person_id,
                    posting_id=posting,
                    channel=PushChannel.SMS,
                    pushed_by="测试",
                    pushed_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
                )
            )  # fmt: skip (01:00 the next day in Beijing)
            s.add(ServiceContact(person_id=pl.person_id, contacted_on=date(2026, 2, 2), channel="phone", staff="测试"))
    # A tier that ended on a day between the two evaluation days, over an older open one.
    tiered = placed[2].person_id
    for t in s.scalars(select(TierAssignment).where(TierAssignment.person_id == tiered)):
        s.delete(t)
    s.add(TierAssignment(person_id=tiered, tier=1, effective_from=date(2025, 1, 1), assigned_by="测试"))
    s.add(TierAssignment(person_id=tiered, tier=2, effective_from=date(2026, 1, 1), effective_to=date(2026, 4, 30),
                         assigned_by="测试"))  # fmt: skip
    s.flush()
    first = placed[0]
    s.add(Claim(idempotency_key="t:1", scheme_code="agency_fee", person_id=first.person_id, placement_id=first.id,
                claim_year=2026, amount=Decimal(200), status=ClaimStatus.APPROVED, decided_at=NOW, decided_by="测试"))  # fmt: skip
    run = PaymentRun(month="2026-05", as_of=date(2026, 6, 30), run_by="测试")
    s.add(run)
    s.flush()
    s.add(ClaimLine(run_id=run.id, person_id=placed[1].person_id, placement_id=placed[1].id, scheme_code="employer_si",
                    subject=str(placed[1].id), month="2026-05", region_code="430102", payee_kind="employer",
                    payee_name="单位", amount=Decimal("300.00"), payable=Decimal("300.00"), legal_basis="000 §5",
                    status="approved", decision="approved", decided_by="测试", decided_at=NOW))  # fmt: skip
    s.flush()


def test_cases_match_the_orm_reading_on_the_demo_ledger(sessions):
    with sessions() as s:
        load(s, generate(5, 400, 60, ANCHOR))
        _more_facts(s)
        ids = list(s.scalars(select(Person.id).order_by(Person.id)))
        for as_of in (date(2026, 3, 15), ANCHOR):
            want = oracle(s, ids, as_of)
            assert any(p.contributions for c in want.values() for p in c.placements)  # the facts were read
            assert any(c.person.last_subsidy_on for c in want.values())
            got = facts.cases_for(s, ids, as_of)
            assert got.keys() == want.keys()
            for pid in ids:
                assert got[pid] == want[pid], pid
            # A page is the same case whichever page it falls in.
            assert facts.cases_for(s, ids[:7], as_of) == {pid: want[pid] for pid in ids[:7]}


def test_a_page_costs_the_same_few_queries_however_many_persons(sessions, engine):
    with sessions() as s:
        load(s, generate(6, 300, 40, ANCHOR))
        _more_facts(s)
        ids = list(s.scalars(select(Person.id).order_by(Person.id)))
        counted = []

        def count(*_):
            counted.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            for page in (ids[:5], ids):
                counted.clear()
                facts.cases_for(s, page, ANCHOR)
                assert len(counted) <= 13, len(counted)
        finally:
            event.remove(engine, "before_cursor_execute", count)
