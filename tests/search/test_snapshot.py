"""One snapshot of the search state: a ``Reloadable`` that swaps whole values, and the search
snapshot that reloads only the part whose files changed."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest

from indexer.build import rebuild_both
from indexer.embedded import current
from indexer.reloadable import Reloadable
from jiuyuan.errors import SearchIndexUnavailable
from jiuyuan.settings import SearchSettings
from matcher.posts import RULES
from matcher.ranker import FEATURES, LearnedRanker
from services.search import RequestSnapshot, snapshots, suggest


def test_a_reloadable_loads_on_first_use_and_again_when_its_key_changes():
    key, loads = [1], []

    def load(k, previous):
        loads.append((k, previous))
        return f"value-{k}"

    holder = Reloadable(lambda: key[0], load)
    assert loads == []  # nothing at construction
    assert holder.get() == "value-1" and holder.get() == "value-1"
    key[0] = 2
    assert holder.get() == "value-2"
    assert loads == [(1, None), (2, (1, "value-1"))]  # the loader sees what it replaces


def test_a_failed_load_keeps_the_current_value_and_is_tried_again():
    key, fail = [1], [False]

    def load(k, previous):
        if fail[0]:
            raise SearchIndexUnavailable("坏了")
        return k

    holder = Reloadable(lambda: key[0], load)
    assert holder.get() == 1
    key[0], fail[0] = 2, True
    with pytest.raises(SearchIndexUnavailable):
        holder.get()
    fail[0] = False
    assert holder.get() == 2


def test_concurrent_requests_load_once():
    started, loads = threading.Event(), []

    def load(k, previous):
        loads.append(k)
        started.wait(1)
        return object()

    holder = Reloadable(lambda: 1, load)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(holder.get())) for _ in range(8)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len({id(v) for v in seen}) == 1


def test_a_request_keeps_the_snapshot_it_took():
    key = [1]
    request = RequestSnapshot(Reloadable(lambda: key[0], lambda k, previous: {"key": k}))
    first = request.get()
    key[0] = 2
    assert request.get() is first  # a retrain mid-request does not pair another index with it


def test_a_worker_start_waits_for_the_search_state_only_so_long(monkeypatch):
    """services.search.warm_before_serving: a load that hangs (a cluster dropping packets) holds
    the start for WARM_LIMIT_S at most, and goes on behind it."""
    import anyio

    from services import search as serving

    release, loads, finished = threading.Event(), [], []

    def load(key, previous):
        loads.append(key)
        release.wait(30)
        finished.append(key)
        raise SearchIndexUnavailable("集群无响应")

    monkeypatch.setattr(serving, "WARM_LIMIT_S", 0.2)
    anyio.run(serving.warm_before_serving, Reloadable(lambda: 1, load))
    assert loads == [1] and finished == []  # the start went on while the load still hung
    release.set()


def _touch_later(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_the_search_snapshot_reloads_only_what_changed(sessions, model_path, tmp_path):
    from demo.generate import generate
    from demo.load import load

    with sessions.begin() as s:
        load(s, generate(7, 200, 30, date(2026, 11, 22)))
    settings = SearchSettings(index_dir=tmp_path / "index", model_dir=model_path, ranker_path=tmp_path / "r.json")
    holder = snapshots(settings, sessions)
    with pytest.raises(SearchIndexUnavailable, match="jiuyuan index"):
        holder.get()
    with sessions() as s:
        rebuild_both(s, model_path, settings.index_dir, date(2026, 11, 22), progress=False)
    first = holder.get()
    assert first.ranker is RULES and first.profiles is not None and first.backend.count() > 0
    assert holder.get() is first  # nothing changed: the same snapshot
    # The typeahead is built at its first suggestion, not with the snapshot: matching never waits for it.
    assert first.typeahead._built is None
    assert suggest(first, "bj") and first.typeahead._built is not None

    LearnedRanker(
        version="t",
        trained_on="2026-11-22",
        coefficients={f: 0.1 for f in FEATURES},
        priority_lift=2.0,
        metrics={},
        adopted=True,
        reason="t",
    ).save(settings.ranker_path)
    second = holder.get()
    assert second.ranker.name == "learned"
    assert (second.backend, second.encoder, second.typeahead, second.profiles) == (
        first.backend,
        first.encoder,
        first.typeahead,
        first.profiles,
    )  # the same objects, not reloaded

    _touch_later(current(settings.index_dir) / "meta.json")  # a rebuild, update or sync saved the index
    third = holder.get()
    assert third.backend is not second.backend and third.typeahead is not second.typeahead
    assert third.encoder is second.encoder and third.ranker is second.ranker

    settings.ranker_path.write_text("{not json")  # a broken ranker file: the rules serve, with a warning
    assert holder.get().ranker is RULES


def test_the_typeahead_suggests_titles_of_open_postings_only(sessions):
    """A suggestion leads to something the search finds: a filled posting's title is not offered."""
    from sqlalchemy import select

    from demo.generate import generate
    from demo.load import load
    from jiuyuan import clock
    from jiuyuan.vocab import PostingStatus
    from ledger.models import JobPosting
    from services.search import _typeahead

    with sessions.begin() as s:
        load(s, generate(7, 40, 5, clock.today()))
        open_one, filled = s.scalars(select(JobPosting).where(JobPosting.valid_until >= clock.today()).limit(2))
        open_one.title, filled.title, filled.status = "蓝莓采摘临时工", "蓝鲸饲养员", PostingStatus.FILLED
    typeahead = _typeahead(sessions)
    assert "蓝莓采摘临时工" in typeahead.suggest("蓝莓") and "蓝莓采摘临时工" in typeahead.suggest("ＬＡＮＭＥＩ")
    assert "蓝鲸饲养员" not in typeahead.suggest("蓝鲸")
