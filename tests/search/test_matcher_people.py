"""People for a post (matching issue, first part): masked cards, consent, the subsidy dry run."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import msgspec
from sqlalchemy import select

from demo.generate import generate
from demo.load import load
from indexer.build import consenting_profiles
from indexer.documents import PostingDocument
from indexer.profiles import ProfileIndex
from jiuyuan import clock
from jiuyuan.vocab import ConsentScope, PostingKind, RecognitionStatus, Schedule, WageUnit
from ledger.access import server_secret
from ledger.models import ConsentRecord, Person, Recognition
from matcher.people import PERSON_REF_SECRET, age_band, distance_band, people_for, person_ref, shown_for

TODAY = date(2026, 11, 22)


def test_employers_get_masked_consenting_candidates_with_subsidies(sessions, model):
    with sessions.begin() as s:
        load(s, generate(6, 20, 300, TODAY))
    with sessions() as s:
        profiles = consenting_profiles(s)
        index = ProfileIndex(model.dimension)
        index.upsert(profiles, model.encode([p.text for p in profiles]))
        # Working age on any retirement rule (002 §1): the dry run is for someone an employer may hire.
        target = s.scalars(
            select(Person)
            .where(Person.hukou_region_code.startswith("43"), Person.birth_date > date(1980, 1, 1))
            .order_by(Person.id)
        ).first()
    with sessions.begin() as s:  # the target consents to be shown and is a recognised difficult person
        person = s.get(Person, target.id)
        s.add(
            ConsentRecord(
                person_id=person.id,
                scope=ConsentScope.SHOW_TO_EMPLOYERS,
                granted=True,
                recorded_by="t",
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        s.add(
            Recognition(
                person_id=person.id,
                region_code=person.hukou_region_code,
                categories=[6],
                status=RecognitionStatus.RECOGNISED,
                applied_on=date(2026, 1, 5),
                recognised_on=date(2026, 2, 1),
            )
        )
    post = PostingDocument(
        id="new",
        title=person.wished_work[0],
        description="",
        employer_name="测试单位",
        kind=PostingKind.ORDINARY,
        schedule=Schedule.FULL_TIME,
        wage_min=3000,
        wage_max=4000,
        wage_unit=WageUnit.MONTH,
        region_code=person.residence_region_code,
        valid_from=TODAY,
        valid_until=TODAY,
        latitude=person.latitude,
        longitude=person.longitude,
    )
    with sessions() as s:
        hidden = {p.id for p in s.scalars(select(Person))} - {
            pid for pid, _ in shown_for(s, post, index, model, TODAY, k=300)
        }
        with_consent = s.scalars(
            select(ConsentRecord.person_id).where(
                ConsentRecord.scope == ConsentScope.SHOW_TO_EMPLOYERS, ConsentRecord.granted.is_(False)
            )
        ).all()
        cards = people_for(s, post, index, model, TODAY, k=300)
        key = server_secret(s, PERSON_REF_SECRET)
    assert (
        with_consent and set(with_consent) - {target.id} <= hidden
    )  # nobody who refused appears (the target consented since)
    wire = msgspec.json.encode(cards).decode()
    with sessions() as s:
        for p in s.scalars(select(Person)):
            assert p.id_number not in wire and (p.phone is None or p.phone not in wire)
            assert p.name not in wire or len(p.name) == 1
    assert "disability" not in wire and "dibao" not in wire
    card = next(c for c in cards if c.person_ref == person_ref(key, post.id, target.id))
    assert card.masked_name.endswith("*") and "岁" in card.age_band
    schemes = {s.scheme: s for s in card.subsidies}
    assert schemes["employer_si"].status == "eligible_amount_unset"  # 002 §3, recognised on 2026-02-01
    assert schemes["employer_si"].legal_basis[0].startswith("002")
    # What would make it payable, in Chinese, not only "金额由地方规定" (issue 15).
    assert schemes["employer_si"].next_step == "符合条件；金额由地方按规定设定，尚未配置（002 §3、002 §5）"


def _world(sessions, model):
    with sessions.begin() as s:
        load(s, generate(6, 20, 300, TODAY))
    with sessions() as s:
        profiles = consenting_profiles(s)
        index = ProfileIndex(model.dimension)
        index.upsert(profiles, model.encode([p.text for p in profiles]))
        person = s.scalars(select(Person).where(Person.latitude.is_not(None)).order_by(Person.id)).first()

    def post(pid: str) -> PostingDocument:
        return PostingDocument(
            id=pid,
            title=person.wished_work[0] if person.wished_work else "保洁员",
            description="",
            employer_name="测试单位",
            kind=PostingKind.ORDINARY,
            schedule=Schedule.FULL_TIME,
            wage_min=3000,
            wage_max=4000,
            wage_unit=WageUnit.MONTH,
            region_code=person.residence_region_code,
            valid_from=TODAY,
            valid_until=TODAY,
            latitude=person.latitude,
            longitude=person.longitude,
        )

    return index, post


def test_employer_birth_date_search_is_impossible(sessions, model, monkeypatch):
    """HIGH: moving ``on`` flipped the age band, so 13 requests found the birth date. Ages are now
    counted on the service's today whatever day the caller asks for (and an employer cannot ask:
    tests/integration/test_api_matching.py)."""
    index, post = _world(sessions, model)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    days = [TODAY + timedelta(days=n) for n in range(-6 * 366, 6 * 366, 97)]
    with sessions() as s:
        bands = [
            {pid: c.age_band for pid, c in shown_for(s, post("1"), index, model, day, k=50, spread_exposure=False)}
            for day in days
        ]
    common = set.intersection(*(set(b) for b in bands))
    assert common
    for pid in common:  # the same band whichever day is asked: the birthday cannot be bisected
        assert len({b[pid] for b in bands}) == 1


def test_person_ref_differs_across_postings(sessions, model):
    index, post = _world(sessions, model)
    with sessions() as s:
        first = dict(shown_for(s, post("101"), index, model, TODAY, k=50, spread_exposure=False))
        second = dict(shown_for(s, post("202"), index, model, TODAY, k=50, spread_exposure=False))
        again = dict(shown_for(s, post("101"), index, model, TODAY, k=50, spread_exposure=False))
    both = set(first) & set(second)
    assert both
    for pid in both:
        assert first[pid].person_ref != second[pid].person_ref  # no linking a card across postings
        assert first[pid].person_ref == again[pid].person_ref  # stable on one posting, for follow-up
        assert first[pid].person_ref != f"P{pid}"
    refs = [c.person_ref for c in first.values()]
    assert len(set(refs)) == len(refs) and all(re.fullmatch(r"C[0-9a-f]{20}", r) for r in refs)


def test_bands_are_coarse():
    seen = {distance_band(km / 10) for km in range(0, 2000)}
    assert seen == {"3公里内", "10公里内", "30公里内", "30公里以上"}
    assert distance_band(3.0) == "3公里内" and distance_band(3.01) == "10公里内"
    assert distance_band(30.0) == "30公里内" and distance_band(30.5) == "30公里以上"
    assert distance_band(None) is None
    assert {age_band(a) for a in range(35, 40)} == {"35–39岁"}  # five years wide
