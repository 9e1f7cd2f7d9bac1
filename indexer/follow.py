"""The live index: a follower, in the API process, that applies each committed write to the
search indexes within a second, with no command to run.

One writer at a time. Every API worker runs a ``Follower`` thread; each step takes the writer
lock (``writer_lock``: ``flock`` on ``index_dir/.writer.lock``) without waiting, so of several
workers one applies what is new and the others skip that step, and ``jiuyuan index
rebuild|update|sync`` wait for it instead of racing it. The writer applies the posting change
feed (``build.apply_feed``) and the persons' writes (``build.apply_person_writes``:
registrations, changed wishes, consents, read from the audit log) since the cursors the indexes
keep, and saves: an embedded save writes a new version holding only what changed (the new
rows' file, the dead rows, the text index's new segment; the files it keeps are linked from the
version before, see ``indexer.storage`` and ``indexer.versions``) and swaps the ``CURRENT`` pointer, which every worker's
``Reloadable`` snapshot sees on its next request (OpenSearch writes are searchable when they
return). Applying is idempotent (upsert and delete by id, from a cursor), so a writer that dies
mid-step loses nothing: the next one applies the same changes again.

A step costs two ``max(id)`` queries when nothing is new; ``wake()`` (called after a commit
that wrote a posting or a person) cuts the wait to the next poll in this process. When the day
turns, the step also applies the dates (``build.sweep``); at start-up it does not, so the
index keeps the day it was built for until then or the next ``jiuyuan index sync``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer import backends, build
from indexer import encoder as encoders
from indexer.profiles import ProfileIndex
from indexer.protocol import SearchBackend
from indexer.versions import current, stamp
from jiuyuan import clock
from jiuyuan.settings import SearchSettings
from ledger import changes
from ledger.models import AuditEntry

log = logging.getLogger("jiuyuan.search.follow")
POLL_S = 0.5
"""How often a follower looks for writes made in other processes (its own wake it at once)."""
REPEAT_LOG_S = 60.0
"""How often a failure that persists is logged again (as one line; its traceback was logged once)."""
LOCK_FILE = ".writer.lock"
_WAKE = threading.Event()


def wake() -> None:
    """Ask this process's follower to look now (a write was committed)."""
    _WAKE.set()


@contextmanager
def writer_lock(settings: SearchSettings, wait: bool = True) -> Iterator[bool]:
    """Hold the one-writer lock of the indexes under ``settings.index_dir``; yields whether it is
    held (False only when ``wait`` is off and another process holds it). Where ``fcntl`` is
    missing (Windows) there is no lock: run one worker there."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover — not POSIX
        yield True
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / LOCK_FILE, "a+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


class Follower:
    """Applies committed writes to the posting and profile indexes (see the module's note)."""

    def __init__(self, settings: SearchSettings, sessions: Callable[[], Session], poll_s: float = POLL_S):
        self.settings, self.sessions, self.poll_s = settings, sessions, poll_s
        self._seen: tuple[int, int] | None = None  # the newest posting change and audit entry seen
        self._day: date | None = None
        self._encoder: tuple[object, encoders.Encoder] | None = None
        self._postings: tuple[object, SearchBackend] | None = None  # the writer's copy, by stamp
        self._profiles: tuple[object, ProfileIndex] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused: str | None = None

    # -- the thread ----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="jiuyuan-index-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        _WAKE.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        told: float | None = None  # when the failing streak was last logged
        while not self._stop.is_set():
            try:
                self.step()
                if told is not None:
                    log.warning("live index: steps succeed again")
                    told = None
            except Exception as exc:  # noqa: BLE001 — a failed step is retried at the next poll; the API serves on
                # The traceback once, then a line a minute: a ledger never migrated or a database
                # gone fails every poll, and a traceback each would bury the rest of the log.
                if told is None:
                    log.exception("live index: step failed, retrying every %.1f s", self.poll_s)
                    told = time.monotonic()
                elif time.monotonic() - told >= REPEAT_LOG_S:
                    log.warning("live index: steps still failing: %s", exc)
                    told = time.monotonic()
                self._seen = None
            _WAKE.wait(self.poll_s)
            _WAKE.clear()

    # -- one step ------------------------------------------------------------------------
    def step(self) -> bool:
        """Apply what is new, if anything, and this process may write now. Returns whether an
        index was saved."""
        embedded = self.settings.backend == "embedded"
        if embedded and current(self.settings.index_dir) is None:
            return False  # nothing built yet: `jiuyuan index rebuild` first, then we follow
        today = clock.today()
        with self.sessions() as session:
            newest = (
                changes.latest(session),
                session.scalar(select(func.max(AuditEntry.id))) or 0,
            )
        day_turned = self._day is not None and today != self._day
        if newest == self._seen and not day_turned:
            return False
        with writer_lock(self.settings, wait=False) as mine:
            if not mine:
                return False  # another worker (or an operator's command) is writing
            saved = self._apply(today, day_turned)
        self._seen, self._day = newest, today
        return saved

    def _apply(self, today: date, sweep: bool) -> bool:
        try:
            encoder = self._current_encoder()
        except FileNotFoundError as exc:
            self._refuse(str(exc))
            return False
        postings = self._current_postings()
        profiles = self._current_profiles()
        for name, index in (("岗位", postings), ("人员画像", profiles)):
            if index is not None and index.dimension != encoder.dimension:
                self._refuse(f"{name}索引与向量模型的维度不一致：请运行 jiuyuan index rebuild，在此之前不实时更新。")
                return False
        saved = False
        with self.sessions() as session:
            if postings is not None:
                report = build.apply_feed(session, encoder, postings, today)
                if sweep:
                    swept = build.sweep(session, encoder, postings, today)
                    report.indexed, report.removed = report.indexed + swept.indexed, report.removed + swept.removed
                if report.indexed or report.removed:
                    postings.save()
                    self._postings = (self._postings_key(), postings)
                    saved = True
                    log.info("live index: postings %s", report)
            if profiles is not None:
                report = build.apply_person_writes(session, encoder, profiles)
                if report.indexed or report.removed:
                    profiles.save()
                    self._profiles = (stamp(backends.profiles_dir(self.settings)), profiles)
                    saved = True
                    log.info("live index: profiles %s", report)
        self._refused = None
        return saved

    def _refuse(self, why: str) -> None:
        if why != self._refused:  # said once, not at every poll
            log.warning("live index: %s", why)
        self._refused = why

    # -- what the writer holds: loaded again when another writer saved -------------------
    def _postings_key(self) -> object:
        return backends.index_key(self.settings)

    def _current_postings(self) -> SearchBackend | None:
        """The writer's copy; OpenSearch's is opened afresh (its cursor may have moved on the cluster)."""
        key = self._postings_key()
        if self._postings is None or self._postings[0] != key or self.settings.backend == "opensearch":
            try:
                self._postings = (key, backends.open_backend(self.settings))
            except FileNotFoundError:
                self._postings = None
        return self._postings[1] if self._postings else None

    def _current_profiles(self) -> ProfileIndex | None:
        folder = backends.profiles_dir(self.settings)
        key = stamp(folder)
        if key is None:
            return None
        if self._profiles is None or self._profiles[0] != key:
            self._profiles = (key, ProfileIndex.load(folder))
        return self._profiles[1]

    def _current_encoder(self) -> encoders.Encoder:
        key = encoders.folder_key(self.settings.model_dir)
        if self._encoder is None or self._encoder[0] != key or not key:
            self._encoder = (key, encoders.load(self.settings.model_dir))
        return self._encoder[1]
