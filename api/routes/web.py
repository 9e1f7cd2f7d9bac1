"""The counter page (``/ui``): static files of a thin client of this API (see api/web/app.js).
The files are public; everything they show comes through the API with the user's token.

``GET /slips`` composes the job slip a clerk prints for a walk-in: one or several posts, the
market's name and counter phone (``JIUYUAN_MARKET_NAME``, ``JIUYUAN_MARKET_PHONE``), pay without
stray decimals, the working time, and a QR code (``segno``, SVG) carrying the posting's reference
and the market's phone. Every line is text: a missing value is left out or says whom to ask,
never "null"."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import msgspec
import segno
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from jiuyuan import clock, regions
from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan.settings import get_settings
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import Role, Schedule
from ledger.models import JobPosting
from services.postings import Postings

WEB = Path(__file__).resolve().parent.parent / "web"


@get("/", include_in_schema=False, security=[])
async def home() -> Redirect:
    return Redirect("/ui/")


HOURS = {
    Schedule.DAILY: "日结：按天计酬，当日结算",
    Schedule.HOURLY: "小时工：按小时计酬",
    Schedule.PART_TIME: "非全日制：平均每日不超过4小时，每周不超过24小时（劳动合同法第六十八条）",
    Schedule.FULL_TIME: "全日制：每日不超过8小时，每周平均不超过44小时（劳动法第三十六条）",
}
"""What a schedule means for the working time, where the posting states no hours of its own."""
_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}\s*[-–—~～至到]\s*\d{1,2}[:：]\d{2}")


class SlipPost(msgspec.Struct):
    posting_id: int
    ref: str
    title: str
    kind: str
    employer: str
    pay: str
    """E.g. "136–149 元/天", "3000 元/月": whole yuan without ".00"."""
    hours: str
    place: str
    contact: str
    valid_until: str
    description: str
    qr_svg: str
    """A data: URI of the QR code's SVG (the posting's reference and the market's phone)."""
    qr_text: str


class Slip(msgspec.Struct):
    market_name: str
    market_phone: str
    printed_on: str
    posts: list[SlipPost]


def amount(value: Decimal) -> str:
    """136.00 → "136", 12.50 → "12.5": no stray decimals."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pay(p: JobPosting) -> str:
    low, high = amount(p.wage_min), amount(p.wage_max)
    return f"{low}{'' if low == high else f'–{high}'} {p.wage_unit.label}"


def hours(p: JobPosting) -> str:
    stated = _CLOCK.findall(p.description or "")
    return f"{'、'.join(stated)}（{p.schedule.label}）" if stated else HOURS[p.schedule]


def slip_post(p: JobPosting, market_name: str, market_phone: str) -> SlipPost:
    qr_text = f"岗位编号：{p.ref}\n岗位：{p.title}\n{market_name}电话：{market_phone or '请到窗口咨询'}"
    qr = segno.make(qr_text, error="m")
    return SlipPost(
        posting_id=p.id,
        ref=p.ref,
        title=p.title,
        kind=p.kind.label,
        employer=p.employer.name if p.employer else "请向窗口咨询",
        pay=pay(p),
        hours=hours(p),
        place=p.address or regions.full_name(p.region_code),
        contact=p.contact_phone or (f"{market_name} {market_phone}" if market_phone else f"请向{market_name}咨询"),
        valid_until=f"{p.valid_until:%Y年%-m月%-d日}",
        description=(p.description or "").strip(),
        qr_svg=qr.svg_data_uri(scale=4, border=2, title=f"岗位编号 {p.ref}"),
        qr_text=qr_text,
    )


@get(
    "/slips",
    operation_id="jobSlip",
    tags=["matching"],
    sync_to_thread=True,
    guards=[allow(Role.COUNTER, Role.OFFICER)],
    dependencies={"postings": service(Postings)},
    responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
    summary="岗位单：一个或多个岗位，含零工市场名称、窗口电话、工作时间、工资和二维码",
)
def job_slip(
    postings: NamedDependency[Postings],
    posting: Annotated[
        list[Annotated[int, QueryParameter(ge=1, le=MAX_ID)]],
        QueryParameter(min_items=1, max_items=10, description="岗位编号，可重复：posting=12&posting=15"),
    ],
) -> Slip:
    """The slip a clerk prints for a walk-in, one section per post (at most 10).

    Returns:
        The slip's lines as text, each post with its QR code as an SVG data URI; 404 for an unknown post.
    """
    if len(set(posting)) != len(posting):
        raise InvalidInput([FieldError("posting", "同一岗位只能列一次，请去掉重复的岗位编号")])
    market = get_settings().market
    return Slip(
        market_name=market.name,
        market_phone=market.phone or "请到窗口咨询",
        printed_on=f"{clock.today():%Y年%-m月%-d日}",
        posts=[slip_post(postings.get(i), market.name, market.phone) for i in posting],
    )


ROUTES = [
    job_slip,
    home,
    create_static_files_router(path="/ui", directories=[WEB], html_mode=True, include_in_schema=False),
]
