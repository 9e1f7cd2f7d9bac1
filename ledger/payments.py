"""A monthly payment run (直补快办: 001; 003 §3(2) "原则上应按月兑现补贴资金"): one month of
recorded facts becomes claim lines, one per (scheme, subject, month), that officers approve.

What a run pays: the month's amount (``month_amounts``) of each *monthly* subsidy of a placement
the engine finds eligible — ``MONTHLY`` below. The HR agency fee is claimed by the agency
(``ledger.claims``), and the claim writes its own line (payee the agency, month the fee matured
in); a run of that month takes such lines up (sets their ``run_id``) so its listing, export and
totals show them, but never computes or corrects them. The one-off job, start-up and transport
subsidies have no date the documents make them fall due on that a run could read.

Persons are read in pages of ``CHUNK`` (keyset on the id), each page's facts in a few queries
(``ledger.facts.cases_for``) and its lines written in one bulk INSERT; the session is flushed and
emptied after each page, so memory holds one page, not the region.

Idempotent: a key with a live line whose amount and payee the facts still bear out is left
alone. When they changed (a late contribution moved the month to another scheme, an exit was
recorded afterwards) the live line is superseded by a correction line with the reason in
Chinese; ``payable`` on it is what approving it moves (negative: money to recover).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session

import scoring
from jiuyuan.errors import Conflict, FieldError, InvalidInput
from jiuyuan.vocab import DecisionStatus
from ledger.access import Principal
from ledger.base import utcnow
from ledger.bulk_rows import insert_rows
from ledger.fact_rows import ids_in
from ledger.facts import cases_for
from ledger.line_checks import NAMES, correction_reason, line_row, one_si_subsidy_a_month
from ledger.models import AuditEntry, ClaimLine, Employer, JobPosting, PaymentRun, Person, Placement
from ledger.placements import local_parameters
from scoring.dates import ONE_DAY, add_months
from scoring.decision import Decision

MONTHLY = {
    "flexible_si": "person",  # 000 §7, 003 §3(2): the flexible worker paid the contribution
    "employer_si": "employer",  # 000 §5, 003 §3(3), 004 §2(3)2: the unit paid it
    "public_welfare_subsidy": "employer",  # 002 §3: the unit that runs the post (the person without one)
    "public_welfare_si": "employer",
}
"""The schemes a run pays, and who is paid."""
CHUNK = 1000
NO_EMPLOYER = "（未登记用人单位）"
__all__ = ["MONTHLY", "NAMES", "count", "evaluation_day", "month_start", "run"]


def month_start(text: str, today: date, field: str = "month") -> date:
    """The first day of a run's month: YYYY-MM, not after the current month (422 otherwise)."""
    try:
        first = date.fromisoformat(f"{text}-01") if len(text or "") == 7 else None
    except ValueError:
        first = None
    if first is None or not 2000 <= first.year <= 2099:
        raise InvalidInput([FieldError(field, f"月份格式应为 YYYY-MM（如 2026-11）：{text!r}")])
    if first > today:
        raise InvalidInput([FieldError(field, f"{text} 尚未到来，不能发放（本月为 {today:%Y-%m}）")])
    return first


def evaluation_day(first: date, today: date) -> date:
    """The day a run judges its month on: the end of the month after it, or today if earlier.

    Why not the month's own end: a monthly subsidy pays full months counted from the start day
    (``scoring.schemes.common.served_months``), so the month of a placement that began on the
    15th completes on the 14th of the next. Every fact that decides month M is dated by then."""
    return min(today, add_months(first, 2) - ONE_DAY)


@dataclass(frozen=True)
class Wanted:
    """What the facts say one key is worth this month, and to whom."""

    person_id: int
    placement_id: int | None
    region_code: str
    payee_kind: str
    payee_id: int | None
    payee_name: str
    amount: Decimal
    decision: Decision


def persons(clause: ColumnElement[bool]) -> Any:
    """Persons within ``clause`` who have placements, by id."""
    has = exists().where(Placement.person_id == Person.id)
    return select(Person.id).where(clause, has).order_by(Person.id)


