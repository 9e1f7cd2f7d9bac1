"""The counter page in a real browser (headless Debian Chromium driven by Playwright): counter
staff find a person, read ranked posts, push one and print its slip; an employer sees masked
candidates only; a wrong ID number is answered in Chinese beside the field. Each view's
screenshot is written to var/screenshots/ (ignored by git), or with JIUYUAN_SCREENSHOTS=docs to
docs/screenshots/, the copies docs/api.md shows: a plain test run changes no tracked file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.models import JobPush
from tests.web.pages import CHROMIUM
from tests.web.pages import login as _login
from tests.web.pages import no_sideways_scroll as _no_sideways_scroll
from tests.web.pages import shot as _shot
from tests.web.pages import small_targets as _small_targets

pytestmark = pytest.mark.skipif(
    not CHROMIUM and not os.environ.get("CI"), reason="Debian's chromium is not installed (.ci/run installs it)"
)


class Counted:
    """The page's actions a clerk takes (typing into a field, a key, a click), counted."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def fill(self, selector: str, text: str) -> None:
        self.n += 1
        self.page.fill(selector, text)

    def press(self, key: str) -> None:
        self.n += 1
        self.page.keyboard.press(key)

    def click(self, locator) -> None:
        self.n += 1
        locator.click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_walk_in_to_slip_in_under_ten_actions(browser, site, size):
    """A registered walk-in: ID number, her words, a push confirmed, the slip printed (7 actions)."""
    viewport = {"width": 1366, "height": 768} if size == "desktop" else {"width": 390, "height": 844}
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", is_mobile=size == "phone", has_touch=size == "phone"
    )
    page = context.new_page()
    page.goto(site["base"] + "/")
    if size == "desktop":
        _shot(page, "0-login")
    _login(page, site["tokens"]["counter"])
    assert "零工市场窗口人员：零工市场 王敏" in page.inner_text("#who")
    person = site["person"][size]
    act = Counted(page)
    act.fill("#id-number", person.id_number)
    act.press("Enter")
    page.wait_for_selector("#person-card:not([hidden])")
    card = page.inner_text("#person-card")
    assert person.name not in card and person.id_number not in card and person.name[0] in card
    act.fill("#wished", "想找扫地的活")
    act.press("Enter")
    page.wait_for_selector("#matches li")
    assert page.evaluate("document.activeElement.id") == "results-heading"  # never a push button
    page.keyboard.press("Enter")  # a stray Enter pushes nothing
    assert page.locator("#confirm-push[open]").count() == 0
    first = page.locator("#matches li").first
    assert first.locator(".reasons li").count() >= 1
    _shot(page, f"1-find-posts{'-phone' if size == 'phone' else ''}")
    if size == "phone":
        _no_sideways_scroll(page)
        assert not _small_targets(page)
        assert page.locator("header").bounding_box()["height"] < 844 / 6  # a compact header
    posting_id = int(first.get_attribute("data-posting"))
    act.click(first.get_by_role("button", name="推送给此人…"))
    dialog = page.locator("#confirm-push")
    assert "确认把" in dialog.inner_text()
    assert page.evaluate("document.activeElement.id") == "confirm-cancel"  # Enter here cancels
    act.click(dialog.get_by_role("button", name="确认推送"))
    page.wait_for_selector(f'#matches li[data-posting="{posting_id}"] button:has-text("已推送")')
    with site["engine"].connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(JobPush)
                .where(JobPush.person_id == person.id, JobPush.posting_id == posting_id)
            ).scalar()
            == 1
        )
    act.click(page.locator("#slip-selected"))
    page.wait_for_selector('[data-view="slip"]:not([hidden])')
    slip = page.inner_text("#slip")
    assert "长沙县零工市场 岗位单" in slip and "0731-84012345" in slip and "工作时间" in slip
    assert "null" not in slip and "undefined" not in slip and person.name not in slip
    assert not re.search(r"\d\.00", slip)  # pay without stray decimals
    assert page.locator("#slip img.qr").count() == 1
    if size == "phone":
        _no_sideways_scroll(page)
    _shot(page, f"2-job-slip{'-phone' if size == 'phone' else ''}")
    page.evaluate("window.print = () => { window.printed = true; }")  # headless: no print dialog to open
    act.press("Enter")  # focus is on 打印岗位单
    assert page.evaluate("window.printed") is True
    assert act.n < 10, act.n
    context.close()


