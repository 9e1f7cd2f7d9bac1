"""The demo generator's occupations (demo/occupations.yaml): as many as gig markets see, each
well formed, drawn deterministically, posted by plausible employers in plausible words."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from demo import vocab
from demo.generate import generate
from jiuyuan.vocab import PostingKind, Schedule

ANCHOR = date(2026, 11, 22)


@pytest.fixture(scope="module")
def data():
    return generate(13, 6000, 1500, ANCHOR)


def _occupation(posting) -> str:
    return posting["title"].removeprefix("爱心岗位·")


def test_the_table_holds_at_least_80_distinct_well_formed_occupations():
    titles = [f.title for f in vocab.FAMILIES]
    assert len(set(titles)) == len(titles) >= 80
    assert len({f.sector for f in vocab.FAMILIES}) >= 12
    for f in vocab.FAMILIES:
        assert f.sector in vocab.SECTORS and f.weight >= 1, f.title
        assert len(f.duties) >= 2 and all(f.duties), f.title
        for low, high in (f.monthly, f.hourly, f.daily):
            assert 0 < low <= high, f.title
        assert f.hourly[1] < f.daily[0] < f.monthly[0], f.title  # an hour < a day < a month
        if f.piece:
            assert Decimal("0") < Decimal(f.piece[0]) <= Decimal(f.piece[1]), f.title
    for kind_pool in ([f for f in vocab.FAMILIES if f.public_welfare], [f for f in vocab.FAMILIES if f.love]):
        assert len(kind_pool) >= 10
    assert set(vocab.SCHEDULE_WORDS) == {s.value for s in Schedule}


def test_postings_cover_at_least_80_occupations_of_the_table(data):
    seen = Counter(_occupation(p) for p in data.postings)
    assert set(seen) <= {f.title for f in vocab.FAMILIES}
    assert len(seen) >= 80
    # The common gig trades stay common: a small demo still has cleaners and guards to find.
    assert seen["保洁员"] > seen["塔吊司机"] and seen["保安员"] > seen["会计"]


def test_same_seed_same_postings_and_persons_other_seed_other():
    a, b = generate(21, 400, 150, ANCHOR), generate(21, 400, 150, ANCHOR)
    assert a.postings == b.postings and a.persons == b.persons and a.employers == b.employers
    c = generate(22, 400, 150, ANCHOR)
    assert [p["title"] for p in a.postings] != [p["title"] for p in c.postings]


def test_each_kind_draws_from_its_own_occupations(data):
    by_title = {f.title: f for f in vocab.FAMILIES}
    kinds = Counter(p["kind"] for p in data.postings)
    assert set(kinds) == set(PostingKind)
    for p in data.postings:
        family = by_title[_occupation(p)]
        if p["kind"] is PostingKind.PUBLIC_WELFARE:
            assert family.public_welfare
        elif p["kind"] is PostingKind.LOVE:
            assert family.love and p["title"].startswith("爱心岗位·")
            assert p["age_min"] is None and not p["skills_required"]
        elif p["kind"] is PostingKind.GIG:
            assert family.gig, p["title"]


def test_ages_and_skills_as_the_trade_asks(data):
    """Upper age limits are the sector's (factories 45, cleaning 65); experience is preferred, not required."""
    for p in data.postings:
        family = next(f for f in vocab.FAMILIES if f.title == _occupation(p))
        assert p["age_max"] is None or p["age_max"] in vocab.SECTORS[family.sector].ages
        assert not any(s.endswith("经验") for s in p["skills_required"])
        assert all(s in family.skills for s in p["skills_required"])
    assert any("经验者优先" in p["description"] for p in data.postings)
    monthly = [p for p in data.postings if p["wage_unit"].value == "month"]
    assert all(p["wage_min"] % 100 == 0 == p["wage_max"] % 100 for p in monthly)  # round figures
    assert any(p["skills_required"] for p in data.postings)


def test_descriptions_state_the_hours_the_schedule_has(data):
    for p in data.postings:
        family = next(f for f in vocab.FAMILIES if f.title == _occupation(p))
        words = vocab.SCHEDULE_WORDS[p["schedule"].value]
        if p["schedule"] is Schedule.FULL_TIME:
            words += vocab.SECTORS[family.sector].shifts
        assert any(w in p["description"] for w in words), p["description"]
        assert sum(d in p["description"] for d in family.duties) == 2


def test_most_posts_come_from_an_employer_of_the_trade_and_some_do_not(data):
    employers = {e["uscc"]: e["name"] for e in data.employers}
    own = 0
    for p in data.postings:
        trades = vocab.SECTORS[next(f for f in vocab.FAMILIES if f.title == _occupation(p)).sector].trades
        own += employers[p["employer_uscc"]].endswith(trades)
    assert 0.6 * len(data.postings) < own < 0.95 * len(data.postings)  # 保安公司招会计 happens too


def test_persons_wish_for_work_the_postings_offer(data):
    offered = {_occupation(p) for p in data.postings}
    for person in data.persons:
        assert len(person["wished_work"]) == 2 and len(set(person["wished_work"])) == 2
        assert set(person["wished_work"]) <= offered
    wished = Counter(w for person in data.persons for w in person["wished_work"])
    assert len(wished) >= 60 and wished["保洁员"] > wished["塔吊司机"]
