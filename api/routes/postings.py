"""Job postings. Postings are public notices: no personal data here. Every role may read them,
except that an employer sees only its own. Employers write their own postings; counter staff and
officers write any employer's postings inside their jurisdiction. Every write goes through
intake's checks (422, nothing written) and records a change in the feed (``ledger.changes``).
The rules are ``services.postings``'s: these handlers decode, call it and encode."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, FromQuery, KwargDefinition, PathParameter, QueryParameter
from msgspec import UNSET, Meta, UnsetType

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.schemas import ChangeOut, ChangePage, Input, PostingOut, PostingPage, location_out
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import PostingKind, PostingStatus, Role, Schedule, WageUnit
from ledger.models import JobPosting
from services.postings import Postings


def posting_out(p: JobPosting) -> PostingOut:
    return PostingOut(
        id=p.id,
        ref=p.ref,
        title=p.title,
        description=p.description,
        kind=p.kind.value,
        kind_label=p.kind.label,
        schedule=p.schedule.value,
        schedule_label=p.schedule.label,
        wage_min=p.wage_min,
        wage_max=p.wage_max,
        wage_unit=p.wage_unit.value,
        wage_unit_label=p.wage_unit.label,
        region_code=p.region_code,
        region_name=regions.full_name(p.region_code),
        address=p.address,
        age_min=p.age_min,
        age_max=p.age_max,
        skills_required=p.skills_required,
        disabled_suitable=p.disabled_suitable,
        headcount=p.headcount,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        status=p.status.value,
        employer_name=p.employer.name if p.employer else None,
        contact_phone=p.contact_phone,
        location=location_out(p.latitude, p.longitude, p.region_code),
    )


# -- what writes take ------------------------------------------------------------------------------
WRITERS = allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 500, 503)

# Amounts as decimal strings or whole yuan (a float has already lost the fen: refused, see
# validation.money). The pattern admits what intake answers in Chinese (a minus, a third decimal).
Amount = (
    Annotated[str, Meta(pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$", examples=["120", "3500.50"])]
    | Annotated[int, Meta(ge=0, le=100_000_000)]
)
# Litestar's schema drops the bounds of a union's members; these state them (the OpenAPI document
# must say which amounts are accepted, or a client, and schemathesis, sends what is refused).
_AMOUNT_SCHEMAS = [
    {"type": "string", "pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$", "examples": ["120", "3500.50"]},
    {"type": "integer", "minimum": 0, "maximum": 100_000_000},
]
DocumentedAmount = Annotated[Amount, KwargDefinition(schema_extra={"one_of": _AMOUNT_SCHEMAS})]
OptionalAmount = Annotated[
    Amount | None, KwargDefinition(schema_extra={"one_of": [*_AMOUNT_SCHEMAS, {"type": "null"}]})
]
Text100 = Annotated[str, Meta(min_length=1, max_length=100)]
Text200 = Annotated[str, Meta(max_length=200)]
Description = Annotated[str, Meta(max_length=4000)]
RegionCode = Annotated[str, Meta(pattern="^[0-9]{6}$", description="县区级行政区划代码（6位）")]
Age = Annotated[int, Meta(ge=16, le=100)]
Headcount = Annotated[int, Meta(ge=1, le=100_000)]
# extra_json_schema's "extra" restates the items' bounds, which Litestar's schema drops.
Skills = Annotated[
    list[Annotated[str, Meta(min_length=1, max_length=40)]],
    Meta(max_length=30, extra_json_schema={"extra": {"items": {"type": "string", "minLength": 1, "maxLength": 40}}}),
]
Phone = Annotated[str, Meta(max_length=20)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
EntityId = Annotated[int, Meta(ge=1, le=MAX_ID)]


class PostingIn(Input):
    """A new posting; intake's checks apply (love posts: no age or skill limits, 000 §2)."""

    title: Text100
    kind: PostingKind
    schedule: Schedule
    wage_unit: WageUnit
    wage_min: DocumentedAmount
    valid_from: date
    valid_until: date
    region_code: Annotated[
        RegionCode | None,  # Litestar drops a union member's pattern: restated for the schema
        KwargDefinition(
            description="工作地点县级区划代码；地址写明区县时可不填",
            schema_extra={"one_of": [{"type": "string", "pattern": "^[0-9]{6}$"}, {"type": "null"}]},
        ),
    ] = None
    ref: Annotated[str, Meta(min_length=1, max_length=40, description="岗位编号；不填则自动生成")] | None = None
    employer_id: Annotated[
        EntityId | None,
        Meta(
            description="用人单位编号；用人单位本身调用时忽略，总是本单位",
            extra_json_schema={"extra": {"minimum": 1, "maximum": MAX_ID}},  # the bounds, for the schema
        ),
    ] = None
    description: Description = ""
    wage_max: OptionalAmount = None
    address: Text200 | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    age_min: Age | None = None
    age_max: Age | None = None
    skills_required: Skills = []
    disabled_suitable: bool = False
    headcount: Headcount = 1
    contact_phone: Phone | None = None


