"""The live index: what is written through the API is searchable within 2 s, with no command run
(``indexer.follow``). Every wait polls with a bound; nothing sleeps blindly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from stdnum.cn import ric

from api.app import create_app
from demo.generate import generate
from demo.load import load
from indexer.build import rebuild_both
from indexer.follow import Follower, writer_lock
from indexer.protocol import Query
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, SearchSettings, Settings
from ledger import access, db
from ledger.models import Employer
from matcher.people import PERSON_REF_SECRET, person_ref
from tests.conftest import bearer
from tests.live import live_server

DEADLINE_S = 2.0
COUNTY = "430121"
TITLE = "河道防汛巡查员"
DESCRIPTION = "汛期沿河堤巡查，发现险情及时上报"


def within(condition: Callable[[], bool], seconds: float = DEADLINE_S) -> float:
    """Poll ``condition`` every 20 ms until it holds; the seconds it took, or fail past the bound."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not reflected in search within {seconds} s")
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def office(migrated_url, sessions, tmp_path, model_path):
    """A small demo ledger valid today, its indexes built once, and the settings an app serves it with."""
    with sessions.begin() as s:
        load(s, generate(6, 300, 40, clock.today()))
    search = SearchSettings(index_dir=tmp_path / "index", model_dir=model_path, ranker_path=tmp_path / "ranker.json")
    with sessions() as s:
        rebuild_both(s, model_path, search.index_dir, clock.today(), progress=False)
        employer_id = s.scalar(select(Employer.id).order_by(Employer.id).limit(1))
    return migrated_url, search, employer_id


def _posting(employer_id: int, **extra) -> dict:
    today = clock.today()
    return {
        "employer_id": employer_id,
        "title": TITLE,
        "description": DESCRIPTION,
        "kind": "public_welfare",
        "schedule": "full_time",
        "wage_unit": "month",
        "wage_min": "1900",
        "region_code": COUNTY,
        "valid_from": str(today - timedelta(days=1)),
        "valid_until": str(today + timedelta(days=90)),
        **extra,
    }


def _found(client, text: str, posting_id: int) -> bool:
    params = {"q": text, "mode": "bm25", "region": COUNTY, "k": 50}
    response = client.get("/search/postings", params=params)
    assert response.status_code == 200, response.text
    return posting_id in {h["posting"]["id"] for h in response.json()["hits"]}


def _indexed(app, text: str, posting_id: int) -> str | None:
    """The title the index the app serves from holds for the posting (not only what the ledger
    lets through); None when the search does not find it there."""
    hits = app.state["search"].get().backend.search(Query(text=text, mode="bm25", k=100))
    return next((h.document.title for h in hits if h.id == str(posting_id)), None)


def test_a_posting_created_changed_and_closed_through_the_api(office):
    url, search, employer_id = office
    app = create_app(Settings(db=DatabaseSettings(url=url), search=search))
    with TestClient(app) as c:
        c.headers.update(bearer(url))
        assert not _found(c, TITLE, 0)  # the snapshot is loaded before the write
        created = c.post("/postings", json=_posting(employer_id))
        assert created.status_code == 201, created.text
        posting_id = created.json()["id"]
        latency = within(lambda: _found(c, TITLE, posting_id))
        print(f"created → searchable in {latency:.3f} s")

        changed = c.patch(f"/postings/{posting_id}", json={"title": "夜班仓库叉车司机"})
        assert changed.status_code == 200, changed.text
        within(lambda: _found(c, "夜班仓库叉车司机", posting_id))
        assert _indexed(app, "夜班仓库叉车司机", posting_id) == "夜班仓库叉车司机"  # replaced, not added beside

        closed = c.post(f"/postings/{posting_id}/expire", json={"status": "filled"})
        assert closed.status_code == 200, closed.text
        # The ledger filters a closed posting at once; the index itself must drop it too.
        within(lambda: _indexed(app, "夜班仓库叉车司机", posting_id) is None)
        assert not _found(c, "夜班仓库叉车司机", posting_id)


def _candidates(client, url: str, posting_id: int) -> set[int]:
    response = client.get(
        f"/postings/{posting_id}/candidates",
        params={"k": 50, "spread_exposure": "false", "purpose": "岗位推荐"},
        headers=bearer(url, "counter", "长沙县零工市场", region=COUNTY),
    )
    assert response.status_code == 200, response.text
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        key = access.server_secret(s, PERSON_REF_SECRET)
    engine.dispose()
    refs = {card["person_ref"] for card in response.json()["candidates"]}
    return {pid for pid in range(1, 200) if person_ref(key, posting_id, pid) in refs}


