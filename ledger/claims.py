"""Claims: an HR agency claims its service fee for a placement, an officer approves or rejects
it with a reason, and the decision is final.

The rules that money depends on are kept by the database, not only by this code:
- an Idempotency-Key is unique per agency, so a retried or duplicated submission finds the
  claim it already made instead of making another;
- one live claim per scheme, person and year (004 §2(2)2 每人每年只享受一次) is a partial unique
  index, so two agencies racing for the same person cannot both win;
- a decision is an UPDATE … WHERE status = 'submitted', so two officers cannot both decide.

Each claim writes its claim line (``ledger.claim_lines.for_claim``: payee the agency, month the
fee matured in), decided with the claim, so approved fees reach a run's finance export and
totals, the risk signals show on it, and §5(6) reads it as money paid.

Who may claim, decide or see a claim (roles, jurisdiction) and the audit entries are
``services.claims``'s; this module keeps the ledger's side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiuyuan.errors import ClaimConflict, FieldError, InvalidInput, NotFound
from jiuyuan.vocab import ClaimStatus, DecisionStatus, Role
from ledger import claim_lines, placements
from ledger.base import utcnow
from ledger.models import Claim, Placement
from scoring.disclosure import disclose

CLAIMABLE = ("agency_fee", "agency_service_jiaxing")
"""The schemes an HR agency claims itself (004 §2(2)2, 003 §3(5))."""
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


@dataclass(frozen=True)
class Submitted:
    claim: Claim
    created: bool
    """False when the Idempotency-Key had already made this claim."""


def _stored_key(agency_id: int, key: str) -> str:
    return f"{agency_id}:{key}"


def _existing(session: Session, stored_key: str) -> Claim | None:
    return session.scalar(select(Claim).where(Claim.idempotency_key == stored_key))


def submit(session: Session, agency_id: int, placement_id: int, scheme: str, key: str, today: date) -> Submitted:
    """Claim ``scheme`` for the agency's placement. The placement is scored again today (and
    the decisions stored); only an eligible decision with an amount can be claimed."""
    errors = []
    if not _KEY.match(key or ""):
        errors.append(FieldError("Idempotency-Key", "幂等键须为8–64位字母、数字或 _ . : -"))
    if scheme not in CLAIMABLE:
        errors.append(FieldError("scheme", "可申领的补贴：" + "、".join(CLAIMABLE)))
    if errors:
        raise InvalidInput(errors)
    stored_key = _stored_key(agency_id, key)
    earlier = _existing(session, stored_key)
    if earlier is not None:
        return _replay(earlier, placement_id, scheme)
    placement = session.get(Placement, placement_id)
    if placement is None or placement.agency_id != agency_id:
        raise NotFound(f"安置记录 {placement_id} 不存在或不是本机构介绍的")
    decision = next((d for d in placements.score(session, placement, today) if d.scheme_code == scheme), None)
    if decision is None or decision.status is not DecisionStatus.ELIGIBLE or decision.amount is None:
        # A retry whose first attempt committed meanwhile now scores as "used this year": it is a replay.
        earlier = _existing(session, stored_key)
        if earlier is not None:
            return _replay(earlier, placement_id, scheme)
        raise ClaimConflict("scheme", _why_not(decision))
    year = (decision.matures_on or decision.period_start or today).year
    claim = Claim(
        idempotency_key=stored_key,
        scheme_code=scheme,
        person_id=placement.person_id,
        placement_id=placement.id,
        decision_id=decision.id,
        agency_id=agency_id,
        claim_year=year,
        amount=decision.amount,
        status=ClaimStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    try:
        with session.begin_nested():  # the request's unit of work goes on after a lost race
            session.add(claim)
            session.flush()
            claim_lines.for_claim(session, claim, decision.legal_basis, decision.trace, decision.matures_on)
    except IntegrityError:
        # Lost a race: the same key (a retry) or the same person and year (another agency).
        earlier = _existing(session, stored_key)
        if earlier is not None:
            return _replay(earlier, placement_id, scheme)
        raise ClaimConflict("person", f"该人员 {year} 年度的此项补贴已有申领（每人每年一次，004 §2(2)2）") from None
    return Submitted(claim, True)


def _replay(earlier: Claim, placement_id: int, scheme: str) -> Submitted:
    if (earlier.placement_id, earlier.scheme_code) != (placement_id, scheme):
        raise ClaimConflict("Idempotency-Key", "该幂等键已用于另一笔申领，请换一个新的幂等键")
    return Submitted(earlier, False)


def _why_not(decision) -> str:
    if decision is None:
        return "该安置没有此项补贴的决定（例如未登记介绍机构）"
    if decision.status is DecisionStatus.NOT_YET:
        return f"尚未满足条件，预计 {decision.matures_on} 起可申领"
    if decision.status is DecisionStatus.ELIGIBLE_AMOUNT_UNSET:
        return "符合条件，但补贴标准由地方规定且尚未配置，暂不能申领"
    # Told to the agency: its conditions, never the person's category (scoring.disclosure).
    shown = disclose(
        Role.AGENCY,
        scheme=decision.scheme_code,
        name=decision.scheme_code,
        failed=decision.open_conditions.get("failed", []),
        missing=decision.open_conditions.get("missing", []),
    )
    # Each condition is worded as what must hold ("该人员尚未享受过此项补贴"): say which way it went.
    said = [f"未满足的条件：{'；'.join(shown.failed)}"] if shown.failed else []
    said += [f"缺少的信息：{'；'.join(shown.missing)}"] if shown.missing else []
    status = "" if decision.status is DecisionStatus.INELIGIBLE else f"（{decision.status.label}）"
    return f"不符合申领条件{status}" + (f"。{'。'.join(said)}" if said else "")


def decide(session: Session, claim: Claim, approve: bool, reason: str | None, decided_by: str) -> Claim:
    """A final decision on ``claim``. Rejection needs a reason; a decided claim stays decided
    (409), even when two officers decide at once."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput([FieldError("reason", "驳回须写明理由")])
    if len(reason) > 500:
        raise InvalidInput([FieldError("reason", "理由不超过500字")])
    status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    changed = session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.status == ClaimStatus.SUBMITTED)
        .values(status=status, decided_at=utcnow(), decided_by=decided_by, reason=reason or None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise ClaimConflict("status", "该申领已审结，决定不可更改")
    session.refresh(claim)
    claim_lines.decide_claim_line(session, claim)
    return claim


def listing(status: ClaimStatus | None, limit: int, offset: int) -> Select[Claim]:
    """Claims newest first, one page; the caller narrows it to what may be seen."""
    query = select(Claim).order_by(Claim.id.desc()).limit(limit).offset(offset)
    return query.where(Claim.status == status) if status is not None else query
