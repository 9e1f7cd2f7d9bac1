"""Monthly payment runs (issue 16), officers only: run a month, read a run's claim lines with
their risk signals, approve or reject lines in batches, export the approved lines for finance.
The rules are ``services.payments``'s: these handlers decode, call it and encode."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter
from msgspec import Meta

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import LINE, Limit, Offset, Purpose, purpose_of
from api.schemas import Input
from jiuyuan import clock
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import Role
from ledger.models import ClaimLine, PaymentRun
from ledger.payments import NAMES
from ledger.reports.payments import PAYEE_KINDS
from services.payments import LineView, Payments

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RunId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="发放批次编号")]
STATUS_LABELS = {"pending": "待审批", "approved": "已核准", "rejected": "已驳回", "superseded": "已被更正"}


class RunIn(Input, kw_only=True):
    month: Annotated[str, Meta(max_length=20, pattern=LINE, description="发放月份 YYYY-MM，不晚于本月")]
    region: (
        Annotated[
            str, Meta(max_length=12, pattern=LINE, description="地区代码：省 43、市 4301、县 430121；默认本人管辖范围")
        ]
        | None
    ) = None


class RunOut(msgspec.Struct):
    id: int
    month: str
    region: str | None
    as_of: str
    run_by: str
    run_at: datetime
    persons: int
    written: int
    corrections: int
    unchanged: int


class SignalOut(msgspec.Struct):
    code: str
    title: str
    explanation: str
    rows: dict[str, list[int]]


class LineOut(msgspec.Struct):
    id: int
    run_id: int
    person_id: int
    placement_id: int | None
    scheme: str
    scheme_name: str
    month: str
    region_code: str
    payee_kind: str
    payee_kind_label: str
    payee_id: int | None
    payee_name: str
    amount: Decimal
    payable: Decimal
    legal_basis: str
    trace: list[str]
    status: str
    status_label: str
    supersedes_id: int | None
    correction_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    signals: list[SignalOut]


class DecisionIn(Input, kw_only=True):
    # extra_json_schema's "extra" is how Litestar's schema learns the items' bounds (it drops them).
    line_ids: Annotated[
        list[Annotated[int, Meta(ge=1, le=MAX_ID)]],
        Meta(
            max_length=1000,
            extra_json_schema={"extra": {"items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}},
        ),
    ]
    approve: bool
    reason: Annotated[str, Meta(max_length=500, description="审批理由（核准、驳回均须填写）")] | None = None


class DecisionOut(msgspec.Struct):
    decided: int
    status: str
    line_ids: list[int]


def run_out(run: PaymentRun) -> RunOut:
    return RunOut(
        run.id, run.month, run.region, run.as_of.isoformat(), run.run_by, run.run_at,
        run.persons, run.written, run.corrections, run.unchanged,
    )  # fmt: skip


def line_out(view: LineView) -> LineOut:
    line: ClaimLine = view.line
    return LineOut(
        id=line.id,
        run_id=line.run_id,
        person_id=line.person_id,
        placement_id=line.placement_id,
        scheme=line.scheme_code,
        scheme_name=NAMES.get(line.scheme_code, line.scheme_code),
        month=line.month,
        region_code=line.region_code,
        payee_kind=line.payee_kind,
        payee_kind_label=PAYEE_KINDS[line.payee_kind],
        payee_id=line.payee_id,
        payee_name=line.payee_name,
        amount=line.amount,
        payable=line.payable,
        legal_basis=line.legal_basis,
        trace=list(line.trace),
        status=line.status,
        status_label=STATUS_LABELS[line.status],
        supersedes_id=line.supersedes_id,
        correction_reason=line.correction_reason,
        decided_by=line.decided_by,
        decided_at=line.decided_at,
        decision_reason=line.decision_reason,
        signals=[
            SignalOut(s.code, s.title, s.explanation, {k: list(v) for k, v in s.rows.items()}) for s in view.signals
        ],
    )


class PaymentsController(Controller):
    """Officers only (and administrators)."""

    path = "/"
    tags = ["payments"]
    guards = [allow(Role.OFFICER)]
    dependencies = {"payments": service(Payments)}

    @post(
        "/payment-runs",
        operation_id="runPayments",
        sync_to_thread=True,
        status_code=201,
        responses=problem_responses(400, 401, 403, 409, 422, 503),
        summary="按月发放：计算管辖范围内各项按月补贴，写入发放明细（可重复运行，事实变化时写更正明细）",
    )
    def run(
        self,
        payments: NamedDependency[Payments],
        data: Annotated[
            RunIn, Body(examples=[Example(summary="一个县的11月", value={"month": "2026-11", "region": "430121"})])
        ],
    ) -> RunOut:
        """Run a month: one claim line per (scheme, placement, month); a rerun writes only what changed.

        Returns:
            The run with its counts; 422 for a future or malformed month, 403 for a region out of reach.
        """
        return run_out(payments.run(data.month, data.region, clock.today()))

    @get(
        "/payment-runs/{run_id:int}/lines",
        operation_id="paymentRunLines",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 503),
        summary="发放批次的明细，附风险提示（提示不自动驳回）；每个列出的人员写入审计日志",
    )
    def lines(
        self,
        payments: NamedDependency[Payments],
        run_id: RunId,
        purpose: Purpose = "补贴审核",
        status: Annotated[Literal["pending", "approved", "rejected", "superseded"] | None, QueryParameter()] = None,
        limit: Limit = 200,
        offset: Offset = 0,
    ) -> list[LineOut]:
        """The run's lines within reach, by id.

        Returns:
            One page of lines, each with its risk signals.
        """
        return [line_out(v) for v in payments.lines(run_id, status, limit, offset, purpose_of(purpose))]

    @post(
        "/claim-lines/decision",
        operation_id="decideClaimLines",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
        summary="经办人员批量核准或驳回发放明细（全部或全不；每条写入审计日志）",
    )
    def decide(
        self,
        payments: NamedDependency[Payments],
        data: Annotated[
            DecisionIn,
            Body(
                examples=[Example(summary="核准", value={"line_ids": [1, 2], "approve": True, "reason": "经核对无误"})]
            ),
        ],
    ) -> DecisionOut:
        """Approve or reject every line of the batch, or none: 409 for a line decided already or
        corrected by another (naming the correcting line), 404 for one out of reach.

        Returns:
            How many lines were decided.
        """
        lines = payments.decide(data.line_ids, data.approve, data.reason)
        return DecisionOut(len(lines), "approved" if data.approve else "rejected", [line.id for line in lines])

    @get(
        "/payment-runs/{run_id:int}/export.xlsx",
        operation_id="paymentRunExport",
        sync_to_thread=True,
        responses=problem_responses(401, 403, 404, 503),
        summary="发放清单（xlsx，交财务）：已核准明细及按补贴项目、县、月份的合计",
    )
    def export(self, payments: NamedDependency[Payments], run_id: RunId) -> Response:
        """The run's approved lines for the finance office.

        Returns:
            An xlsx file: 发放明细 and 合计 sheets.
        """
        run, content = payments.export(run_id)
        return Response(
            content,
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''payments-{run.month}-{run.id}.xlsx"},
        )


ROUTES = [PaymentsController]
