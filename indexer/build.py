"""Building the index from the ledger: which postings belong in it, batched embedding, throughput.

A posting belongs in the index while it is open and valid today; expired and filled
postings drop out at the next ``rebuild``, ``update`` or ``sync``. The posting index is any
``SearchBackend`` (``indexer.backends`` picks it from settings); the texts are embedded with an
``Encoder``. Training the model is :mod:`indexer.training`'s, imported only by ``train_and_rebuild``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from tqdm import tqdm

from indexer import encoder as encoders
from indexer.documents import PostingDocument, from_posting
from indexer.embedded import EmbeddedIndex
from indexer.encoder import Encoder
from indexer.profiles import PersonDocument, ProfileIndex, from_person
from indexer.protocol import SearchBackend
from indexer.versions import current
from jiuyuan.vocab import ConsentScope, PostingStatus
from ledger import changes
from ledger.models import AuditEntry, ConsentRecord, JobPosting, Person

BATCH = 2048


def searchable(session: Session, today: date) -> Iterator[PostingDocument]:
    query = (
        select(JobPosting)
        .options(joinedload(JobPosting.employer))
        .where(JobPosting.status == PostingStatus.OPEN, JobPosting.valid_from <= today, JobPosting.valid_until >= today)
        .order_by(JobPosting.id)
        .execution_options(yield_per=BATCH)
    )
    for posting in session.scalars(query):
        yield from_posting(posting)


def training_texts(session: Session) -> list[tuple[str, str]]:
    return [(t, d or "") for t, d in session.execute(select(JobPosting.title, JobPosting.description))]


@dataclass
class BuildReport:
    indexed: int
    removed: int
    seconds: float
    encode_seconds: float

    @property
    def per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        if not self.indexed:
            return f"写入 0 条，移出 {self.removed} 条"
        return (
            f"写入 {self.indexed} 条，移出 {self.removed} 条，用时 {self.seconds:.1f}s（{self.per_second:,.0f} 条/秒；"
            f"其中向量编码 {self.encode_seconds:.1f}s，{self.indexed / self.encode_seconds:,.0f} 条/秒）"
        )


def write(index: SearchBackend | ProfileIndex, encoder: Encoder, docs: list, progress: bool) -> float:
    """Encode and write ``docs`` in batches; returns the seconds spent encoding. The next batch is
    encoded in a thread while this one is written (the tokenizer and numpy let go of the GIL for
    much of their work), so on two cores writing adds little to the encoding."""

    def encode(batch: list) -> tuple[np.ndarray, float]:
        started = time.perf_counter()
        return encoder.encode([d.text for d in batch]), time.perf_counter() - started

    batches = [docs[start : start + BATCH] for start in range(0, len(docs), BATCH)]
    spent = 0.0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode") as pool:
        ahead = pool.submit(encode, batches[0]) if batches else None
        for i in tqdm(range(len(batches)), desc="编码并写入索引", unit="批", disable=not progress, leave=False):
            vectors, seconds = ahead.result()
            if i + 1 < len(batches):
                ahead = pool.submit(encode, batches[i + 1])
            spent += seconds
            index.upsert(batches[i], vectors)
    return spent


def consenting_profiles(session: Session, among: list[int] | None = None) -> list[PersonDocument]:
    """Profiles of persons (all, or those ``among``) whose latest data-processing consent is a grant (PIPL)."""
    latest = select(ConsentRecord.person_id, func.max(ConsentRecord.id).label("last")).where(
        ConsentRecord.scope == ConsentScope.DATA_PROCESSING
    )
    if among is not None:
        latest = latest.where(ConsentRecord.person_id.in_(among))
    latest = latest.group_by(ConsentRecord.person_id).subquery()
    granted = (
        select(ConsentRecord.person_id).join(latest, ConsentRecord.id == latest.c.last).where(ConsentRecord.granted)
    )
    return [from_person(p) for p in session.scalars(select(Person).where(Person.id.in_(granted)).order_by(Person.id))]


def rebuild_profiles(session: Session, encoder: Encoder, path: Path, progress: bool = True) -> BuildReport:
    started = time.perf_counter()
    cursor = session.scalar(select(func.max(AuditEntry.id))) or 0  # read first, as ``rebuild`` does
    docs = consenting_profiles(session)
    index = ProfileIndex(encoder.dimension, path)
    index.feed_cursor = cursor
    encode_s = write(index, encoder, docs, progress)
    index.save()
    return BuildReport(len(docs), 0, time.perf_counter() - started, encode_s)


def rebuild(
    session: Session, encoder: Encoder, index: SearchBackend, today: date, progress: bool = True
) -> BuildReport:
    """Every searchable posting into ``index``, an empty one (``indexer.backends.fresh_backend``)."""
    started = time.perf_counter()
    cursor = changes.latest(session)  # read first: changes made while building are applied by the next sync
    docs = list(searchable(session, today))
    index.feed_cursor = cursor
    encode_s = write(index, encoder, docs, progress)
    index.save()
    return BuildReport(len(docs), 0, time.perf_counter() - started, encode_s)


def train_and_rebuild(
    session: Session, model_dir: Path, path: Path, today: date, dim: int = 128, progress: bool = True
) -> Encoder:
    """Train the model on the ledger's postings, then build the embedded posting and profile
    indexes (``path`` and ``path / "profiles"``): a fresh ledger made searchable. Returns the encoder."""
    from indexer import training

    training.train(training_texts(session), model_dir, dim=dim, progress=progress)
    return rebuild_both(session, model_dir, path, today, progress=progress)


def rebuild_both(session: Session, model_dir: Path, path: Path, today: date, progress: bool = True) -> Encoder:
    """Load the model in ``model_dir`` and build the embedded posting and profile indexes (``path``
    and ``path / "profiles"``) with it. Returns the encoder."""
    encoder = encoders.load(model_dir)
    rebuild(session, encoder, EmbeddedIndex(encoder.dimension, path), today, progress=progress)
    rebuild_profiles(session, encoder, path / "profiles", progress=progress)
    return encoder


def update(session: Session, encoder: Encoder, index: SearchBackend, today: date, progress: bool = True) -> BuildReport:
    """Add postings that became searchable, drop those that expired or were filled."""
    started = time.perf_counter()
    docs = {d.id: d for d in searchable(session, today)}
    present = index.ids()
    removed = index.delete([doc_id for doc_id in present if doc_id not in docs])
    new = [d for doc_id, d in docs.items() if doc_id not in present]
    encode_s = write(index, encoder, new, progress)
    index.save()
    return BuildReport(len(new), removed, time.perf_counter() - started, encode_s)


def sync(session: Session, encoder: Encoder, index: SearchBackend, today: date, progress: bool = True) -> BuildReport:
    """Apply the change feed since the index's cursor (``apply_feed``), then the dates
    (``sweep``), and save."""
    started = time.perf_counter()
    fed = apply_feed(session, encoder, index, today, progress)
    swept = sweep(session, encoder, index, today, progress)
    index.save()
    return BuildReport(
        fed.indexed + swept.indexed,
        fed.removed + swept.removed,
        time.perf_counter() - started,
        fed.encode_seconds + swept.encode_seconds,
    )


def apply_feed(
    session: Session, encoder: Encoder, index: SearchBackend, today: date, progress: bool = False
) -> BuildReport:
    """The change feed since the index's cursor, unsaved: re-embed changed postings that are
    still searchable, drop withdrawn ones. Costs what changed, not the index's size (the live
    follower runs it after each write)."""
    started = time.perf_counter()
    changed: dict[int, str] = {}
    cursor = index.feed_cursor
    while batch := changes.since(session, cursor, limit=BATCH):
        for change in batch:
            changed[change.posting_id] = change.change
        cursor = batch[-1].cursor
    index.feed_cursor = cursor
    upserts = [pid for pid, c in changed.items() if c == "upsert"]
    wanted = searchable_among(session, today, upserts)
    kept = {int(d.id) for d in wanted}
    removed = index.delete([str(pid) for pid in changed if pid not in kept])
    encode_s = write(index, encoder, wanted, progress)
    return BuildReport(len(wanted), removed, time.perf_counter() - started, encode_s)


def sweep(session: Session, encoder: Encoder, index: SearchBackend, today: date, progress: bool = False) -> BuildReport:
    """The dates, unsaved: drop postings expired by ``today`` and add those whose valid-from day
    has come (passing a date writes no change to the feed)."""
    started = time.perf_counter()
    now = {str(pid) for pid in searchable_ids(session, today)}
    present = index.ids()
    removed = index.delete([doc_id for doc_id in present if doc_id not in now])
    arrived = searchable_among(session, today, sorted(int(i) for i in now - present))
    encode_s = write(index, encoder, arrived, progress)
    return BuildReport(len(arrived), removed, time.perf_counter() - started, encode_s)


PERSON_WRITES = ("register", "register_import", "update", "consent")
"""The audit actions of writes that change a profile or whether it may be indexed. Every write of
a person's data is audited in its own transaction (PIPL), so the audit log is the persons'
change feed; a new kind of person write must be added here."""


def apply_person_writes(
    session: Session, encoder: Encoder, profiles: ProfileIndex, progress: bool = False
) -> BuildReport:
    """Person writes since the profile index's cursor (its ``feed_cursor`` is the last
    ``audit_entries.id`` applied), unsaved: each person written whose latest data-processing
    consent is a grant is (re-)indexed, any other leaves."""
    started = time.perf_counter()
    newest = session.scalar(select(func.max(AuditEntry.id))) or 0
    touched = sorted(
        set(
            session.scalars(
                select(AuditEntry.subject_person_id).where(
                    AuditEntry.id > profiles.feed_cursor,
                    AuditEntry.id <= newest,
                    AuditEntry.action.in_(PERSON_WRITES),
                    AuditEntry.subject_person_id.is_not(None),
                )
            )
        )
    )
    profiles.feed_cursor = newest
    docs = [d for i in range(0, len(touched), BATCH) for d in consenting_profiles(session, touched[i : i + BATCH])]
    removed = profiles.delete([str(pid) for pid in set(touched) - {int(d.id) for d in docs}])
    encode_s = write(profiles, encoder, docs, progress)
    return BuildReport(len(docs), removed, time.perf_counter() - started, encode_s)


def searchable_ids(session: Session, today: date) -> list[int]:
    return list(
        session.scalars(
            select(JobPosting.id).where(
                JobPosting.status == PostingStatus.OPEN, JobPosting.valid_from <= today, JobPosting.valid_until >= today
            )
        )
    )


def searchable_among(session: Session, today: date, ids: list[int]) -> list[PostingDocument]:
    out: list[PostingDocument] = []
    for start in range(0, len(ids), BATCH):
        query = (
            select(JobPosting)
            .options(joinedload(JobPosting.employer))
            .where(
                JobPosting.id.in_(ids[start : start + BATCH]),
                JobPosting.status == PostingStatus.OPEN,
                JobPosting.valid_from <= today,
                JobPosting.valid_until >= today,
            )
        )
        out.extend(from_posting(p) for p in session.scalars(query))
    return out


def stats(index: SearchBackend) -> dict:
    """How big the index is; for the embedded one also its arrays, text index and files."""
    out = {"postings": index.count(), "dimension": index.dimension, "feed_cursor": index.feed_cursor}
    if isinstance(index, EmbeddedIndex):
        arrays = sum(v.nbytes for v in index.cols.arrays().values()) + index.vectors.nbytes
        out |= {
            "text_segments": index.text.stats()["segments"],
            "array_bytes": int(arrays),
            "disk_bytes": sum(f.stat().st_size for f in current(index.path).rglob("*") if f.is_file()),
            "vector_scan_floor_ms": _scan_ms(index.vectors),
        }
    return out


def _scan_ms(vectors: np.ndarray) -> float:
    """Time of one bare matrix–vector scan over all vectors: the floor of exact vector search."""
    if not len(vectors):
        return 0.0
    q = vectors[0]
    t = time.perf_counter()
    for _ in range(20):
        vectors @ q
    return (time.perf_counter() - t) / 20 * 1000
