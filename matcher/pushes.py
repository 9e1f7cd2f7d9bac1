"""Pushes: a post sent to a person (who, when, channel). The same post is never pushed to the
same person twice (a unique key in the ledger); a person's push history counts toward the
tier-2 duty of at least three pushes (002 §4(2))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan.errors import Duplicate, FieldError, InvalidInput
from jiuyuan.vocab import PushChannel
from ledger.base import utcnow
from ledger.models import JobPosting, JobPush, Person
from matcher.posts import WEIGHTS

FEATURE_NAMES = tuple(WEIGHTS)


@dataclass(frozen=True)
class PushRecord:
    posting_id: int
    title: str
    channel: PushChannel
    pushed_at: datetime
    pushed_by: str
    applied_on: date | None


def push(
    session: Session,
    person_id: int,
    posting_id: int,
    channel: str,
    pushed_by: str,
    features: dict[str, float] | None = None,
) -> JobPush:
    """Record a push; ``features`` are the match's feature values when it came from the matcher,
    kept for the learned re-ranker (matcher.ranker)."""
    errors = []
    if session.get(Person, person_id) is None:
        errors.append(FieldError("person_id", "人员不存在"))
    if session.get(JobPosting, posting_id) is None:
        errors.append(FieldError("posting_id", "岗位不存在"))
    try:
        channel_value = PushChannel(channel)
    except ValueError:
        errors.append(
            FieldError("channel", "推送渠道只能是：" + "、".join(f"{c.value}（{c.label}）" for c in PushChannel))
        )
    if features is not None and not all(
        name in FEATURE_NAMES and isinstance(v, (int, float)) and 0 <= v <= 1 for name, v in features.items()
    ):
        errors.append(FieldError("features", "匹配特征须取自匹配结果：名称为" + "、".join(FEATURE_NAMES) + "，取值0–1"))
    if errors:
        raise InvalidInput(errors)
    row = JobPush(
        person_id=person_id, posting_id=posting_id, channel=channel_value, pushed_by=pushed_by, pushed_at=utcnow()
    )
    if features is not None:  # left unset otherwise: SQL NULL, not a JSON null
        row.features = {name: float(v) for name, v in features.items()}
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Duplicate("posting_id", "该岗位已推送给此人，不重复推送") from None
    return row


def applied(session: Session, person_id: int, posting_id: int, on: date) -> JobPush:
    """The person applied for a post pushed to them: the first outcome the re-ranker learns from."""
    row = session.scalar(select(JobPush).where(JobPush.person_id == person_id, JobPush.posting_id == posting_id))
    if row is None:
        raise InvalidInput([FieldError("posting_id", "该岗位未推送给此人，无法登记投递")])
    if on < row.pushed_at.date():
        raise InvalidInput([FieldError("applied_on", "投递日期不能早于推送日期")])
    if on > clock.today():
        raise InvalidInput([FieldError("applied_on", "投递日期不能晚于今天")])
    row.applied_on = on
    session.flush()
    return row


def history(session: Session, person_id: int) -> list[PushRecord]:
    rows = session.execute(
        select(JobPush, JobPosting.title)
        .join(JobPosting)
        .where(JobPush.person_id == person_id)
        .order_by(JobPush.pushed_at, JobPush.id)
    )
    return [PushRecord(p.posting_id, title, p.channel, p.pushed_at, p.pushed_by, p.applied_on) for p, title in rows]
