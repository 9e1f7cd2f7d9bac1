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

The machine itself (``step_working_days``, ``step_row``, ``step_states``, ``current_step``,
``advance``) is pure: it works on a ``Recognition`` and its rows, never on the session.
``Recognitions`` is the service over a session and a caller: reach, locks, audit entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, StepOutcome
from ledger import audit
from ledger.access import Principal
from ledger.facts import cases_for
from ledger.models import Objection, Person, Recognition, RecognitionStepRow, TierAssignment
from ledger.placements import local_parameters, rescore_person
from scoring import load_policies
from scoring.assess import STEP_CLAUSE, recognition, recognition_steps
from scoring.retirement import REFERENCE as RETIREMENT_REFERENCE
from scoring.retirement import category_undecided, retirement
from scoring.support import tier_duties
from scoring.workdays import working_calendar
from services.jurisdiction import Jurisdiction
from services.persons import reach

STEPS = list(RecognitionStep)
OPEN = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW, RecognitionStatus.RECOGNISED)
"""An application in one of these states blocks a new one."""
RECOGNITION_FIELDS = ["recognition.categories", "recognition.status", "recognition.steps"]
"""What reading or changing an application discloses, for the audit log."""
STEP_PARAMETER = "recognition.step_working_days"
LIVE = (RecognitionStatus.APPLIED, RecognitionStatus.IN_REVIEW)
"""An application still being decided."""

OBJECTION_OUTCOMES = {"open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立"}
EXIT_ROUTES = {"self": "本人申报退出", "office": "社区调查发现，告知本人或公示后退出"}
EXIT_CLAUSES = {
    "002 §5": "不再符合认定条件（身份改变、退出就业困难人员范围、无就业意愿、无就业帮扶需求等）",
    "002 §5(1)": "担任企业法定代表人、董事、监事等管理人员",
    "002 §5(2)": "已达到法定退休年龄或享受基本养老保险待遇",
    "002 §5(3)": "退出劳动力市场（死亡，入学、应征服兵役、移居境外，被判刑收监执行，完全丧失劳动能力）",
    "002 §5(4)": "连续拒绝接受公共就业服务或长期无法取得联系",
    "002 §5(5)": "享受企业吸纳就业社会保险补贴期满",
    "002 §5(6)": "已实现就业且长期未享受就业困难人员相关补贴政策",
    "002 §5(7)": "因弄虚作假获取就业困难人员身份或被查实确认存在骗取、套取就业补助资金行为",
}
"""002 §5: its first paragraph (no longer meeting the conditions) and the seven cases (1)–(7)."""


# ----- the step machine (pure) -------------------------------------------------------------------


def step_working_days(applied_on: date) -> int:
    """002 §2's working days per step for an application made on ``applied_on``; 422 for an
    application from before 002 took effect."""
    parameter = load_policies().parameters[STEP_PARAMETER]
    days = parameter.at(applied_on)
    if days is None:
        raise InvalidInput(
            [
                FieldError(
                    "applied_on",
                    f"认定程序（{parameter.reference}）自 "
                    f"{parameter.values[0][0].isoformat()} 起施行，申请日期不能早于该日",
                )
            ]
        )
    return int(days)


def step_row(step: RecognitionStep, start: date, applied_on: date) -> RecognitionStepRow:
    """A step started on ``start``, due on its Nth working day; provisional where the year's
    holiday arrangement is not loaded yet."""
    due = working_calendar().add_working_days(start, step_working_days(applied_on))
    return RecognitionStepRow(
        step=step, started_on=start, due_on=due.day, due_provisional_note=due.note, outcome=StepOutcome.PENDING
    )


@dataclass(frozen=True)
class StepState:
    """One step of an application as it stands on a day: stored, under way, or planned."""

    step: str
    label: str
    clause: str
    started_on: date | None
    due_on: date | None
    """The Nth working day after the start (002 §2); a plan for steps not yet started."""
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
    """Why the due date is provisional."""


def _step_status(step: RecognitionStep, row: RecognitionStepRow, as_of: date) -> tuple[bool, str]:
    """(overdue, status) of a stored step on ``as_of``. Publicity is a minimum, not a deadline
    (002 §2 "公示N个工作日后无异议的"): never overdue, "公示中" until its day, "公示期满" from it."""
    if step is RecognitionStep.PUBLICITY:
        if row.completed_on is not None:
            return False, "已完成"
        return False, "公示期满" if as_of >= row.due_on else "公示中"
    if row.completed_on is not None:
        return False, "逾期完成" if row.completed_on > row.due_on else "按时完成"
    overdue = as_of > row.due_on
    return overdue, "已逾期" if overdue else "办理中"