def test_a_new_job_seeker_new_wishes_and_a_withdrawn_consent(office):
    url, search, employer_id = office
    app = create_app(Settings(db=DatabaseSettings(url=url), search=search))
    with TestClient(app) as c:
        c.headers.update(bearer(url))
        posting_id = c.post("/postings", json=_posting(employer_id)).json()["id"]
        body = f"{COUNTY}19750310271"
        person = {
            "id_number": body + ric.calc_check_digit(body + "0"),
            "name": "周桂兰",
            "hukou_region_code": COUNTY,
            "urban_rural": "rural",
            "skills": ["巡查", "防汛"],
            "wished_work": [TITLE],
            "consents": {"data_processing": True, "show_to_employers": True, "job_push": False},
        }
        registered = c.post("/persons", json=person)
        assert registered.status_code == 201, registered.text
        person_id = registered.json()["id"]
        within(lambda: person_id in _candidates(c, url, posting_id))

        def wishes() -> tuple[str, ...]:
            profiles = app.state["search"].get().profile_index()
            row = profiles.row_of.get(str(person_id))
            return () if row is None else profiles.document(row).wished_work

        assert wishes() == (TITLE,)
        changed = c.patch(f"/persons/{person_id}", json={"wished_work": ["养老护理员", "保洁员"]})
        assert changed.status_code == 200, changed.text
        within(lambda: wishes() == ("养老护理员", "保洁员"))

        withdrawn = c.post(f"/persons/{person_id}/consents", json={"scope": "data_processing", "granted": False})
        assert withdrawn.status_code == 201, withdrawn.text
        # Still consenting to be shown to employers: only the live profile index takes them off.
        within(lambda: str(person_id) not in app.state["search"].get().profile_index().ids())
        assert person_id not in _candidates(c, url, posting_id)


def test_two_workers_one_writer(office):
    """Two apps over the same folders, as two uvicorn workers: a write through one is found
    through the other; while an operator's command holds the writer lock, no follower writes."""
    url, search, employer_id = office
    settings = Settings(db=DatabaseSettings(url=url), search=search)
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        for c in (a, b):
            c.headers.update(bearer(url))
        with writer_lock(search):  # `jiuyuan index sync` running
            posting_id = a.post("/postings", json=_posting(employer_id)).json()["id"]
            with pytest.raises(pytest.fail.Exception):
                within(lambda: _found(b, TITLE, posting_id), seconds=1.0)
        within(lambda: _found(b, TITLE, posting_id))
        within(lambda: _found(a, TITLE, posting_id))


def test_a_real_server_serves_its_writes(office):
    url, search, employer_id = office
    with live_server(url, search) as base, httpx.Client(base_url=base, headers=bearer(url), timeout=10) as c:
        created = c.post("/postings", json=_posting(employer_id))
        assert created.status_code == 201, created.text
        latency = within(lambda: _found(c, TITLE, created.json()["id"]))
        print(f"real server: created → searchable in {latency:.3f} s")


def test_a_step_that_keeps_failing_is_logged_once_not_at_every_poll(tmp_path, caplog):
    """A ledger never migrated fails every poll: its traceback is logged once, not twice a second
    (a new user's ``jiuyuan serve`` before ``make run`` printed a 50-line traceback every 0.5 s)."""
    unmigrated = db.session_factory(db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))

    class Counted(Follower):
        steps = 0

        def step(self) -> bool:
            Counted.steps += 1
            return super().step()

    # The OpenSearch backend: the step goes to the ledger without looking for a built index first.
    search = SearchSettings(backend="opensearch", opensearch_url="http://127.0.0.1:9", index_dir=tmp_path / "index")
    follower = Counted(search, unmigrated, poll_s=0.01)
    with caplog.at_level(logging.WARNING, logger="jiuyuan.search.follow"):
        follower.start()
        try:
            within(lambda: Counted.steps >= 20, seconds=10)
        finally:
            follower.stop()
    failures = [r for r in caplog.records if r.name == "jiuyuan.search.follow"]
    assert len(failures) == 1 and failures[0].exc_info is not None, [r.getMessage() for r in failures]
    assert "no such table" in failures[0].exc_text or "no such table" in str(failures[0].exc_info[1])
