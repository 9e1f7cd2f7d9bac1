"""Writing rows from outside input: validate every field first, write only when all are right.

Each ``clean_*`` turns a mapping (a JSON body, a CSV row) into column values or raises
:class:`~jiuyuan.InvalidInput` listing every wrong field in Chinese. Each
``add_*`` cleans, then inserts in the caller's transaction; a duplicate natural key
becomes :class:`Duplicate`, also named by field, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan import validation as v
from jiuyuan.errors import Duplicate, FieldError, InvalidInput
from jiuyuan.vocab import PlacementKind, PostingKind, Schedule, UrbanRural, WageUnit
from ledger import changes, places
from ledger.models import Employer, HrAgency, JobPosting, Person, Placement


def _choice(enum_cls, label: str):
    def parse(value):
        try:
            return enum_cls(value)
        except ValueError:
            allowed = "、".join(f"{m.value}（{m.label}）" for m in enum_cls)
            raise ValueError(f"{label}只能是：{allowed}") from None

    return parse


def _required_text(max_len: int, label: str):
    def parse(value):
        text = str(value or "").strip()
        if not text:
            raise ValueError(f"请填写{label}")
        if len(text) > max_len:
            raise ValueError(f"{label}不能超过{max_len}个字")
        return text

    return parse


def _int_between(low: int, high: int, label: str):
    def parse(value):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{label}应为整数") from None
        if isinstance(value, float) and value != number:
            raise ValueError(f"{label}应为整数")
        if not low <= number <= high:
            raise ValueError(f"{label}应在{low}到{high}之间")
        return number

    return parse


_TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
_FALSE = {"0", "false", "no", "n", "否", "无", ""}


def _flag(label: str):
    """A yes/no field as offices write it (CSV: 是/否, 1/0, true/false)."""

    def parse(value):
        if isinstance(value, bool) or value is None:
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{label}应填“是”或“否”")

    return parse


def _optional_text(max_len: int, label: str):
    def parse(value):
        text = str(value).strip() if value is not None else ""
        if len(text) > max_len:
            raise ValueError(f"{label}不能超过{max_len}个字")
        return text or None

    return parse


def _optional_id(c: v.Checker, data: Mapping[str, Any], key: str, label: str) -> int | None:
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    return c.check(key, _int_between(1, v.MAX_ID, label), raw)


def _word_list(value) -> list[str]:
    if value is None or value == "":
        return []
    items = value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("应为词语列表")
    return [str(i).strip() for i in items if str(i).strip()]


def _optional(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key)
    return None if value is None or value == "" else value


EARLIEST = date(2000, 1, 1)
"""No placement or posting this service records began before 2000: an input bound (issue 17),
since a placement's start drives fee claims and 1900 or 9999 was accepted."""


HORIZON = 10
"""Years past today that a date in a body may reach: an input bound, not a policy figure."""


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _within(c: v.Checker, key: str, day: date | None, earliest: date, latest: date, label: str) -> None:
    if day is not None and not earliest <= day <= latest:
        c.fail(key, f"{label}应在 {earliest} 至 {latest} 之间")


