"""就业困难人员就业帮扶情况调度表 — the dispatch table of 000's annex.

How each column is counted (from the start date, 2023-02-01 by default, to the as-of date,
both included; the annex: "统计口径均为从2月1日起发生的累计数"):

1. 走访服务对象人次 — service contacts with a recognised person (one per contact).
2. 新认定就业困难人员人数 — recognitions whose recognition date falls in the period.
3. 专场招聘会次数 — special fairs for people with employment difficulty, online and on site.
4. 其中现场招聘会次数 — of 3, those held on site.
5. 专场招聘会提供就业岗位数 — posts offered at those fairs (线上线下). The annex's header
   was flattened when extracted: "线上线下" spans columns 5 and 6, and the love posts
   "其中…" are the part, so 5 is the whole and 6 the part (logic rule 5 ≥ 6).
6. 其中爱心岗位数 — of 5, love posts "无年龄限制、无技能要求".
7. 帮助就业困难人员实现就业人数 — persons, each counted once, by the first placement that
   started in the period while they were recognised.
8/9/10. 其中企业吸纳 / 灵活就业 / 自主创业 — 7 split by that placement's kind, so 7 = 8+9+10.
   A public-welfare placement is a job with an employing unit (用人单位): it is counted in 8.
11. 其中公益性岗位安置人数 — of 8, the public-welfare placements (so 8 ≥ 11, and 7 stays 8+9+10).
12. 职业技能培训人次 — training courses of recognised persons starting in the period.

A person's events belong to the county that recognised them (the recognition in force on
the event's date); fairs to the county that held them. Counties roll up to their city and
province by code.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan import regions, validation
from jiuyuan.errors import ReportRefused, RuleBreak
from jiuyuan.vocab import PlacementKind, RecognitionStatus
from ledger.models import JobFair, Placement, Recognition, ServiceContact, TrainingRecord

DEFAULT_START = date(2023, 2, 1)
FIRST_DUE = date(2023, 2, 15)
TITLE = "就业困难人员就业帮扶情况调度表"
UNITS = "单位：人、次、人次"
COLUMNS: tuple[tuple[int, str], ...] = (
    (1, "走访服务对象人次"),
    (2, "新认定就业困难人员人数"),
    (3, "举办就业困难人员线上线下专场招聘会次数"),
    (4, "其中现场招聘会次数"),
    (5, "就业困难人员专场招聘会提供就业岗位数"),
    (6, "其中“无年龄限制、无技能要求”爱心岗位数"),
    (7, "帮助就业困难人员实现就业人数"),
    (8, "其中企业吸纳人数"),
    (9, "其中灵活就业人数"),
    (10, "其中自主创业人数"),
    (11, "其中公益性岗位安置人数"),
    (12, "开展就业困难人员职业技能培训人次"),
)
NOTES = (
    "注：1.上述指标统计口径均为从2月1日起发生的累计数。",
    "2.逻辑关系：3≥4，5≥6，7=8+9+10；公益性岗位安置计入8（用人单位吸纳），11为8中的公益性岗位安置，8≥11。",
    "3.本调度表于每月15日和30日（2月为最后一日）从系统上报，第一次上报日期2023年2月15日。",
)


@dataclass
class DispatchRow:
    region: str
    name: str
    level: str
    values: list[int] = field(default_factory=lambda: [0] * 12)

    def add(self, column: int, n: int = 1) -> None:
        self.values[column - 1] += n


@dataclass
class DispatchTable:
    region: str
    start: date
    as_of: date
    rows: list[DispatchRow]

    @property
    def due_dates(self) -> list[date]:
        return due_dates(self.as_of.year, self.as_of.month)


def due_dates(year: int, month: int) -> list[date]:
    """The 15th and the 30th; in February the 30th is its last day (28 or 29)."""
    return [date(year, month, 15), date(year, month, min(30, calendar.monthrange(year, month)[1]))]


def next_due(day: date) -> date:
    """The first reporting day on or after ``day`` (never before 2023-02-15)."""
    day = max(day, FIRST_DUE)
    for due in due_dates(day.year, day.month):
        if due >= day:
            return due
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return due_dates(following.year, following.month)[0]


def check_rules(rows: list[DispatchRow]) -> None:
    breaks = []
    for row in rows:
        v = row.values
        if v[2] < v[3]:
            breaks.append(RuleBreak(row.region, "3≥4", f"3={v[2]}，4={v[3]}"))
        if v[4] < v[5]:
            breaks.append(RuleBreak(row.region, "5≥6", f"5={v[4]}，6={v[5]}"))
        if v[6] != v[7] + v[8] + v[9]:
            breaks.append(RuleBreak(row.region, "7=8+9+10", f"7={v[6]}，8+9+10={v[7] + v[8] + v[9]}"))
        if v[7] < v[10]:
            breaks.append(RuleBreak(row.region, "8≥11", f"8={v[7]}，11={v[10]}"))
    if breaks:
        raise ReportRefused(breaks)


def _recognition_county(recs: list[Recognition], day: date) -> str | None:
    for r in recs:
        if r.recognised_on and r.recognised_on <= day and (r.exited_on is None or day <= r.exited_on):
            return r.region_code
    return None


def build(session: Session, region: str, as_of: date, start: date = DEFAULT_START) -> DispatchTable:
    """The table for every county under ``region`` (a 2-, 4- or 6-digit prefix), with rollups."""
    prefix = validation.region_prefix(region)
    counties: dict[str, DispatchRow] = {
        r.code: DispatchRow(r.code, regions.full_name(r.code), "county") for r in regions.current_counties(prefix)
    }
    if len(prefix) == 6 and prefix not in counties:
        counties[prefix] = DispatchRow(prefix, regions.full_name(prefix), "county")

    def row(code: str) -> DispatchRow:
        return counties.setdefault(code, DispatchRow(code, regions.full_name(code), "county"))

    recs_by_person: dict[int, list[Recognition]] = defaultdict(list)
    for r in session.scalars(
        select(Recognition).where(
            Recognition.region_code.startswith(prefix),
            Recognition.status.in_([RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED]),
        )
    ):
        recs_by_person[r.person_id].append(r)
        if r.recognised_on and start <= r.recognised_on <= as_of:
            row(r.region_code).add(2)
    # A subquery, not a list of ids: a province has more persons than a statement may carry parameters.
    people = select(Recognition.person_id).where(Recognition.region_code.startswith(prefix))

    for c in session.scalars(
        select(ServiceContact).where(
            ServiceContact.person_id.in_(people), ServiceContact.contacted_on.between(start, as_of)
        )
    ):
        if county := _recognition_county(recs_by_person[c.person_id], c.contacted_on):
            row(county).add(1)

    for fair in session.scalars(
        select(JobFair).where(
            JobFair.region_code.startswith(prefix), JobFair.for_difficult_persons, JobFair.held_on.between(start, as_of)
        )
    ):
        r = row(fair.region_code)
        r.add(3)
        r.add(4, 0 if fair.online else 1)
        r.add(5, fair.posts_offered)
        r.add(6, fair.love_posts_offered)

    first_placement: dict[int, tuple[Placement, str]] = {}
    for p in session.scalars(
        select(Placement)
        .where(Placement.person_id.in_(people), Placement.start_date.between(start, as_of))
        .order_by(Placement.start_date, Placement.id)
    ):
        if p.person_id in first_placement:
            continue
        if county := _recognition_county(recs_by_person[p.person_id], p.start_date):
            first_placement[p.person_id] = (p, county)
    for p, county in first_placement.values():
        r = row(county)
        r.add(7)
        if p.kind in (PlacementKind.EMPLOYER_ABSORPTION, PlacementKind.PUBLIC_WELFARE):
            r.add(8)
            if p.kind is PlacementKind.PUBLIC_WELFARE:
                r.add(11)
        elif p.kind is PlacementKind.FLEXIBLE:
            r.add(9)
        else:
            r.add(10)

    for t in session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.person_id.in_(people), TrainingRecord.start_date.between(start, as_of)
        )
    ):
        if county := _recognition_county(recs_by_person[t.person_id], t.start_date):
            row(county).add(12)

    rows = sorted(counties.values(), key=lambda r: r.region)
    rows = _with_rollups(rows, prefix)
    check_rules(rows)
    return DispatchTable(region=prefix, start=start, as_of=as_of, rows=rows)


def _with_rollups(counties: list[DispatchRow], prefix: str) -> list[DispatchRow]:
    """County rows, each city's total after its counties, the province total last."""
    out: list[DispatchRow] = []
    cities: dict[str, list[DispatchRow]] = defaultdict(list)
    for r in counties:
        cities[r.region[:4]].append(r)
    for city, rows in sorted(cities.items()):
        out.extend(rows)
        if len(prefix) <= 4:
            code = city + "00"
            total = DispatchRow(code, regions.full_name(code) + "合计", "city")
            total.values = [sum(col) for col in zip(*(r.values for r in rows), strict=True)]
            out.append(total)
    if len(prefix) == 2:
        code = prefix + "0000"
        total = DispatchRow(code, regions.full_name(code) + "合计", "province")
        total.values = [sum(col) for col in zip(*(r.values for r in counties), strict=True)]
        out.append(total)
    return out
