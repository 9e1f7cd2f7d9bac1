"""Search as the API serves it: one snapshot of what searching needs (posting search over it:
``services.posting_search``).

``SearchSnapshot`` is the posting index (any ``SearchBackend``: embedded or OpenSearch, from
``Settings.search``), the encoder, the typeahead, the profile index and the re-ranker, as one
immutable value. ``snapshots(settings, sessions)`` gives a ``Reloadable`` of it, created once in
``create_app`` and kept in ``app.state``: each request takes one snapshot and uses it
throughout, so a retrain or rebuild between two reads never pairs an index with the wrong
encoder. A part is loaded again only when its own files changed (the embedded index's live
``meta.json``, the model folder, the profiles' live ``meta.json``, the ranker file).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from indexer import backends, follow
from indexer import encoder as encoders
from indexer.embedded import stamp
from indexer.encoder import Encoder, query_vector
from indexer.profiles import ProfileIndex
from indexer.protocol import SearchBackend
from indexer.reloadable import Lazy, Reloadable
from indexer.typeahead import Typeahead
from jiuyuan import clock
from jiuyuan.errors import SearchIndexUnavailable
from jiuyuan.settings import SearchSettings
from jiuyuan.vocab import PostingStatus
from ledger.models import JobPosting
from matcher import ranker as rankers
from matcher.posts import RULES, Ranker

log = logging.getLogger("jiuyuan.search")
NO_PROFILES = "人员画像索引尚未建立：请运行 jiuyuan index rebuild。"


def _typeahead(sessions: Callable[[], Session]) -> Typeahead:
    with sessions() as session:
        # Open postings only: a suggestion should lead to something the search can find.
        counted = session.execute(
            select(JobPosting.title, func.count())
            .where(JobPosting.status == PostingStatus.OPEN, JobPosting.valid_until >= clock.today())
            .group_by(JobPosting.title)
        )
        return Typeahead.counted((title, n) for title, n in counted)


@dataclass(frozen=True)
class SearchSnapshot:
    """Everything a search or a match reads, loaded together and never changed."""

    backend: SearchBackend
    encoder: Encoder
    typeahead: Lazy[Typeahead]
    """Built at its first suggestion: a snapshot is taken again whenever the live index saves a
    posting, and matching never reads the typeahead, so it does not wait for it (6 s at 100,000
    postings when it was built with each snapshot)."""
    ranker: Ranker = RULES
    profiles: ProfileIndex | None = None
    profiles_problem: str | None = NO_PROFILES
    """Why ``profiles`` is None (people-for-a-post answers 503 with it)."""

    def profile_index(self) -> ProfileIndex:
        if self.profiles is None:
            raise SearchIndexUnavailable(self.profiles_problem or NO_PROFILES)
        return self.profiles


@dataclass(frozen=True)
class SnapshotKey:
    index: object
    model: object
    profiles: object
    ranker: object


def _file_key(path) -> tuple[str, int] | None:
    try:
        return str(path), path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


WARM_QUERY = "保洁员"
WARM_LIMIT_S = 20.0
"""How long a worker's start waits for ``warm``: a cluster that drops packets would otherwise hold
it for the client's tries (3 × 30 s); past this the load goes on behind the first requests."""


def warm(search: Reloadable[SnapshotKey, SearchSnapshot]) -> None:
    """Load what a worker's first search loads — the snapshot (index, model, profiles, ranker)
    and the analyser's dictionaries (jieba, the lexicon, pinyin) — before it takes requests.

    Loaded at the first request instead, a worker started under load held every request it had
    accepted until it was done: 16 in flight waited 15 s at 100,000 postings on two cores. With
    nothing to load yet (no index, a cluster that does not answer) the worker starts all the same,
    and searching answers 503 as it did. The typeahead still waits for its first suggestion."""
    started = time.perf_counter()
    try:
        query_vector(search.get().encoder, WARM_QUERY)
    except Exception as exc:  # noqa: BLE001 — never stop the other routes from serving
        log.warning("检索未能预载（首个检索请求时再载入）：%s", exc)
        return
    log.info("检索已预载，用时 %.1f 秒", time.perf_counter() - started)


