"""Posts for a person (matching issue, first part): hard filters, tiers, explanations from score parts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from indexer.embedded import EmbeddedIndex
from jiuyuan.vocab import PostingKind, Schedule
from matcher.posts import Seeker, posts_for

TODAY = date(2026, 11, 22)


@pytest.fixture
def world(model, docs, doc_vectors):
    index = EmbeddedIndex(model.dimension)
    index.upsert(docs, doc_vectors)
    return index, {d.id: d for d in docs}


def _home(docs, prefix="4301"):
    d = next(d for d in docs if d.region_code.startswith(prefix) and d.latitude)
    return d.region_code, d.latitude, d.longitude


def test_a_58_year_old_without_skills_gets_love_posts_and_no_post_that_excludes_them(world, model, docs):
    index, by_id = world
    region, lat, lon = _home(docs)
    seeker = Seeker(
        age=58, sex="F", region_code=region, wished_work=("保洁员",), latitude=lat, longitude=lon, max_km=80
    )
    result = posts_for(seeker, index, model, TODAY, k=10)
    assert result.matches
    assert all(m.posting == by_id[m.posting.id] for m in result.matches)  # each hit carried its posting
    assert any(m.posting.kind is PostingKind.LOVE for m in result.matches[:5])
    for m in result.matches:
        assert m.posting.age_max is None or m.posting.age_max >= 58
        assert m.posting.age_min is None or m.posting.age_min <= 58
        assert not m.posting.skills_required


def test_tier_3_sees_public_welfare_posts_first(world, model, docs):
    index, by_id = world
    region, lat, lon = _home(docs)
    seeker = Seeker(
        age=45,
        sex="M",
        region_code=region,
        wished_work=("保洁员", "保安员"),
        latitude=lat,
        longitude=lon,
        max_km=80,
        tier=3,
    )
    matches = posts_for(seeker, index, model, TODAY, k=10).matches
    kinds = [m.posting.kind for m in matches]
    assert PostingKind.PUBLIC_WELFARE in kinds
    first_other = next((i for i, k in enumerate(kinds) if k is not PostingKind.PUBLIC_WELFARE), len(kinds))
    assert all(k is PostingKind.PUBLIC_WELFARE for k in kinds[:first_other])
    assert all(k is not PostingKind.PUBLIC_WELFARE for k in kinds[first_other:])


def test_tier_2_gets_three_posts_or_is_told_how_many_there_are(world, model, docs):
    index, by_id = world
    region, lat, lon = _home(docs)
    plenty = posts_for(
        Seeker(
            age=35, sex="M", region_code=region, wished_work=("保安员",), tier=2, latitude=lat, longitude=lon, max_km=80
        ),
        index,
        model,
        TODAY,
    )
    assert len({m.posting.id for m in plenty.matches}) >= 3 and not plenty.notes
    scarce = posts_for(
        Seeker(
            age=35,
            sex="M",
            region_code=region,
            wished_work=("电工",),
            tier=2,
            schedules=(Schedule.HOURLY,),
            wage_floor_monthly=Decimal(9000),
            disabled=True,
            latitude=lat,
            longitude=lon,
            max_km=5,
        ),
        index,
        model,
        TODAY,
    )
    assert len(scarce.matches) < 3
    assert scarce.notes == [f"符合条件的岗位只有{len(scarce.matches)}个，不足3个（002 §4(2)），请扩大范围或登记新岗位"]


def test_explanations_match_the_score_parts(world, model, docs):
    index, by_id = world
    region, lat, lon = _home(docs)
    seeker = Seeker(
        age=55,
        sex="M",
        region_code=region,
        wished_work=("保洁员",),
        latitude=lat,
        longitude=lon,
        max_km=80,
        tier=3,
        wage_floor_monthly=Decimal(1500),
        schedules=(Schedule.DAILY, Schedule.FULL_TIME),
    )
    for m in posts_for(seeker, index, model, TODAY, k=20).matches:
        assert m.score == pytest.approx(sum(m.parts.values()))
        # one reason a part, relevance aside, besides two reasons with no part of their own
        # (matcher.posts): the title is the wished work, and no age limit for an older seeker
        plain = [r for r in m.reasons if r != "不限年龄上限" and not r.startswith("对口您想找的")]
        assert len(plain) == len(m.parts) - 1
        assert ("schedule" in m.parts) == any(r.endswith("符合您的时间") for r in m.reasons)
        assert ("love_lift" in m.parts) == ("爱心岗位：无年龄限制、无技能要求" in m.reasons)
        assert ("public_welfare_first" in m.parts) == any("公益性岗位" in r for r in m.reasons)
        # a distance reads "在<county>，距您约 n 公里", or "就在您所在的<county>" (estimated place, same county)
        assert ("distance" in m.parts) == any("距您约" in r or r.startswith("就在您所在的") for r in m.reasons)
        assert ("wage" in m.parts) == any(r.startswith("工资最高约") for r in m.reasons)


def test_every_feature_of_a_match_stays_between_0_and_1_with_the_occupation_lift(world, model, docs):
    """保洁员 names the posts' occupation, whose lift takes the fused score past 1: the relevance
    feature is rescaled, so features logged with a push stay in 0–1 (``PushIn.features``)."""
    index, _ = world
    region, lat, lon = _home(docs)
    seeker = Seeker(
        age=45, sex="F", region_code=region, wished_work=("保洁员",), latitude=lat, longitude=lon, max_km=80
    )
    matches = posts_for(seeker, index, model, TODAY, k=10).matches
    assert any(m.posting.occupation == "保洁员" for m in matches)
    assert all(0 <= value <= 1 for m in matches for value in m.features.values())
    assert max(m.features["relevance"] for m in matches) > 0.9
