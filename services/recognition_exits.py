"""After an application is publicised: objections (002 §2 "公示5个工作日后无异议的") and the exit of a
recognised person (002 §5, last paragraph). A mixin of ``services.recognition.Recognitions``, which
gives it the session, the caller, the application lookup, the view and the audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from jiuyuan import clock
from jiuyuan.errors import Conflict, FieldError, InvalidInput, NotFound
from jiuyuan.vocab import RecognitionStatus, RecognitionStep, StepOutcome
from ledger.models import Objection, Recognition, TierAssignment
from ledger.placements import rescore_person
from services.recognition_steps import LIVE, advance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ledger.access import Principal
    from services.recognition import RecognitionView

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


class ObjectionsAndExits:
    """Objections and exits; ``Recognitions`` supplies the rest."""

    session: Session
    who: Principal

    def _application(self, recognition_id: int, lock: bool = False) -> Recognition: ...
    def _where_made(self, rec: Recognition) -> None: ...
    def _view(self, rec: Recognition, as_of: date | None = None) -> RecognitionView: ...
    def _audit(self, rec: Recognition, action: str, purpose: str) -> None: ...

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
