"""Wire schemas of the person and recognition routes (``persons``, ``recognition``), and their
encoders from what the services return (``services.persons``, ``services.recognition``).

Who is in reach is ``services.jurisdiction``'s; a person out of reach answers 404, like one that
does not exist: the API does not confirm who is registered elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter
from msgspec import UNSET, Meta, UnsetType

from api.auth import allow
from api.schemas import Input, LocationOut, location_out
from jiuyuan import purposes, regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import ConsentScope, Labelled, Role, Schedule, UrbanRural
from ledger.models import ConsentRecord
from scoring.assess import CATEGORY_LABELS
from services.persons import PersonRecord

PersonId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="人员编号")]
# Patterns keep control characters out (PostgreSQL refuses NUL in text) and say so in the schema.
LINE = r"^[^\x00-\x1f\x7f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
PURPOSE_HELP = "查阅目的（写入审计日志）：目的清单（GET /purposes）中的一项，可在其后加“：”和至少4个字的说明"
# Length only here: what it may say is ``purpose_of``'s (``jiuyuan.purposes.check``), answered in Chinese.
Purpose = Annotated[
    str,
    QueryParameter(
        min_length=2, max_length=100, description=PURPOSE_HELP, examples=[Example(value="岗位推荐：为其推荐保洁岗位")]
    ),
]
PurposeField = Annotated[str, Meta(min_length=2, max_length=100, description=PURPOSE_HELP)]
"""``Purpose`` in a request body; it goes through ``purpose_of`` too."""
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
Text = Annotated[str, Meta(max_length=500, pattern=TEXT)]
Line = Annotated[str, Meta(max_length=40, pattern=LINE)]
WORD = {"type": "string", "maxLength": 20, "pattern": LINE}  # Litestar drops list items' constraints: restated
Words = Annotated[
    list[Annotated[str, Meta(max_length=20, pattern=LINE)]],
    Meta(max_length=30, extra_json_schema={"extra": {"items": WORD}}),
]
Region6 = Annotated[str, Meta(pattern=r"^[0-9]{6}$", description="6位县级行政区划代码")]
Address = Annotated[
    str, Meta(max_length=200, pattern=LINE, description="住址，如“长沙县星沙街道开元路18号”：写明区县时可不填区县代码")
]
Latitude = Annotated[float, Meta(ge=-90, le=90, description="窗口核实的位置（纬度）；不填按区县中心估算")]
Longitude = Annotated[float, Meta(ge=-180, le=180, description="窗口核实的位置（经度）")]
WRITERS = allow(Role.COUNTER, Role.OFFICER)


class ContactChannel(Labelled):
    COUNTER = "counter", "窗口服务"
    PHONE = "phone", "电话"
    VISIT = "visit", "上门走访"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"
    OTHER = "other", "其他"


def purpose_of(purpose: str, role: Role | None = None) -> str:
    """The one check of every ``purpose``: an entry of the office's vocabulary, optional note (422).
    Routes an employer or an agency can call pass the caller's ``role``: the file may narrow theirs."""
    return purposes.check(purpose, role=role)


class ConsentsIn(Input):
    """Each flag: true grants, false refuses, absent records nothing."""

    data_processing: bool | None = None
    show_to_employers: bool | None = None
    job_push: bool | None = None


class PersonIn(Input):
    id_number: Annotated[str, Meta(pattern=r"^[0-9]{17}[0-9Xx]$", description="公民身份号码，18位")]
    name: Annotated[Line, Meta(min_length=1)]
    hukou_region_code: Region6
    urban_rural: UrbanRural
    residence_region_code: Region6 | None = None
    address: Address | None = None
    phone: Annotated[str, Meta(max_length=20, pattern=r"^[0-9+() -]*$")] | None = None
    household_id: Annotated[int, Meta(ge=1, le=MAX_ID)] | None = None
    education: Annotated[str, Meta(max_length=20, pattern=LINE)] | None = None
    land_lost: bool = False
    disability_certificate: Annotated[str, Meta(max_length=30, pattern=LINE)] | None = None
    disability_grade: Annotated[int, Meta(ge=1, le=4)] | None = None
    skills: Words = []
    wished_work: Words = []
    wished_schedules: Annotated[list[Schedule], Meta(max_length=4)] = []
    registered_unemployed_since: date | None = None
    poverty_registered_from: date | None = None
    poverty_registered_to: date | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    consents: ConsentsIn = msgspec.field(default_factory=ConsentsIn)


class PersonUpdateIn(Input):
    """What a person may change later at the counter; absent keys (and null ones but the address
    and the point) stay as they are. A key not listed here, a name say, is refused (400), as on
    every body; a body naming none of these is a 422 ("没有要修改的内容")."""

    phone: Annotated[str, Meta(max_length=20, pattern=r"^[0-9+() -]*$")] | None = None
    address: Address | None | UnsetType = UNSET
    """A new address naming another county moves the residence there, unless a code is given;
    null (or "") clears it."""
    residence_region_code: Region6 | None = None
    latitude: Latitude | None | UnsetType = UNSET
    longitude: Longitude | None | UnsetType = UNSET
    """A point the clerk corrects; null for both clears it (the county centre stands in again); a
    new address without one drops the old point."""
    skills: Words | None = None
    wished_work: Words | None = None
    wished_schedules: Annotated[list[Schedule], Meta(max_length=4)] | None = None


class PhoneLookupIn(Input):
    phone: Annotated[str, Meta(min_length=1, max_length=20, pattern=r"^[0-9+() -]*$")]
    purpose: PurposeField


class ConsentOut(msgspec.Struct):
    scope: ConsentScope
    label: str
    granted: bool
    recorded_at: datetime
    recorded_by: str


