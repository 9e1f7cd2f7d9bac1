"""Recognition as 就业困难人员 (002 §1–§2) and support tiers (002 §4).

The step machine: an application starts the first step of 002 §2; each further step's row is
written when the one before it passes, starting that day and due on its Nth working day after
(start day not counted, statutory holidays and make-up working days from the State Council
calendar; N is the policy parameter ``recognition.step_working_days``). Steps not yet started are
shown as a plan and never stored, so the duty list's "past due" means a step really running late.
A failed step rejects the application; the last step passing recognises the person.

What 002 adds to the machine:
- an application is made at the hukou community only (002 §2 "到户籍地社区（行政村）提出申请"); the
  residence county serves the person (002 §4) but does not recognise them;
- publicity is a minimum, not a deadline (002 §2 "公示5个工作日后无异议的"): it cannot pass before
  its day, nor while an objection raised during it is open; an objection upheld fails it;
- the county review passes only when the person meets 002 §1 on that day (``scoring.assess.recognition``:
  a category, and within the statutory working age of the 2024 reform);
- a recognised person exits under a clause of 002 §5, reported by themselves or found by the
  community after notice; then they may apply again.

The machine itself is pure and lives in ``services.recognition_steps``; objections and exits in
``services.recognition_exits``. ``Recognitions`` is the service over a session and a caller:
reach, locks, audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, StepOutcome
from ledger import audit
from ledger.access import Principal
from ledger.facts import cases_for
from ledger.models import Objection, Person, Recognition, RecognitionStepRow, TierAssignment
from ledger.placements import local_parameters
from scoring import load_policies
from scoring.assess import recognition
from scoring.retirement import REFERENCE as RETIREMENT_REFERENCE
from scoring.retirement import category_undecided, retirement
from scoring.support import tier_duties
from services.jurisdiction import Jurisdiction
from services.persons import reach
from services.recognition_exits import EXIT_CLAUSES, EXIT_ROUTES, ObjectionsAndExits, ObjectionView, objection_view
from services.recognition_steps import (
    STEPS,
    StepState,
    advance,
    step_row,
    step_states,
    step_working_days,
    unmet_conditions,
)

OPEN = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW, RecognitionStatus.RECOGNISED)
"""An application in one of these states blocks a new one."""
RECOGNITION_FIELDS = ["recognition.categories", "recognition.status", "recognition.steps"]
"""What reading or changing an application discloses, for the audit log."""


@dataclass(frozen=True)
class RecognitionView:
    """An application with its steps as they stand on ``as_of``, its objections and its exit."""

    recognition: Recognition
    categories: list[int]
    as_of: date
    steps: list[StepState]
    objections: list[ObjectionView] = field(default_factory=list)

    @property
    def exit_clause_label(self) -> str | None:
        clause = self.recognition.exit_clause
        return EXIT_CLAUSES.get(clause) if clause else None

    @property
    def exit_route_label(self) -> str | None:
        route = self.recognition.exit_route
        return EXIT_ROUTES.get(route) if route else None


def view(rec: Recognition, as_of: date, objections: list[Objection] | None = None) -> RecognitionView:
    return RecognitionView(
        rec, list(rec.categories), as_of, step_states(rec, as_of), [objection_view(o) for o in objections or []]
    )


@dataclass(frozen=True)
class TierView:
    assignment: TierAssignment
    duties: str
    """The tier's duties (002 §4, abridged) with the policy figures in force from its start."""


@dataclass(frozen=True)
class TierChange:
    assigned: TierView
    ended: TierView | None


def tier_view(t: TierAssignment) -> TierView:
    return TierView(t, tier_duties(t.tier, t.effective_from))


# ----- the service -------------------------------------------------------------------------------