def test_a_new_walk_in_is_registered_edited_and_refused_with_chinese_help(page, site):
    _login(page, site["tokens"]["counter"])
    new_id = site["new_id"]
    page.fill("#id-number", new_id)
    page.keyboard.press("Enter")
    page.wait_for_selector("#register-form:not([hidden])")
    assert "请在下面登记" in page.inner_text('#person-form [data-error-for="id_number"]')
    assert page.input_value("#r-id") == new_id
    consents = page.inner_text("#register-form .consents")
    assert "本人同意就业服务机构收集、使用本人登记的个人信息" in consents and "接收岗位推送" in consents
    page.fill("#r-name", "赵春梅")
    page.press("#r-name", "Enter")  # a stray Enter moves on to the next field, it saves nothing
    assert page.evaluate("document.activeElement.id") == "r-phone"
    assert page.locator("#register-form").is_visible() and not page.locator("#banner.ok").is_visible()
    page.fill("#r-phone", "123")
    page.click("#register-form button[type=submit]")
    beside = page.wait_for_selector('#register-form [data-error-for="phone"]:not(:empty)')
    assert "号码" in beside.inner_text()
    page.fill("#r-phone", "13907310001")
    page.fill("#r-wished", "保洁员")
    page.fill("#r-address", f"{site['county_name']}幸福路8号")
    page.check('#register-form input[name="job_push"]')
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#person-card:not([hidden])")
    assert "赵**" in page.inner_text("#person-card")
    page.get_by_role("button", name="修改登记信息").click()
    page.wait_for_selector("#edit-form:not([hidden])")
    assert page.input_value("#e-wished") == "保洁员"
    assert page.input_value("#e-address") == f"{site['county_name']}幸福路8号"  # the address is kept
    assert page.input_value("#e-residence-q") == site["county_name"]  # the county by name, not its code
    assert page.is_checked('#edit-form input[name="job_push"]')  # the consents as recorded
    assert not page.is_checked('#edit-form input[name="show_to_employers"]')
    page.fill("#e-skills", "保洁、收纳")
    page.check('#edit-form input[name="show_to_employers"]')  # read aloud again, now she agrees
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#banner.ok:has-text('已保存')")
    assert page.inner_text('#person-form [data-error-for="id_number"]') == ""  # no stale 未找到 beside a saved person
    page.get_by_role("button", name="修改登记信息").click()
    page.wait_for_selector("#edit-form:not([hidden])")
    assert page.is_checked('#edit-form input[name="show_to_employers"]')
    page.click('#edit-form [data-close="edit-form"]')
    # by phone: a masked list to pick from
    page.fill("#id-number", "13907310001")
    page.keyboard.press("Enter")
    page.wait_for_selector("#person-list button")
    assert "赵**" in page.inner_text("#person-list") and "赵春梅" not in page.inner_text("#person-list")
    # a posting whose validity already ended is refused beside its field
    page.click('nav button[data-go="new-posting"]')
    page.fill("#p-title", "过期岗位")
    page.fill("#p-wage-min", "150")
    page.fill("#p-employer-q", site["employer_name"])
    page.fill("#p-from", "2020-01-01")
    page.fill("#p-until", "2020-01-31")
    page.click("#posting-form button[type=submit]")
    beside = page.wait_for_selector('#posting-form [data-error-for="valid_until"]:not(:empty)')
    assert "有效期已过" in beside.inner_text()


def test_a_wrong_id_number_is_answered_in_chinese_beside_the_field(page, site):
    _login(page, site["tokens"]["counter"])
    good = site["person"]["desktop"].id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.type("#id-number", wrong)
    error = page.locator('#person-form [data-error-for="id_number"]')
    assert error.inner_text() == "校验位不正确，请核对号码"
    page.keyboard.press("Enter")
    assert page.locator("#person-card").is_hidden()
    _shot(page, "3-wrong-id-number")
    page.fill("#id-number", good[:10])
    assert error.inner_text() == "还差8位"


def test_an_employer_posts_a_job_and_sees_only_masked_candidates(page, site):
    _login(page, site["tokens"]["employer"])
    assert page.locator('nav button[data-go="posts"]').is_hidden()  # no person search for employers
    page.click('nav button[data-go="new-posting"]')
    page.fill("#p-title", "小区保洁员")
    page.select_option("#p-kind", "ordinary")
    page.select_option("#p-schedule", "full_time")
    assert page.input_value("#p-unit") == "month"
    page.fill("#p-wage-min", "2800")
    page.fill("#p-wage-max", "2400")
    page.fill("#p-region-q", site["county_name"])  # a county by its name, not its code
    page.fill("#p-description", "小区楼道和公共区域日常保洁")
    page.click("#posting-form button[type=submit]")
    beside = page.wait_for_selector('#posting-form [data-error-for="wage_max"]:not(:empty)')
    assert any("\u4e00" <= ch <= "\u9fff" for ch in beside.inner_text())  # beside the field, in Chinese
    _shot(page, "4-new-posting-error")
    page.fill("#p-wage-max", "3200")
    page.click("#posting-form button[type=submit]")
    page.wait_for_selector("#posting-done:has-text('已登记')")
    page.click('nav button[data-go="people"]')
    page.wait_for_selector("#posting-select option >> text=小区保洁员", state="attached")
    page.select_option(
        "#posting-select", label=page.locator("#posting-select option", has_text="小区保洁员").first.inner_text()
    )
    page.click("#posting-pick button[type=submit]")
    page.wait_for_selector("#candidates li")
    shown = page.inner_text("#candidates")
    _shot(page, "5-find-people")
    for name, id_number in site["people"]:
        assert id_number not in shown and (len(name) < 2 or name not in shown)
    assert "*" in shown


def test_an_officer_reads_duty_lists_and_downloads_the_dispatch_table(page, site):
    _login(page, site["tokens"]["officer"])
    page.click('nav button[data-go="officer"]')
    page.click("#officer-form button[type=submit]")
    page.wait_for_selector("#banner.ok")
    with page.expect_download() as download:
        page.click("#download-dispatch")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx") and Path(path).read_bytes()[:2] == b"PK"
