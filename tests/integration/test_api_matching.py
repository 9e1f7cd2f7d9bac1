"""Posting writes, matching both ways and pushes over HTTP (API issue): guards and tenants,
Chinese problem details, the change feed, masked candidates, and an audit entry for every read
of a person's record. The matcher's own rules are tested in tests/search; here the contract."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from cli.main import main
from demo.generate import generate
from demo.load import load
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, SearchSettings, Settings
from jiuyuan.vocab import ConsentScope
from ledger.access import server_secret
from ledger.models import AuditEntry, ConsentRecord, Employer, JobPosting, JobPush, Person, PostingChange
from matcher.people import PERSON_REF_SECRET, consenting_to_employers, person_ref
from matcher.ranker import FEATURES, LearnedRanker
from tests.conftest import bearer

ANCHOR = "2026-11-22"
DEMO = (4, 800, 150)
SEEN = {"purpose": "用人单位招聘"}  # seed, postings, persons


def _demo(url: str) -> None:
    from ledger import db

    engine = db.make_engine(url)
    try:
        with db.session_factory(engine).begin() as s:
            load(s, generate(*DEMO, date.fromisoformat(ANCHOR)))
    finally:
        engine.dispose()


@pytest.fixture
def search(tmp_path, model_path) -> SearchSettings:
    """The test's own search folders (index, ranker) and the run's model (tests/conftest.py)."""
    return SearchSettings(index_dir=tmp_path / "index", model_dir=model_path, ranker_path=tmp_path / "ranker.json")


@pytest.fixture
def world(migrated_url, sessions, search):
    _demo(migrated_url)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url), search=search))) as c:
        yield c, migrated_url, sessions


def _rebuild(url: str, search: SearchSettings) -> None:
    assert (
        main(
            [
                "--database-url",
                url,
                "index",
                "rebuild",
                "--path",
                str(search.index_dir),
                "--model",
                str(search.model_dir),
                "--as-of",
                ANCHOR,
                "--quiet",
            ]
        )
        == 0
    )


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _gig(**extra) -> dict:
    return {
        "title": "超市理货员",
        "kind": "gig",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "150",
        "region_code": "430111",
        "valid_from": ANCHOR,
        "valid_until": "2026-12-31",
        **extra,
    }


def test_posting_writes_are_guarded_validated_and_fed(world):
    c, url, sessions = world
    with sessions() as s:
        own, other = s.scalars(select(Employer).order_by(Employer.id).limit(2)).all()
        foreign = s.scalar(select(JobPosting.id).where(JobPosting.employer_id == other.id).limit(1))
    employer = bearer(url, "employer", "某公司人事", employer_uscc=own.uscc)
    counter = bearer(url, "counter", "雨花区零工市场", region="430111")

    # An employer's posting is its own whatever the body says; the change feed has it.
    created = c.post("/postings", headers=employer, json=_gig(employer_id=other.id, wage_max=180))
    assert created.status_code == 201, created.text
    posting = created.json()
    assert (
        posting["employer_name"] == own.name and posting["wage_max"] == "180.00" and posting["ref"].startswith("API-")
    )
    with sessions() as s:
        assert s.get(JobPosting, posting["id"]).employer_id == own.id
        feed = [(ch.posting_id, ch.change) for ch in s.scalars(select(PostingChange).order_by(PostingChange.id))]
    assert feed[-1] == (posting["id"], "upsert")

    # Counter staff: inside their jurisdiction only; field errors first, nothing written.
    before = (_count(sessions, JobPosting), _count(sessions, PostingChange))
    assert "管辖范围" in _problem(c.post("/postings", headers=counter, json=_gig(region_code="430102")), 403)["detail"]
    bad = _problem(c.post("/postings", headers=counter, json=_gig(wage_min="-5", wage_max="100.001")), 422)
    assert bad["errors"] == [
        {"field": "wage_min", "message": "金额不能为负数"},
        {"field": "wage_max", "message": "金额最多保留两位小数（精确到分）"},
    ]
    low = _problem(c.post("/postings", headers=counter, json=_gig(wage_min="150", wage_max="100")), 422)
    assert low["errors"] == [{"field": "wage_max", "message": "最高工资不能低于最低工资"}]
    love = _problem(c.post("/postings", headers=counter, json=_gig(kind="love", age_max=50)), 422)
    assert love["errors"][0]["field"] == "age_min" and "爱心岗位" in love["errors"][0]["message"]
    assert _problem(c.post("/postings", headers=counter, json=_gig(wage_min=150.5)), 400)["errors"]
    assert (
        _problem(c.post("/postings", headers=counter, json=_gig(title="理货\x00员")), 422)["errors"][0]["field"]
        == "title"
    )
    _problem(
        c.post("/postings", headers=bearer(url, "agency", "某机构", agency_uscc=_agency(sessions)), json=_gig()), 403
    )
    assert (_count(sessions, JobPosting), _count(sessions, PostingChange)) == before
    mine = c.post("/postings", headers=counter, json=_gig(ref="YH-0001", employer_id=own.id))
    assert mine.status_code == 201 and mine.json()["employer_name"] == own.name
    again = c.post("/postings", headers=counter, json=_gig(ref="YH-0001", employer_id=own.id))  # refs: per employer
    assert _problem(again, 409)["errors"][0]["field"] == "ref"

    # Updates: checked as a whole like a new posting; the employer's own only.
    pid = posting["id"]
    changed = c.patch(f"/postings/{pid}", headers=employer, json={"wage_min": "160", "wage_max": "200", "headcount": 4})
    assert changed.status_code == 200 and changed.json()["wage_min"] == "160.00" and changed.json()["headcount"] == 4
    bad = _problem(c.patch(f"/postings/{pid}", headers=employer, json={"wage_min": "300"}), 422)
    assert bad["errors"][0]["field"] == "wage_max"
    assert c.get(f"/postings/{pid}", headers=employer).json()["wage_min"] == "160.00"
    _problem(c.patch(f"/postings/{foreign}", headers=employer, json={"headcount": 2}), 404)
    _problem(c.post(f"/postings/{foreign}/expire", headers=employer), 404)
    _problem(c.patch(f"/postings/{pid}", headers=counter, json={"region_code": "430102"}), 403)
    outside = bearer(url, "counter", "芙蓉区零工市场", region="430102")
    _problem(c.patch(f"/postings/{pid}", headers=outside, json={"headcount": 2}), 403)
    assert (
        c.patch(f"/postings/{pid}", headers=counter, json={"address": "劳动东路1号"}).json()["address"] == "劳动东路1号"
    )

    # Closing: filled leaves the index at the next sync; closing again changes nothing.
    n = _count(sessions, PostingChange)
    closed = c.post(f"/postings/{pid}/expire", headers=employer, json={"status": "filled"})
    assert closed.status_code == 200 and closed.json()["status"] == "filled"
    assert c.post(f"/postings/{pid}/expire", headers=employer, json={"status": "filled"}).status_code == 200
    with sessions() as s:
        last = s.scalars(select(PostingChange).order_by(PostingChange.id.desc())).first()
    assert (last.posting_id, last.change) == (pid, "remove") and _count(sessions, PostingChange) == n + 1
    assert c.post(f"/postings/{mine.json()['id']}/expire", headers=counter).json()["status"] == "expired"


def _agency(sessions) -> str:
    from ledger.models import HrAgency

    with sessions() as s:
        return s.scalar(select(HrAgency.uscc).limit(1))


def _busiest_person(sessions) -> Person:
    """A person living in the city with the most postings (so matching has posts to rank)."""
    with sessions() as s:
        cities: dict[str, int] = {}
        for region in s.scalars(select(JobPosting.region_code)):
            cities[region[:4]] = cities.get(region[:4], 0) + 1
        persons = s.scalars(select(Person).where(Person.latitude.is_not(None)).order_by(Person.id)).all()
        return max(persons, key=lambda p: (cities.get(p.residence_region_code[:4], 0), -p.id))


def test_matches_for_a_person_are_explained_and_audited(world, search):
    c, url, sessions = world
    person = _busiest_person(sessions)
    counter = bearer(url, "counter", "窗口-张", region=person.residence_region_code)
    params = {"purpose": "岗位推荐", "on": ANCHOR, "k": 8}
    assert (
        "jiuyuan index"
        in _problem(c.get(f"/persons/{person.id}/matches", headers=counter, params=params), 503)["detail"]
    )
    _rebuild(url, search)

    audits = _count(sessions, AuditEntry)
    body = c.get(f"/persons/{person.id}/matches", headers=counter, params=params).json()
    assert body["person_id"] == person.id and body["ranker"] == "rules" and body["matches"]
    for m in body["matches"]:
        assert m["score"] == pytest.approx(sum(m["parts"].values()))
        # A reason for every fit part; the relevance part speaks only when a wished word is in the post.
        wished = any(w in m["posting"]["title"] for w in person.wished_work)
        assert set(m["features"]) == set(m["parts"])
        assert len([r for r in m["reasons"] if r != "不限年龄上限"]) == len(m["parts"]) - 1 + wished
        assert m["posting"]["title"] and m["posting"]["kind_label"] and m["already_pushed"] is False
    assert any(m["reasons"] for m in body["matches"])
    assert "id_number" not in str(body) and person.id_number not in str(body) and person.name not in str(body)
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert _count(sessions, AuditEntry) == audits + 1
    assert (entry.subject_person_id, entry.action, entry.purpose) == (
        person.id,
        "match_posts",
        "岗位推荐",
    )
    assert {"birth_date", "sex", "skills", "wished_work", "disability_certificate", "tier"} <= set(entry.fields)
    assert entry.actor.startswith("窗口-张")

    love = c.get(
        f"/persons/{person.id}/matches",
        headers=counter,
        params={**params, "love_only": "true", "wished": "保洁员、保安员"},
    ).json()
    assert all(m["posting"]["kind"] == "love" for m in love["matches"])
    for blank in ("", "   ", "，，、、,,"):  # a wishes box left blank keeps the registered wishes
        same = c.get(f"/persons/{person.id}/matches", headers=counter, params={**params, "wished": blank}).json()
        assert [m["posting"]["id"] for m in same["matches"]] == [m["posting"]["id"] for m in body["matches"]]

    # The purpose is required; roles and jurisdiction are enforced; nothing audited for refusals.
    audits = _count(sessions, AuditEntry)
    assert (
        _problem(c.get(f"/persons/{person.id}/matches", headers=counter, params={"on": ANCHOR}), 400)["title"]
        == "请求参数有误"
    )
    for blank in ("   ", "岗位推荐\x00", "推荐岗位"):  # blank, a control character, not in the vocabulary
        _problem(c.get(f"/persons/{person.id}/matches", headers=counter, params={"purpose": blank}), 422)
    with sessions() as s:
        uscc = s.scalar(select(Employer.uscc).limit(1))
    employer = bearer(url, "employer", "某公司人事", employer_uscc=uscc)
    assert "无权" in _problem(c.get(f"/persons/{person.id}/matches", headers=employer, params=params), 403)["detail"]
    elsewhere = bearer(
        url, "counter", "他处窗口", region="130102" if person.residence_region_code[:2] != "13" else "430102"
    )
    _problem(c.get(f"/persons/{person.id}/matches", headers=elsewhere, params=params), 404)
    _problem(c.get("/persons/987654321/matches", headers=counter, params=params), 404)
    _problem(c.get(f"/persons/{person.id}/matches", headers=counter, params={**params, "k": 0}), 400)
    assert _count(sessions, AuditEntry) == audits

    # An adopted learned ranker is picked up when its file appears.
    LearnedRanker(
        version="t",
        trained_on=ANCHOR,
        coefficients={f: 0.1 for f in FEATURES},
        priority_lift=2.0,
        metrics={},
        adopted=True,
        reason="t",
    ).save(search.ranker_path)
    assert c.get(f"/persons/{person.id}/matches", headers=counter, params=params).json()["ranker"] == "learned"


def test_candidates_are_masked_consenting_and_audited(world, search):
    c, url, sessions = world
    _rebuild(url, search)
    with sessions() as s:  # the city where most people consent to be shown to employers
        persons = s.scalars(select(Person)).all()
        shown = consenting_to_employers(s, [p.id for p in persons])
        cities: dict[str, int] = {}
        for p in persons:
            if p.id in shown and p.residence_region_code.startswith("43"):
                cities[p.residence_region_code] = cities.get(p.residence_region_code, 0) + 1
        region = max(cities, key=lambda r: (cities[r], r))
        own, other = s.scalars(select(Employer).order_by(Employer.id).limit(2)).all()
        foreign = s.scalar(select(JobPosting.id).where(JobPosting.employer_id == other.id).limit(1))
    employer = bearer(url, "employer", "某公司人事", employer_uscc=own.uscc)
    posting = c.post(
        "/postings",
        headers=employer,
        json=_gig(
            title="保洁员",
            kind="ordinary",
            schedule="full_time",
            wage_unit="month",
            wage_min="2500",
            region_code=region,
            description="小区、写字楼日常保洁",
        ),
    ).json()

    audits = _count(sessions, AuditEntry)
    response = c.get(
        f"/postings/{posting['id']}/candidates", headers=employer, params={"k": 50, "spread_exposure": "false", **SEEN}
    )
    assert response.status_code == 200, response.text
    cards = response.json()["candidates"]
    assert cards and all(card["masked_name"].endswith("*") and "岁" in card["age_band"] for card in cards)
    with sessions() as s:  # person_ref is a per-posting pseudonym: only the server's secret resolves it
        key = server_secret(s, PERSON_REF_SECRET)
        resolve = {person_ref(key, posting["id"], p.id): p.id for p in s.scalars(select(Person))}
    ids = {resolve[card["person_ref"]] for card in cards}
    assert ids <= shown
    wire = response.text
    with sessions() as s:
        for p in s.scalars(select(Person)):
            assert p.id_number not in wire and (p.phone is None or p.phone not in wire)
            assert len(p.name) < 2 or p.name not in wire
    with sessions() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)).all()[audits:]
    assert sorted(e.subject_person_id for e in entries) == sorted(ids)
    assert {e.purpose for e in entries} == {"用人单位招聘"} and {e.action for e in entries} == {"view_candidate"}
    assert "masked_name" in entries[0].fields and "id_number" not in entries[0].fields

    # A consent withdrawn takes the person off the list at once.
    gone = min(ids)
    with sessions.begin() as s:
        s.add(
            ConsentRecord(
                person_id=gone,
                scope=ConsentScope.SHOW_TO_EMPLOYERS,
                granted=False,
                recorded_by="t",
                recorded_at=datetime.now(UTC),
            )
        )
    again = c.get(
        f"/postings/{posting['id']}/candidates", headers=employer, params={"k": 50, "purpose": "用人单位招聘"}
    ).json()["candidates"]
    assert again and person_ref(key, posting["id"], gone) not in {card["person_ref"] for card in again}

    _problem(c.get(f"/postings/{foreign}/candidates", headers=employer, params=SEEN), 404)
    # An employer cannot move the reference day (the age band's flip would give the birth date).
    moved = _problem(
        c.get(f"/postings/{posting['id']}/candidates", headers=employer, params={"on": ANCHOR, **SEEN}), 422
    )
    assert moved["errors"][0]["field"] == "on"
    outside = bearer(url, "counter", "他处窗口", region="130102")
    _problem(c.get(f"/postings/{posting['id']}/candidates", headers=outside, params=SEEN), 403)
    inside = bearer(url, "officer", "经办员", region=region[:4])
    assert (
        c.get(f"/postings/{posting['id']}/candidates", headers=inside, params={"on": ANCHOR, **SEEN}).status_code == 200
    )
    _problem(
        c.get(
            f"/postings/{posting['id']}/candidates",
            headers=bearer(url, "agency", "机构", agency_uscc=_agency(sessions)),
        ),
        403,
    )


def test_trilateration_by_moving_a_posting_is_refused_or_too_coarse(world, search):
    """Issue 17: an employer moved its posting and re-read one candidate's distance band until the
    rings met at the home (~2 km). Now its moves are audited, one a day, and never move the bands:
    every band it reads is the one from where the posting was registered."""
    c, url, sessions = world
    _rebuild(url, search)
    with sessions() as s:
        persons = s.scalars(select(Person).where(Person.latitude.is_not(None)).order_by(Person.id)).all()
        shown = consenting_to_employers(s, [p.id for p in persons])
        target = next(p for p in persons if p.id in shown and p.wished_work and p.residence_region_code[:2] == "43")
        own = s.scalars(select(Employer).order_by(Employer.id)).first()
        key = server_secret(s, PERSON_REF_SECRET)
    employer = bearer(url, "employer", "某公司人事", employer_uscc=own.uscc)
    home = (target.latitude, target.longitude)
    created = c.post(
        "/postings",
        headers=employer,
        json=_gig(
            title=target.wished_work[0],
            description=" ".join(target.wished_work),
            region_code=target.residence_region_code,
            latitude=home[0] + 0.009,  # about 1 km north of the home
            longitude=home[1],
        ),
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    ref = person_ref(key, pid, target.id)

    def band() -> str | None:
        params = {"k": 50, "spread_exposure": "false", **SEEN}
        cards = c.get(f"/postings/{pid}/candidates", headers=employer, params=params).json()["candidates"]
        return {card["person_ref"]: card["distance_band"] for card in cards}[ref]

    def a_day_later() -> None:
        with sessions.begin() as s:
            posting = s.get(JobPosting, pid)
            posting.location_changed_at -= timedelta(hours=25)

    bands = [band()]
    assert bands == ["3公里内"]
    # Rings 20 km east, north and west of the home would each read 30公里内 and meet at it.
    moves = [(home[0], home[1] + 0.2), (home[0] + 0.18, home[1]), (home[0], home[1] - 0.2)]
    audits = _count(sessions, AuditEntry)
    accepted = 0
    for i, (lat, lon) in enumerate(moves):
        moved = c.patch(f"/postings/{pid}", headers=employer, json={"latitude": lat, "longitude": lon})
        assert moved.status_code == 200, moved.text
        accepted += 1
        bands.append(band())
        if i == 0:  # a second move the same day is refused, naming the fields and when it may move again
            again = _problem(c.patch(f"/postings/{pid}", headers=employer, json={"address": "劳动东路1号"}), 422)
            assert again["errors"][0]["field"] == "address" and "24小时" in again["errors"][0]["message"]
            assert "北京时间" in again["errors"][0]["message"]
            assert c.get(f"/postings/{pid}", headers=employer).json()["address"] is None
        a_day_later()
    assert set(bands) == {"3公里内"}, "bands measured from the registered location, never from a move"

    with sessions() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[audits:]
    location = [e for e in entries if e.action == "posting.location"]
    assert len(location) == accepted and all(e.subject_person_id is None for e in location)
    assert all(e.fields == ["latitude", "longitude"] and e.actor_role == "employer" for e in location)
    assert all(f"（{target.residence_region_code}）→" in e.purpose for e in location)
    assert not any(f"{home[0] + 0.009:.3f}"[:6] in e.purpose for e in location), "no coordinates in clear"

    # Counter staff moving it (a site they checked) register the new location for the bands.
    counter = bearer(url, "counter", "窗口", region=target.residence_region_code)
    assert (
        c.patch(f"/postings/{pid}", headers=counter, json={"latitude": home[0], "longitude": home[1]}).status_code
        == 200
    )
    with sessions() as s:
        assert s.get(JobPosting, pid).registered_latitude is None
    assert band() == "3公里内"


def test_pushes_once_each_with_history_and_applications(world, search):
    c, url, sessions = world
    _rebuild(url, search)
    person = _busiest_person(sessions)
    counter = bearer(url, "counter", "窗口-李", region=person.residence_region_code)
    matches = c.get(
        f"/persons/{person.id}/matches", headers=counter, params={"purpose": "岗位推荐", "on": ANCHOR}
    ).json()["matches"]
    first, second = matches[0], matches[1]
    body = {
        "person_id": person.id,
        "posting_id": first["posting"]["id"],
        "channel": "counter",
        "features": first["features"],
    }
    pushed = c.post("/pushes", headers=counter, json=body)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["title"] == first["posting"]["title"] and pushed.json()["channel_label"] == "窗口"
    with sessions() as s:
        row = s.scalar(select(JobPush).where(JobPush.person_id == person.id))
        assert row.features == pytest.approx(first["features"])
    twice = _problem(c.post("/pushes", headers=counter, json={**body, "channel": "phone"}), 409)
    assert "不重复推送" in twice["errors"][0]["message"]
    assert (
        c.get(f"/persons/{person.id}/matches", headers=counter, params={"purpose": "岗位推荐", "on": ANCHOR}).json()[
            "matches"
        ][0]["already_pushed"]
        is True
    )

    bad = _problem(
        c.post(
            "/pushes", headers=counter, json={**body, "posting_id": second["posting"]["id"], "features": {"charm": 0.5}}
        ),
        422,
    )
    assert bad["errors"][0]["field"] == "features"
    _problem(c.post("/pushes", headers=counter, json={**body, "channel": "pigeon"}), 400)
    _problem(c.post("/pushes", headers=counter, json={**body, "person_id": 987654321}), 404)
    with sessions() as s:
        uscc = s.scalar(select(Employer.uscc).limit(1))
    _problem(c.post("/pushes", headers=bearer(url, "employer", "单位", employer_uscc=uscc), json=body), 403)
    # A push by text message needs the person's consent to receive pushes; at the counter it does not.
    with sessions.begin() as s:
        s.add(
            ConsentRecord(
                person_id=person.id,
                scope=ConsentScope.JOB_PUSH,
                granted=False,
                recorded_by="t",
                recorded_at=datetime.now(UTC),
            )
        )
    sms = {"person_id": person.id, "posting_id": second["posting"]["id"], "channel": "sms"}
    assert _problem(c.post("/pushes", headers=counter, json=sms), 422)["errors"][0]["field"] == "channel"
    assert c.post("/pushes", headers=counter, json={**sms, "channel": "counter"}).status_code == 201

    today = clock.today().isoformat()
    future = {"person_id": person.id, "posting_id": first["posting"]["id"], "applied_on": "2099-01-02"}
    assert _problem(c.post("/pushes/applied", headers=counter, json=future), 422)["errors"][0]["field"] == "applied_on"
    applied = c.post("/pushes/applied", headers=counter, json={**future, "applied_on": today})
    assert applied.status_code == 200 and applied.json()["applied_on"] == today
    never = _problem(
        c.post(
            "/pushes/applied",
            headers=counter,
            json={"person_id": person.id, "posting_id": matches[2]["posting"]["id"], "applied_on": "2099-01-02"},
        ),
        422,
    )
    assert never["errors"][0]["field"] == "posting_id"

    audits = _count(sessions, AuditEntry)
    history = c.get(f"/persons/{person.id}/pushes", headers=counter, params={"purpose": "就业服务跟踪"}).json()
    assert history["total"] == 2 and [p["posting_id"] for p in history["pushes"]] == [
        first["posting"]["id"],
        second["posting"]["id"],
    ]
    assert history["pushes"][0]["applied_on"] == today and history["pushes"][0]["pushed_by"].startswith("窗口-李")
    with sessions() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert _count(sessions, AuditEntry) == audits + 1 and entry.action == "push_history"
    _problem(
        c.get(
            f"/persons/{person.id}/pushes",
            headers=bearer(url, "counter", "他处", region="130102"),
            params={"purpose": "就业服务跟踪"},
        ),
        404,
    )

    # A closed posting is not pushed.
    assert (
        c.post(
            f"/postings/{matches[3]['posting']['id']}/expire", headers=bearer(url), json={"status": "filled"}
        ).json()["status"]
        == "filled"
    )
    closed = _problem(
        c.post(
            "/pushes", headers=counter, json={**sms, "posting_id": matches[3]["posting"]["id"], "channel": "counter"}
        ),
        422,
    )
    assert closed["errors"][0]["message"] == "岗位已招满，不能推送"
    # Nor does it show candidates: each card would disclose a person for a post no longer recruiting.
    cards = c.get(
        f"/postings/{matches[3]['posting']['id']}/candidates", headers=bearer(url), params={"purpose": "岗位推荐"}
    )
    assert "已招满" in _problem(cards, 409)["detail"]


def test_openapi_documents_the_routes_with_examples_and_problems(world):
    c, _, _ = world
    spec = c.get("/schema/openapi.json", headers=bearer(world[1])).json()
    paths = spec["paths"]
    for path, method in (
        ("/postings", "post"),
        ("/postings/{posting_id}", "patch"),
        ("/postings/{posting_id}/expire", "post"),
        ("/persons/{person_id}/matches", "get"),
        ("/postings/{posting_id}/candidates", "get"),
        ("/pushes", "post"),
        ("/pushes/applied", "post"),
        ("/persons/{person_id}/pushes", "get"),
    ):
        op = paths[path][method]
        for status in ("401", "403", "404", "422", "503"):
            assert "application/problem+json" in op["responses"][status]["content"], (path, status)
        if method != "get":
            assert op["requestBody"]["content"]["application/json"]["schema"].get("examples"), path
    purpose = next(p for p in paths["/persons/{person_id}/matches"]["get"]["parameters"] if p["name"] == "purpose")
    assert purpose["required"] is True
