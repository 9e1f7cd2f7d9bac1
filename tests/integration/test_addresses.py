"""Addresses over the API (issue 19, "near home"): a walk-in registered with an address and no
county code lives in the county it names; an address and a code that disagree are a 422 on the
address; a new address moves the residence and drops a point entered for the old one; a point a
clerk corrects is "entered", a county centre is said to be an estimate; a posting's address
names its county too."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from tests.conftest import bearer
from tests.integration.test_api_persons import _id

WANG = {
    "id_number": _id("43012119680412502"),
    "name": "王春梅",
    "hukou_region_code": "430121",
    "urban_rural": "rural",
    "address": "长沙市芙蓉区五一大道101号",
    "consents": {"data_processing": True},
}


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield client, bearer(migrated_url, "counter", "长沙市零工市场", region="4301")


def test_a_walk_in_lives_in_the_county_the_address_names_at_an_estimated_point(api):
    client, counter = api
    made = client.post("/persons", json=WANG, headers=counter)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["residence_region_code"] == "430102" and body["address"] == WANG["address"]
    assert body["location"]["precision"] == "county_centre"
    assert body["location"]["precision_label"] == "按区县中心估算"
    assert body["latitude"] is None  # nothing entered is stored; the centre is worked out


def test_an_address_in_another_county_than_the_code_is_refused_on_the_address(api):
    client, counter = api
    bad = client.post("/persons", json=WANG | {"residence_region_code": "430121"}, headers=counter)
    assert bad.status_code == 422
    (error,) = bad.json()["errors"]
    assert error["field"] == "address" and "芙蓉区" in error["message"] and "长沙县" in error["message"]
    assert client.get("/persons", params={"purpose": "窗口求职登记"}, headers=counter).json()["total"] == 0


def test_a_new_address_moves_the_residence_and_a_corrected_point_is_entered(api):
    client, counter = api
    person = client.post("/persons", json=WANG, headers=counter).json()
    url = f"/persons/{person['id']}"
    pinned = client.patch(url, json={"latitude": 28.19, "longitude": 112.98}, headers=counter).json()
    assert pinned["location"]["precision"] == "entered" and pinned["location"]["latitude"] == 28.19
    moved = client.patch(url, json={"address": "长沙县星沙街道开元路18号"}, headers=counter)
    assert moved.status_code == 200, moved.text
    moved = moved.json()
    assert moved["residence_region_code"] == "430121"
    assert moved["latitude"] is None and moved["location"]["precision"] == "county_centre"
    half = client.patch(url, json={"latitude": 28.2}, headers=counter)
    assert half.status_code == 422 and half.json()["errors"][0]["field"] == "longitude"
    # a point entered by mistake is cleared with null for both: the county centre stands in again
    client.patch(url, json={"latitude": 28.25, "longitude": 113.08}, headers=counter)
    cleared = client.patch(url, json={"latitude": None, "longitude": None}, headers=counter)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["latitude"] is None and cleared.json()["location"]["precision"] == "county_centre"
    one = client.patch(url, json={"latitude": None, "longitude": 113.08}, headers=counter)
    assert one.status_code == 422 and one.json()["errors"][0]["field"] == "latitude"


def test_a_posting_address_names_its_county_and_a_missing_place_says_how_to_fix(api):
    client, counter = api
    today = clock.today().isoformat()
    posting = {
        "title": "小区保洁员",
        "kind": "gig",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "130",
        "valid_from": today,
        "valid_until": today,
    }
    made = client.post("/postings", json=posting | {"address": "长沙县星沙街道开元路18号"}, headers=counter)
    assert made.status_code == 201, made.text
    assert made.json()["region_code"] == "430121"
    assert made.json()["location"]["precision_label"] == "按区县中心估算"
    lost = client.post("/postings", json=posting | {"address": "门口那条街"}, headers=counter)
    assert lost.status_code == 422
    assert any(e["field"] == "region_code" and "区县" in e["message"] for e in lost.json()["errors"])


def test_an_address_the_gazetteer_can_only_guess_at_is_refused_unless_the_code_settles_it(api):
    client, counter = api
    shared = client.post("/persons", json=WANG | {"address": "鼓楼区中山路1号"}, headers=counter)
    assert shared.status_code == 422
    (error,) = shared.json()["errors"]
    assert error["field"] == "address" and "请写明所在城市" in error["message"] and "福州" in error["message"]
    two = client.post("/persons", json=WANG | {"address": "长沙县星沙街道，芙蓉区五一大道"}, headers=counter)
    assert two.status_code == 422 and "不止一个区县" in two.json()["errors"][0]["message"]
    person = client.post("/persons", json=WANG, headers=counter).json()
    moved = client.patch(f"/persons/{person['id']}", json={"address": "鼓楼区中山路1号"}, headers=counter)
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "address"  # never moved to Fujian


def test_an_entered_point_far_from_its_county_is_refused(api):
    client, counter = api
    nowhere = client.post("/persons", json=WANG | {"latitude": 0, "longitude": 0}, headers=counter)
    assert nowhere.status_code == 422
    (error,) = nowhere.json()["errors"]
    assert error["field"] == "latitude" and "不在该区县" in error["message"] and "芙蓉区" in error["message"]
    beijing = client.post("/persons", json=WANG | {"latitude": 39.9, "longitude": 116.4}, headers=counter)
    assert beijing.status_code == 422
    near = client.post("/persons", json=WANG | {"latitude": 28.19, "longitude": 112.98}, headers=counter)
    assert near.status_code == 201 and near.json()["location"]["precision"] == "entered"