async def warm_before_serving(search: Reloadable[SnapshotKey, SearchSnapshot]) -> None:
    """``warm`` in a thread (the loop stays free for the server's own start), waited for at most
    ``WARM_LIMIT_S``."""
    with anyio.move_on_after(WARM_LIMIT_S):
        await anyio.to_thread.run_sync(warm, search, abandon_on_cancel=True)


def snapshots(settings: SearchSettings, sessions: Callable[[], Session]) -> Reloadable[SnapshotKey, SearchSnapshot]:
    """The snapshot holder an app serves from: nothing loads until asked (``warm``, as a worker starts, or a request)."""

    def key() -> SnapshotKey:
        return SnapshotKey(
            backends.index_key(settings),
            encoders.folder_key(settings.model_dir),
            stamp(backends.profiles_dir(settings)),
            _file_key(settings.ranker_path),
        )

    def load(new: SnapshotKey, previous: tuple[SnapshotKey, SearchSnapshot] | None) -> SearchSnapshot:
        old_key, old = previous if previous else (None, None)
        if new.index is None:
            raise SearchIndexUnavailable(backends.NO_INDEX)
        try:
            same_index = old is not None and old_key.index == new.index
            backend = old.backend if same_index else backends.open_backend(settings)
            encoder = (
                old.encoder
                if old is not None and old_key.model == new.model and new.model
                else (encoders.load(settings.model_dir))
            )
        except FileNotFoundError as exc:
            raise SearchIndexUnavailable(str(exc)) from None
        try:
            dimension = backend.dimension  # OpenSearch: read from the index mapping
        except Exception as exc:  # noqa: BLE001 — a cluster that does not answer: searching is unavailable
            raise SearchIndexUnavailable(f"检索服务无法连接：{exc}") from None
        if encoder.dimension != dimension:
            raise SearchIndexUnavailable("向量模型与检索索引的维度不一致：请运行 jiuyuan index rebuild。")
        typeahead = old.typeahead if same_index else Lazy(lambda: _typeahead(sessions))
        profiles, problem = (
            (old.profiles, old.profiles_problem)
            if (old is not None and old_key.profiles == new.profiles and old_key.model == new.model)
            else (_profiles(settings, encoder))
        )
        ranker = old.ranker if old is not None and old_key.ranker == new.ranker else _ranker(settings)
        return SearchSnapshot(backend, encoder, typeahead, ranker, profiles, problem)

    return Reloadable(key, load)


class RequestSnapshot:
    """The one snapshot a request uses: taken from the app's holder on first ``get`` (so a request
    refused earlier — no reach, a bad parameter — loads nothing), the same one after."""

    def __init__(self, holder: Reloadable[SnapshotKey, SearchSnapshot] | Reloadable[None, SearchSnapshot]):
        self.holder = holder
        self._taken: SearchSnapshot | None = None

    def get(self) -> SearchSnapshot:
        if self._taken is None:
            self._taken = self.holder.get()
        return self._taken


def _profiles(settings: SearchSettings, encoder: Encoder) -> tuple[ProfileIndex | None, str | None]:
    try:
        index = ProfileIndex.load(backends.profiles_dir(settings))
    except FileNotFoundError:
        return None, NO_PROFILES
    if index.dimension != encoder.dimension:
        return None, "向量模型与人员画像索引的维度不一致：请运行 jiuyuan index rebuild。"
    return index, None


def _ranker(settings: SearchSettings) -> Ranker:
    """The learned re-ranker where one was adopted, the rules otherwise — and when the file is
    unreadable: the rules are always a valid ranking, a broken model file must not stop the counter."""
    try:
        return rankers.in_use(settings.ranker_path)
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("re-ranker %s unreadable, ranking by rules: %s", settings.ranker_path, exc)
        return RULES


def index_soon(session: Session) -> None:
    """The index-update hook of a write: once ``session`` commits, this process's live-index
    follower looks at once (``indexer.follow``) instead of at its next poll. A rollback wakes
    nothing, so the index never shows a write the ledger does not keep."""
    event.listen(session, "after_commit", lambda _: follow.wake(), once=True)


def suggest(snapshot: SearchSnapshot, typed: str) -> list[str]:
    """Titles and skills that start with what was typed (characters, pinyin or its initials)."""
    return snapshot.typeahead.get().suggest(typed)
