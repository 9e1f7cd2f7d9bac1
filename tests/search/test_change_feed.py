"""The change feed: every posting write in order; the index kept in sync from it; the API serves it."""

from __future__ import annotations

from datetime import date, timedelta

from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from demo.generate import generate
from demo.load import load
from indexer import build
from indexer.embedded import EmbeddedIndex
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import PostingStatus
from ledger import changes, intake
from ledger.models import JobPosting, PostingChange
from tests.conftest import bearer

TODAY = date(2026, 11, 22)


def _posting(ref: str, title: str = "河道保洁员") -> dict:
    return {
        "ref": ref,
        "title": title,
        "description": "河道水面漂浮物打捞",
        "kind": "public_welfare",
        "schedule": "full_time",
        "wage_unit": "month",
        "wage_min": "1800",
        "wage_max": "2200",
        "region_code": "430121",
        "valid_from": str(TODAY - timedelta(days=3)),
        "valid_until": str(TODAY + timedelta(days=60)),
    }


def test_writes_are_recorded_in_order(sessions):
    with sessions.begin() as s:
        a = intake.add_posting(s, _posting("A-1"))
        b = intake.add_posting(s, _posting("B-1"))
        changes.set_status(s, a.id, PostingStatus.FILLED)
    with sessions() as s:
        feed = changes.since(s)
        assert [(c.posting_id, c.change) for c in feed] == [(a.id, "upsert"), (b.id, "upsert"), (a.id, "remove")]
        assert [c.posting_id for c in changes.since(s, feed[0].cursor)] == [b.id, a.id]
        assert changes.since(s, feed[-1].cursor) == []
        assert len(changes.since(s, after=feed[0].at - timedelta(seconds=1))) == 3


def test_demo_postings_enter_the_feed_once(sessions):
    data = generate(2, 50, 5, TODAY)
    with sessions.begin() as s:
        load(s, data)
    with sessions.begin() as s:
        load(s, data)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PostingChange)) == 50


def test_the_index_follows_the_feed(sessions, tmp_path, model):
    with sessions.begin() as s:
        load(s, generate(3, 200, 5, TODAY))
    path = tmp_path / "index"
    with sessions() as s:
        build.rebuild(s, model, EmbeddedIndex(model.dimension, path), TODAY, progress=False)
    before = EmbeddedIndex.load(path)
    victim = before.cols.ids[0]
    with sessions.begin() as s:
        new = intake.add_posting(s, _posting("NEW-1", "社区协管员"))
        changes.set_status(s, int(victim), PostingStatus.FILLED)
        new_id = str(new.id)
    with sessions() as s:
        report = build.sync(s, model, EmbeddedIndex.load(path), TODAY, progress=False)
    after = EmbeddedIndex.load(path)
    assert new_id in after.row_of and victim not in after.row_of
    assert report.indexed == 1 and report.removed >= 1
    assert after.feed_cursor > before.feed_cursor
    with sessions() as s:
        assert build.sync(s, model, EmbeddedIndex.load(path), TODAY, progress=False).indexed == 0  # nothing new


def test_the_feed_over_http(migrated_url, sessions):
    with sessions.begin() as s:
        first = intake.add_posting(s, _posting("H-1"))
        intake.add_posting(s, _posting("H-2"))
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        client.headers.update(bearer(migrated_url))
        page = client.get("/postings/changes", params={"limit": 1}).json()
        assert [c["posting_id"] for c in page["changes"]] == [first.id]
        rest = client.get("/postings/changes", params={"cursor": page["next_cursor"]}).json()
        assert len(rest["changes"]) == 1 and rest["next_cursor"] > page["next_cursor"]
        bad = client.get("/postings/changes", params={"since": "2026-11-22T08:00:00"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"
        assert client.get("/postings/changes", params={"limit": 0}).status_code == 400
    with sessions() as s:
        assert s.get(JobPosting, first.id).status is PostingStatus.OPEN


def test_a_time_with_an_offset_means_the_same_instant(sessions):
    """SQLite keeps no zone: times are stored in UTC, so +08:00 and Z compare as the same moment."""
    from datetime import timedelta as td
    from datetime import timezone

    with sessions.begin() as s:
        intake.add_posting(s, _posting("TZ-1"))
    with sessions() as s:
        [change] = changes.since(s)
        china = change.at.astimezone(timezone(td(hours=8)))
        assert changes.since(s, after=china - td(minutes=1)) == [change]
        assert changes.since(s, after=china + td(minutes=1)) == []
