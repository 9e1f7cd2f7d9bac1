"""The browser tests' ledger and server (built once for the package: demo data, the search index,
a live uvicorn server on a loopback port) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from demo.generate import generate
from demo.load import load
from indexer import build
from jiuyuan import regions
from jiuyuan.settings import get_settings
from jiuyuan.vocab import ConsentScope, Role
from ledger import access, db
from ledger.models import ConsentRecord, Employer, HrAgency, Person
from tests.conftest import migrated_database
from tests.live import live_server
from tests.web.pages import CHROMIUM

playwright = pytest.importorskip("playwright.sync_api")


def _consenting_county(s) -> str:
    latest = (
        select(ConsentRecord.person_id, func.max(ConsentRecord.id).label("last"))
        .where(ConsentRecord.scope == ConsentScope.SHOW_TO_EMPLOYERS)
        .group_by(ConsentRecord.person_id)
        .subquery()
    )
    shown = s.scalars(
        select(Person.residence_region_code)
        .join(latest, latest.c.person_id == Person.id)
        .join(ConsentRecord, ConsentRecord.id == latest.c.last)
        .where(ConsentRecord.granted, Person.residence_region_code.startswith("43"))
    ).all()
    return Counter(shown).most_common(1)[0][0]


def _new_id(known: str) -> str:
    """An unregistered number valid for a place and birth date a registered person's shows."""
    body = known[:14] + ("053" if known[14:17] != "053" else "063")
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(w * int(c) for w, c in zip(weights, body, strict=True)) % 11]


@pytest.fixture(scope="package")
def site(tmp_path_factory, ledger_templates, model_path):
    folder = tmp_path_factory.mktemp("web")
    with migrated_database("sqlite", folder, ledger_templates) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIUYUAN_MARKET_NAME", "长沙县零工市场")
        mp.setenv("JIUYUAN_MARKET_PHONE", "0731-84012345")
        get_settings.cache_clear()
        mp.setenv("JIUYUAN_INDEX_DIR", str(folder / "index"))
        mp.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))  # the run's model (tests/conftest.py)
        mp.setenv("JIUYUAN_RANKER", str(folder / "ranker.json"))
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as s:
            load(s, generate(31, 2500, 1500, date.today()))
        with db.session_factory(engine).begin() as s:
            build.rebuild_both(s, model_path, folder / "index", date.today(), progress=False)
            county = _consenting_county(s)
            local = s.scalars(
                select(Person)
                .where(Person.residence_region_code == county, Person.latitude.is_not(None))
                .order_by(Person.id)
            ).all()
            person, phone_person = local[0], local[1]
            employer = s.scalars(select(Employer).order_by(Employer.id)).first()
            employer_name = employer.name
            tokens = {
                "counter": access.issue(s, Role.COUNTER, "零工市场 王敏", region=county)[0],
                "officer": access.issue(s, Role.OFFICER, "人社局 张科长", region=county[:4])[0],
                "employer": access.issue(s, Role.EMPLOYER, "物业公司 人事", employer_uscc=employer.uscc)[0],
                "agency": access.issue(
                    s,
                    Role.AGENCY,
                    "人力资源公司 经办",
                    agency_uscc=s.scalars(select(HrAgency.uscc).order_by(HrAgency.id)).first(),
                )[0],
            }
            people = s.execute(select(Person.name, Person.id_number)).all()
        with live_server(url) as base:
            yield {
                "base": base,
                "url": url,
                "engine": engine,
                "tokens": tokens,
                "person": {"desktop": person, "phone": phone_person},
                "new_id": _new_id(person.id_number),
                "county": county,
                "county_name": regions.full_name(county),
                "employer_name": employer_name,
                "people": people,
            }
        engine.dispose()
    get_settings.cache_clear()


@pytest.fixture(scope="package")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    p = context.new_page()
    p.goto(site["base"] + "/")
    yield p
    context.close()


@pytest.fixture(scope="package")
def pay_site(tmp_path_factory, ledger_templates):
    """A county office's ledger with three recognised flexible workers paying their own insurance
    from September 2025 (tests/integration/test_case_history.py's office, the test's invented local
    figures), so a run of 2025-11 has lines to approve; served like ``site``."""
    from litestar.testing import TestClient

    from api.app import create_app
    from jiuyuan.settings import DatabaseSettings, Settings
    from tests.integration.test_case_history import LOCAL, MAN, PERSONAL_PART, Office, id_number, month_list

    folder = tmp_path_factory.mktemp("pay")
    with migrated_database("sqlite", folder, ledger_templates) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIUYUAN_LOCAL_PARAMETERS", str(LOCAL))
        get_settings.cache_clear()
        with TestClient(create_app(Settings(db=DatabaseSettings(url=url)), follow=False)) as client:
            office = Office(client, url, mp)
            for n, (name, born) in enumerate(
                [("赵志强", "1970-03-07"), ("钱建军", "1971-05-12"), ("孙立新", "1972-08-20")]
            ):
                worker = {**MAN, "name": name, "id_number": id_number("430121", born, f"1{n + 2}3")}
                person = office.on("2025-08-04").register(**worker)
                office.recognise(person, "2025-08-04")
                office.place(person, "flexible", "2025-09-01", contract_months=None)
                office.contributions(
                    worker["id_number"], month_list("2025-09", 3), "personal", PERSONAL_PART, on="2025-12-03"
                )
        mp.undo()  # the clock back to today; the local figures stay for the server
        mp.setenv("JIUYUAN_LOCAL_PARAMETERS", str(LOCAL))
        get_settings.cache_clear()
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as s:
            officer = access.issue(s, Role.OFFICER, "县人社局 李科长", region="430121")[0]
        engine.dispose()
        with live_server(url) as base:
            yield {"base": base, "url": url, "officer": officer, "months": {"desktop": "2025-11", "phone": "2025-10"}}
    get_settings.cache_clear()
