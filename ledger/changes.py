"""The posting change feed: write a change with every posting write; read them back in order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from jiuyuan.vocab import PostingStatus
from ledger.base import utcnow
from ledger.models import JobPosting, PostingChange


@dataclass(frozen=True)
class Change:
    cursor: int
    posting_id: int
    change: str  # "upsert" or "remove"
    at: datetime


def record(session: Session, posting_ids: Iterable[int], change: str) -> None:
    now = utcnow()
    rows = [{"posting_id": pid, "change": change, "at": now} for pid in posting_ids]
    if rows:
        session.execute(insert(PostingChange), rows)


def set_status(session: Session, posting_id: int, status: PostingStatus) -> None:
    """Fill or expire a posting (it leaves the index) or reopen it, with its change recorded."""
    posting = session.get(JobPosting, posting_id)
    if posting is None:
        raise LookupError(f"岗位 {posting_id} 不存在")
    posting.status = status
    record(session, [posting_id], "upsert" if status is PostingStatus.OPEN else "remove")


def since(session: Session, cursor: int = 0, *, after: datetime | None = None, limit: int = 1000) -> list[Change]:
    """Changes after ``cursor`` (or after the time ``after``), oldest first, at most ``limit``."""
    query = select(PostingChange).order_by(PostingChange.id).limit(limit)
    query = query.where(PostingChange.at > after) if after is not None else query.where(PostingChange.id > cursor)
    return [Change(c.id, c.posting_id, c.change, c.at) for c in session.scalars(query)]


def latest(session: Session) -> int:
    """The newest change's cursor (0 when there is none)."""
    return session.scalar(select(func.max(PostingChange.id))) or 0
