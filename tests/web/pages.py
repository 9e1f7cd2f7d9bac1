"""What the browser tests share: viewports, logging in, screenshots, the phone checks (no sideways
scroll, 44 px tap targets) and the accessibility check (axe-core from node_modules, injected)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ("docs" if os.environ.get("JIUYUAN_SCREENSHOTS") == "docs" else "var") / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def new_page(browser, base: str, size: str, bypass_csp: bool = False):
    """A fresh context at ``size`` (desktop 1280×800, phone 390×844 with touch), on the page.
    ``bypass_csp``: only to inject axe-core, which the page's own policy (script-src 'self') refuses."""
    context = browser.new_context(
        viewport=SIZES[size],
        locale="zh-CN",
        is_mobile=size == "phone",
        has_touch=size == "phone",
        accept_downloads=True,
        bypass_csp=bypass_csp,
    )
    page = context.new_page()
    page.goto(base + "/")
    return page


def until(page, script: str, timeout: float = 30) -> None:
    """Wait until ``script`` (an expression) is true in the page: polled from here, since the page's
    policy forbids the eval that Playwright's wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({script})"):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)


def login(page, token: str) -> None:
    page.fill("#token", token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#nav:not([hidden])")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def small_targets(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=hidden]), summary')]
        .filter((e) => e.offsetParent !== null && !e.closest('[hidden]') && e.getBoundingClientRect().height < 44)
        .map((e) => e.id || e.textContent.trim() || e.name)"""
    )


def phone_fits(page) -> None:
    """At 390 px: no sideways scroll, no tap target under 44 px, a compact header."""
    if page.viewport_size["width"] > 400:
        return
    no_sideways_scroll(page)
    assert not small_targets(page)
    assert page.locator("header").bounding_box()["height"] < 844 / 6


def axe_available() -> bool:
    if AXE.exists():
        return True
    if os.environ.get("CI"):
        pytest.fail(f"axe-core is missing ({AXE}): CI must run `npm ci` first (.ci/run does)")
    pytest.skip(f"axe-core is not installed ({AXE}): run `npm ci` at the repository root to check accessibility")
    return False


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands (WCAG 2.1 A/AA and best practice)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter((v) => ['serious', 'critical'].includes(v.impact))
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)"""
    )
    return found


def masked_candidates(page, title: str, people) -> str:
    """Open “找人” for the posting ``title`` and read its candidates: none shows an ID number or a
    full name of ``people`` ((name, id_number) pairs), and names are masked with "*"."""
    page.click('nav button[data-go="people"]')
    page.wait_for_selector(f"#posting-select option >> text={title}", state="attached")
    page.select_option(
        "#posting-select", label=page.locator("#posting-select option", has_text=title).first.inner_text()
    )
    page.click("#posting-pick button[type=submit]")
    page.wait_for_selector("#candidates li")
    shown = page.inner_text("#candidates")
    for name, id_number in people:
        assert id_number not in shown and (len(name) < 2 or name not in shown)
    assert "*" in shown
    return shown
