"""Intake of a case's history over time (issue 15): social-insurance contributions, the end of a
placement, in-post confirmations, life events (002 §5), officers' rulings and the retirement
category. Validated at the edge like the rest of ``ledger.intake``, whose helpers it uses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan import validation as v
from jiuyuan.errors import Duplicate
from jiuyuan.vocab import LEFT_REASONS, PlacementKind
from ledger.intake import _optional, _optional_text, _reason, _required_text
from ledger.models import Contribution, Person, Placement

PAYERS = {"employer": "单位缴纳", "personal": "个人缴纳（灵活就业）"}
INSURANCES = {"pension": "基本养老保险", "medical": "基本医疗保险", "unemployment": "失业保险"}
RETIREMENT_CATEGORIES = {
    "male": "男职工",
    "female_55": "女干部，或以灵活就业人员身份参保的女性",
    "female_50": "女工人",
}
LIFE_EVENTS = {
    "management_role": "担任企业法定代表人、董事或监事（002 §5(1)）",
    "management_role_ended": "不再担任企业法定代表人、董事或监事",
    "left_labour_market": "退出劳动力市场（002 §5(3)）",
    "pension": "开始领取基本养老金（002 §5(2)）",
}
RULING_QUESTIONS = {"public_welfare_beyond_limit": "公益性岗位安置次数原则上不超过2次（002 §5），超过须经办人员审批"}
CONTRIBUTION_LABELS = {
    "id_number": "公民身份号码",
    "month": "费款所属期",
    "payer": "缴费主体",
    "insurance": "险种",
    "amount": "缴费金额",
    "source": "数据来源",
}
_MONTH_FORMS = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))(?:\s*[-/.]\s*\d{1,2}\s*日?)?")


def month(value: Any) -> str:
    """A month as ``YYYY-MM``, typed as offices do: 202611, 2026-11, 2026/11, 2026年11月 (a date
    cell, 2026-11-01, names its month)."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError("请填写缴费月份")
    found = _MONTH_FORMS.fullmatch(text)
    number = int(found[2] or found[3]) if found else 0
    if not found or not 1 <= number <= 12 or not 1990 <= int(found[1]) <= 2200:
        raise ValueError(f"“{text}”不是有效的月份，应写作 2026-11、202611 或 2026年11月")
    label = f"{int(found[1]):04d}-{number:02d}"
    if label > f"{clock.today():%Y-%m}":  # a contribution is a payment made, never a plan
        raise ValueError(f"{label} 尚未到来，只能登记已缴费的月份")
    return label


def _in(labels: Mapping[str, str], label: str):
    def parse(value):
        if value in labels:
            return value
        raise ValueError(f"{label}只能是：{'、'.join(f'{k}（{v}）' for k, v in labels.items())}")

    return parse


def _contribution_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], v.Checker]:
    c = v.Checker()
    ident = c.check("id_number", v.id_number, data.get("id_number"))
    row = {
        "id_number": ident.number if ident else None,
        "month": c.check("month", month, data.get("month")),
        "payer": c.check("payer", _in(PAYERS, "缴费主体"), data.get("payer")),
        "insurance": c.check("insurance", _in(INSURANCES, "险种"), data.get("insurance")),
        "amount": c.check("amount", v.money, data.get("amount")),
        "source": c.check("source", _required_text(200, "数据来源"), data.get("source")),
    }
    return row, c


def clean_contribution(data: Mapping[str, Any]) -> dict[str, Any]:
    """One month of one insurance by one payer; ``id_number`` stays to be looked up."""
    row, c = _contribution_fields(data)
    c.raise_if_any()
    return row


def contribution_key(data: Mapping[str, Any]) -> str:
    """The natural key (person, month, payer, insurance) of a row as given; "" when a part is wrong."""
    try:
        return "|".join(
            (str(data["id_number"]).strip().upper(), month(data["month"]), str(data["payer"]), str(data["insurance"]))
        )
    except (KeyError, ValueError):
        return ""