class PostingPatch(Input):
    """The fields to change; ``null`` clears an optional field. Number and employer stay
    (``services.postings.EDITABLE``: the same fields)."""

    title: Text100 | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    kind: PostingKind | UnsetType = UNSET
    schedule: Schedule | UnsetType = UNSET
    wage_unit: WageUnit | UnsetType = UNSET
    wage_min: Annotated[Amount | UnsetType, KwargDefinition(schema_extra={"one_of": _AMOUNT_SCHEMAS})] = UNSET
    wage_max: Annotated[
        Amount | None | UnsetType, KwargDefinition(schema_extra={"one_of": [*_AMOUNT_SCHEMAS, {"type": "null"}]})
    ] = UNSET
    region_code: RegionCode | UnsetType = UNSET
    address: Text200 | None | UnsetType = UNSET
    latitude: Latitude | None | UnsetType = UNSET
    longitude: Longitude | None | UnsetType = UNSET
    age_min: Age | None | UnsetType = UNSET
    age_max: Age | None | UnsetType = UNSET
    skills_required: Skills | UnsetType = UNSET
    disabled_suitable: bool | UnsetType = UNSET
    headcount: Headcount | UnsetType = UNSET
    valid_from: date | UnsetType = UNSET
    valid_until: date | UnsetType = UNSET
    contact_phone: Phone | None | UnsetType = UNSET


class PostingClose(Input):
    status: Annotated[Literal["filled", "expired"], Meta(description="filled 已招满 / expired 已过期（下架）")] = (
        "expired"
    )


_GIG_EXAMPLE = {
    "title": "超市理货员（日结）",
    "kind": "gig",
    "schedule": "daily",
    "wage_unit": "day",
    "wage_min": "150",
    "region_code": "430111",
    "valid_from": "2026-11-23",
    "valid_until": "2026-12-31",
    "description": "周末理货、搬运，当天结算",
    "headcount": 3,
    "contact_phone": "13800138000",
}
_LOVE_EXAMPLE = {
    "title": "小区保洁员",
    "kind": "love",
    "schedule": "full_time",
    "wage_unit": "month",
    "wage_min": "2200",
    "wage_max": "2600",
    "region_code": "430102",
    "valid_from": "2026-11-23",
    "valid_until": "2027-02-28",
    "employer_id": 12,
    "ref": "FR-2026-0451",
    "description": "爱心岗位：无年龄、技能要求",
}


