"""Search over the posting index (embedded or OpenSearch, as configured): postings by text and
filters, and typeahead. The index, encoder and typeahead are one snapshot (``services.search``),
loaded on first use and again when their files change; these handlers decode, ask the service
and encode."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.orm import Session

from api.auth import allow
from api.errors import problem_responses
from api.routes.postings import posting_out
from api.schemas import PostingOut
from indexer import occupations
from jiuyuan import validation
from jiuyuan.validation import Checker
from jiuyuan.vocab import PostingKind, Role, Schedule
from services import posting_search
from services import search as service
from services.posting_search import PostingSearch
from services.search import RequestSnapshot

SEARCHERS = allow(Role.COUNTER, Role.OFFICER, Role.AGENCY)
# A decimal in the query is text to OpenAPI; the pattern says which text the parser reads as one.
AMOUNT = {"pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"}


def provide_search(state: State) -> RequestSnapshot:
    """The ``search`` dependency: this request's snapshot of the search state, taken on first use
    from the holder ``create_app`` keeps in ``app.state.search``."""
    return RequestSnapshot(state.search)


class SearchHit(msgspec.Struct):
    score: float
    parts: dict[str, float]
    occupation: str
    """The standard occupation the posting's title names ("" when none)."""
    posting: PostingOut


class OccupationOut(msgspec.Struct):
    title: str
    group: int
    group_name: str
    """The 国家职业分类大典 major group (4 社会生产服务和生活服务人员 …)."""


class OccupationCount(msgspec.Struct):
    title: str
    count: int


class SearchPage(msgspec.Struct):
    query: str
    mode: str
    hits: list[SearchHit]
    named_occupations: list[str]
    """The standard occupations the query's words name (扫地 → 保洁员): pass one as ``occupation``."""
    occupation_facets: list[OccupationCount] | None = None
    """With ``facets=true``: how many postings of each occupation the search finds but for its
    own ``occupation`` filter, the most first."""


def occupation_out(o: occupations.Occupation) -> OccupationOut:
    return OccupationOut(o.title, o.group, o.group_name)


@get(
    "/search/postings",
    operation_id="searchPostings",
    tags=["search"],
    sync_to_thread=True,
    guards=[SEARCHERS],
    responses=problem_responses(400, 401, 403, 422, 500, 503),
    summary="岗位检索（关键词 + 语义 + 筛选）",
)
def search_postings(
    db_session: NamedDependency[Session],
    search: NamedDependency[RequestSnapshot],
    q: Annotated[str, QueryParameter(max_length=200, description="关键词，口语也可以，如“离家近的保洁活”")] = "",
    mode: Annotated[Literal["bm25", "vector", "hybrid"], QueryParameter()] = "hybrid",
    kind: Annotated[list[PostingKind] | None, QueryParameter()] = None,
    schedule: Annotated[list[Schedule] | None, QueryParameter()] = None,
    region: Annotated[str | None, QueryParameter(max_length=12, description="地区代码前缀：43、4301、430121")] = None,
    lat: Annotated[
        float | None, QueryParameter(ge=-90, le=90, description="纬度（与 lon、within_km 同时给出）")
    ] = None,
    lon: Annotated[float | None, QueryParameter(ge=-180, le=180, description="经度")] = None,
    within_km: Annotated[
        float | None,
        QueryParameter(gt=0, le=500, description="离该点最远公里数", schema_extra={"exclusiveMinimum": 0}),
    ] = None,
    wage_floor: Annotated[
        Decimal | None, QueryParameter(description="月工资下限（折算到月）", schema_extra=AMOUNT)
    ] = None,
    wage_ceiling: Annotated[
        Decimal | None, QueryParameter(description="月工资上限（折算到月）", schema_extra=AMOUNT)
    ] = None,
    age: Annotated[int | None, QueryParameter()] = None,
    skills_free: Annotated[bool, QueryParameter(description="只看无技能要求的岗位")] = False,
    disabled: Annotated[bool, QueryParameter(description="只看适合残疾人的岗位")] = False,
    valid_on: Annotated[date | None, QueryParameter(description="在该日有效（默认今天）")] = None,
    k: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    occupation: Annotated[
        list[str] | None,
        QueryParameter(
            max_items=10, description="标准职业名称（可多选），如“保洁员”；常用说法可用 GET /occupations?q= 查找"
        ),
    ] = None,
    facets: Annotated[bool, QueryParameter(description="同时统计各职业的岗位数（不计本次的职业筛选）")] = False,
) -> SearchPage:
    """Ranked postings with the parts of each score; filters are hard.

    Returns:
        The hits, the standard occupations the words name and, with ``facets``, the count per
        occupation; 422 problem details for a query that cannot mean anything; 503 when no index is built.
    """
    _check_place_and_wages(lat, lon, within_km, wage_floor, wage_ceiling)
    asked = PostingSearch(
        text=q,
        mode=mode,
        kinds=tuple(kind or ()),
        schedules=tuple(schedule or ()),
        region=region,
        near=(lat, lon) if lat is not None and lon is not None else None,
        within_km=within_km,
        wage_floor=wage_floor,
        wage_ceiling=wage_ceiling,
        age=age,
        skills_free=skills_free,
        disabled=disabled,
        valid_on=valid_on,
        k=k,
        occupations=tuple(occupation or ()),
    )
    snapshot = search.get()
    found = posting_search.search_postings(db_session, snapshot, asked)
    counts = posting_search.occupation_facets(snapshot, asked) if facets else None
    return SearchPage(
        query=q,
        mode=mode,
        hits=[SearchHit(h.score, h.parts, h.document.occupation, posting_out(row)) for h, row in found],
        named_occupations=list(occupations.titles_named(q)),
        occupation_facets=[OccupationCount(t, n) for t, n in counts.items()] if counts is not None else None,
    )


