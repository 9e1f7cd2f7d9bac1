"""Officers' decisions on claim lines, in batches: every line or none.

A batch is refused whole (nothing written) when any line in it is unknown or out of reach
(404), already decided (409), or superseded by a correction (409 naming the correcting line,
which is the one to decide). The decision is an UPDATE … WHERE status = 'pending', so two
officers deciding the same line at once cannot both succeed. Who may decide and the audit are
``services.payments``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jiuyuan.errors import ClaimConflict, FieldError, InvalidInput, NotFound
from ledger.base import utcnow
from ledger.models import ClaimLine

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
    for line in lines.values():
        session.refresh(line)
    return [lines[i] for i in line_ids]