def step_states(rec: Recognition, as_of: date) -> list[StepState]:
    """Every step of the application on ``as_of``: the stored rows, then (while the application
    is open) the current step and the plan of those after it. A step whose predecessor is not
    complete is "未开始": never overdue, planned from no earlier than ``as_of``."""
    rows = {r.step: r for r in rec.steps}
    done = {s: r.completed_on for s, r in rows.items() if r.completed_on is not None}
    days = load_policies().parameters[STEP_PARAMETER].at(rec.applied_on)
    # An application from before 002 took effect (older records) has no 002 §2 plan.
    plan = {p["step"]: p for p in recognition_steps(rec.applied_on, done, as_of, working_days=days)} if days else {}
    steps = []
    begun = True  # the first step begins with the application; each further one when the one before it is done
    for step in STEPS:
        row = rows.get(step)
        if row is not None:
            overdue, status = _step_status(step, row, as_of)
            steps.append(
                StepState(
                    step.value,
                    step.label,
                    STEP_CLAUSE,
                    row.started_on,
                    row.due_on,
                    row.completed_on,
                    row.outcome.value,
                    row.outcome.label,
                    overdue,
                    status,
                    row.officer,
                    row.note,
                    row.due_provisional_note is not None,
                    row.due_provisional_note,
                )
            )
        elif rec.status in LIVE:
            p = plan.get(step.value)
            start, due = (date.fromisoformat(p["started_on"]), date.fromisoformat(p["due_on"])) if p else (None, None)
            if begun:  # under way, though entered without a row (demo data, imports)
                status = p["status"] if p else "办理中"
                outcome = ("pending", StepOutcome.PENDING.label, status == "已逾期", status)
            else:
                outcome = ("planned", "尚未开始", False, "未开始")
            steps.append(
                StepState(
                    step.value,
                    step.label,
                    STEP_CLAUSE,
                    start,
                    due,
                    None,
                    *outcome,
                    due_provisional=bool(p and p["due_provisional"]),
                    calendar_note=p["calendar_note"] if p else None,
                )
            )
        begun = row is not None and row.completed_on is not None
    return steps


def current_step(rec: Recognition) -> RecognitionStepRow:
    """The step under way. An open application entered without step rows (demo data, imports) gets the
    row of its current step now, started when the step before it passed."""
    rows, start = {r.step: r for r in rec.steps}, rec.applied_on
    for step in STEPS:
        row = rows.get(step)
        if row is None:
            row = step_row(step, start, rec.applied_on)
            rec.steps.append(row)
            return row
        if row.outcome is not StepOutcome.PASSED:
            return row
        start = row.completed_on
    raise InvalidInput([FieldError("step", "各环节均已办结")])  # all passed yet still open: inconsistent data


def advance(
    rec: Recognition,
    step: RecognitionStep,
    outcome: StepOutcome,
    completed_on: date,
    officer: str,
    note: str | None,
    today: date,
    before_pass: Callable[[RecognitionStepRow], None] | None = None,
) -> RecognitionStepRow:
    """Record ``step``'s outcome on the application. Steps go in order (422 otherwise; 409 for a
    step that has its outcome already); a failed step rejects the application, the last step
    passing recognises the person from that day, any other passing starts the next step.

    Publicity passes no earlier than its Nth working day (002 §2 "公示N个工作日后无异议的"; 422
    naming the earliest day). ``before_pass`` checks what needs the ledger (open objections, the
    002 §1 conditions) once the step is known to be the current one, and raises to refuse."""
    row = next((r for r in rec.steps if r.step is step), None)
    if row is not None and row.outcome is not StepOutcome.PENDING:
        raise Conflict(f"“{step.label}”已于 {row.completed_on} 办结（{row.outcome.label}），不能再次办理。")
    if rec.status not in LIVE:
        raise InvalidInput([FieldError("step", f"该申请状态为“{rec.status.label}”，不能继续办理")])
    row = current_step(rec)
    if row.step is not step:
        raise InvalidInput([FieldError("step", f"须按顺序办理：当前环节为“{row.step.label}”（002 §2）")])
    errors = []
    if completed_on < row.started_on:
        errors.append(FieldError("completed_on", f"办结日期不能早于本环节开始日期 {row.started_on}"))
    if completed_on > today:
        errors.append(FieldError("completed_on", "办结日期不能晚于今天"))
    if outcome is StepOutcome.FAILED and not (note or "").strip():
        errors.append(FieldError("note", "不通过时须写明理由，以便告知本人"))
    if step is RecognitionStep.PUBLICITY and outcome is StepOutcome.PASSED and completed_on < row.due_on:
        days = step_working_days(rec.applied_on)
        errors.append(
            FieldError(
                "completed_on",
                f"公示须满{days}个工作日（{STEP_CLAUSE}“公示{days}个工作日后无异议的”）："
                f"自 {row.started_on} 起公示，最早可于 {row.due_on} 办结",
            )
        )
    if errors:
        raise InvalidInput(errors)
    if outcome is StepOutcome.PASSED and before_pass is not None:
        before_pass(row)
    row.outcome, row.completed_on = outcome, completed_on
    row.officer, row.note = officer, note
    index = STEPS.index(step)
    if outcome is StepOutcome.FAILED:
        rec.status = RecognitionStatus.REJECTED
    elif index == len(STEPS) - 1:
        rec.status, rec.recognised_on = RecognitionStatus.RECOGNISED, completed_on
    else:
        rec.status = RecognitionStatus.IN_REVIEW
        rec.steps.append(step_row(STEPS[index + 1], completed_on, rec.applied_on))
    return row


