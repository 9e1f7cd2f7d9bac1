"""Claim risk signals (issue 16, ledger.risk): each fires on the rows behind it and stays quiet on
a clean case next to it, on small ledgers built through ledger.intake."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event
from stdnum.cn import ric, uscc

from demo.generate import org_code_check_digit
from jiuyuan import clock
from jiuyuan.vocab import ClaimStatus
from ledger import intake, intake_history, risk
from ledger.models import AgencyAuthorisation, Claim
from ledger.risk import Item


def id_number(seq: int, born: str = "19850715", region: str = "430102") -> str:
    body = f"{region}{born}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def social_credit_code(n: int, region: str = "430102") -> str:
    body = f"{n:08d}"
    head = f"91{region}{body}{org_code_check_digit(body)}"
    return head + uscc.calc_check_digit(head + "0")


class Ledger:
    """Persons, employers and agencies made through intake, numbered so none collide."""

    def __init__(self, session):
        self.s = session
        self.seq = 0

    def person(self, name: str = "王伟", born: str | None = None, region: str = "430102", seq: int | None = None):
        self.seq += 2
        number = id_number(seq if seq is not None else self.seq, born or "19850715", region)
        return intake.add_person(
            self.s, {"id_number": number, "name": name, "hukou_region_code": region, "urban_rural": "urban"}
        )

    def employer(self):
        self.seq += 1
        return intake.add_employer(
            self.s, {"uscc": social_credit_code(self.seq), "name": f"单位{self.seq}", "region_code": "430102"}
        )

    def agency(self):
        self.seq += 1
        return intake.add_agency(
            self.s,
            {
                "uscc": social_credit_code(self.seq),
                "name": f"机构{self.seq}",
                "region_code": "430102",
                "licence_no": "L1",
            },
        )

    def placement(self, person, start, end=None, kind="employer_absorption", employer=None, agency=None):
        # Every start here is over a year ago: recorded late, as an officer does, with the reason.
        backdated = date.fromisoformat(start) < clock.today() - timedelta(days=366)
        return intake.add_placement(
            self.s,
            ({"backdate_reason": "补录历史安置（测试）"} if backdated else {})
            | {
                "person_id": person.id,
                "kind": kind,
                "start_date": start,
                "end_date": end,
                "employer_id": employer.id if employer else None,
                "agency_id": agency.id if agency else None,
            },
        )

    def contribution(self, person, month: str, payer: str):
        intake_history.add_contribution(
            self.s,
            {
                "id_number": person.id_number,
                "month": month,
                "payer": payer,
                "insurance": "pension",
                "amount": "480",
                "source": "测试导出",
            },
            "测试",
        )


def fee_item(placement) -> Item:
    return Item(placement.person_id, placement.id, "agency_fee")


def codes(found, item) -> list[str]:
    return [s.code for s in found.get(risk.key_of(item), [])]


def only(found, item, code) -> risk.Signal:
    signals = [s for s in found.get(risk.key_of(item), []) if s.code == code]
    assert len(signals) == 1, found.get(risk.key_of(item))
    assert signals[0].explanation and signals[0].title
    return signals[0]


def test_one_person_placed_by_several_agencies_within_the_span(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        a, b = led.agency(), led.agency()
        risky = led.person()
        first = led.placement(risky, "2025-01-10", "2025-02-20", agency=a)
        second = led.placement(risky, "2025-03-01", agency=b)  # 50 days later, another agency
        apart = led.person()
        led.placement(apart, "2024-01-10", "2024-06-30", agency=a)
        late = led.placement(apart, "2025-03-01", agency=b)  # over a year later
        same = led.person()
        led.placement(same, "2025-01-10", "2025-02-20", agency=a)
        again = led.placement(same, "2025-03-01", agency=a)  # the same agency twice
        found = risk.signals_for(s, [fee_item(second), fee_item(late), fee_item(again)])
    signal = only(found, fee_item(second), risk.SEVERAL_AGENCIES)
    assert signal.rows == {"placements": (first.id, second.id), "hr_agencies": (a.id, b.id)}
    assert "90 天内由 2 家" in signal.explanation
    assert risk.SEVERAL_AGENCIES not in codes(found, fee_item(late))
    assert risk.SEVERAL_AGENCIES not in codes(found, fee_item(again))
    narrower = risk.signals_for(s, [fee_item(second)], risk.Limits(agency_span_days=30))
    assert risk.SEVERAL_AGENCIES not in codes(narrower, fee_item(second))


def test_a_placement_that_ends_just_after_the_fee_matures(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        agency = led.agency()
        # 004 §2(2)2: six months from 2025-01-10 are complete on 2025-07-09.
        just = led.placement(led.person(), "2025-01-10", "2025-07-15", agency=agency)
        stayed = led.placement(led.person(), "2025-01-10", "2025-12-31", agency=agency)
        early = led.placement(led.person(), "2025-01-10", "2025-07-01", agency=agency)
        running = led.placement(led.person(), "2025-01-10", agency=agency)
        items = [fee_item(p) for p in (just, stayed, early, running)]
        si_line = Item(just.person_id, just.id, "employer_si", "2025-03")
        found = risk.signals_for(s, [*items, si_line])
    signal = only(found, items[0], risk.ENDS_AFTER_FEE)
    assert signal.rows == {"placements": (just.id,), "hr_agencies": (agency.id,)}
    assert "至 2025-07-09" in signal.explanation and "其后 6 天" in signal.explanation
    for item in [*items[1:], si_line]:
        assert risk.ENDS_AFTER_FEE not in codes(found, item)


def test_an_employer_whose_placements_often_end_at_the_sixth_month(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        often, seldom, small, public = led.employer(), led.employer(), led.employer(), led.employer()
        sixth = [led.placement(led.person(), "2025-01-01", "2025-07-15", employer=often) for _ in range(2)]
        for _ in range(3):
            led.placement(led.person(), "2025-01-01", "2025-12-31", employer=often)
        led.placement(led.person(), "2025-01-01", "2025-07-15", employer=seldom)
        for _ in range(4):
            led.placement(led.person(), "2025-01-01", "2025-12-31", employer=seldom)
        for _ in range(4):  # every one at the sixth month, but too few to say anything
            led.placement(led.person(), "2025-01-01", "2025-07-15", employer=small)
        for _ in range(5):  # fixed-term public-welfare posts ending on time are no pattern
            led.placement(led.person(), "2025-01-01", "2025-07-15", kind="public_welfare", employer=public)
        lines = {e.id: led.placement(led.person(), "2025-06-01", employer=e) for e in (often, seldom, small, public)}
        items = {e: Item(p.person_id, p.id, "employer_si", "2025-08") for e, p in lines.items()}
        found = risk.signals_for(s, items.values())
    signal = only(found, items[often.id], risk.EMPLOYER_SIXTH_MONTH)
    assert signal.rows == {"employers": (often.id,), "placements": tuple(p.id for p in sixth)}
    assert "5 个安置中，2 个（40%" in signal.explanation
    assert risk.EMPLOYER_SIXTH_MONTH not in codes(found, items[seldom.id])
    assert risk.EMPLOYER_SIXTH_MONTH not in codes(found, items[small.id])
    assert risk.EMPLOYER_SIXTH_MONTH not in codes(found, items[public.id])


def test_subsidy_months_with_no_contribution_of_the_right_payer(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        flexible_person = led.person()
        flexible = led.placement(flexible_person, "2025-01-01", kind="flexible")
        led.contribution(flexible_person, "2025-01", "personal")
        both = led.person()
        job = led.placement(both, "2025-01-01", employer=led.employer())
        side = led.placement(both, "2025-01-01", kind="flexible")
        led.contribution(both, "2025-01", "employer")
        led.contribution(both, "2025-02", "personal")  # the person's own, for the flexible work
        paid = Item(flexible_person.id, flexible.id, "flexible_si", "2025-01")
        unpaid = Item(flexible_person.id, flexible.id, "flexible_si", "2025-02")
        job_paid = Item(both.id, job.id, "employer_si", "2025-01")
        job_wrong_payer = Item(both.id, job.id, "employer_si", "2025-02")
        side_paid = Item(both.id, side.id, "flexible_si", "2025-02")
        not_si = Item(flexible_person.id, flexible.id, "public_welfare_subsidy", "2025-02")
        found = risk.signals_for(s, [paid, unpaid, job_paid, job_wrong_payer, side_paid, not_si])
    assert only(found, unpaid, risk.NO_CONTRIBUTION).rows == {"placements": (flexible.id,)}
    signal = only(found, job_wrong_payer, risk.NO_CONTRIBUTION)
    assert signal.rows == {"placements": (job.id,)} and "单位缴纳" in signal.explanation
    for item in (paid, job_paid, side_paid, not_si):
        assert risk.NO_CONTRIBUTION not in codes(found, item)


def _claim(s, placement, agency, key: str) -> Claim:
    claim = Claim(
        idempotency_key=key,
        scheme_code="agency_fee",
        person_id=placement.person_id,
        placement_id=placement.id,
        agency_id=agency.id,
        claim_year=2025,
        amount=Decimal("200"),
        status=ClaimStatus.SUBMITTED,
    )
    s.add(claim)
    s.flush()
    return claim


def test_an_agency_claim_for_a_person_who_never_authorised_the_agency(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        agency, other = led.agency(), led.agency()
        never = led.placement(led.person(), "2025-01-10", agency=agency)
        elsewhere = led.placement(led.person(), "2025-01-10", agency=agency)
        revoked = led.placement(led.person(), "2025-01-10", agency=agency)
        for placement, given_to, revoked_at in (
            (elsewhere, other, None),
            (revoked, agency, datetime(2025, 9, 1, tzinfo=UTC)),
        ):
            s.add(
                AgencyAuthorisation(
                    person_id=placement.person_id,
                    agency_id=given_to.id,
                    valid_from=date(2025, 1, 1),
                    valid_to=date(2025, 12, 31),
                    purpose="委托推荐就业",
                    source="counter",
                    recorded_by="测试窗口",
                    revoked_at=revoked_at,
                )
            )
        claims = [_claim(s, p, agency, f"risk-{p.id}") for p in (never, elsewhere, revoked)]
        found = risk.signals_for(s, claims)
        from_placement = risk.signals_for(s, [fee_item(never)])  # a line that names no agency
    assert only(found, claims[0], risk.AGENCY_NOT_AUTHORISED).rows == {
        "persons": (never.person_id,),
        "hr_agencies": (agency.id,),
        "placements": (never.id,),
    }
    assert only(found, claims[1], risk.AGENCY_NOT_AUTHORISED).rows["hr_agencies"] == (agency.id,)
    assert risk.AGENCY_NOT_AUTHORISED not in codes(found, claims[2]), "revoked later is not never"
    assert only(from_placement, fee_item(never), risk.AGENCY_NOT_AUTHORISED)


def test_the_same_person_under_two_id_numbers(sessions):
    with sessions.begin() as s:
        led = Ledger(s)
        first = led.person("李娜", seq=1)
        second = led.person("李娜", seq=3)
        elsewhere = led.person("李娜", region="430103", seq=5)  # born in another county
        other_name = led.person("李静", seq=7)
        later = led.person("李娜", born="19850716", seq=9)
        items = [Item(p.id, None, "temporary_living_allowance", "2025-08") for p in (first, second)]
        quiet = [Item(p.id, None, "temporary_living_allowance", "2025-08") for p in (elsewhere, other_name, later)]
        found = risk.signals_for(s, items + quiet)
    for item in items:
        signal = only(found, item, risk.TWO_ID_NUMBERS)
        assert signal.rows == {"persons": (first.id, second.id)}
        assert "430102" in signal.explanation
    for item in quiet:
        assert risk.TWO_ID_NUMBERS not in codes(found, item)


def test_queries_do_not_grow_with_the_items(sessions, engine):
    with sessions.begin() as s:
        led = Ledger(s)
        agency, employer = led.agency(), led.employer()
        placements = [led.placement(led.person(), "2025-01-10", agency=agency, employer=employer) for _ in range(12)]
        items = [
            Item(p.person_id, p.id, scheme, month)
            for p in placements
            for scheme, month in (("agency_fee", None), ("employer_si", "2025-03"))
        ]
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        risk.signals_for(s, items[:2])
        few = len(statements)
        statements.clear()
        found = risk.signals_for(s, items)
        many = len(statements)
    assert few == many <= 8, (few, many)
    assert sum(len(v) for v in found.values()) >= len(items), "every item here lacks a contribution or authorisation"
