"""Job postings, read side. Postings are public notices: no personal data here. Every role may
read them, except that an employer sees only its own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, PathParameter, QueryParameter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from api.auth import allow
from api.errors import NotFound, problem_responses
from api.schemas import ChangeOut, ChangePage, PostingOut, PostingPage
from jiuyuan import regions, validation
from jiuyuan.validation import FieldError, InvalidInput
from jiuyuan.vocab import PostingKind, PostingStatus, Role
from ledger import changes
from ledger.models import JobPosting


def _region_prefix(region: str) -> str:
    try:
        return validation.region_prefix(region)
    except ValueError as exc:
        raise InvalidInput([FieldError("region", str(exc))]) from None


def posting_out(p: JobPosting) -> PostingOut:
    return PostingOut(
        id=p.id, ref=p.ref, title=p.title, description=p.description,
        kind=p.kind.value, kind_label=p.kind.label,
        schedule=p.schedule.value, schedule_label=p.schedule.label,
        wage_min=p.wage_min, wage_max=p.wage_max, wage_unit=p.wage_unit.value, wage_unit_label=p.wage_unit.label,
        region_code=p.region_code, region_name=regions.full_name(p.region_code), address=p.address,
        age_min=p.age_min, age_max=p.age_max, skills_required=p.skills_required,
        disabled_suitable=p.disabled_suitable, headcount=p.headcount,
        valid_from=p.valid_from, valid_until=p.valid_until, status=p.status.value,
        employer_name=p.employer.name if p.employer else None,
    )


@get("/postings", operation_id="listPostings", tags=["postings"], sync_to_thread=True,
     responses=problem_responses(400, 401, 422, 500, 503), summary="岗位列表（按类型、地区、有效日期筛选）")
def list_postings(
    request: Request, db_session: NamedDependency[Session],
    kind: FromQuery[PostingKind | None] = None,
    region: Annotated[str | None, QueryParameter(description="行政区划代码前缀：省 43、市 4301、县 430102")] = None,
    valid_on: Annotated[date | None, QueryParameter(description="只列出该日有效且招聘中的岗位")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 20,
    offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
) -> PostingPage:
    """List postings in the order they were entered.

    Args:
        kind: ordinary / love / gig / public_welfare.
        region: a region code; its province, city or county prefix filters.
        valid_on: only open postings valid on that date.
        limit: page size (1–200).
        offset: rows to skip.

    Returns:
        One page of postings and the total that match.
    """
    query = select(JobPosting)
    if request.user.role is Role.EMPLOYER:
        query = query.where(JobPosting.employer_id == request.user.employer_id)
    if kind is not None:
        query = query.where(JobPosting.kind == kind)
    if region is not None:
        query = query.where(JobPosting.region_code.startswith(_region_prefix(region)))
    if valid_on is not None:
        query = query.where(JobPosting.valid_from <= valid_on, JobPosting.valid_until >= valid_on,
                            JobPosting.status == PostingStatus.OPEN)
    total = db_session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db_session.scalars(
        query.options(joinedload(JobPosting.employer)).order_by(JobPosting.id).limit(limit).offset(offset)
    ).all()
    return PostingPage(total=total, limit=limit, offset=offset, items=[posting_out(p) for p in rows])


@get("/postings/{posting_id:int}", operation_id="getPosting", tags=["postings"], sync_to_thread=True,
     responses=problem_responses(400, 401, 404, 500, 503), summary="岗位详情")
def get_posting(request: Request, db_session: NamedDependency[Session],
                posting_id: Annotated[int, PathParameter(ge=1, le=2**62)]) -> PostingOut:
    """One posting by its id.

    Returns:
        The posting, or 404 problem details.
    """
    posting = db_session.get(JobPosting, posting_id, options=[joinedload(JobPosting.employer)])
    if posting is None or (request.user.role is Role.EMPLOYER and posting.employer_id != request.user.employer_id):
        raise NotFound(f"岗位 {posting_id} 不存在。")  # another employer's posting is not confirmed to exist
    return posting_out(posting)


@get("/postings/changes", operation_id="postingChanges", tags=["postings"], sync_to_thread=True,
     guards=[allow(Role.COUNTER, Role.OFFICER, Role.AGENCY)], responses=problem_responses(400, 401, 403, 422, 500, 503), summary="岗位变更记录（change feed），用于同步")
def posting_changes(
    db_session: NamedDependency[Session],
    cursor: Annotated[int, QueryParameter(ge=0, le=2**62, description="上次读到的游标；从头读取用 0")] = 0,
    since: Annotated[datetime | None, QueryParameter(description="或：某时刻之后的变更（ISO 8601，带时区）")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> ChangePage:
    """Postings added, changed or withdrawn after a cursor or a time, oldest first.

    Returns:
        The changes and the cursor to ask from next time.
    """
    if since is not None and since.tzinfo is None:
        raise InvalidInput([FieldError("since", "时间须带时区，例如 2026-11-22T08:00:00+08:00")])
    page = changes.since(db_session, cursor, after=since, limit=limit)
    return ChangePage(
        changes=[ChangeOut(cursor=c.cursor, posting_id=c.posting_id, change=c.change, at=c.at) for c in page],
        # Nothing new after a time: continue from the newest change, not from the start.
        next_cursor=page[-1].cursor if page else (changes.latest(db_session) if since is not None else cursor),
    )


ROUTES = [list_postings, get_posting, posting_changes]
