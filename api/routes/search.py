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

from jiuyuan.errors import FieldError, InvalidInput, SearchIndexUnavailable
from api.auth import allow
from api.errors import problem_responses
from api.routes.postings import posting_out
from api.schemas import PostingOut
from indexer import build, model
from indexer.embedded import EmbeddedIndex
from indexer.protocol import Filters, Query
from indexer.typeahead import Typeahead
from jiuyuan import clock
from jiuyuan import validation
from jiuyuan.vocab import PostingKind, PostingStatus, Role, Schedule
from ledger.models import JobPosting


SEARCHERS = allow(Role.COUNTER, Role.OFFICER, Role.AGENCY)


class _Search:
    """Loaded on first use (no side effects at start-up) and again whenever a rebuild, update
    or sync has saved a newer index."""

    _lock = threading.Lock()
    encoder = None
    model_key: tuple | None = None
    index: EmbeddedIndex | None = None
    typeahead: Typeahead | None = None
    loaded_mtime = 0.0

    @classmethod
    def get(cls, session: Session) -> type[_Search]:
        meta = build.index_dir() / "meta.json"
        try:
            mtime = meta.stat().st_mtime
        except FileNotFoundError:
            raise SearchIndexUnavailable("检索索引尚未建立：请运行 jiuyuan index train-model 和 jiuyuan index rebuild。") \
                from None
        with cls._lock:
            if cls.index is None or mtime != cls.loaded_mtime:
                try:
                    index = EmbeddedIndex.load(build.index_dir())
                    # The cached model serves a rebuilt index unless the model itself changed.
                    folder = model.model_dir()
                    key = (folder, folder.stat().st_mtime) if folder.exists() else None
                    reuse = cls.encoder is not None and key is not None and cls.model_key == key
                    encoder = cls.encoder if reuse else model.load()
                except FileNotFoundError as exc:
                    raise SearchIndexUnavailable(str(exc)) from None
                cls.model_key = key
                if encoder.get_embedding_dimension() != index.dimension:
                    raise SearchIndexUnavailable("向量模型与检索索引的维度不一致：请运行 jiuyuan index rebuild。")
                cls.encoder, cls.index, cls.loaded_mtime = encoder, index, mtime
                cls.typeahead = Typeahead(session.scalars(select(JobPosting.title)))
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
     guards=[SEARCHERS], responses=problem_responses(400, 401, 403, 422, 500, 503), summary="岗位检索（关键词 + 语义 + 筛选）")
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
    search = _Search.get(db_session)
    if region is not None:
        try:
            region = validation.region_prefix(region)
        except ValueError as exc:
            raise InvalidInput([FieldError("region", str(exc))]) from None
    query = Query(
        text=q, mode=mode, k=k,
        vector=model.encode(search.encoder, [q])[0] if q.strip() and mode != "bm25" else None,
        filters=Filters(kinds=tuple(kind or ()), schedules=tuple(schedule or ()), region_prefix=region,
                        near=(lat, lon) if lat is not None and lon is not None else None, within_km=within_km,
                        wage_floor_monthly=wage_floor, wage_ceiling_monthly=wage_ceiling, age=age,
                        skills_free_only=skills_free, disabled_suitable=disabled,
                        valid_on=valid_on or clock.today()),
    )
    hits = search.index.search(query)
    # The ledger has the last word: a posting filled or withdrawn since the index was built is dropped.
    rows = {str(p.id): p for p in db_session.scalars(
        select(JobPosting).options(joinedload(JobPosting.employer))
        .where(JobPosting.id.in_([int(h.id) for h in hits]), JobPosting.status == PostingStatus.OPEN))}
    return SearchPage(query=q, mode=mode, hits=[SearchHit(h.score, h.parts, posting_out(rows[h.id]))
                                                for h in hits if h.id in rows])


@get("/search/suggest", operation_id="suggestTitles", tags=["search"], sync_to_thread=True,
     guards=[SEARCHERS], responses=problem_responses(400, 401, 403, 500, 503), summary="岗位、技能输入提示（汉字、拼音、拼音首字母）")
def suggest(db_session: NamedDependency[Session],
            q: Annotated[str, QueryParameter(description="如 bj、baojie、保")]) -> list[str]:
    """Titles and skills that start with what was typed, most used first.

    Returns:
        Up to 8 words.
    """
    return _Search.get(db_session).typeahead.suggest(q)


ROUTES = [search_postings, suggest]