class Recognitions(ObjectionsAndExits):
    """Applications and tiers of the persons a caller (counter staff, officers) may reach."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _application(self, recognition_id: int, lock: bool = False) -> Recognition:
        rec = self.session.get(Recognition, recognition_id, with_for_update=lock)
        if rec is None or not self.jurisdiction.covers(self.session.get(Person, rec.person_id)):
            raise NotFound(f"认定申请 {recognition_id} 不存在或不在您的管辖范围内。")
        return rec

    def _where_made(self, rec: Recognition) -> None:
        """Deciding on an application is for the county where it was made."""
        if not self.jurisdiction.covers_region(rec.region_code):
            raise Forbidden(f"受理地 {rec.region_code} 不在您的管辖范围内。")

    def _objections(self, rec: Recognition) -> list[Objection]:
        return list(
            self.session.scalars(select(Objection).where(Objection.recognition_id == rec.id).order_by(Objection.id))
        )

    def _view(self, rec: Recognition, as_of: date | None = None) -> RecognitionView:
        return view(rec, as_of or clock.today(), self._objections(rec))

    def _audit(self, rec: Recognition, action: str, purpose: str) -> None:
        audit.record(self.session, self.who, action, rec.person_id, RECOGNITION_FIELDS, purpose)

    def apply(
        self, person_id: int, categories: list[int], applied_on: date, region_code: str | None = None
    ) -> RecognitionView:
        """Accept an application at the hukou county (002 §2 "到户籍地社区（行政村）提出申请"); the
        first step starts on the application day. 422 at the residence county (it serves the person,
        002 §4, but does not recognise) and for a person past the statutory retirement age; 409 while
        another application is being decided or the person is recognised (exited or rejected: apply again)."""
        person = reach(self.session, self.jurisdiction, person_id, lock=True)  # one open application at a time
        region = region_code or person.hukou_region_code
        if region != person.hukou_region_code:
            where = "常住地" if region == person.residence_region_code else "非户籍地"
            raise InvalidInput(
                [
                    FieldError(
                        "region_code",
                        f"认定申请须到户籍地社区（行政村）提出（002 §2），户籍地为 {person.hukou_region_code}；"
                        f"{where} {region} 不受理认定申请"
                        + ("，可在此享受就业援助服务（002 §4）" if where == "常住地" else ""),
                    )
                ]
            )
        if not self.jurisdiction.covers_region(region):
            raise Forbidden(
                f"认定申请须到户籍地 {region} 提出（002 §2），不在您的管辖范围（{self.jurisdiction.label}）内。"
            )
        if applied_on > clock.today():
            raise InvalidInput([FieldError("applied_on", "申请日期不能晚于今天")])
        current = self.session.scalar(
            select(Recognition).where(Recognition.person_id == person_id, Recognition.status.in_(OPEN))
        )
        if current is not None and current.status is RecognitionStatus.RECOGNISED:
            raise Conflict(
                f"该人员已于 {current.recognised_on} 认定为就业困难人员（认定申请 {current.id}），"
                "退出（002 §5）后方可重新申请认定。"
            )
        if current is not None:
            raise Conflict(f"该人员已有认定申请 {current.id}（{current.status.label}），不能重复申请。")
        # A new application follows the last one's end: recognitions never overlap in the ledger.
        ended = self.session.scalar(
            select(func.max(func.coalesce(Recognition.exited_on, Recognition.applied_on))).where(
                Recognition.person_id == person_id
            )
        )
        if ended is not None and applied_on <= ended:
            raise InvalidInput([FieldError("applied_on", f"申请日期应晚于上一次认定的退出或申请日期（{ended}）")])
        step_working_days(applied_on)  # 422 for a day before 002 took effect
        self._within_working_age(person_id, applied_on)
        rec = Recognition(
            person_id=person_id,
            region_code=region,
            categories=sorted(set(categories)),
            applied_on=applied_on,
            status=RecognitionStatus.APPLIED,
        )
        rec.steps.append(step_row(STEPS[0], applied_on, applied_on))
        self.session.add(rec)
        self.session.flush()
        self._audit(rec, "recognition.apply", "受理认定申请")
        return self._view(rec)

    def _within_working_age(self, person_id: int, day: date) -> None:
        """422 for a person past the statutory retirement age on ``day`` (002 §1 "在法定劳动年龄内",
        the 2024 reform's schedule): they cannot be recognised."""
        person = cases_for(self.session, [person_id], day)[person_id].person
        if category_undecided(person.birth_date, person.sex, person.retirement_category, day):
            raise InvalidInput(
                [
                    FieldError(
                        "retirement_category",
                        "本人已满原女工人退休年龄、未满原女干部或灵活就业人员退休年龄，是否在法定劳动年龄内取决于原法定"
                        "退休年龄类别：请先登记类别（PUT /persons/{id}/retirement-category）再申请（002 §1）",
                    )
                ]
            )
        retire = retirement(person.birth_date, person.category)
        if day >= retire.date:
            assumed = "" if person.retirement_category else "（退休类别未登记，按性别推定）"
            raise InvalidInput(
                [
                    FieldError(
                        "applied_on",
                        f"本人已于 {retire.date} 达到法定退休年龄 {retire.label}{assumed}，不在法定劳动年龄内，"
                        f"不能认定为就业困难人员（002 §1；{RETIREMENT_REFERENCE}）",
                    )
                ]
            )

    def _meets_002_s1(self, rec: Recognition, day: date) -> None:
        """422 listing each 002 §1 condition the person does not meet on ``day``."""
        case = cases_for(self.session, [rec.person_id], day)[rec.person_id]
        result = recognition(case, day, load_policies(), local_parameters())
        errors = unmet_conditions(result, list(rec.categories))
        if errors:
            raise InvalidInput(errors, detail=f"本人于 {day} 不符合就业困难人员认定条件（002 §1），不能审核通过。")

    def _no_open_objection(self, rec: Recognition) -> None:
        open_ = [o for o in self._objections(rec) if o.outcome == "open"]
        if open_:
            ids = "、".join(str(o.id) for o in open_)
            raise Conflict(f"公示期间提出的异议 {ids} 尚未处理，须先作出决定（002 §2“公示……无异议的”）。")

    def read(self, recognition_id: int, purpose: str, as_of: date | None = None) -> RecognitionView:
        """The application and its steps on ``as_of`` (default today); the read is audited."""
        rec = self._application(recognition_id)
        out = self._view(rec, as_of)
        self._audit(rec, "recognition.read", purpose)
        return out

    def complete_step(
        self, recognition_id: int, step: RecognitionStep, outcome: StepOutcome, completed_on: date, note: str | None
    ) -> RecognitionView:
        """Record a step's outcome (see ``advance``); only where the application was made lies
        within the caller's jurisdiction. Publicity passes with no objection open; the county review
        passes only for a person who meets 002 §1 on that day."""
        rec = self._application(recognition_id, lock=True)  # one outcome per step, even racing
        self._where_made(rec)

        def before_pass(row: RecognitionStepRow) -> None:
            if row.step is RecognitionStep.PUBLICITY:
                self._no_open_objection(rec)
            elif row.step is RecognitionStep.COUNTY_REVIEW:
                self._meets_002_s1(rec, completed_on)

        advance(rec, step, outcome, completed_on, self.who.actor[:60], note, clock.today(), before_pass)
        self.session.flush()
        self._audit(rec, "recognition.step", f"办理认定环节：{step.label}")
        return self._view(rec)

    def assign_tier(self, person_id: int, tier: int, effective_from: date, reason: str | None) -> TierChange:
        """Assign a recognised person to tier 1, 2 or 3 from a date; the tier in force until then
        ends the day before (periods are closed)."""
        reach(self.session, self.jurisdiction, person_id, lock=True)  # serialises assignments: one open tier
        rec = self.session.scalar(
            select(Recognition).where(
                Recognition.person_id == person_id, Recognition.status == RecognitionStatus.RECOGNISED
            )
        )
        if rec is None:
            raise InvalidInput([FieldError("tier", "该人员尚未认定为就业困难人员，不能分级（002 §4）")])
        if effective_from < rec.recognised_on:
            raise InvalidInput([FieldError("effective_from", f"分级起始日不能早于认定日 {rec.recognised_on}")])
        rows = list(
            self.session.scalars(
                select(TierAssignment)
                .where(TierAssignment.person_id == person_id)
                .order_by(TierAssignment.effective_from)
            )
        )
        latest = rows[-1] if rows else None
        if latest is not None and latest.effective_from >= effective_from:
            raise InvalidInput([FieldError("effective_from", f"须晚于现行分级的起始日 {latest.effective_from}")])
        if latest is not None and latest.effective_to is None and latest.tier == tier:
            raise Conflict(f"该人员自 {latest.effective_from} 起已是{tier}类帮扶对象。")
        ended = None
        if latest is not None and (latest.effective_to is None or latest.effective_to >= effective_from):
            latest.effective_to, ended = effective_from - timedelta(days=1), latest
        new = TierAssignment(
            person_id=person_id,
            tier=tier,
            effective_from=effective_from,
            assigned_by=self.who.actor[:60],
            reason=reason,
        )
        self.session.add(new)
        self.session.flush()
        audit.record(self.session, self.who, "tier", person_id, ["tier"], f"确定帮扶分级：{tier}类")
        return TierChange(tier_view(new), tier_view(ended) if ended else None)