def clean_person(data: Mapping[str, Any]) -> dict[str, Any]:
    c = v.Checker()
    ident = c.check("id_number", v.id_number, data.get("id_number"))
    row: dict[str, Any] = {
        "name": c.check("name", _required_text(40, "姓名"), data.get("name")),
        "hukou_region_code": c.check("hukou_region_code", v.region_code, data.get("hukou_region_code")),
        "urban_rural": c.check("urban_rural", _choice(UrbanRural, "城乡类别"), data.get("urban_rural")),
        "phone": c.check("phone", v.phone, data["phone"]) if _optional(data, "phone") else None,
        "household_id": _optional_id(c, data, "household_id", "家庭编号"),
        "education": c.check("education", _optional_text(20, "学历"), data.get("education")),
        "land_lost": c.check("land_lost", _flag("失地"), data.get("land_lost")),
        "disability_certificate": c.check(
            "disability_certificate", _optional_text(30, "残疾证号"), data.get("disability_certificate")
        ),
        "skills": c.check("skills", _word_list, data.get("skills")),
        "wished_work": c.check("wished_work", _word_list, data.get("wished_work")),
        "wished_schedules": [
            s.value
            for s in c.check(
                "wished_schedules",
                lambda xs: [_choice(Schedule, "可工作时间")(x) for x in _word_list(xs)],
                data.get("wished_schedules"),
            )
            or []
        ],
    }
    # Residence: the county given, else the one the address names, else the hukou county.
    row["residence_region_code"], row["address"] = places.region_and_address(
        c, data, "residence_region_code", "居住地区县", fallback=data.get("hukou_region_code")
    )
    if ident:
        row.update(id_number=ident.number, birth_date=ident.birth_date, sex=ident.sex)
    if _optional(data, "disability_grade") is not None:
        row["disability_grade"] = c.check("disability_grade", _int_between(1, 4, "残疾等级"), data["disability_grade"])
    for key in ("registered_unemployed_since", "poverty_registered_from", "poverty_registered_to"):
        row[key] = c.check(key, v.a_date, data[key]) if _optional(data, key) else None
    today = clock.today()
    # Unemployment is registered after birth and never in the future.
    born = ident.birth_date if ident else date(1900, 1, 1)
    _within(c, "registered_unemployed_since", row["registered_unemployed_since"], born, today, "失业登记日期")
    _within(c, "poverty_registered_from", row["poverty_registered_from"], EARLIEST, today, "建档立卡起始日期")
    _within(
        c,
        "poverty_registered_to",
        row["poverty_registered_to"],
        EARLIEST,
        _years_after(today, HORIZON),
        "建档立卡截止日期",
    )
    v.date_range(
        c,
        "poverty_registered_from",
        row["poverty_registered_from"],
        "poverty_registered_to",
        row["poverty_registered_to"],
    )
    row["latitude"], row["longitude"] = places.coordinates(c, data)
    places.check_point(c, row["residence_region_code"], row["latitude"], row["longitude"])
    c.raise_if_any()
    return row


def _organisation(data: Mapping[str, Any], c: v.Checker) -> dict[str, Any]:
    return {
        "uscc": c.check("uscc", v.social_credit_code, data.get("uscc")),
        "name": c.check("name", _required_text(100, "单位名称"), data.get("name")),
        "region_code": c.check("region_code", v.region_code, data.get("region_code")),
    }


def _located_organisation(data: Mapping[str, Any], c: v.Checker) -> dict[str, Any]:
    """An organisation whose address may name its county in place of the code."""
    row = {
        "uscc": c.check("uscc", v.social_credit_code, data.get("uscc")),
        "name": c.check("name", _required_text(100, "单位名称"), data.get("name")),
    }
    row["region_code"], row["address"] = places.region_and_address(c, data, "region_code", "所在区县")
    return row


def clean_employer(data: Mapping[str, Any]) -> dict[str, Any]:
    c = v.Checker()
    row = _located_organisation(data, c)
    row.update(
        small_micro=c.check("small_micro", _flag("小微企业"), data.get("small_micro")),
        founded_on=c.check("founded_on", v.a_date, data["founded_on"]) if _optional(data, "founded_on") else None,
        insured_headcount=c.check(
            "insured_headcount", _int_between(0, 10_000_000, "参保人数"), data["insured_headcount"]
        )
        if _optional(data, "insured_headcount") is not None
        else None,
        contact_phone=c.check("contact_phone", v.phone, data["contact_phone"])
        if _optional(data, "contact_phone")
        else None,
    )
    row["latitude"], row["longitude"] = places.coordinates(c, data)
    places.check_point(c, row["region_code"], row["latitude"], row["longitude"])
    c.raise_if_any()
    return row


def clean_agency(data: Mapping[str, Any]) -> dict[str, Any]:
    c = v.Checker()
    row = _organisation(data, c)
    row["licence_no"] = c.check("licence_no", _optional_text(40, "许可证编号"), data.get("licence_no"))
    row["licence_valid_until"] = (
        c.check("licence_valid_until", v.a_date, data["licence_valid_until"])
        if _optional(data, "licence_valid_until")
        else None
    )
    c.raise_if_any()
    return row


