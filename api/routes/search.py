"""Search over the index built by ``jiuyuan index rebuild``: postings by text and filters, and
typeahead. The model and index load on first use and stay in memory."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.errors import ApplicationError, problem_responses
from api.routes.postings import posting_out
from api.schemas import PostingOut
from indexer import build, model
from indexer.embedded import EmbeddedIndex
from indexer.protocol import Filters, Query
from indexer.typeahead import Typeahead
from jiuyuan.vocab import PostingKind, Schedule
from ledger.models import JobPosting


class IndexUnavailable(ApplicationError):
    status_code = 503
    type_slug = "search-index-unavailable"


class _Search:
    """Loaded once per process, on first use (no side effects at start-up)."""

    _lock = threading.Lock()
    encoder = None
    index: EmbeddedIndex | None = None
    typeahead: Typeahead | None = None

    @classmethod
    def get(cls) -> type[_Search]:
        with cls._lock:
            if cls.index is None:
                path = build.index_dir()
                try:
                    cls.encoder = model.load()
                    cls.index = EmbeddedIndex.load(path)
                except FileNotFoundError:
                    raise IndexUnavailable("检索索引尚未建立：请运行 jiuyuan index train-model 和 jiuyuan index rebuild。") \
                        from None
        return cls


class SearchHit(msgspec.Struct):
    score: float
    parts: dict[str, float]
    posting: PostingOut


class SearchPage(msgspec.Struct):
    query: str
    mode: str
    hits: list[SearchHit]


@get("/search/postings", operation_id="searchPostings", tags=["search"], sync_to_thread=True,
     responses=problem_responses(400, 422, 500, 503), summary="岗位检索（关键词 + 语义 + 筛选）")
def search_postings(
    db_session: NamedDependency[Session],
    q: Annotated[str, QueryParameter(description="关键词，口语也可以，如“离家近的保洁活”")] = "",
    mode: Annotated[Literal["bm25", "vector", "hybrid"], QueryParameter()] = "hybrid",
    kind: Annotated[list[PostingKind] | None, QueryParameter()] = None,
    schedule: Annotated[list[Schedule] | None, QueryParameter()] = None,
    region: Annotated[str | None, QueryParameter(description="地区代码前缀：43、4301、430121")] = None,
    lat: Annotated[float | None, QueryParameter()] = None,
    lon: Annotated[float | None, QueryParameter()] = None,
    within_km: Annotated[float | None, QueryParameter()] = None,
    wage_floor: Annotated[Decimal | None, QueryParameter(description="月工资下限（折算到月）")] = None,
    wage_ceiling: Annotated[Decimal | None, QueryParameter(description="月工资上限（折算到月）")] = None,
    age: Annotated[int | None, QueryParameter()] = None,
    skills_free: Annotated[bool, QueryParameter(description="只看无技能要求的岗位")] = False,
    disabled: Annotated[bool, QueryParameter(description="只看适合残疾人的岗位")] = False,
    valid_on: Annotated[date | None, QueryParameter(description="在该日有效（默认今天）")] = None,
    k: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
) -> SearchPage:
    """Ranked postings with the parts of each score; filters are hard.

    Returns:
        The hits; 422 problem details for a query that cannot mean anything; 503 when no index is built.
    """
    search = _Search.get()
    query = Query(
        text=q, mode=mode, k=k,
        vector=model.encode(search.encoder, [q])[0] if q.strip() and mode != "bm25" else None,
        filters=Filters(kinds=tuple(kind or ()), schedules=tuple(schedule or ()), region_prefix=region,
                        near=(lat, lon) if lat is not None and lon is not None else None, within_km=within_km,
                        wage_floor_monthly=wage_floor, wage_ceiling_monthly=wage_ceiling, age=age,
                        skills_free_only=skills_free, disabled_suitable=disabled,
                        valid_on=valid_on or date.today()),
    )
    hits = search.index.search(query)
    rows = {str(p.id): p for p in db_session.scalars(
        select(JobPosting).options(joinedload(JobPosting.employer))
        .where(JobPosting.id.in_([int(h.id) for h in hits])))}
    return SearchPage(query=q, mode=mode, hits=[SearchHit(h.score, h.parts, posting_out(rows[h.id]))
                                                for h in hits if h.id in rows])


@get("/search/suggest", operation_id="suggestTitles", tags=["search"], sync_to_thread=True,
     responses=problem_responses(400, 500, 503), summary="岗位、技能输入提示（汉字、拼音、拼音首字母）")
def suggest(db_session: NamedDependency[Session],
            q: Annotated[str, QueryParameter(description="如 bj、baojie、保")]) -> list[str]:
    """Titles and skills that start with what was typed, most used first.

    Returns:
        Up to 8 words.
    """
    search = _Search.get()
    if search.typeahead is None:
        search.typeahead = Typeahead(db_session.scalars(select(JobPosting.title)))
    return search.typeahead.suggest(q)
