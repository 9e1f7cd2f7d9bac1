"""Monthly payment runs for officers (issue 16): run a month over a region within reach, read a
run's lines with their risk signals, approve or reject lines in batches, export a run's approved
lines for the finance office. The ledger keeps the rules money depends on (``ledger.payments``,
``ledger.claim_lines``); this service decides who may do what, and audits it.

Reach: a run covers the persons within the caller's jurisdiction (hukou or residence,
``Jurisdiction.person_clause``) narrowed to the region asked for (403 outside it); lines are
seen and decided by officers who reach their person (404 otherwise). Every person a listing,
a decision or an export shows is an audited read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from jiuyuan.errors import NotFound
from ledger import audit, claim_lines, payments
from ledger.access import Principal
from ledger.models import ClaimLine, PaymentRun, Person
from ledger.reports.payments import payments_xlsx
from services.jurisdiction import Jurisdiction

try:  # risk signals (issue 16): shown with each line, never deciding one
    from ledger.risk import signals_for
except ImportError:  # pragma: no cover - the signals module is optional
    signals_for = None


@dataclass(frozen=True)
class LineView:
    line: ClaimLine
    signals: list[Any] = field(default_factory=list)


class Payments:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def run(
        self, month: str, region: str | None, today: date, progress: Callable[[int], None] | None = None
    ) -> PaymentRun:
        """Run ``month`` over ``region`` (default: the caller's own jurisdiction). A future month
        or a malformed one is 422, a region out of reach 403; nothing is written then."""
        payments.month_start(month, today)  # before anything is read
        prefix = self.jurisdiction.narrow(region) if region else self.jurisdiction.region
        clause = self.jurisdiction.person_clause()
        if prefix:
            clause = and_(clause, Jurisdiction.in_area_clause(prefix))
        run_id = payments.run(self.session, self.who, month, prefix, clause, today, progress)
        return self.session.get_one(PaymentRun, run_id)

    def count(self, region: str | None) -> int:
        """Persons a run of ``region`` would read (for a progress bar)."""
        prefix = self.jurisdiction.narrow(region) if region else self.jurisdiction.region
        clause = self.jurisdiction.person_clause()
        return payments.count(self.session, and_(clause, Jurisdiction.in_area_clause(prefix)) if prefix else clause)

    def get_run(self, run_id: int) -> PaymentRun:
        run = self.session.get(PaymentRun, run_id)
        if run is None or not (
            self.jurisdiction.everywhere or (run.region and self.jurisdiction.covers_region(run.region))
        ):
            raise NotFound(f"发放批次 {run_id} 不存在或不在您的管辖范围内。")
        return run

    def _lines(self, run: PaymentRun, status: str | None = None) -> Any:
        query = select(ClaimLine).join(Person, Person.id == ClaimLine.person_id).where(ClaimLine.run_id == run.id)
        query = self.jurisdiction.where_person(query)
        return query.where(ClaimLine.status == status) if status else query

    def lines(self, run_id: int, status: str | None, limit: int, offset: int, purpose: str) -> list[LineView]:
        """One page of a run's lines with their risk signals; each person listed is audited."""
        run = self.get_run(run_id)
        rows = list(self.session.scalars(self._lines(run, status).order_by(ClaimLine.id).limit(limit).offset(offset)))
        for person_id in sorted({r.person_id for r in rows}):
            audit.record(self.session, self.who, "payments.lines", person_id, ["claim_lines"], purpose)
        found = signals_for(self.session, rows) if signals_for and rows else {}
        return [LineView(r, list(found.get((r.person_id, r.placement_id, r.scheme_code, r.month), []))) for r in rows]

    def decide(self, line_ids: list[int], approve: bool, reason: str | None) -> list[ClaimLine]:
        """Approve or reject a batch (every line or none); each decision is audited."""

        def reachable(line: ClaimLine) -> bool:
            return self.jurisdiction.covers(self.session.get_one(Person, line.person_id))

        lines = claim_lines.decide(self.session, line_ids, approve, reason, self.who.actor, reachable)
        for line in lines:
            audit.record(
                self.session,
                self.who,
                f"payments.{line.decision}",
                line.person_id,
                ["claim_lines"],
                f"{'核准' if approve else '驳回'}发放明细 {line.id}：{line.decision_reason}",
            )
        return lines

    def export(self, run_id: int) -> tuple[PaymentRun, bytes]:
        """The run's approved lines as the finance office's xlsx; each person in it is audited."""
        run = self.get_run(run_id)
        rows = list(
            self.session.scalars(self._lines(run).where(ClaimLine.decision == "approved").order_by(ClaimLine.id))
        )
        for person_id in sorted({r.person_id for r in rows}):
            audit.record(
                self.session, self.who, "payments.export", person_id, ["claim_lines"], f"{run.month} 发放清单交财务"
            )
        return run, payments_xlsx(run, rows)
