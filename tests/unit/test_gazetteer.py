"""Addresses to a county and a point (issue 19, "near home" must mean something): the offline
gazetteer reads the county an address names, its centre is an estimate said as one, and the
matcher's reasons name the county, the wished work and an open age limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from indexer.documents import PostingDocument
from jiuyuan import gazetteer
from jiuyuan.gazetteer import Precision
from jiuyuan.vocab import PostingKind, Schedule, WageUnit
from matcher.posts import Seeker, assess


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("湖南省长沙县星沙街道开元路18号", "430121"),
        ("长沙市芙蓉区五一大道", "430102"),
        ("株洲市天元区", "430211"),
        ("浙江嘉兴南湖区", "330402"),
        ("株洲市", "430200"),  # a city only: the city, not a made-up county
    ],
)
def test_an_address_names_its_county_or_city(address, code):
    assert gazetteer.parse(address).region_code == code


@pytest.mark.parametrize("address", ["", "星沙街道", "门口那条街", "   "])
def test_an_address_naming_no_known_place_is_none(address):
    assert gazetteer.parse(address) is None


def test_a_county_centre_is_an_estimate_and_an_entered_point_is_not():
    centre = gazetteer.centre("430121")
    assert centre.precision is Precision.COUNTY_CENTRE and centre.precision.label == "按区县中心估算"
    assert 27 < centre.latitude < 29 and 112 < centre.longitude < 114
    assert gazetteer.centre("430100").precision is Precision.CITY_CENTRE
    entered = gazetteer.point(28.1, 113.0, "430121")
    assert entered.precision is Precision.ENTERED and not entered.precision.estimated
    assert gazetteer.point(None, None, "430121") == centre
    assert gazetteer.estimated("430121", centre.latitude, centre.longitude)
    assert not gazetteer.estimated("430121", 28.1, 113.0)


def _post(region: str, title: str = "小区保洁员", age_max: int | None = None, at=None) -> PostingDocument:
    where = gazetteer.point(*(at or (None, None)), region)
    return PostingDocument(
        id="1",
        title=title,
        description="",
        employer_name="某物业",
        kind=PostingKind.GIG,
        schedule=Schedule.DAILY,
        wage_min=Decimal(120),
        wage_max=Decimal(150),
        wage_unit=WageUnit.DAY,
        region_code=region,
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 31),
        latitude=where.latitude,
        longitude=where.longitude,
        age_max=age_max,
    )


def _seeker(**kw) -> Seeker:
    home = gazetteer.centre("430121")
    base = {
        "age": 58,
        "sex": "F",
        "region_code": "430121",
        "wished_work": ("保洁员",),
        "schedules": (Schedule.DAILY,),
        "latitude": home.latitude,
        "longitude": home.longitude,
        "location_estimated": True,
    }
    return Seeker(**(base | kw))


def test_reasons_name_the_county_the_wished_work_and_an_open_age_limit():
    features, reasons = assess(_seeker(), _post("430121"), 0.8, date(2026, 12, 1))
    assert reasons["distance"] == "就在您所在的长沙县" and features["distance"] == 1.0
    assert reasons["relevance"] == "对口您想找的“保洁员”"
    assert reasons["age_open"] == "不限年龄上限"
    assert "0.0公里" not in " ".join(reasons.values())


def test_wished_work_in_everyday_words_is_named_by_its_occupation():
    """扫地 is not in 小区保洁员's title, but names its occupation: the card still says it fits."""
    _, reasons = assess(_seeker(wished_work=("扫地", "看大门")), _post("430121"), 0.8, date(2026, 12, 1))
    assert reasons["relevance"] == "对口您想找的“扫地”（保洁员）"
    _, none = assess(_seeker(wished_work=("看大门",)), _post("430121"), 0.8, date(2026, 12, 1))
    assert "relevance" not in none  # 看大门 names 保安员, not this post


def test_another_county_is_an_estimated_distance_and_ranks_behind_ones_own():
    own, _ = assess(_seeker(), _post("430121"), 0.8, date(2026, 12, 1))
    other, reasons = assess(_seeker(), _post("430211"), 0.8, date(2026, 12, 1))
    assert reasons["distance"].startswith("在天元区，距您约") and reasons["distance"].endswith("（按区县中心估算）")
    assert other["distance"] < own["distance"]


def test_an_entered_point_gives_a_plain_distance_and_an_age_limit_is_not_called_open():
    _, reasons = assess(
        _seeker(latitude=28.25, longitude=113.09, location_estimated=False),
        _post("430121", age_max=60, at=(28.2, 113.1)),
        0.8,
        date(2026, 12, 1),
    )
    assert reasons["distance"].startswith("在长沙县，距您约") and "估算" not in reasons["distance"]
    assert "age_open" not in reasons


def test_a_county_name_several_cities_share_is_not_a_certain_place():
    guess = gazetteer.parse("鼓楼区中山路1号")
    assert not guess.certain and {"320106", "350102"} <= set(guess.alternatives)
    assert gazetteer.parse("南京市鼓楼区中山路").certain  # the city settles it
    assert gazetteer.parse("江苏鼓楼区").alternatives == ("320106", "320302")  # the province narrows it
    two = gazetteer.parse("长沙县星沙街道，芙蓉区五一大道")
    assert two.region_code == "430121" and two.also_named == ("430102",)


@pytest.mark.parametrize(
    ("address", "code"),
    [("长沙市芙蓉区韶山北路1号", "430102"), ("长沙市韶山路", "430100"), ("广东省深圳市龙岗区韶山路131号", "440307")],
)
def test_a_street_named_after_a_county_is_not_that_county(address, code):
    found = gazetteer.parse(address)  # 韶山路 is a street in 长沙 (and elsewhere), not 韶山市
    assert found.region_code == code and found.certain


def test_a_street_alone_names_no_place():
    assert gazetteer.parse("韶山路131号") is None