def unmet_conditions(result: dict[str, Any], claimed: list[int]) -> list[FieldError]:
    """Each 002 §1 condition ``scoring.assess.recognition`` found unmet, in Chinese; empty when
    the person may be recognised."""
    if not result.get("applicable"):
        return [FieldError("conditions", f"不适用 002 的认定条件：{result.get('reason', '')}")]
    if result["eligible"]:
        return []
    errors = [
        FieldError("conditions", f"不满足：{p['label']}（{p['reference']}）")
        for p in result["preconditions"]
        if not p["met"]
    ]
    if not result["categories_met"]:
        errors += [
            FieldError("categories", f"不符合 {c['clause']} {c['label']}（{c['evidence']}）")
            for c in result["categories"]
            if c["number"] in claimed
        ] or [FieldError("categories", "不符合 002 §1 所列任何一类")]
    return errors


# ----- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionView:
    """An objection raised during publicity (002 §2) and its decision."""

    id: int
    raised_on: date
    summary: str
    outcome: str
    outcome_label: str
    decided_on: date | None
    decided_by: str | None
    reason: str | None
    recorded_by: str


def objection_view(o: Objection) -> ObjectionView:
    return ObjectionView(
        o.id,
        o.raised_on,
        o.summary,
        o.outcome,
        OBJECTION_OUTCOMES.get(o.outcome, o.outcome),
        o.decided_on,
        o.decided_by,
        o.reason,
        o.recorded_by,
    )


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