class RecognitionBrief(msgspec.Struct):
    id: int
    status: str
    status_label: str
    applied_on: date
    recognised_on: date | None


class PersonOut(msgspec.Struct):
    id: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    phone: str | None
    hukou_region_code: str
    hukou_region_name: str
    residence_region_code: str
    residence_region_name: str
    address: str | None
    location: LocationOut | None
    urban_rural: str
    household_id: int | None
    household_assistance: str | None
    """低保 status of the household: none / dibao / dibian."""
    zero_employment_household: bool | None
    education: str | None
    land_lost: bool
    disability_certificate: str | None
    disability_grade: int | None
    skills: list[str]
    wished_work: list[str]
    wished_schedules: list[str]
    registered_unemployed_since: date | None
    poverty_registered_from: date | None
    poverty_registered_to: date | None
    latitude: float | None
    longitude: float | None
    created_at: datetime
    consents: list[ConsentOut]
    tier: int | None
    recognitions: list[RecognitionBrief]


class PersonCard(msgspec.Struct):
    """The masked list view: no full name, no full ID number, no phone, health or 低保 detail."""

    id: int
    masked_name: str
    masked_id_number: str
    sex: str
    age_band: str
    hukou_region_code: str
    residence_region_code: str
    residence_region_name: str


class PersonPage(msgspec.Struct):
    total: int
    limit: int
    offset: int
    items: list[PersonCard]


class ConsentIn(Input):
    scope: ConsentScope
    granted: bool


class ContactIn(Input):
    contacted_on: date
    channel: ContactChannel
    note: Text | None = None


class ContactOut(msgspec.Struct):
    id: int
    contacted_on: date
    channel: str
    channel_label: str
    staff: str
    note: str | None


class ContactPage(msgspec.Struct):
    total: int
    limit: int
    offset: int
    items: list[ContactOut]


class AuditOut(msgspec.Struct):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    fields: list[str]
    purpose: str


class AuditPage(msgspec.Struct):
    total: int
    limit: int
    offset: int
    items: list[AuditOut]


def consent_out(r: ConsentRecord) -> ConsentOut:
    return ConsentOut(r.scope, r.scope.label, r.granted, r.recorded_at, r.recorded_by)


def person_out(record: PersonRecord) -> PersonOut:
    p, h = record.person, record.household
    return PersonOut(
        id=p.id,
        id_number=p.id_number,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        phone=p.phone,
        hukou_region_code=p.hukou_region_code,
        hukou_region_name=regions.full_name(p.hukou_region_code),
        residence_region_code=p.residence_region_code,
        residence_region_name=regions.full_name(p.residence_region_code),
        address=p.address,
        location=location_out(p.latitude, p.longitude, p.residence_region_code),
        urban_rural=p.urban_rural.value,
        household_id=p.household_id,
        household_assistance=h.assistance.value if h else None,
        zero_employment_household=h.zero_employment if h else None,
        education=p.education,
        land_lost=p.land_lost,
        disability_certificate=p.disability_certificate,
        disability_grade=p.disability_grade,
        skills=p.skills,
        wished_work=p.wished_work,
        wished_schedules=p.wished_schedules,
        registered_unemployed_since=p.registered_unemployed_since,
        poverty_registered_from=p.poverty_registered_from,
        poverty_registered_to=p.poverty_registered_to,
        latitude=p.latitude,
        longitude=p.longitude,
        created_at=p.created_at,
        consents=[consent_out(r) for r in record.consents],
        tier=record.tier,
        recognitions=[
            RecognitionBrief(r.id, r.status.value, r.status.label, r.applied_on, r.recognised_on)
            for r in record.recognitions
        ],
    )


def masked_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


class RecognitionIn(Input):
    categories: Annotated[
        list[Literal[1, 2, 3, 4, 5, 6, 7]], Meta(min_length=1, max_length=7, description="申请的 002 §1 类别 1–7")
    ]
    applied_on: date
    region_code: Region6 | None = None
    """The county where it is applied for: the hukou (default, 002 §2) or the residence county."""


class CategoryOut(msgspec.Struct):
    number: int
    clause: str
    label: str


def category_out(n: int) -> CategoryOut:
    return CategoryOut(n, f"002 §1({n})", CATEGORY_LABELS.get(n, ""))


class StepIn(Input):
    outcome: Literal["passed", "failed"]
    completed_on: date
    note: Text | None = None


class StepOut(msgspec.Struct):
    step: str
    label: str
    clause: str
    started_on: date | None
    due_on: date | None
    """The 5th working day after the start (002 §2); a plan for steps not yet started."""
    completed_on: date | None
    outcome: str
    outcome_label: str
    overdue: bool
    status: str
    officer: str | None = None
    note: str | None = None
    due_provisional: bool = False
    """True where the due date was counted over a year whose holiday arrangement is not loaded yet."""
    calendar_note: str | None = None
    """Why the due date is provisional, e.g. "2027 年放假安排未载入，按法定节假日推算，待国务院通知后复核"."""


class RecognitionOut(msgspec.Struct):
    id: int
    person_id: int
    region_code: str
    region_name: str
    categories: list[CategoryOut]
    status: str
    status_label: str
    applied_on: date
    recognised_on: date | None
    exited_on: date | None
    as_of: date
    steps: list[StepOut]


class TierIn(Input):
    tier: Annotated[int, Meta(ge=1, le=3, description="002 §4 (1)(2)(3)")]
    effective_from: date
    reason: Text | None = None


class TierOut(msgspec.Struct):
    id: int
    person_id: int
    tier: int
    duties: str
    effective_from: date
    effective_to: date | None
    assigned_by: str
    reason: str | None


class TierResult(msgspec.Struct):
    assigned: TierOut
    ended: TierOut | None
