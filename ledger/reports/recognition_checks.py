"""The checks behind the duty lists that follow a recognition once it is live (002 §1, §5).

- Monthly follow-up (002 §1 末段 "每月对辖区内就业困难人员进行跟踪回访"): the last day a recognised
  person was followed up, from service contacts and placement confirmations.
- No longer meeting the conditions (002 §5 首段 "不再符合认定条件情况，经核实后取消"): which
  condition of 002 §1 the ledger shows has changed.
- The exit procedure (002 §5 末段), said on every exit item.

``ledger.reports.duties`` turns these into list items; nothing here writes to the ledger.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import Placement, PlacementConfirmation, ServiceContact
from scoring import Case, assess
from scoring.params import LocalConfig, PolicySet
from scoring.retirement import REFERENCE as WORKING_AGE_REFERENCE

FOLLOW_UP_CLAUSE = "002 §1 末段"
NO_LONGER_MEETS_CLAUSE = "002 §5 首段、末段"
PROCEDURE_CLAUSE = "002 §5 末段"

SELF_REPORT = (
    "本人应主动到认定地社区（行政村）或通过官方网上平台自主申报退出，社区（行政村）应及时受理并在系统中予以退出"
)
OFFICE_EXIT = "社区（行政村）经调查了解发现的，应当以适当方式告知本人或进行公示公告后，在系统内予以退出"
EXIT_PROCEDURE = f"退出程序（{PROCEDURE_CLAUSE}）：{SELF_REPORT}；{OFFICE_EXIT}"
VERIFY_THEN_EXIT = (
    f"不再符合认定条件的，经核实后取消就业困难人员身份（002 §5 首段）；核实属实且本人未自主申报退出的，"
    f"应当以适当方式告知本人或进行公示公告后，在系统内予以退出（{PROCEDURE_CLAUSE}）"
)


def last_follow_ups(session: Session, person_ids: Collection[int], as_of: date) -> dict[int, date]:
    """Each person's latest follow-up on or before ``as_of``: a service contact, or a confirmation
    (in post or left) of one of their placements. Persons never followed up are absent."""
    if not person_ids:
        return {}
    contacts = session.execute(
        select(ServiceContact.person_id, func.max(ServiceContact.contacted_on))
        .where(ServiceContact.person_id.in_(person_ids), ServiceContact.contacted_on <= as_of)
        .group_by(ServiceContact.person_id)
    )
    confirmations = session.execute(
        select(Placement.person_id, func.max(PlacementConfirmation.confirmed_on))
        .join(Placement, Placement.id == PlacementConfirmation.placement_id)
        .where(Placement.person_id.in_(person_ids), PlacementConfirmation.confirmed_on <= as_of)
        .group_by(Placement.person_id)
    )
    last: dict[int, date] = {}
    for pid, day in [*contacts, *confirmations]:
        if day is not None and (pid not in last or day > last[pid]):
            last[pid] = day
    return last


def follow_up_detail(last: date | None, as_of: date) -> str | None:
    """What the follow-up list says of a person, or None when they were followed up in ``as_of``'s month."""
    if last is not None and (last.year, last.month) == (as_of.year, as_of.month):
        return None
    since = f"上次回访 {last}" if last else "从未回访"
    return f"{as_of:%Y-%m} 尚未跟踪回访（服务联系或在岗核实），{since}"


def exit_item(condition: dict[str, Any]) -> tuple[str, str]:
    """An exit list item's detail and clause for a met 002 §5 condition: the evidence, then the
    procedure of 002 §5 末段 (self-report, or the community's notice or publicity, then the exit)."""
    return f"{condition['evidence']}。{EXIT_PROCEDURE}", f"{condition['clause']}、§5 末段"


def no_longer_meets(case: Case, claimed: list[int], as_of: date, policies: PolicySet, local: LocalConfig) -> str | None:
    """The no-longer-meets list's detail for a person (None: not listed): the conditions changed,
    then that they are verified before an exit (002 §5 首段) and how the exit is made (末段)."""
    changed = changed_conditions(case, claimed, as_of, policies, local)
    return "；".join(changed) + "。" + VERIFY_THEN_EXIT if changed else None


def _in_post(case: Case, as_of: date) -> bool:
    employed_since = case.person.employed_since
    return (employed_since is not None and employed_since <= as_of) or any(
        p.in_post_through(as_of) for p in case.placements
    )


def changed_conditions(
    case: Case, claimed: list[int], as_of: date, policies: PolicySet, local: LocalConfig
) -> list[str]:
    """Which conditions of 002 §1 the ledger shows no longer hold on ``as_of`` (empty: none, or
    not for this list).

    Not for this list: a person in post (employment is what assistance aims at; an employed person
    leaves under 002 §5(5)(6), which the exit list reads), one past the statutory working age
    (002 §5(2), on the exit list), and a person outside 002's reach or period.
    """
    if _in_post(case, as_of):
        return []
    found = assess.recognition(case, as_of, policies, local)
    if not found["applicable"] or found["eligible"]:
        return []
    changed: list[str] = []
    unmet = [p for p in found["preconditions"] if not p["met"] and p["reference"] != WORKING_AGE_REFERENCE]
    registered = True
    for p in unmet:
        if p["label"] == "登记失业":
            registered = False
            changed.append(
                f"台账无 {as_of} 有效的失业登记，且无在岗记录：核实是否已注销失业登记或已就业"
                "（已就业的不因就业取消，按 002 §5(5)(6) 处理）"
            )
        else:
            changed.append(f"不再{p['label']}（002 §1）")
    if registered and not found["categories_met"]:
        numbers = claimed or [c["number"] for c in found["categories"]]
        # 002 §1(3) is an urban household's dibao: say the household's side too, as (2)'s evidence does.
        urban_rural = f"；家庭：{case.person.household.urban_rural.label}"
        for c in found["categories"]:
            if c["number"] in numbers:
                evidence = c["evidence"] + (urban_rural if c["number"] == 3 else "")
                changed.append(f"认定类别 002 §1({c['number']}) {c['label']} 现已不符合（{evidence}）")
    return changed
