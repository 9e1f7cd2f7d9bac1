"""Reference data: administrative region codes (GB/T 2260)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from api.auth import BEFORE_REGISTRATION
from api.errors import problem_responses
from api.schemas import RegionOut
from jiuyuan import regions, validation
from jiuyuan.errors import FieldError, InvalidInput, NotFound
from jiuyuan.purposes import HIDDEN


class RegionHit(msgspec.Struct):
    code: str
    name: str
    full_name: str


def search_counties(q: str, within: str = "", limit: int = 20) -> list[RegionHit]:
    """Counties in use today whose name or full name holds every word of ``q`` (a code prefix
    matches too), those inside ``within`` (a code prefix) first, shortest names first."""
    words = [w for w in q.replace("，", " ").replace(",", " ").split() if w]
    if not words:
        raise InvalidInput([FieldError("q", "请输入区县名称的一部分，如“长沙县”或“芙蓉”")])
    hits = []
    for r in regions.current_counties():
        full = regions.full_name(r.code)
        if all(w in full or r.code.startswith(w) for w in words):
            hits.append((not r.code.startswith(within) if within else False, len(r.name), r.code, r.name, full))
    return [RegionHit(code, name, full) for _, _, code, name, full in sorted(hits)[:limit]]


def counties_within(code_prefix: str, limit: int) -> list[RegionHit]:
    """The counties in use today inside ``code_prefix`` (a province or city), by code."""
    return [RegionHit(r.code, r.name, regions.full_name(r.code)) for r in regions.current_counties(code_prefix)[:limit]]


class RegionsController(Controller):
    path = "/"
    tags = ["reference"]

    @get(
        "/regions",
        operation_id="searchRegions",
        sync_to_thread=False,
        responses=problem_responses(400, 401, 422, 500),
        summary="按名称查找县区（区划选择器用）",
        opt=BEFORE_REGISTRATION,
    )
    def search_regions(
        self,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=40,
                description="区县名称的一部分，可含省市名，空格分隔；不填或空白时列出 within 内的全部县区",
            ),
        ] = None,
        within: Annotated[
            str | None,
            QueryParameter(
                pattern=r"^[0-9]{0,6}$", description="优先列出此代码前缀内的县区（如 4301）；不填 q 时只列出其中的县区"
            ),
        ] = None,
        limit: Annotated[
            int | None, QueryParameter(ge=1, le=300, description="最多返回几个（按名称查找默认20；列出时默认全部）")
        ] = None,
    ) -> list[RegionHit]:
        """Counties in use today by name, so nobody types a six-digit code; without ``q``, every
        county inside ``within`` (a province or city) by code: an officer's jurisdiction as a
        list to pick from (a province has at most 183).

        Returns:
            Code, name and full name (湖南省长沙市长沙县), those inside ``within`` first.
        """
        if within is not None and not (within.isascii() and within.isdigit() or within == ""):
            raise InvalidInput([FieldError("within", "地区代码前缀只能是0–6位数字，如 4301")])
        if q is not None and HIDDEN.search(q):
            raise InvalidInput([FieldError("q", "不能包含控制字符、零宽字符或文字方向控制符，请重新输入")])
        if q is None or not q.strip():
            if not within:
                raise InvalidInput([FieldError("q", "请输入区县名称的一部分，如“长沙县”或“芙蓉”")])
            try:
                prefix = validation.region_prefix(within)
            except ValueError:
                raise InvalidInput(
                    [FieldError("within", "列出县区须给出省（2位）、市（4位）或县（6位）代码，如 43、4301")]
                ) from None
            return counties_within(prefix, limit or 300)
        return search_counties(q, within or "", limit or 20)

    @get(
        "/regions/{code:str}",
        operation_id="getRegion",
        sync_to_thread=False,
        responses=problem_responses(400, 401, 404, 500),
        summary="行政区划代码查询 (GB/T 2260)",
        opt=BEFORE_REGISTRATION,
    )
    def get_region(
        self, code: Annotated[str, Parameter(schema_extra={"pattern": r"^[0-9]{6}$"}, description="六位行政区划代码")]
    ) -> RegionOut:
        """Look up a six-digit administrative region code in use today.

        Args:
            code: GB/T 2260 code, e.g. 430102.

        Returns:
            Its name, full name, level and ancestors (province → city → county).
        """
        try:
            code = validation.region_code(code)
        except ValueError as exc:
            raise NotFound(str(exc), [FieldError("code", str(exc))]) from None
        region = regions.lookup(code)
        return RegionOut(
            code=code,
            name=region.name,
            full_name=regions.full_name(code),
            level=region.level,
            ancestors=regions.ancestors(code),
        )


ROUTES = [RegionsController]
