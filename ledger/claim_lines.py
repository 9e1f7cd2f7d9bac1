"""Officers' decisions on claim lines, in batches: every line or none.

A batch is refused whole (nothing written) when any line in it is unknown or out of reach
(404), already decided (409), or superseded by a correction (409 naming the correcting line,
which is the one to decide). The decision is an UPDATE … WHERE status = 'pending', so two
officers deciding the same line at once cannot both succeed. Who may decide and the audit are
``services.payments``'s.

An HR agency's fee claim has a line of its own (``for_claim``): the claim and its line are
decided together, whichever route the officer takes (``/claims/{id}/decision`` or a batch here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jiuyuan.errors import ClaimConflict, FieldError, InvalidInput, NotFound
from jiuyuan.purposes import HIDDEN
from jiuyuan.vocab import ClaimStatus
from ledger.base import utcnow
from ledger.facts import cases_for
from ledger.models import Claim, ClaimLine, HrAgency

MAX_BATCH = 1000
_DONE = {"approved": "已核准", "rejected": "已驳回"}


def check_batch(line_ids: Sequence[int], reason: str | None) -> str:
    """The batch's own faults, all at once (422); the reason, trimmed."""
    errors, reason = [], (reason or "").strip()
    if not line_ids:
        errors.append(FieldError("line_ids", "请至少选择一条明细"))
    elif len(line_ids) > MAX_BATCH:
        errors.append(FieldError("line_ids", f"一次最多审批 {MAX_BATCH} 条明细"))
    elif len(set(line_ids)) != len(line_ids):
        errors.append(FieldError("line_ids", "明细编号有重复"))
    if not reason:
        errors.append(FieldError("reason", "审批须写明理由"))
    elif len(reason) > 500:
        errors.append(FieldError("reason", "理由不超过500字"))
    elif HIDDEN.search(reason):  # PostgreSQL refuses NUL; bidi and zero-width text would misread
        errors.append(FieldError("reason", "理由不能包含控制字符、零宽字符或文字方向控制符，请重新输入"))
    if errors:
        raise InvalidInput(errors)
    return reason


def successor(session: Session, line: ClaimLine) -> ClaimLine | None:
    """The live line that (through any chain of corrections) replaced ``line``."""
    current: ClaimLine | None = line
    while current is not None and current.status == "superseded":
        current = session.scalar(select(ClaimLine).where(ClaimLine.supersedes_id == current.id))
    return current


