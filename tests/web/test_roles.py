"""The page for employers and officers, in a real browser at 1280×800 and 390×844 (issue 19):
counter staff register an employer by its USCC (a wrong check digit and a USCC registered twice
answered beside the field, in Chinese) and pick it by name for a posting; the employer posts with
a county picked by name and the matcher's fields, sees only masked candidates with what hiring them
unlocks, invites one, and the counter sees the invitation; an officer runs a month's payments,
approves and rejects lines in batches with a reason and downloads the finance xlsx; duty lists
show county names, no "False", and open the person; every view passes axe-core (no serious or
critical violations) and fits a phone. Screenshots go where tests/web/test_counter_page.py's go."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from stdnum.cn import ric
from stdnum.cn import uscc as uscc_lib

from jiuyuan.vocab import RecognitionStatus, Role
from ledger import access, db
from ledger.models import AuditEntry, Employer, HrAgency, JobPosting, Person, Recognition
from services.authorisations import active_clause
from tests.conftest import authorise
from tests.web.pages import (
    CHROMIUM,
    axe_available,
    login,
    masked_candidates,
    new_page,
    phone_fits,
    serious_violations,
    shot,
    until,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM and not os.environ.get("CI"), reason="Debian's chromium is not installed (.ci/run installs it)"
)
SIZES = ["desktop", "phone"]


def _uscc(size: str) -> str:
    body = "91430121MA4L0" + ("DKT0" if size == "desktop" else "PHN0")
    return body + uscc_lib.calc_check_digit(body)


def _suffix(size: str) -> str:
    return "-phone" if size == "phone" else ""


def _issue(site, role: Role, name: str, **scope) -> str:
    engine = db.make_engine(site["url"])
    try:
        with db.session_factory(engine).begin() as s:
            return access.issue(s, role, name, **scope)[0]
    finally:
        engine.dispose()


@pytest.mark.parametrize("size", SIZES)
def test_counter_registers_an_employer_who_posts_sees_masked_candidates_and_invites(browser, site, size):
    uscc = _uscc(size)
    company = f"星沙{'' if size == 'desktop' else '掌上'}物业管理有限公司"
    page = new_page(browser, site["base"], size)
    login(page, site["tokens"]["counter"])
    page.click('nav button[data-go="employers"]')
    page.fill("#emp-uscc", uscc[:-1] + ("0" if uscc[-1] != "0" else "1"))
    page.fill("#emp-name", company)
    page.fill("#emp-region-q", site["county_name"])
    page.fill("#emp-address", "星沙街道开元东路1号")
    page.fill("#emp-phone", "0731-84012345")
    page.click("#employer-form button[type=submit]")
    beside = page.wait_for_selector('#employer-form [data-error-for="uscc"]:not(:empty)')
    assert "校验位不正确" in beside.inner_text()
    page.fill("#emp-uscc", uscc)
    page.click("#employer-form button[type=submit]")
    page.wait_for_selector("#banner.ok:has-text('已登记用人单位')")
    assert company in page.inner_text("#employer-list") and site["county_name"] in page.inner_text("#employer-list")
    phone_fits(page)
    shot(page, f"7-employer-register{_suffix(size)}")
    # the same USCC again: refused beside the field, naming the employer already registered
    page.fill("#emp-uscc", uscc)
    page.fill("#emp-name", "另一个名字")
    page.fill("#emp-region-q", site["county_name"])
    page.click("#employer-form button[type=submit]")
    again = page.wait_for_selector('#employer-form [data-error-for="uscc"]:not(:empty)')
    assert f"已登记为“{company}”" in again.inner_text() and "无需重复登记" in again.inner_text()
    # found by name, picked for a posting: no internal number typed
    page.fill("#emp-q", company[:4])
    page.click("#employer-find button[type=submit]")
    page.get_by_role("button", name="为此单位登记岗位").first.click()
    page.wait_for_selector('[data-view="new-posting"]:not([hidden])')
    assert company in page.locator("#p-employer option:checked").inner_text()
    page.context.close()

    engine = db.make_engine(site["url"])
    with db.session_factory(engine)() as s:
        employer_id = s.scalar(select(Employer.id).where(Employer.uscc == uscc))
    token = _issue(site, Role.EMPLOYER, f"{company} 人事", employer_uscc=uscc)
    page = new_page(browser, site["base"], size)
    login(page, token)
    page.click('nav button[data-go="employers"]')
    until(page, "document.querySelector('#emp-name').value !== ''")
    assert page.input_value("#emp-name") == company and page.locator("#emp-uscc").get_attribute("readonly") is not None
    assert page.locator("#employer-find").is_hidden()  # no search of other employers
    page.click('nav button[data-go="new-posting"]')
    assert page.locator("#p-employer-q").is_hidden()  # always its own
    title = f"小区保洁员{size}"
    page.fill("#p-title", title)
    page.select_option("#p-kind", "love")
    assert page.locator("#p-age-min").is_disabled() and "不设年龄和技能限制" in page.inner_text("#p-love-note")
    page.select_option("#p-kind", "ordinary")
    page.select_option("#p-schedule", "full_time")
    page.fill("#p-wage-min", "2400")
    page.fill("#p-wage-max", "3000")
    page.fill("#p-region-q", "没有这个县")
    page.click("#posting-form button[type=submit]")
    beside = page.wait_for_selector('#posting-form [data-error-for="region_code"]:not(:empty)')
    assert "没有名为“没有这个县”的区县" in beside.inner_text()
    page.fill("#p-region-q", site["county_name"])
    page.fill("#p-age-min", "18")
    page.fill("#p-headcount", "3")
    page.check("#p-disabled")
    page.fill("#p-description", "小区楼道和公共区域日常保洁")
    phone_fits(page)
    shot(page, f"8-employer-posting{_suffix(size)}")
    page.click("#posting-form button[type=submit]")
    page.wait_for_selector("#posting-done:has-text('已登记')")
    with db.session_factory(engine)() as s:
        post = s.scalars(select(JobPosting).where(JobPosting.title == title)).one()
        assert (post.employer_id, post.region_code, post.age_min, post.age_max) == (
            employer_id,
            site["county"],
            18,
            None,
        )
        assert post.headcount == 3 and post.disabled_suitable and post.skills_required == []
    assert "录用后可申请" in masked_candidates(page, title, site["people"])
    first = page.locator("#candidates li").first
    first.get_by_role("button", name="邀约面试").click()
    page.wait_for_selector("#banner.ok:has-text('已邀约')")
    assert first.get_by_role("button", name="已邀约（窗口会转达）").is_disabled()
    masked = first.locator("h3").inner_text().split()[0]
    phone_fits(page)
    shot(page, f"9-candidates-invited{_suffix(size)}")
    page.context.close()

    with db.session_factory(engine)() as s:  # the counter of the invited person's county passes it on
        invited = s.scalars(
            select(Person)
            .join(AuditEntry, AuditEntry.subject_person_id == Person.id)
            .where(AuditEntry.action == "employer.invite", AuditEntry.purpose.contains(title))
        ).one()
    engine.dispose()
    page = new_page(browser, site["base"], size)
    login(page, _issue(site, Role.COUNTER, "邀约转达窗口", region=invited.residence_region_code))
    page.click("#invites summary")
    page.wait_for_selector(f"#invite-list li:has-text('{title}')")
    invitation = page.locator("#invite-list li", has_text=title).first.inner_text()
    assert company in invitation and masked in invitation
    page.locator("#invite-list li", has_text=title).first.get_by_role("button").click()
    page.wait_for_selector("#person-card:not([hidden])")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_an_officer_runs_a_month_approves_in_batches_and_downloads_the_xlsx(browser, pay_site, size):
    page = new_page(browser, pay_site["base"], size)
    login(page, pay_site["officer"])
    page.click('nav button[data-go="payments"]')
    assert page.input_value("#run-month") == date.today().strftime("%Y-%m")
    page.fill("#run-month", pay_site["months"][size])  # each size its own month, both undecided
    page.click("#run-form button[type=submit]")
    page.wait_for_selector("#run-summary:has-text('发放批次')")
    until(page, "document.querySelector('#lines-caption').textContent.includes('批次')")
    assert page.locator("#lines tbody input[type=checkbox]").count() == 3
    assert "待审批" in page.inner_text("#lines-caption")
    for cell in page.locator("#lines tbody tr td:last-child").all_inner_texts():
        assert cell == "无" or "：" in cell  # each risk signal with its explanation
    boxes = page.locator("#lines tbody input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("#approve-lines")
    beside = page.wait_for_selector('#decide-form [data-error-for="reason"]:not(:empty)')
    assert "请填写核准理由" in beside.inner_text()
    page.fill("#decide-reason", "经核实材料齐全")
    page.click("#approve-lines")
    page.wait_for_selector("#banner.ok:has-text('已核准 2 条明细')")
    page.locator("#lines tbody input[type=checkbox]").first.check()
    page.fill("#decide-reason", "缴费记录与安置期间不符，请补充材料")
    page.click("#reject-lines")
    page.wait_for_selector("#banner.ok:has-text('已驳回 1 条明细')")
    page.select_option("#line-status", "approved")
    until(page, "document.querySelector('#lines-caption').textContent.includes('已核准')")
    assert "经核实材料齐全" in page.inner_text("#lines")
    phone_fits(page)
    shot(page, f"10-payment-run{_suffix(size)}")
    with page.expect_download() as download:
        page.click("#download-run")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx") and Path(path).read_bytes()[:2] == b"PK"
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_duty_lists_show_county_names_words_not_false_and_open_the_person(browser, site, size):
    page = new_page(browser, site["base"], size)
    login(page, site["tokens"]["officer"])
    page.click('nav button[data-go="officer"]')
    # the region is picked by name: the whole jurisdiction first, then each of its counties
    page.wait_for_selector("#o-region option:nth-child(2)", state="attached")
    options = page.locator("#o-region option").all_inner_texts()
    assert options[0].startswith("全辖区") and site["county_name"] in options[1:]
    page.select_option("#o-region", label=site["county_name"])
    page.click("#officer-form button[type=submit]")
    page.wait_for_selector("#banner.ok")
    county_only = set(page.locator("#duties tbody td:nth-child(3)").all_inner_texts())
    assert county_only and county_only <= {site["county_name"]}, county_only
    page.select_option("#o-region", index=0)
    page.click("#officer-form button[type=submit]")
    page.wait_for_selector("#banner.ok")
    table = page.inner_text("#duties")
    assert "False" not in table and "True" not in table
    counties = page.locator("#duties tbody td:nth-child(3)").all_inner_texts()
    assert counties and all(not c.isdigit() and c.endswith(("区", "县", "市")) for c in counties)
    page.locator("#duties tbody button").first.click()
    page.wait_for_selector("#duty-person:not([hidden])")
    panel = page.inner_text("#duty-person")
    assert "户籍地" in panel and "帮扶等级" in panel and "*" not in page.inner_text("#duty-person h3")
    phone_fits(page)
    shot(page, f"6-officer{_suffix(size)}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_every_view_passes_axe_and_fits_the_screen(browser, site, size):
    axe_available()
    page = new_page(browser, site["base"], size, bypass_csp=True)
    assert page.locator("nav").is_hidden() and not page.get_by_role("button", name="接待").is_visible()
    checked = {"login": serious_violations(page)}
    phone_fits(page)
    login(page, site["tokens"]["officer"])
    person = site["person"][size]
    page.fill("#id-number", person.id_number)
    page.keyboard.press("Enter")
    page.wait_for_selector("#person-card:not([hidden])")
    page.fill("#wished", "想找扫地的活")
    page.keyboard.press("Enter")
    page.wait_for_selector("#matches li")
    checked["接待"] = serious_violations(page)
    phone_fits(page)
    page.locator("#matches li").first.get_by_role("button", name="打印岗位单").click()
    page.wait_for_selector('[data-view="slip"]:not([hidden])')
    checked["岗位单"] = serious_violations(page)
    for view, ready in [
        ("new-posting", "#posting-form"),
        ("employers", "#employer-form"),
        ("people", "#posting-select option"),
        ("officer", "#officer-form"),
        ("payments", "#run-form"),
    ]:
        page.click(f'nav button[data-go="{view}"]')
        page.wait_for_selector(ready, state="attached")
        if view == "officer":
            page.click("#officer-form button[type=submit]")
            page.wait_for_selector("#banner.ok")
            page.locator("#duties tbody button").first.click()
            page.wait_for_selector("#duty-person:not([hidden])")
            buttons = page.locator("#duty-person button", has_text="认定进度")
            if buttons.count():
                buttons.first.click()
                page.wait_for_selector("#recognition:not([hidden]) table")
        if view == "payments":
            page.click("#run-form button[type=submit]")
            page.wait_for_selector("#run-summary:has-text('发放批次')")
        checked[view] = serious_violations(page)
        phone_fits(page)
    page.context.close()
    page = new_page(browser, site["base"], size, bypass_csp=True)
    login(page, site["tokens"]["employer"])
    checked["employer"] = serious_violations(page)
    page.context.close()
    page = new_page(browser, site["base"], size, bypass_csp=True)
    login(page, site["tokens"]["agency"])
    page.wait_for_selector("#agency-persons li")
    checked["agency"] = serious_violations(page)
    phone_fits(page)
    page.context.close()
    assert {view: found for view, found in checked.items() if found} == {}


@pytest.mark.parametrize("size", SIZES)
def test_an_agency_sees_only_the_persons_who_authorised_it(browser, site, size):
    engine = db.make_engine(site["url"])
    sessions = db.session_factory(engine)
    with sessions() as s:
        agency_id = s.scalar(select(HrAgency.id).order_by(HrAgency.id))
        others = s.scalars(select(Person).order_by(Person.id).limit(40)).all()
    # Two persons authorise it at the counter, two of its own for each run: the runs share a site
    # only when they share a test process, in any order.
    for person in others[30:32] if size == "desktop" else others[32:34]:
        authorise(sessions, person.id, agency_id)
    with sessions() as s:
        granted = s.scalars(select(Person).where(active_clause(Person.id, agency_id, date.today()))).all()
    engine.dispose()
    page = new_page(browser, site["base"], size)
    login(page, site["tokens"]["agency"])
    page.wait_for_selector('[data-view="agency"]:not([hidden]) #agency-persons li')
    cards = page.locator("#agency-persons > li h3 small").all_inner_texts()
    shown = {c.split()[0] for c in cards}
    assert shown == {p.id_number[:6] + "*" * 8 + p.id_number[-4:] for p in granted} and len(shown) >= 2
    text = page.inner_text("main")
    for person in others:
        assert person.id_number not in text and (len(person.name) < 2 or person.name not in text)
    assert "本机构的申领" in page.inner_text("#agency-claims")
    assert (
        page.locator('nav button[data-go="posts"]').is_hidden()
        and page.locator('nav button[data-go="people"]').is_hidden()
    )
    phone_fits(page)
    shot(page, f"11-agency{_suffix(size)}")
    page.context.close()


def _post(site, token: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        site["base"] + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as err:
        raise AssertionError(err.read().decode()) from None


@pytest.mark.parametrize("size", SIZES)
def test_an_officer_records_recognition_steps_objections_and_a_tier(browser, site, size):
    officer = site["tokens"]["officer"]
    body = f"430121198506{'07' if size == 'desktop' else '08'}031"  # a man (odd 17th digit), born in 长沙县
    id_number = body + ric.calc_check_digit(body + "0")
    person = _post(
        site,
        officer,
        "/persons",
        {"id_number": id_number, "name": "测试认定", "hukou_region_code": site["county"], "urban_rural": "urban"},
    )
    _post(site, officer, f"/persons/{person['id']}/recognitions", {"categories": [1], "applied_on": f"{date.today()}"})
    page = new_page(browser, site["base"], size)
    login(page, officer)
    page.fill("#id-number", id_number)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="认定与分级").click()
    page.wait_for_selector("#duty-person:not([hidden])")
    assert "认定后才能分级" in page.inner_text("#duty-person")
    page.locator("#duty-person button", has_text="认定进度").click()
    page.wait_for_selector("#recognition:not([hidden]) table")
    steps = page.inner_text("#recognition table")
    assert "社区审核" in steps or "社区" in steps
    assert re.search(r"\d{4}-\d{2}-\d{2}", steps) and "False" not in steps and "null" not in steps
    page.click("#recognition .step-form button[type=submit]")  # 通过, today
    page.wait_for_selector("#banner.ok:has-text('已记录')")
    page.wait_for_selector("#recognition h4:has-text('公示')")
    page.fill("#recognition input[name=summary]", "群众反映其已在外地就业")
    page.locator("#recognition form", has_text="登记公示期间的异议").get_by_role("button").click()
    page.wait_for_selector("#banner.ok:has-text('已登记异议')")
    assert "群众反映其已在外地就业" in page.inner_text("#recognition .objections")
    assert "null" not in page.inner_text("#recognition") and "[object" not in page.inner_text("#recognition")
    page.locator("#recognition form", has_text="处理异议").locator("input[name=reason]").fill("经核实未就业")
    page.locator("#recognition form", has_text="处理异议").get_by_role("button").click()
    page.wait_for_selector("#banner.ok:has-text('已处理异议')")
    assert "经核实未就业" in page.inner_text("#recognition .objections")
    phone_fits(page)
    shot(page, f"12-recognition{_suffix(size)}")
    page.context.close()

    engine = db.make_engine(site["url"])
    with db.session_factory(engine)() as s:
        recognised = s.scalars(
            select(Person)
            .join(Recognition, Recognition.person_id == Person.id)
            .where(
                Recognition.status == RecognitionStatus.RECOGNISED,
                Recognition.region_code.startswith(site["county"][:4]),
            )
            .order_by(Person.id)
            .offset(0 if size == "desktop" else 1)
        ).first()
    engine.dispose()
    page = new_page(browser, site["base"], size)
    login(page, officer)
    page.fill("#id-number", recognised.id_number)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="认定与分级").click()
    page.wait_for_selector("#tier-form")
    current = page.locator("#tier").input_value()
    page.select_option("#tier", "3" if current != "3" else "2")
    page.click("#tier-form button[type=submit]")
    page.wait_for_selector("#banner.ok:has-text('已分级')")
    page.click("#tier-form button[type=submit]")  # the same tier again: refused, in Chinese
    page.wait_for_selector("#banner:not(.ok):not([hidden])")
    refused = page.inner_text("#banner") + page.inner_text("#tier-form")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused) and "已分级" not in page.inner_text("#banner")
    phone_fits(page)
    page.context.close()