class Recognitions:
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

    def raise_objection(self, recognition_id: int, raised_on: date, summary: str) -> RecognitionView:
        """Record an objection raised while the application is publicised (002 §2); it stays open,
        and publicity cannot pass, until an officer decides it."""
        rec = self._application(recognition_id, lock=True)
        self._where_made(rec)
        row = next((r for r in rec.steps if r.step is RecognitionStep.PUBLICITY), None)
        if rec.status not in LIVE or row is None or row.outcome is not StepOutcome.PENDING:
            raise InvalidInput([FieldError("raised_on", "该申请不在公示环节，不能登记异议（002 §2）")])
        errors = []
        if raised_on < row.started_on:
            errors.append(FieldError("raised_on", f"异议日期不能早于公示开始日期 {row.started_on}"))
        if raised_on > clock.today():
            errors.append(FieldError("raised_on", "异议日期不能晚于今天"))
        if not summary.strip():
            errors.append(FieldError("summary", "须写明异议内容"))
        if errors:
            raise InvalidInput(errors)
        self.session.add(
            Objection(
                recognition_id=rec.id,
                raised_on=raised_on,
                summary=summary.strip(),
                outcome="open",
                recorded_by=self.who.actor[:60],
            )
        )
        self.session.flush()
        self._audit(rec, "recognition.objection", "登记公示异议")
        return self._view(rec)

    def decide_objection(
        self, recognition_id: int, objection_id: int, outcome: str, reason: str, decided_on: date | None = None
    ) -> RecognitionView:
        """Uphold or dismiss an open objection. Upheld, it fails the publicity step and so the
        application (status rejected), with the reason recorded as the step's note."""
        rec = self._application(recognition_id, lock=True)
        self._where_made(rec)
        objection = self.session.get(Objection, objection_id, with_for_update=True)
        if objection is None or objection.recognition_id != rec.id:
            raise NotFound(f"认定申请 {recognition_id} 没有异议 {objection_id}。")
        if objection.outcome != "open":
            raise Conflict(
                f"异议 {objection_id} 已于 {objection.decided_on} 处理（{OBJECTION_OUTCOMES[objection.outcome]}），"
                "不能再次处理。"
            )
        today = clock.today()
        day = decided_on or today
        errors = []
        if outcome not in ("upheld", "dismissed"):
            errors.append(FieldError("outcome", "处理结果须为 upheld（异议成立）或 dismissed（异议不成立）"))
        if day < objection.raised_on:
            errors.append(FieldError("decided_on", f"处理日期不能早于异议提出日期 {objection.raised_on}"))
        if day > today:
            errors.append(FieldError("decided_on", "处理日期不能晚于今天"))
        if not reason.strip():
            errors.append(FieldError("reason", "须写明处理理由，以便告知本人和异议人"))
        if errors:
            raise InvalidInput(errors)
        officer = self.who.actor[:60]
        objection.outcome, objection.decided_on = outcome, day
        objection.decided_by, objection.reason = officer, reason.strip()
        publicity = next((r for r in rec.steps if r.step is RecognitionStep.PUBLICITY), None)
        if (
            outcome == "upheld"
            and rec.status in LIVE
            and publicity is not None
            and publicity.outcome is StepOutcome.PENDING
        ):
            note = f"异议成立：{reason.strip()}"
            advance(rec, RecognitionStep.PUBLICITY, StepOutcome.FAILED, day, officer, note, today)
        self.session.flush()
        self._audit(rec, "recognition.objection", f"处理公示异议：{OBJECTION_OUTCOMES[outcome]}")
        return self._view(rec)

    def exit(
        self,
        recognition_id: int,
        route: str,
        clause: str,
        exited_on: date,
        reason: str,
        notified_on: date | None = None,
    ) -> RecognitionView:
        """End a recognition (002 §5 last paragraph): reported by the person (``self``) or found by
        the community (``office``), after the person was told or a notice published on
        ``notified_on``. The tier in force ends on the exit day and the person's placements are
        scored again, so monthly subsidies stop. The person may then apply again."""
        rec = self._application(recognition_id, lock=True)
        self._where_made(rec)
        if rec.status is RecognitionStatus.EXITED:
            raise Conflict(f"该认定已于 {rec.exited_on} 退出（{rec.exit_clause}），不能再次退出。")
        if rec.status is not RecognitionStatus.RECOGNISED or rec.recognised_on is None:
            raise InvalidInput(
                [FieldError("status", f"该申请状态为“{rec.status.label}”，只有已认定的就业困难人员才能退出（002 §5）")]
            )
        today = clock.today()
        errors = []
        if route not in EXIT_ROUTES:
            errors.append(FieldError("route", "退出方式须为 self（本人申报）或 office（社区调查发现）"))
        if clause not in EXIT_CLAUSES:
            errors.append(FieldError("clause", "退出依据须为 002 §5 或 002 §5(1)…002 §5(7) 之一"))
        if exited_on < rec.recognised_on:
            errors.append(FieldError("exited_on", f"退出日期不能早于认定日期 {rec.recognised_on}"))
        if exited_on > today:
            errors.append(FieldError("exited_on", "退出日期不能晚于今天"))
        if not reason.strip():
            errors.append(FieldError("reason", "须写明退出理由"))
        if route == "office":
            if notified_on is None:
                errors.append(
                    FieldError(
                        "exit_notified_on",
                        "社区调查发现不符合条件的，应以适当方式告知本人或进行公示公告后，方可退出（002 §5）：须填写告知或公示日期",
                    )
                )
            elif notified_on > exited_on:
                errors.append(FieldError("exit_notified_on", f"告知或公示日期不能晚于退出日期 {exited_on}"))
            elif notified_on < rec.recognised_on:
                errors.append(FieldError("exit_notified_on", f"告知或公示日期不能早于认定日期 {rec.recognised_on}"))
        elif route == "self" and notified_on is not None:
            errors.append(FieldError("exit_notified_on", "本人申报退出的，不填告知或公示日期"))
        if errors:
            raise InvalidInput(errors)
        rec.status, rec.exited_on = RecognitionStatus.EXITED, exited_on
        rec.exit_clause, rec.exit_reason = clause, reason.strip()
        rec.exit_route, rec.exit_notified_on = route, notified_on
        for tier in self.session.scalars(
            select(TierAssignment).where(
                TierAssignment.person_id == rec.person_id,
                TierAssignment.effective_from <= exited_on,
                (TierAssignment.effective_to.is_(None)) | (TierAssignment.effective_to > exited_on),
            )
        ):
            tier.effective_to = exited_on  # no longer 就业困难人员: no tier (002 §4) after the exit day
        self.session.flush()
        rescore_person(self.session, rec.person_id, today)
        self._audit(rec, "recognition.exit", f"退出就业困难人员（{clause}，{EXIT_ROUTES[route]}）")
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