def decide(
    session: Session,
    line_ids: Sequence[int],
    approve: bool,
    reason: str | None,
    actor: str,
    reachable: Callable[[ClaimLine], bool],
) -> list[ClaimLine]:
    """Approve or reject every line of the batch, or none of them."""
    reason = check_batch(line_ids, reason)
    lines = {line.id: line for line in session.scalars(select(ClaimLine).where(ClaimLine.id.in_(line_ids)))}
    missing = [i for i in line_ids if i not in lines or not reachable(lines[i])]
    if missing:
        raise NotFound(f"明细 {'、'.join(map(str, missing))} 不存在或不在您的管辖范围内，本批未作任何审批。")
    refused = []
    for i in line_ids:
        line = lines[i]
        if line.status == "superseded":
            after = successor(session, line)
            refused.append(
                f"明细 {i} 已被明细 {after.id if after else '（未知）'} 更正"
                + (f"（{after.correction_reason}）" if after and after.correction_reason else "")
                + (f"，请审批明细 {after.id}" if after and after.status == "pending" else "")
            )
        elif line.status != "pending":
            refused.append(f"明细 {i} {_DONE[line.status]}（{line.decided_by}），不可重复审批")
    if refused:
        raise ClaimConflict("line_ids", "；".join(refused) + "。本批未作任何审批。")
    status = "approved" if approve else "rejected"
    changed = session.execute(
        update(ClaimLine)
        .where(ClaimLine.id.in_(line_ids), ClaimLine.status == "pending")
        .values(status=status, decision=status, decided_by=actor, decided_at=utcnow(), decision_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != len(line_ids):  # another officer decided some of them meanwhile
        raise ClaimConflict("line_ids", "部分明细刚被他人审批，本批未作任何审批，请刷新后重试。")
    claim_ids = [lines[i].claim_id for i in line_ids if lines[i].claim_id is not None]
    if claim_ids:  # an agency's claim is decided with its line
        decided = session.execute(
            update(Claim)
            .where(Claim.id.in_(claim_ids), Claim.status == ClaimStatus.SUBMITTED)
            .values(status=ClaimStatus(status), decided_at=utcnow(), decided_by=actor, reason=reason)
            .execution_options(synchronize_session=False)
        ).rowcount
        if decided != len(claim_ids):
            raise ClaimConflict("line_ids", "部分明细对应的机构申领刚被审结，本批未作任何审批，请刷新后重试。")
    for line in lines.values():
        session.refresh(line)
    return [lines[i] for i in line_ids]


def for_claim(session: Session, claim: Claim, legal_basis: str, trace: list[str], matures_on: date | None) -> ClaimLine:
    """The line an HR agency's ``claim`` stands for: payee the agency, month the one the fee
    matured in (004 §2(2)2: 稳定就业满6个月), county where the work is, as a run would write it.
    A rejected claim's line of the same key is corrected by this one (the agency claims again);
    any other live line of the key is 409."""
    on = matures_on or claim.submitted_at.date()
    month, subject = f"{on:%Y-%m}", str(claim.placement_id)
    key = (ClaimLine.scheme_code == claim.scheme_code, ClaimLine.subject == subject, ClaimLine.month == month)
    old = session.scalar(select(ClaimLine).where(*key, ClaimLine.status != "superseded"))
    if old is not None and old.status != "rejected":
        raise ClaimConflict("person", f"该安置 {month} 的此项补贴已有发放明细 {old.id}（每人每年一次，004 §2(2)2）")
    paid = session.scalar(select(func.sum(ClaimLine.payable)).where(*key, ClaimLine.decision == "approved"))
    case = cases_for(session, [claim.person_id], on)[claim.person_id]
    region = next(p.region_code for p in case.placements if p.id == subject)
    line = ClaimLine(
        claim_id=claim.id,
        person_id=claim.person_id,
        placement_id=claim.placement_id,
        scheme_code=claim.scheme_code,
        subject=subject,
        month=month,
        social_insurance=False,
        region_code=region[:6],
        payee_kind="agency",
        payee_id=claim.agency_id,
        payee_name=(session.get_one(HrAgency, claim.agency_id).name if claim.agency_id else "")[:100],
        amount=claim.amount,
        payable=claim.amount - (paid or Decimal(0)),
        legal_basis=legal_basis,
        trace=list(trace),
        status="pending",
    )
    if old is not None:
        changed = session.execute(
            update(ClaimLine)
            .where(ClaimLine.id == old.id, ClaimLine.status == "rejected")
            .values(status="superseded")
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise ClaimConflict("person", f"明细 {old.id} 正被他人处理，请稍后重试")
        line.supersedes_id = old.id
        line.correction_reason = f"原申领（明细 {old.id}）已驳回：{old.decision_reason}；机构重新申领"
    session.add(line)
    session.flush()
    return line


def decide_claim_line(session: Session, claim: Claim) -> None:
    """The officer decided ``claim`` (``ledger.claims.decide``): its line takes the same decision."""
    session.execute(
        update(ClaimLine)
        .where(ClaimLine.claim_id == claim.id, ClaimLine.status == "pending")
        .values(
            status=claim.status.value,
            decision=claim.status.value,
            decided_by=claim.decided_by,
            decided_at=claim.decided_at,
            decision_reason=claim.reason or "核准申领",
        )
        .execution_options(synchronize_session=False)
    )