class PostingsController(Controller):
    """Every role reads (an employer its own); employers, counter staff and officers write."""

    path = "/"
    tags = ["postings"]
    dependencies = {"postings": service(Postings)}

    @get(
        "/postings",
        operation_id="listPostings",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 422, 500, 503),
        summary="岗位列表（按类型、地区、有效日期筛选）",
    )
    def list_postings(
        self,
        postings: NamedDependency[Postings],
        kind: FromQuery[PostingKind | None] = None,
        region: Annotated[
            str | None, QueryParameter(max_length=12, description="行政区划代码前缀：省 43、市 4301、县 430102")
        ] = None,
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
        page = postings.listing(kind, region, valid_on, limit, offset)
        return PostingPage(total=page.total, limit=limit, offset=offset, items=[posting_out(p) for p in page.items])

    @get(
        "/postings/{posting_id:int}",
        operation_id="getPosting",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 404, 500, 503),
        summary="岗位详情",
    )
    def get_posting(
        self, postings: NamedDependency[Postings], posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)]
    ) -> PostingOut:
        """One posting by its id.

        Returns:
            The posting, or 404 problem details.
        """
        return posting_out(postings.get(posting_id))  # another employer's posting is not confirmed to exist

    @get(
        "/postings/changes",
        operation_id="postingChanges",
        sync_to_thread=True,
        guards=[allow(Role.COUNTER, Role.OFFICER, Role.AGENCY)],
        responses=problem_responses(400, 401, 403, 422, 500, 503),
        summary="岗位变更记录（change feed），用于同步",
    )
    def posting_changes(
        self,
        postings: NamedDependency[Postings],
        cursor: Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="上次读到的游标；从头读取用 0")] = 0,
        since: Annotated[
            datetime | None, QueryParameter(description="或：某时刻之后的变更（ISO 8601，带时区）")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> ChangePage:
        """Postings added, changed or withdrawn after a cursor or a time, oldest first.

        Returns:
            The changes and the cursor to ask from next time.
        """
        feed = postings.changes(cursor, since, limit)
        return ChangePage(
            changes=[
                ChangeOut(cursor=c.cursor, posting_id=c.posting_id, change=c.change, at=c.at) for c in feed.changes
            ],
            next_cursor=feed.next_cursor,
        )

    @post(
        "/postings",
        operation_id="createPosting",
        sync_to_thread=True,
        guards=[WRITERS],
        responses=WRITE_ERRORS,
        summary="登记岗位（用人单位登记本单位岗位；窗口、经办人员登记辖区内岗位）",
    )
    def create_posting(
        self,
        postings: NamedDependency[Postings],
        data: Annotated[
            PostingIn,
            Body(
                description="岗位信息；零工岗位可只填必填项",
                examples=[
                    Example(summary="窗口快速登记日结零工", value=_GIG_EXAMPLE),
                    Example(summary="爱心岗位（经办人员代单位登记）", value=_LOVE_EXAMPLE),
                ],
            ),
        ],
    ) -> PostingOut:
        """Register a posting. An employer's posting is always its own, whatever ``employer_id`` says.

        Returns:
            201 and the posting; 422 with every wrong field (nothing written); 403 outside the
            caller's jurisdiction; 409 for a posting number the same employer already uses
            (numbers are per employer: another employer's are never confirmed).
        """
        return posting_out(postings.create(msgspec.to_builtins(data)))

    @patch(
        "/postings/{posting_id:int}",
        operation_id="updatePosting",
        sync_to_thread=True,
        guards=[WRITERS],
        responses=WRITE_ERRORS,
        summary="修改岗位",
    )
    def update_posting(
        self,
        postings: NamedDependency[Postings],
        posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        data: Annotated[
            PostingPatch,
            Body(
                description="只需填写要修改的字段",
                examples=[
                    Example(summary="调整工资和招聘人数", value={"wage_min": "160", "wage_max": "180", "headcount": 5}),
                    Example(summary="延长有效期", value={"valid_until": "2027-03-31"}),
                ],
            ),
        ],
    ) -> PostingOut:
        """Change a posting's fields; the result is checked as a whole, as intake checks a new one.

        Returns:
            The posting as changed; 404 for a posting that is not there (or another employer's);
            403 outside the caller's jurisdiction (before or after the change); 422 naming the fields.
        """
        changed = {f: v for f, v in msgspec.structs.asdict(data).items() if v is not UNSET}
        return posting_out(postings.update(posting_id, changed))

    @post(
        "/postings/{posting_id:int}/expire",
        operation_id="closePosting",
        sync_to_thread=True,
        guards=[WRITERS],
        status_code=200,
        responses=WRITE_ERRORS,
        summary="岗位下架（已招满或已过期）",
    )
    def close_posting(
        self,
        postings: NamedDependency[Postings],
        posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        data: Annotated[
            PostingClose | None,
            Body(description="不传则按“已过期”下架", examples=[Example(summary="已招满", value={"status": "filled"})]),
        ] = None,
    ) -> PostingOut:
        """Take a posting off the market; it leaves the search index at the next sync.

        Returns:
            The posting with its new status. Closing it again with the same status changes nothing.
        """
        return posting_out(postings.close(posting_id, PostingStatus((data or PostingClose()).status)))


ROUTES = [PostingsController]
