"""Two of issue 19's last gaps in a real browser at 1280×800 and 390×844: the agency's 本机构 view
lists its own claims (amount, legal basis and status in Chinese) and never another agency's; a
clerk sees how exact a person's point is ("按区县中心估算") and corrects it, a point far from the
county refused beside the field in Chinese. Each view passes axe-core and fits a phone."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from jiuyuan import gazetteer
from jiuyuan.vocab import Role
from ledger import access, db
from ledger.models import Employer, HrAgency, Person
from ledger.payments import NAMES
from tests.conftest import authorise
from tests.web.pages import CHROMIUM, axe_available, login, new_page, phone_fits, serious_violations, shot

pytestmark = pytest.mark.skipif(
    not CHROMIUM and not os.environ.get("CI"), reason="Debian's chromium is not installed (.ci/run installs it)"
)
SIZES = ["desktop", "phone"]


def _call(site, token: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    request = urllib.request.Request(
        site["base"] + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as err:
        raise AssertionError(f"{method} {path}: {err.code} {err.read().decode()}") from None


def _claim(site, agency_token: str, agency_id: int, employer_id: int, serial: str) -> dict:
    """A poverty-registered rural walk-in registered at the counter, who authorises the agency; the
    agency records her hire (004 §2(2)2) and claims its fee. Returns the claim."""
    body = site["person"]["desktop"].id_number[:14] + serial  # a place and birth date the ID check knows
    id_number = body + ric.calc_check_digit(body + "0")
    person = _call(
        site,
        site["tokens"]["counter"],
        "POST",
        "/persons",
        {
            "id_number": id_number,
            "name": "申领测试",
            "hukou_region_code": site["county"],
            "urban_rural": "rural",
            "poverty_registered_from": "2016-03-01",
            "poverty_registered_to": "2020-12-31",
            "consents": {"data_processing": True},
        },
    )
    engine = db.make_engine(site["url"])
    authorise(db.session_factory(engine), person["id"], agency_id)
    engine.dispose()
    placement = _call(
        site,
        agency_token,
        "POST",
        "/placements",
        {
            "person_id": person["id"],
            "kind": "employer_absorption",
            "start_date": "2019-03-01",
            "employer_id": employer_id,
            "contract_months": 24,
        },
    )
    claim = _call(
        site,
        agency_token,
        "POST",
        "/claims",
        {"placement_id": placement["id"]},
        {"Idempotency-Key": f"web-claim-{placement['id']}"},
    )
    decision = next(d for d in placement["decisions"] if d["id"] == claim["decision_id"] or d["scheme"] == "agency_fee")
    return {**claim, "legal_basis": decision["legal_basis"]}


@pytest.mark.parametrize("size", SIZES)
def test_an_agency_sees_its_own_claims_with_amount_basis_and_status(browser, site, size):
    engine = db.make_engine(site["url"])
    with db.session_factory(engine)() as s:
        ours, theirs = s.scalars(select(HrAgency.id).order_by(HrAgency.id).limit(2)).all()
        theirs_uscc = s.scalar(select(HrAgency.uscc).where(HrAgency.id == theirs))
        employer_id = s.scalar(select(Employer.id).order_by(Employer.id))
    with db.session_factory(engine).begin() as s:
        other_token = access.issue(s, Role.AGENCY, "另一家人力资源公司", agency_uscc=theirs_uscc)[0]
    engine.dispose()
    serial = "06" if size == "desktop" else "08"
    mine = _claim(site, site["tokens"]["agency"], ours, employer_id, serial + "2")
    other = _claim(site, other_token, theirs, employer_id, serial + "4")
    assert mine["status_label"] and mine["legal_basis"] and mine["scheme"] == "agency_fee"

    page = new_page(browser, site["base"], size, bypass_csp=axe_available())
    login(page, site["tokens"]["agency"])
    page.wait_for_selector(f'#agency-claims tr[data-claim="{mine["id"]}"]')
    row = page.inner_text(f'#agency-claims tr[data-claim="{mine["id"]}"]')
    assert f"{Decimal(mine['amount']).normalize():f} 元" in row
    assert f"{NAMES['agency_fee']}（{mine['legal_basis']}）" in row and mine["status_label"] in row
    assert "null" not in row and "undefined" not in row
    shown = {
        int(r) for r in page.locator("#agency-claims tr[data-claim]").evaluate_all("rs => rs.map(r => r.dataset.claim)")
    }
    assert mine["id"] in shown and other["id"] not in shown
    visible = {
        c["id"]
        for c in _call(
            site, site["tokens"]["agency"], "GET", "/claims?purpose=%E8%A1%A5%E8%B4%B4%E7%94%B3%E9%A2%86&limit=50"
        )
    }
    assert shown == visible
    assert "政策依据" in page.inner_text("#agency-claims thead")
    assert serious_violations(page) == []
    phone_fits(page)
    shot(page, f"13-agency-claims{'-phone' if size == 'phone' else ''}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_sees_the_points_precision_and_corrects_it(browser, site, size):
    engine = db.make_engine(site["url"])
    # A person of its own, registered without an address point (the county's centre stands in):
    # the site's demo people are shared with the other tests of the package, in any order.
    with db.session_factory(engine).begin() as s:
        person = s.scalars(
            select(Person)
            .where(
                Person.residence_region_code == site["county"],
                Person.id.not_in([p.id for p in site["person"].values()]),
            )
            .order_by(Person.id)
            .offset(0 if size == "desktop" else 1)
            .limit(1)
        ).one()
        person.latitude = person.longitude = None
        id_number = person.id_number
    centre = gazetteer.centre(site["county"])
    page = new_page(browser, site["base"], size, bypass_csp=axe_available())
    login(page, site["tokens"]["counter"])
    page.fill("#id-number", id_number)
    page.keyboard.press("Enter")
    page.wait_for_selector("#person-card:not([hidden])")
    assert "null" not in page.inner_text("#person-card")
    page.get_by_role("button", name="修改登记信息").click()
    page.wait_for_selector("#edit-form:not([hidden])")
    assert "按区县中心估算" in page.inner_text("#e-location")
    assert page.input_value("#e-lat") == "" and page.input_value("#e-lon") == ""
    phone_fits(page)
    assert serious_violations(page) == []

    page.fill("#e-lat", f"{centre.latitude + 0.01:.4f}")  # the longitude forgotten: beside it, in Chinese
    page.click("#edit-form button[type=submit]")
    beside = page.wait_for_selector('#edit-form [data-error-for="longitude"]:not(:empty)')
    assert "经纬度须同时填写" in beside.inner_text()
    page.fill("#e-lat", "39.9042")  # Beijing: far from the county, refused on the latitude
    page.fill("#e-lon", "116.4074")
    page.click("#edit-form button[type=submit]")
    beside = page.wait_for_selector('#edit-form [data-error-for="latitude"]:not(:empty)')
    assert "公里" in beside.inner_text() and "不在该区县" in beside.inner_text()
    assert page.locator("#banner.ok").count() == 0
    with db.session_factory(engine)() as s:
        assert s.get(Person, person.id).latitude is None  # nothing saved

    lat, lon = round(centre.latitude + 0.012, 4), round(centre.longitude - 0.008, 4)
    page.fill("#e-lat", str(lat))
    page.fill("#e-lon", str(lon))
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#banner.ok:has-text('已保存')")
    assert page.inner_text('#edit-form [data-error-for="latitude"]') == ""
    with db.session_factory(engine)() as s:
        saved = s.get(Person, person.id)
        assert (saved.latitude, saved.longitude) == pytest.approx((lat, lon))
    engine.dispose()
    page.get_by_role("button", name="修改登记信息").click()
    page.wait_for_selector("#edit-form:not([hidden])")
    page.wait_for_selector("#e-location:has-text('按登记的位置')")
    assert "按区县中心估算" not in page.inner_text("#e-location")
    assert float(page.input_value("#e-lat")) == pytest.approx(lat)
    phone_fits(page)
    shot(page, f"14-correct-point{'-phone' if size == 'phone' else ''}")
    # a point entered by mistake: both fields emptied, the county centre stands in again
    page.fill("#e-lat", "")
    page.fill("#e-lon", "")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#banner.ok:has-text('已保存')")
    page.get_by_role("button", name="修改登记信息").click()
    page.wait_for_selector("#e-location:has-text('按区县中心估算')")
    assert page.input_value("#e-lat") == "" and page.input_value("#e-lon") == ""
    page.context.close()
