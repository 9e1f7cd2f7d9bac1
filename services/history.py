"""A case's life over time (issue 15): the facts the policy engine reads besides the profile.

Social-insurance contributions month by month (a JSON batch here; a spreadsheet through
``services.imports``), the end of a placement and checks that a person is still in post, the
person's original retirement category and life events (002 §5), and officers' rulings where a
document says "原则上". Counter staff and officers write them for persons within reach
(``Jurisdiction.covers``; others answer 404, like an unknown id); only officers rule.

Every write is audited and then re-scores the person's placements (``ledger.placements
.rescore_person``), so the stored subsidy decisions follow the facts. Nothing is committed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import PlacementKind, Role
from ledger import audit, imports, intake_history, placements
from ledger.access import Principal
from ledger.imports import ImportReport
from ledger.models import Contribution, LifeEvent, OfficerRuling, Person, Placement, PlacementConfirmation
from services.jurisdiction import Jurisdiction
from services.persons import reach
from services.placements import PlacementView


def after_contributions(session: Session, who: Principal, report: ImportReport, today: date, how: str) -> None:
    """Once contributions are stored: one audit entry per person, and their placements re-scored."""
    if not report.ok or report.dry_run:
        return
    for person_id in report.subjects:
        audit.record(
            session, who, "contributions.record", person_id, ["si_contributions"], f"登记社保缴费记录（{how}）"
        )
        placements.rescore_person(session, person_id, today)


class History:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _placement(self, placement_id: int) -> Placement:
        placement = self.session.get(Placement, placement_id)
        if placement is None or not self.jurisdiction.covers(self.session.get(Person, placement.person_id)):
            raise NotFound(f"安置记录 {placement_id} 不存在或不在您的管辖范围内。")
        return placement

    def _changed(self, person_id: int, action: str, fields: list[str], purpose: str, today: date) -> None:
        audit.record(self.session, self.who, action, person_id, fields, purpose)
        placements.rescore_person(self.session, person_id, today)

    def _view(self, placement: Placement) -> PlacementView:
        return PlacementView(placement, placements.latest_decisions(self.session, placement.id), self.who.role)

    # ----- contributions

    def record_contributions(self, rows: Sequence[Mapping[str, Any]], today: date) -> ImportReport:
        """A batch of contribution rows keyed by ID number: every row or none (the report lists
        each refused row, numbered from 1)."""
        report = imports.import_contributions(
            self.session, rows, source="", actor=self.who.actor, reach=self.jurisdiction.covers, first_row=1
        )
        after_contributions(self.session, self.who, report, today, f"批量录入 {report.total} 条")
        return report

    def contributions(self, person_id: int, purpose: str) -> list[Contribution]:
        """The person's contributions by month, payer and insurance; the read is audited."""
        reach(self.session, self.jurisdiction, person_id)
        audit.record(self.session, self.who, "contributions.read", person_id, ["si_contributions"], purpose)
        return list(
            self.session.scalars(
                select(Contribution)
                .where(Contribution.person_id == person_id)
                .order_by(Contribution.month, Contribution.payer, Contribution.insurance)
            )
        )

    # ----- employment status over time

    def end_placement(self, placement_id: int, data: Mapping[str, Any], today: date) -> PlacementView:
        """The last day in post and why; refused while contributions are recorded for later months."""
        placement = self._placement(placement_id)
        row = intake_history.clean_placement_end(data, placement.start_date, today)
        end_month = f"{row['end_date']:%Y-%m}"
        later = sorted(
            set(
                self.session.scalars(
                    select(Contribution.month).where(
                        Contribution.placement_id == placement.id, Contribution.month > end_month
                    )
                )
            )
        )
        if later:
            message = (
                f"此安置已登记 {'、'.join(later)} 的社保缴费，晚于结束日期所在月份（{end_month}），"
                "请先核对缴费记录或结束日期"
            )
            raise Conflict(message, [FieldError("end_date", message)])
        placement.end_date, placement.end_reason = row["end_date"], row["end_reason"]
        self.session.flush()
        self._changed(placement.person_id, "placement.end", ["placement.end_date"], "登记就业安置结束", today)
        return self._view(placement)

    def confirm(self, placement_id: int, data: Mapping[str, Any], today: date) -> PlacementConfirmation:
        """A check that the person is still in post (or has left) on a day (002 §1 跟踪回访)."""
        placement = self._placement(placement_id)
        row = intake_history.clean_confirmation(data, placement.start_date, today)
        confirmation = PlacementConfirmation(placement_id=placement.id, recorded_by=self.who.actor[:60], **row)
        self.session.add(confirmation)
        self.session.flush()
        self._changed(placement.person_id, "placement.confirm", ["placement_confirmations"], "记录在岗核实", today)
        return confirmation

    # ----- person facts

    def set_retirement_category(self, person_id: int, category: Any, today: date) -> Person:
        """The original statutory retirement category the 2024 reform counts from."""
        person = reach(self.session, self.jurisdiction, person_id)
        person.retirement_category = intake_history.clean_retirement_category(category, person.sex)
        self.session.flush()
        self._changed(person_id, "retirement_category", ["retirement_category"], "登记原法定退休年龄类别", today)
        return person

    def add_life_event(self, person_id: int, data: Mapping[str, Any], today: date) -> LifeEvent:
        """A dated fact 002 §5 reads: a management role, leaving the labour market, a pension."""
        person = reach(self.session, self.jurisdiction, person_id)
        row = intake_history.clean_life_event(data, person.birth_date, today)
        event = LifeEvent(person_id=person_id, recorded_by=self.who.actor[:60], **row)
        self.session.add(event)
        self.session.flush()
        self._changed(
            person_id, "life_event", ["life_events"], f"登记人员事项：{intake_history.LIFE_EVENTS[row['kind']]}", today
        )
        return event

    # ----- officers' rulings

    def rule(self, placement_id: int, data: Mapping[str, Any], today: date) -> OfficerRuling:
        """An officer's call where a document says "原则上"; the newest ruling on a question stands."""
        if self.who.role not in (Role.OFFICER, Role.ADMIN):
            raise Forbidden("只有经办人员可以审批。")
        placement = self._placement(placement_id)
        row = intake_history.clean_ruling(data)
        if row["question"] == "public_welfare_beyond_limit" and placement.kind is not PlacementKind.PUBLIC_WELFARE:
            raise InvalidInput(
                [FieldError("question", f"安置记录 {placement_id} 是{placement.kind.label}，不是公益性岗位安置")]
            )
        ruling = OfficerRuling(
            person_id=placement.person_id, placement_id=placement.id, decided_by=self.who.actor[:60], **row
        )
        self.session.add(ruling)
        self.session.flush()
        verdict = "批准" if row["approved"] else "不批准"
        self._changed(
            placement.person_id,
            "ruling",
            ["officer_rulings"],
            f"经办人员{verdict}：{intake_history.RULING_QUESTIONS[row['question']]}",
            today,
        )
        return ruling

    def rulings(self, placement_id: int) -> list[OfficerRuling]:
        """The rulings on a placement, newest first (the first per question stands); the read is
        audited (a ruling's reason may name the person's circumstances)."""
        placement = self._placement(placement_id)
        audit.record(self.session, self.who, "rulings.read", placement.person_id, ["officer_rulings"], "查阅审批记录")
        return list(
            self.session.scalars(
                select(OfficerRuling)
                .where(OfficerRuling.placement_id == placement.id)
                .order_by(OfficerRuling.decided_at.desc(), OfficerRuling.id.desc())
            )
        )
