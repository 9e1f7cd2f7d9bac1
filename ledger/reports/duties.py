"""Duty lists for officers: who needs what done, from 002 §1 §2 §4 §5 and 000 §8.

Each list names persons by id and masked name only (surname + *): officers open the full
record in the system, where the view is audited. Generating a list writes one audit entry
per person listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.vocab import PlacementKind, RecognitionStatus, RecognitionStep
from ledger.base import utcnow
from ledger.facts import cases_for
from ledger.models import AuditEntry, Person, Placement, Recognition, RecognitionStepRow
from ledger.reports import recognition_checks as checks
from scoring import assess, evaluate, load_policies
from scoring.params import EMPTY_LOCAL, LocalConfig

LISTS = {
    "tier2_pushes": "二类帮扶对象岗位推送未达规定次数（002 §4(2)）",
    "tier3_contact": "三类帮扶对象本月尚未提供就业服务（002 §4(3)）",
    "follow_up": "就业困难人员本月尚未跟踪回访（002 §1 末段）",
    "zero_employment": "零就业家庭认定后1个月内无人就业（002 §4(3)）",
    "recognition_overdue": "认定流程环节超过规定工作日（002 §2）",
    "exit": "符合退出情形，按程序退出（002 §5(1)–(7)、§5 末段）",
    "no_longer_eligible": "不再符合认定条件，经核实后取消（002 §5 首段）",
    "public_welfare_ending": "公益性岗位30日内到期（000 §8、002 §3）",
}


@dataclass(frozen=True)
class DutyItem:
    list: str
    person_id: int
    masked_name: str
    region: str
    detail: str
    clause: str


def mask(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def build(
    session: Session,
    region: str,
    as_of: date,
    actor: str,
    *,
    local: LocalConfig = EMPTY_LOCAL,
    purpose: str = "就业援助责任清单",
    role: str = "officer",
) -> list[DutyItem]:
    """Every duty list for persons recognised by a county under ``region`` on ``as_of``."""
    policies = load_policies()
    recs = list(
        session.scalars(
            select(Recognition).where(
                Recognition.region_code.startswith(region),
                Recognition.status.in_([RecognitionStatus.RECOGNISED, RecognitionStatus.EXITED]),
            )
        )
    )
    active = {
        r.person_id: r
        for r in recs
        if r.recognised_on and r.recognised_on <= as_of and (r.exited_on is None or as_of <= r.exited_on)
    }
    # Live on ``as_of``: not yet exited that day (``active`` also keeps the exit day, as 002 §5 reads it).
    live = {pid for pid, r in active.items() if r.exited_on is None or as_of < r.exited_on}
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(active))).all())
    items: list[DutyItem] = []

    def add(key: str, pid: int, detail: str, clause: str) -> None:
        items.append(DutyItem(key, pid, mask(names[pid]), active[pid].region_code, detail, clause))

    followed_up = checks.last_follow_ups(session, live, as_of)
    for pid in sorted(live):
        if detail := checks.follow_up_detail(followed_up.get(pid), as_of):
            add("follow_up", pid, detail, checks.FOLLOW_UP_CLAUSE)

    for pid, case in cases_for(session, list(active), as_of).items():
        for duty in assess.duties(case, as_of, policies):
            if duty["clause"] == "002 §4(2)" and duty["status"] != "已完成":
                add("tier2_pushes", pid, f"已推送 {duty['count']} 次，需至少 {duty['required']} 次", duty["clause"])
            elif duty["duty"].startswith(f"{as_of:%Y-%m} 主动提供") and duty["status"] != "已完成":
                add("tier3_contact", pid, duty["duty"], duty["clause"])
            elif duty["duty"].startswith("零就业家庭") and duty["status"] == "已逾期":
                add("zero_employment", pid, f"应于 {duty['due_on']} 前至少1人就业", duty["clause"])
        # §5(5)(6) read what the engine grants, so a person subsidised right now is not listed.
        granted = evaluate(case, as_of, local=local, policies=policies, assessments=False).decisions
        for condition in assess.exit_conditions(case, as_of, policies, local, granted):
            if condition["met"]:
                add("exit", pid, *checks.exit_item(condition))
        if pid in live and (detail := checks.no_longer_meets(case, active[pid].categories, as_of, policies, local)):
            add("no_longer_eligible", pid, detail, checks.NO_LONGER_MEETS_CLAUSE)

    for step, rec in session.execute(
        select(RecognitionStepRow, Recognition)
        .join(Recognition)
        .where(
            Recognition.region_code.startswith(region),
            RecognitionStepRow.completed_on.is_(None),
            Recognition.status.in_([RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW]),
            RecognitionStepRow.due_on < as_of,
            RecognitionStepRow.step != RecognitionStep.PUBLICITY,  # a minimum, never overdue (002 §2)
        )
    ):
        names.setdefault(rec.person_id, session.get(Person, rec.person_id).name)
        active.setdefault(rec.person_id, rec)
        add("recognition_overdue", rec.person_id, f"{step.step.label} 应于 {step.due_on} 完成", "002 §2")

    for p in session.scalars(
        select(Placement).where(
            Placement.person_id.in_(active),
            Placement.kind == PlacementKind.PUBLIC_WELFARE,
            Placement.end_date.between(as_of, as_of + timedelta(days=30)),
        )
    ):
        add("public_welfare_ending", p.person_id, f"岗位于 {p.end_date} 到期", "000 §8、002 §3")

    now = utcnow()
    for pid in sorted({i.person_id for i in items}):
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                actor_role=role,
                action="duty_list",
                subject_person_id=pid,
                fields=["name(masked)", "region", "duty"],
                purpose=purpose,
            )
        )
    return sorted(items, key=lambda i: (list(LISTS).index(i.list), i.region, i.person_id))