def clean_posting(data: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """``today``: also refuse a validity that already ended or lies implausibly far (a new posting;
    ``add_posting`` passes it, a posting edited or checked alone is judged on its fields)."""
    c = v.Checker()
    kind = c.check("kind", _choice(PostingKind, "岗位类型"), data.get("kind"))
    row: dict[str, Any] = {
        "ref": c.check("ref", _required_text(40, "岗位编号"), data.get("ref")),
        "employer_id": _optional_id(c, data, "employer_id", "用人单位编号"),
        "title": c.check("title", _required_text(100, "岗位名称"), data.get("title")),
        "description": str(data.get("description") or "").strip(),
        "kind": kind,
        "schedule": c.check("schedule", _choice(Schedule, "工作时间类型"), data.get("schedule")),
        "wage_unit": c.check("wage_unit", _choice(WageUnit, "工资单位"), data.get("wage_unit")),
        "wage_min": c.check("wage_min", v.money, data.get("wage_min")),
        "disabled_suitable": c.check("disabled_suitable", _flag("适合残疾人"), data.get("disabled_suitable")),
        "skills_required": c.check("skills_required", _word_list, data.get("skills_required")) or [],
        "headcount": c.check("headcount", _int_between(1, 100_000, "招聘人数"), data.get("headcount", 1)),
        "valid_from": c.check("valid_from", v.a_date, data.get("valid_from")),
        "valid_until": c.check("valid_until", v.a_date, data.get("valid_until")),
        "contact_phone": c.check("contact_phone", v.phone, data["contact_phone"])
        if _optional(data, "contact_phone")
        else None,
    }
    row["region_code"], row["address"] = places.region_and_address(c, data, "region_code", "工作地点区县")
    row["wage_max"] = (
        c.check("wage_max", v.money, data["wage_max"]) if _optional(data, "wage_max") is not None else row["wage_min"]
    )
    if row["wage_min"] is not None and row["wage_max"] is not None and row["wage_max"] < row["wage_min"]:
        c.fail("wage_max", "最高工资不能低于最低工资")
    for key, label in (("age_min", "最低年龄"), ("age_max", "最高年龄")):
        raw = _optional(data, key)
        row[key] = c.check(key, _int_between(16, 100, label), raw) if raw is not None else None
    if row["age_min"] and row["age_max"] and row["age_max"] < row["age_min"]:
        c.fail("age_max", "最高年龄不能低于最低年龄")
    if kind is PostingKind.LOVE:
        # 000 §2: 爱心岗位 "无年龄限制、无技能要求".
        if row["age_min"] is not None or row["age_max"] is not None:
            c.fail("age_min", "爱心岗位无年龄限制，不能填写年龄要求")
        if row["skills_required"]:
            c.fail("skills_required", "爱心岗位无技能要求，不能填写技能要求")
    v.date_range(c, "valid_from", row["valid_from"], "valid_until", row["valid_until"])
    until, since = row["valid_until"], row["valid_from"]
    if today is None or until is None or (since is not None and until < since):
        pass  # not a new posting, or date_range named it already
    elif until < today:
        c.fail("valid_until", f"有效期已过（{until}），不能发布已结束的岗位")
    elif until > _years_after(today, HORIZON):
        c.fail("valid_until", f"有效期止应不晚于 {_years_after(today, HORIZON)}")
    if today is not None:
        _within(c, "valid_from", since, EARLIEST, _years_after(today, 1), "有效期起")
    row["latitude"], row["longitude"] = places.coordinates(c, data)
    places.check_point(c, row["region_code"], row["latitude"], row["longitude"])
    c.raise_if_any()
    return row


def _reason(min_len: int, label: str):
    def parse(value):
        text = _required_text(500, label)(value)
        if len(text) < min_len:
            raise ValueError(f"{label}至少写{min_len}个字")
        return text

    return parse


def _placement_dates(c: v.Checker, data: Mapping[str, Any], start: date | None, end: date | None, today: date) -> None:
    """A placement starts from 2000 to a year from today: a start drives fee claims, and 1900 and
    9999 were accepted. A start more than a year back may carry a ``backdate_reason``, which only
    officers give (``services.placements``) and the audit log keeps."""
    given = _optional(data, "backdate_reason") is not None
    reason = c.check("backdate_reason", _reason(4, "补录理由"), data["backdate_reason"]) if given else None
    a_year_ago, latest = _years_after(today, -1), _years_after(today, 1)
    if end is not None and end > _years_after(today, HORIZON):
        c.fail("end_date", f"结束日期不能晚于 {_years_after(today, HORIZON)}")
    if start is None:
        return
    if start < EARLIEST:
        c.fail("start_date", f"开始日期不能早于 {EARLIEST}")
    elif start > latest:
        c.fail("start_date", f"开始日期不能晚于一年以后（{latest}）")
    elif start >= a_year_ago and reason is not None:
        c.fail("backdate_reason", f"只有补录开始日期早于 {a_year_ago} 的安置才填写补录理由")


def clean_placement(data: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    c = v.Checker()
    row: dict[str, Any] = {
        "person_id": c.check("person_id", _int_between(1, v.MAX_ID, "人员编号"), data.get("person_id")),
        "kind": c.check("kind", _choice(PlacementKind, "就业方式"), data.get("kind")),
        "posting_id": _optional_id(c, data, "posting_id", "岗位编号"),
        "employer_id": _optional_id(c, data, "employer_id", "用人单位编号"),
        "agency_id": _optional_id(c, data, "agency_id", "服务机构编号"),
        "start_date": c.check("start_date", v.a_date, data.get("start_date")),
        "end_date": c.check("end_date", v.a_date, data["end_date"]) if _optional(data, "end_date") else None,
        "full_time": c.check("full_time", _flag("全日制"), data.get("full_time", True)),
        "rural_post": c.check("rural_post", _flag("乡村岗位"), data.get("rural_post")),
        "temporary_public_welfare": c.check(
            "temporary_public_welfare", _flag("临时性公益性岗位"), data.get("temporary_public_welfare")
        ),
        "monthly_wage": c.check("monthly_wage", v.money, data["monthly_wage"])
        if _optional(data, "monthly_wage") is not None
        else None,
        "contract_months": c.check("contract_months", _int_between(0, 600, "合同期限（月）"), data["contract_months"])
        if _optional(data, "contract_months") is not None
        else None,
        "weekly_hours": c.check("weekly_hours", _int_between(0, 84, "每周工时"), data["weekly_hours"])
        if _optional(data, "weekly_hours") is not None
        else None,
    }
    v.date_range(c, "start_date", row["start_date"], "end_date", row["end_date"])
    _placement_dates(c, data, row["start_date"], row["end_date"], today or clock.today())
    c.raise_if_any()
    return row


def _insert_new(session: Session, model, row: dict[str, Any], key: str, message: str, within: str | None = None):
    """Insert ``row`` unless a row with the same natural ``key`` exists (then :class:`Duplicate`);
    ``within``: the key is unique only among rows with the same value there (NULL among NULLs),
    and a row elsewhere with that key is never mentioned.

    The look-up answers the common case; the savepoint catches the race where another
    request inserts the same key in between, so that too is a Duplicate, not an error."""
    same = getattr(model, key) == row[key]
    if within is not None:
        column = getattr(model, within)
        same = and_(same, column.is_(None) if row[within] is None else column == row[within])
    if session.scalar(select(model.id).where(same)) is not None:
        raise Duplicate(key, message)
    obj = model(**row)
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError:
        if session.scalar(select(model.id).where(same)) is not None:
            raise Duplicate(key, message) from None
        raise
    return obj


def add_person(session: Session, data: Mapping[str, Any]) -> Person:
    return _insert_new(session, Person, clean_person(data), "id_number", "该身份证号码已登记")


def add_employer(session: Session, data: Mapping[str, Any]) -> Employer:
    return _insert_new(session, Employer, clean_employer(data), "uscc", "该统一社会信用代码已登记")


def add_agency(session: Session, data: Mapping[str, Any]) -> HrAgency:
    return _insert_new(session, HrAgency, clean_agency(data), "uscc", "该统一社会信用代码已登记")


def add_posting(session: Session, data: Mapping[str, Any]) -> JobPosting:
    row = clean_posting(data, clock.today())
    if row["employer_id"] is not None and session.get(Employer, row["employer_id"]) is None:
        raise InvalidInput([FieldError("employer_id", "用人单位不存在")])
    # Per employer: another employer's use of the same number is neither an error nor told.
    posting = _insert_new(session, JobPosting, row, "ref", "该用人单位已有此岗位编号", within="employer_id")
    changes.record(session, [posting.id], "upsert")
    return posting


def add_placement(session: Session, data: Mapping[str, Any], person_hidden: bool = False) -> Placement:
    """Validate and add a placement. ``person_hidden``: answer as if the person did not exist (an
    HR agency the person has not authorised: ``services.authorisations``), so the answer is the
    very one a nonexistent id gets, field errors and all, and nothing is written."""
    row = clean_placement(data)
    refs = (
        ("person_id", Person, "人员不存在"),
        ("employer_id", Employer, "用人单位不存在"),
        ("agency_id", HrAgency, "人力资源服务机构不存在"),
        ("posting_id", JobPosting, "岗位不存在"),
    )
    missing = [
        FieldError(f, msg)
        for f, model, msg in refs
        if row[f] is not None and ((f == "person_id" and person_hidden) or session.get(model, row[f]) is None)
    ]
    if missing:
        raise InvalidInput(missing)
    placement = Placement(**row)
    session.add(placement)
    session.flush()
    return placement