def count(session: Session, clause: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(persons(clause).subquery())) or 0


def _pages(session: Session, clause: ColumnElement[bool]) -> Iterator[list[int]]:
    """The persons of ``persons(clause)`` a page at a time, in two plain reads a page: the next
    ``CHUNK`` ids within the clause, then which of them have placements. As one query with its
    EXISTS, PostgreSQL joined every placement of the ledger on every page (1.3 s a page at
    100,000 placements when the planner hashed them, 30 ms a page when it merged)."""
    last = 0
    while ids := list(
        session.scalars(select(Person.id).where(clause, Person.id > last).order_by(Person.id).limit(CHUNK))
    ):
        last = ids[-1]
        placed = set(session.scalars(select(Placement.person_id).where(ids_in(session, Placement.person_id, ids))))
        if placed:
            yield [i for i in ids if i in placed]


def run(
    session: Session,
    who: Principal,
    month: str,
    region: str | None,
    clause: ColumnElement[bool],
    today: date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Run ``month`` for the persons within ``clause`` (SQL over ``Person``); the run's id."""
    first = month_start(month, today)
    as_of = evaluation_day(first, today)
    row = PaymentRun(month=month, region=region, as_of=as_of, run_by=who.actor)
    session.add(row)
    session.flush()
    run_id = row.id
    counts = dict.fromkeys(("persons", "written", "corrections", "unchanged"), 0)
    local = local_parameters()
    for ids in _pages(session, clause):
        _page(session, who, run_id, month, as_of, ids, local, counts)
        counts["persons"] += len(ids)
        session.flush()
        session.expunge_all()  # one page in memory at a time
        if progress:
            progress(len(ids))
    session.execute(update(PaymentRun).where(PaymentRun.id == run_id).values(**counts))
    return run_id


def _page(session, who, run_id, month, as_of, ids, local, counts) -> None:
    wanted, decisions = _wanted(session, cases_for(session, ids, as_of), month, as_of, local)
    live = {
        (line.scheme_code, line.subject): line
        for line in session.scalars(
            select(ClaimLine).where(
                ids_in(session, ClaimLine.person_id, ids),
                ClaimLine.month == month,
                ClaimLine.status != "superseded",
                ClaimLine.scheme_code.in_(MONTHLY),  # agencies' claim lines are taken up, not computed
            )
        )
    }
    paid = dict(_paid(session, ids, month))  # type: ignore[arg-type]
    rows, superseded, kept = [], [], []
    for key in sorted(wanted.keys() | live.keys()):
        want, old = wanted.get(key), live.get(key)
        if old is None:
            if want is not None and want.amount > 0:
                rows.append(line_row(run_id, key, month, want, paid.get(key, Decimal(0))))
            continue
        if want is not None and (want.amount, want.payee_kind, want.payee_id) == (
            old.amount,
            old.payee_kind,
            old.payee_id,
        ):
            kept.append(old)
            continue
        if want is None and old.amount == 0:
            kept.append(old)  # already corrected to nothing
            continue
        row = line_row(run_id, key, month, want or _nothing(old, decisions.get(key)), paid.get(key, Decimal(0)))
        row.update(supersedes_id=old.id, correction_reason=correction_reason(old, want, decisions.get(key), row, month))
        superseded.append(old)
        rows.append(row)
    one_si_subsidy_a_month(rows, kept, month)
    for old in superseded:  # before the inserts: the live key and the SI month are the new line's
        changed = session.execute(
            update(ClaimLine)
            .where(ClaimLine.id == old.id, ClaimLine.status == old.status)
            .values(status="superseded")
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise Conflict(f"明细 {old.id} 正被他人处理，请稍后重新发放 {month}。")
    insert_rows(session, ClaimLine.__table__, rows)  # COPY on PostgreSQL; no ORM bookkeeping
    _audit(session, who, sorted({r["person_id"] for r in rows}), month)
    # Agencies' fee claims that matured this month join the run, for its listing and export.
    session.execute(
        update(ClaimLine)
        .where(ClaimLine.run_id.is_(None), ids_in(session, ClaimLine.person_id, ids), ClaimLine.month == month)
        .values(run_id=run_id)
        .execution_options(synchronize_session=False)
    )
    counts["written"] += len(rows)
    counts["corrections"] += len(superseded)
    counts["unchanged"] += len(kept)


def _audit(session: Session, who: Principal, person_ids: list[int], month: str) -> None:
    """One entry a person written for, as ``audit.record`` makes it, all at once (COPY on
    PostgreSQL): made one ORM object at a time they cost a tenth of a run."""
    if person_ids:
        entry = {"at": utcnow(), "actor": who.actor, "actor_role": who.role.value, "action": "payments.run"}
        entry |= {"fields": ["placement", "si_contributions"], "purpose": f"{month} 月补贴发放"}
        insert_rows(session, AuditEntry.__table__, [entry | {"subject_person_id": p} for p in person_ids])


def _paid(session: Session, ids: list[int], month: str):
    """What approved lines already paid per key this month (their ``payable`` summed)."""
    return (
        ((scheme, subject), total)
        for scheme, subject, total in session.execute(
            select(ClaimLine.scheme_code, ClaimLine.subject, func.sum(ClaimLine.payable))
            .where(
                ids_in(session, ClaimLine.person_id, ids),
                ClaimLine.month == month,
                ClaimLine.decision == "approved",
                ClaimLine.scheme_code.in_(MONTHLY),
            )
            .group_by(ClaimLine.scheme_code, ClaimLine.subject)
        )
    )


def _wanted(session: Session, cases: dict, month: str, as_of: date, local) -> tuple[dict, dict]:
    """Each key the facts pay this month (``Wanted``), and every monthly decision by key."""
    ids = [int(p.id) for case in cases.values() for p in case.placements]
    # Each placement's paying unit (its own, else its posting's) with the unit's and the person's
    # names, in one read: three a page cost PostgreSQL two more round trips and parses.
    unit = func.coalesce(Placement.employer_id, JobPosting.employer_id)
    payees = {
        pid: (employer_id, employer_name or NO_EMPLOYER, person_name)
        for pid, employer_id, employer_name, person_name in session.execute(
            select(Placement.id, unit, Employer.name, Person.name)
            .join(Person, Person.id == Placement.person_id)
            .outerjoin(JobPosting, JobPosting.id == Placement.posting_id)
            .outerjoin(Employer, Employer.id == unit)
            .where(ids_in(session, Placement.id, ids))
        )
    }
    wanted: dict[tuple[str, str], Wanted] = {}
    decisions: dict[tuple[str, str], Decision] = {}
    for person_id, case in cases.items():
        regions = {p.id: p.region_code for p in case.placements}
        for d in scoring.evaluate(case, as_of, local=local, assessments=False).decisions:
            if d.scheme not in MONTHLY or d.subject not in regions:
                continue
            decisions[(d.scheme, d.subject)] = d
            if d.status is not DecisionStatus.ELIGIBLE or month not in d.month_amounts:
                continue
            placement_id = int(d.subject)
            employer_id, employer_name, person_name = payees[placement_id]
            kind = MONTHLY[d.scheme]
            if kind == "employer" and employer_id is None and d.scheme == "public_welfare_subsidy":
                kind = "person"  # a public-welfare post with no unit on record: the wage subsidy is the person's
            payee_id = person_id if kind == "person" else employer_id
            payee_name = person_name if kind == "person" else employer_name
            wanted[(d.scheme, d.subject)] = Wanted(
                person_id, placement_id, regions[d.subject][:6], kind, payee_id, payee_name, d.month_amounts[month], d
            )
    return wanted, decisions


def _nothing(old: ClaimLine, decision: Decision | None) -> Wanted:
    """A key the facts no longer pay: worth 0.00 to the payee it had."""
    return Wanted(
        old.person_id,
        old.placement_id,
        old.region_code,
        old.payee_kind,
        old.payee_id,
        old.payee_name,
        Decimal("0.00"),
        decision,  # type: ignore[arg-type]
    )