def _overlaps(p: Placement, ym: str) -> bool:
    first = date(int(ym[:4]), int(ym[5:]), 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return p.start_date < after and (p.end_date is None or p.end_date >= first)


def _period(p: Placement) -> str:
    return f"安置 #{p.id}：{p.start_date} 起" + (f"，{p.end_date} 止" if p.end_date else "")


def add_contribution(session: Session, data: Mapping[str, Any], actor: str, reach=None) -> Contribution:
    """Validate one contribution row and add it to the placement its month falls in.

    ``reach(person)`` says whether the caller may touch the person; one out of reach is answered
    as one not registered. A row already stored (person, month, payer, insurance) is a Duplicate."""
    row, c = _contribution_fields(data)  # every wrong field at once, the month's placement too
    number = row.pop("id_number")
    person = session.scalar(select(Person).where(Person.id_number == number)) if number else None
    if number and (person is None or (reach is not None and not reach(person))):
        person = None  # out of reach: answered as not registered, and nothing about it is said
        c.fail("id_number", "该身份证号码未在台账中登记（或不在您的管辖范围内）")
    if person is None or row["month"] is None or row["payer"] is None:
        c.raise_if_any()
        raise AssertionError("unreachable: a field error is recorded")  # pragma: no cover
    kinds = (
        (PlacementKind.EMPLOYER_ABSORPTION, PlacementKind.PUBLIC_WELFARE)
        if row["payer"] == "employer"
        else (PlacementKind.FLEXIBLE,)
    )
    where = "单位就业（企业吸纳或公益性岗位）" if row["payer"] == "employer" else "灵活就业"
    candidates = list(
        session.scalars(
            select(Placement)
            .where(Placement.person_id == person.id, Placement.kind.in_(kinds))
            .order_by(Placement.start_date.desc(), Placement.id.desc())
        )
    )
    placement = next((p for p in candidates if _overlaps(p, row["month"])), None)
    if placement is None:
        periods = "；".join(_period(p) for p in candidates) or "此人没有该类安置记录"
        c.fail("month", f"{row['month']} 不在此人{where}期间内（{periods}）")
    c.raise_if_any()
    same = session.scalar(
        select(Contribution).where(
            Contribution.person_id == person.id,
            Contribution.month == row["month"],
            Contribution.payer == row["payer"],
            Contribution.insurance == row["insurance"],
        )
    )
    if same is not None:
        raise Duplicate(
            "month",
            f"{row['month']} {PAYERS[row['payer']]}的{INSURANCES[row['insurance']]}已登记"
            f"（{same.amount} 元，来源：{same.source}），不能重复登记",
        )
    contribution = Contribution(person_id=person.id, placement_id=placement.id, recorded_by=actor[:60], **row)
    session.add(contribution)
    session.flush()
    return contribution


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def clean_placement_end(data: Mapping[str, Any], start: date, today: date) -> dict[str, Any]:
    c = v.Checker()
    end = c.check("end_date", v.a_date, data.get("end_date"))
    if end is not None and end < start:
        c.fail("end_date", f"结束日期不能早于安置开始日期（{start}）")
    elif end is not None and end > _a_year_after(today):
        c.fail("end_date", "结束日期不能晚于一年以后")
    row = {"end_date": end, "end_reason": c.check("reason", _required_text(500, "结束原因"), data.get("reason"))}
    c.raise_if_any()
    return row


def clean_confirmation(data: Mapping[str, Any], start: date, today: date) -> dict[str, Any]:
    c = v.Checker()
    day = c.check("confirmed_on", v.a_date, data.get("confirmed_on"))
    if day is not None and day > today:
        c.fail("confirmed_on", "核实日期不能晚于今天")
    elif day is not None and day < start:
        c.fail("confirmed_on", f"核实日期不能早于安置开始日期（{start}）")
    in_post = data.get("in_post")
    if not isinstance(in_post, bool):
        c.fail("in_post", "是否在岗应为 true 或 false")
    row = {
        "confirmed_on": day,
        "in_post": in_post,
        "note": c.check("note", _optional_text(500, "备注"), data.get("note")),
    }
    c.raise_if_any()
    return row


def clean_life_event(data: Mapping[str, Any], born: date, today: date) -> dict[str, Any]:
    c = v.Checker()
    kind = c.check("kind", _in(LIFE_EVENTS, "事项"), data.get("kind"))
    day = c.check("happened_on", v.a_date, data.get("happened_on"))
    if day is not None and day > today:
        c.fail("happened_on", "发生日期不能晚于今天")
    elif day is not None and day < born:
        c.fail("happened_on", f"发生日期不能早于出生日期（{born}）")
    reason = _optional(data, "reason")
    if kind == "left_labour_market":
        if reason is None:
            c.fail(
                "reason",
                f"退出劳动力市场须填写原因（002 §5(3)）：{'、'.join(f'{k}（{v}）' for k, v in LEFT_REASONS.items())}",
            )
        else:
            c.check("reason", _in(LEFT_REASONS, "退出劳动力市场的原因"), reason)
    elif reason is not None:
        c.fail("reason", "只有“退出劳动力市场”须填写原因")
    row = {
        "kind": kind,
        "happened_on": day,
        "reason": reason,
        "note": c.check("note", _optional_text(500, "备注"), data.get("note")),
    }
    c.raise_if_any()
    return row


def clean_ruling(data: Mapping[str, Any]) -> dict[str, Any]:
    c = v.Checker()
    approved = data.get("approved")
    if not isinstance(approved, bool):
        c.fail("approved", "是否批准应为 true 或 false")
    row = {
        "question": c.check("question", _in(RULING_QUESTIONS, "审批事项"), data.get("question")),
        "approved": approved,
        "reason": c.check("reason", _reason(4, "审批理由"), data.get("reason")),
    }
    c.raise_if_any()
    return row


def clean_retirement_category(value: Any, sex: str) -> str:
    c = v.Checker()
    category = c.check("category", _in(RETIREMENT_CATEGORIES, "原法定退休年龄类别"), value)
    if category is not None and (category == "male") != (sex == "M"):
        c.fail("category", f"与身份证号码的性别（{'男' if sex == 'M' else '女'}）不符")
    c.raise_if_any()
    return str(category)
