"""What a payment run says and checks about its lines (``ledger.payments``): why a live line is
corrected, in Chinese, the combination rule at the line level, and a new line's row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jiuyuan.errors import Conflict
from jiuyuan.vocab import DecisionStatus
from ledger.models import ClaimLine
from scoring.decision import Decision
from scoring.schemes import SCHEMES

NAMES = {s.code: s.name for s in SCHEMES}
SOCIAL_INSURANCE = frozenset(s.code for s in SCHEMES if s.social_insurance)


def correction_reason(old: ClaimLine, want: Any, decision: Decision | None, row: dict, month: str) -> str:
    """Why the live line is corrected, in Chinese: what changed, and the engine's words for it."""
    name = NAMES.get(old.scheme_code, old.scheme_code)
    if want is None:
        said = [f"{month} 不再支付{name}，金额由 {old.amount} 元改为 0.00 元"]
    elif want.amount != old.amount:
        said = [f"{month} {name}金额由 {old.amount} 元改为 {want.amount} 元"]
    else:
        said = [f"{month} {name}收款方由“{old.payee_name}”改为“{want.payee_name}”"]
    if decision is None:
        said.append("该安置已无此项补贴的决定")
    else:
        if decision.status is not DecisionStatus.ELIGIBLE:
            said.append(f"决定为“{decision.status.label}”")
        why = [t for t in (*decision.trace, *decision.notes) if month in t or "按月补贴计至" in t]
        said.extend(why[:3])
        said.extend(decision.failed[:2])
    if old.decision == "approved":
        payable = row["payable"]
        said.append(f"原明细 {old.id} 已核准发放，本次{'应追回' if payable < 0 else '应补发'} {abs(payable)} 元")
    return "；".join(said)


def one_si_subsidy_a_month(rows: list[dict], kept: list[ClaimLine], month: str) -> None:
    """The engine's combination rule at the line level: one social-insurance subsidy with money
    in it a person a month (the database's partial unique index is the second line)."""
    seen: dict[int, str] = {}
    for person_id, scheme, amount in [
        *((r["person_id"], r["scheme_code"], r["amount"]) for r in rows),
        *((k.person_id, k.scheme_code, k.amount) for k in kept),
    ]:
        if scheme in SOCIAL_INSURANCE and amount > 0:
            if person_id in seen:
                raise Conflict(
                    f"人员 {person_id} 的 {month} 同时有{NAMES[seen[person_id]]}和{NAMES[scheme]}，"
                    "同一月份只能享受一项社会保险补贴，本次未写入任何明细。"
                )
            seen[person_id] = scheme


def line_row(run_id: int, key: tuple[str, str], month: str, want: Any, paid: Decimal) -> dict[str, Any]:
    """A new claim line's row: ``want`` (``ledger.payments.Wanted``) for ``key`` this month, less
    what approved lines of the key already ``paid``."""
    d = want.decision
    return {
        "run_id": run_id,
        "person_id": want.person_id,
        "placement_id": want.placement_id,
        "scheme_code": key[0],
        "subject": key[1],
        "month": month,
        "social_insurance": key[0] in SOCIAL_INSURANCE,
        "region_code": want.region_code,
        "payee_kind": want.payee_kind,
        "payee_id": want.payee_id,
        "payee_name": want.payee_name[:100],
        "amount": want.amount,
        "payable": want.amount - paid,
        "legal_basis": "；".join(d.legal_basis) if d else "",
        "trace": list(d.trace) if d else [],
        "status": "pending",
        "supersedes_id": None,  # every row the same keys: a Core executemany takes the first row's
        "correction_reason": None,
    }
