"""困难群体就业精准帮扶行动进度表 — the monthly progress table of 003's annex (due on the 25th).

Counted for one calendar month, per county, for the target groups of 003 §2 (difficult
persons, unemployed members of 低保/低边 families, certified disabled people, members of
zero-employment families), each person under their hukou county:

- 本期帮扶困难群体就业总人数 — persons in a target group whose first placement of the month
  started in it; split without overlap into 灵活就业, 用人单位吸纳, 自主创业 and 公益性岗位安置
  by that placement's kind, so the four add up to the total.
- 项目帮扶人数 — of the total, those placed through an HR agency (003 §3(5) projects).
- 享受临时生活补贴人数 — persons with an eligible temporary living allowance (003 §3(6))
  decision covering a day of the month; not a placement, so outside the total.
- 新认定就业困难人员人数 — recognitions dated in the month.
- 帮扶就业困难人员就业人数 — of the total, recognised difficult persons.
- 期末仍需帮扶就业困难人员人数 — persons recognised on the month's last day with no
  placement in post that day.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jiuyuan import regions, validation
from jiuyuan.errors import ReportRefused, RuleBreak
from jiuyuan.vocab import AssistanceStatus, DecisionStatus, PlacementKind, RecognitionStatus
from ledger.models import Household, Person, Placement, Recognition, SubsidyDecision

TITLE = "困难群体就业精准帮扶行动进度表（月）"
OUTCOMES = (
    "实现灵活就业人数",
    "用人单位吸纳人数",
    "自主创业人数",
    "公益性岗位安置人数",
    "项目帮扶人数",
    "享受临时生活补贴人数",
)
COLUMNS = (
    "本期帮扶困难群体就业总人数",
    *OUTCOMES,
    "新认定就业困难人员人数",
    "帮扶就业困难人员就业人数",
    "期末仍需帮扶就业困难人员人数",
)
DUE_DAY = 25
_KIND_COLUMN = {
    PlacementKind.FLEXIBLE: 1,
    PlacementKind.EMPLOYER_ABSORPTION: 2,
    PlacementKind.SELF_EMPLOYED: 3,
    PlacementKind.PUBLIC_WELFARE: 4,
}


@dataclass
class ProgressRow:
    region: str
    name: str
    values: list[int] = field(default_factory=lambda: [0] * len(COLUMNS))


@dataclass
class ProgressTable:
    region: str
    month: str
    rows: list[ProgressRow]

    @property
    def due_on(self) -> date:
        """003 §4(1): 每月25日报送 — the 25th of the month after the one reported."""
        year, month = map(int, self.month.split("-"))
        return date(year + month // 12, month % 12 + 1, DUE_DAY)


def check_rules(rows: list[ProgressRow]) -> None:
    breaks = []
    for row in rows:
        v = row.values
        if v[0] != v[1] + v[2] + v[3] + v[4]:
            breaks.append(
                RuleBreak(
                    row.region,
                    "总人数=灵活就业+用人单位吸纳+自主创业+公益性岗位安置",
                    f"{v[0]} ≠ {v[1] + v[2] + v[3] + v[4]}",
                )
            )
        if v[5] > v[0]:
            breaks.append(RuleBreak(row.region, "项目帮扶人数≤总人数", f"{v[5]} > {v[0]}"))
        if v[8] > v[0]:
            breaks.append(RuleBreak(row.region, "帮扶就业困难人员就业人数≤总人数", f"{v[8]} > {v[0]}"))
    if breaks:
        raise ReportRefused(breaks)


def build(session: Session, region: str, month: str) -> ProgressTable:
    year, mon = map(int, month.split("-"))
    first, last = date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
    prefix = validation.region_prefix(region)
    rows = {r.code: ProgressRow(r.code, regions.full_name(r.code)) for r in regions.current_counties(prefix)}

    def row(code: str) -> ProgressRow:
        return rows.setdefault(code, ProgressRow(code, regions.full_name(code)))

    recognitions: dict[int, list[Recognition]] = defaultdict(list)
    persons = session.execute(
        select(
            Person.id,
            Person.hukou_region_code,
            Person.disability_grade,
            Household.assistance,
            Household.zero_employment,
        )
        .outerjoin(Household, Person.household_id == Household.id)
        .where(Person.hukou_region_code.startswith(prefix))
    ).all()
    county = {p.id: p.hukou_region_code for p in persons}
    # A subquery, not a list of ids: a city has more persons than a statement may carry parameters.
    in_area = select(Person.id).where(Person.hukou_region_code.startswith(prefix))
    for r in session.scalars(
        select(Recognition).where(
            Recognition.person_id.in_(in_area),
            Recognition.status.in_([RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED]),
        )
    ):
        recognitions[r.person_id].append(r)
        if r.recognised_on and first <= r.recognised_on <= last:
            row(county[r.person_id]).values[7] += 1

    def recognised(pid: int, day: date) -> bool:
        return any(
            r.recognised_on and r.recognised_on <= day and (r.exited_on is None or day <= r.exited_on)
            for r in recognitions[pid]
        )

    def in_target_group(p, day: date) -> bool:  # 003 §2
        return (
            recognised(p.id, day)
            or (p.assistance not in (None, AssistanceStatus.NONE))
            or p.disability_grade is not None
            or bool(p.zero_employment)
        )

    by_id = {p.id: p for p in persons}
    placements = defaultdict(list)
    for pl in session.scalars(
        select(Placement).where(
            Placement.person_id.in_(in_area),
            Placement.start_date <= last,
            or_(Placement.end_date.is_(None), Placement.end_date >= first),
        )
    ):
        placements[pl.person_id].append(pl)
    for pid, pls in placements.items():
        started = sorted((pl for pl in pls if first <= pl.start_date <= last), key=lambda pl: (pl.start_date, pl.id))
        if started and in_target_group(by_id[pid], started[0].start_date):
            v = row(county[pid]).values
            v[0] += 1
            v[_KIND_COLUMN[started[0].kind]] += 1
            v[5] += started[0].agency_id is not None
            v[8] += recognised(pid, started[0].start_date)
    for pid in recognitions:
        if recognised(pid, last) and not any(
            pl.start_date <= last and (pl.end_date is None or pl.end_date >= last) for pl in placements.get(pid, [])
        ):
            row(county[pid]).values[9] += 1

    allowance = session.scalars(
        select(SubsidyDecision.person_id).where(
            SubsidyDecision.scheme_code == "temporary_living_allowance",
            SubsidyDecision.status == DecisionStatus.ELIGIBLE,
            SubsidyDecision.period_start <= last,
            SubsidyDecision.period_end >= first,
            SubsidyDecision.person_id.in_(in_area),
        )
    ).all()
    for pid in set(allowance):
        row(county[pid]).values[6] += 1

    out = sorted(rows.values(), key=lambda r: r.region)
    total = ProgressRow(prefix.ljust(6, "0"), regions.full_name(prefix.ljust(6, "0")) + "合计")
    total.values = [sum(col) for col in zip(*(r.values for r in out), strict=True)] or total.values
    out.append(total)
    check_rules(out)
    return ProgressTable(region=prefix, month=month, rows=out)
