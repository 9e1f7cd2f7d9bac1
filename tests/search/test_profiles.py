"""Person profiles, indexed for people-for-a-post: no sensitive field, filters that make sense."""

from __future__ import annotations

import dataclasses

import pytest

from indexer.profiles import PersonDocument, ProfileIndex
from indexer.protocol import Filters, Query
from jiuyuan.errors import InvalidInput
from jiuyuan.vocab import PostingKind, Schedule

PEOPLE = [
    PersonDocument(
        "1",
        "430121",
        skills=("叉车证",),
        wished_work=("叉车工", "仓储搬运工"),
        wished_schedules=(Schedule.FULL_TIME,),
        latitude=28.25,
        longitude=113.08,
    ),
    PersonDocument(
        "2",
        "430121",
        skills=("养老护理员证",),
        wished_work=("养老护理员",),
        wished_schedules=(Schedule.DAILY, Schedule.HOURLY),
        latitude=28.24,
        longitude=113.07,
    ),
    PersonDocument("3", "430102", wished_work=("保洁员",), latitude=28.20, longitude=112.98),
    PersonDocument(
        "4", "330421", skills=("健康证",), wished_work=("餐饮服务员",), wished_schedules=(Schedule.PART_TIME,)
    ),
]


@pytest.fixture
def profiles(model):
    index = ProfileIndex(model.dimension)
    index.upsert(PEOPLE, model.encode([p.text for p in PEOPLE]))
    return index


def _ids(index, model, text, **filters):
    return [
        h.id for h in index.search(Query(text=text, vector=model.encode([text])[0], k=10, filters=Filters(**filters)))
    ]


def test_a_profile_holds_no_sensitive_field():
    fields = {f.name for f in dataclasses.fields(PersonDocument)}
    assert not fields & {"id_number", "name", "phone", "disability_grade", "disability_certificate"}


def test_people_for_a_post(profiles, model):
    assert _ids(profiles, model, "叉车工 仓库装卸")[0] == "1"
    assert _ids(profiles, model, "养老院护理员")[0] == "2"


def test_the_profile_template_is_not_searched_as_text(profiles):
    """Issue 18: every profile's template (意向：…。技能：…。可工作时间：…。学历：…) was indexed as
    text, so a post naming 技能 or 时间 scored every profile: the text index holds values only."""
    for template_words in ("意向 技能 学历", "可工作时间 不限", "未填"):
        assert profiles.search(Query(text=template_words, mode="bm25", k=10)) == []
    assert [h.id for h in profiles.search(Query(text="叉车证", mode="bm25", k=10))] == ["1"]
    assert profiles.search(Query(text="日结", mode="bm25", k=10))[0].id == "2"  # a wished schedule is a value
    assert profiles.text.count() == len(PEOPLE)


def test_profile_filters(profiles, model):
    assert set(_ids(profiles, model, "保洁 护理 叉车", region_prefix="430121")) == {"1", "2"}
    assert "2" in _ids(profiles, model, "养老护理员", schedules=(Schedule.DAILY,))
    assert "1" not in _ids(profiles, model, "叉车", schedules=(Schedule.DAILY,))
    assert "3" in _ids(profiles, model, "保洁", schedules=(Schedule.DAILY,))  # named none: takes any
    assert set(_ids(profiles, model, "保洁 护理 叉车", near=(28.25, 113.08), within_km=5)) == {"1", "2"}


def test_posting_only_filters_are_refused_for_people(profiles, model):
    with pytest.raises(InvalidInput) as err:
        _ids(profiles, model, "保洁", kinds=(PostingKind.LOVE,))
    assert [e.field for e in err.value.errors] == ["kinds"]


def test_profiles_survive_a_restart(profiles, model, tmp_path):
    profiles.save(tmp_path / "profiles")
    restored = ProfileIndex.load(tmp_path / "profiles")
    assert _ids(restored, model, "叉车工") == _ids(profiles, model, "叉车工")