def _check_place_and_wages(
    lat: float | None,
    lon: float | None,
    within_km: float | None,
    wage_floor: Decimal | None,
    wage_ceiling: Decimal | None,
) -> None:
    """422 naming the parameters as sent: a place is a point and a distance, all three given; a
    wage is an amount in yuan (to the fen, not negative) and the ceiling not below the floor."""
    c = Checker()
    if (lat is None) != (lon is None):
        c.fail("lat" if lat is None else "lon", "经纬度须同时给出（lat 和 lon）")
    elif (lat is None) != (within_km is None):
        c.fail("within_km", "按距离筛选须同时给出位置（lat、lon）和距离（within_km）")
    for name, value in (("wage_floor", wage_floor), ("wage_ceiling", wage_ceiling)):
        if value is not None and not re.fullmatch(AMOUNT["pattern"], str(value)):  # 1e5 parses as a Decimal
            c.fail(name, "工资请写成普通数字，如 3500 或 3500.50")
        elif value is not None:
            c.check(name, validation.money, str(value))
    if not c.errors and wage_floor is not None and wage_ceiling is not None and wage_floor > wage_ceiling:
        c.fail("wage_ceiling", "工资上限不能低于工资下限")
    c.raise_if_any()


@get(
    "/occupations",
    operation_id="findOccupations",
    tags=["search"],
    sync_to_thread=False,
    guards=[SEARCHERS],
    responses=problem_responses(400, 401, 403, 500),
    summary="标准职业名称：按常用说法查找（扫地 → 保洁员），不填列出全部",
)
def find_occupations(
    q: Annotated[str, QueryParameter(max_length=100, description="常用说法，如“扫地”“照顾老人”；不填列出全部")] = "",
) -> list[OccupationOut]:
    """The standard occupations a clerk's words name, in the order named; all of them when
    ``q`` is empty.

    Returns:
        Title and 国家职业分类大典 major group of each.
    """
    table = occupations.table()
    found = table.named(q) if q.strip() else list(table.by_title.values())
    return [occupation_out(o) for o in found]


@get(
    "/search/suggest",
    operation_id="suggestTitles",
    tags=["search"],
    sync_to_thread=True,
    guards=[SEARCHERS],
    responses=problem_responses(400, 401, 403, 500, 503),
    summary="岗位、技能输入提示（汉字、拼音、拼音首字母）",
)
def suggest(
    search: NamedDependency[RequestSnapshot],
    q: Annotated[str, QueryParameter(max_length=100, description="如 bj、baojie、保")],
) -> list[str]:
    """Titles and skills that start with what was typed, most used first.

    Returns:
        Up to 8 words.
    """
    return service.suggest(search.get(), q)


ROUTES = [search_postings, suggest, find_occupations]
