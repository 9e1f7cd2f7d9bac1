"""Subsidy decisions (what scoring said, with its trace) and claims against them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from jiuyuan.vocab import ClaimStatus, DecisionStatus
from ledger.base import Base, Json, Money, UtcDateTime, str_enum, utcnow


class SubsidyDecision(Base):
    """One scheme's decision for a person — about one of their placements, or about the person
    (a living allowance, a training course) — stored with the rules and figures it used."""

    __tablename__ = "subsidy_decisions"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    """What the decision is about, as the report names it: a placement id, "person", "training[0]"."""
    scheme_code: Mapped[str] = mapped_column(String(60), index=True)
    status: Mapped[DecisionStatus] = mapped_column(str_enum(DecisionStatus, "decision_status"))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(Text)
    """Seed file and clause, e.g. '004 §2(3)2'."""
    ruleset_version: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict] = mapped_column(Json, default=dict)
    """The parameter values the decision used, so it can be explained as it was."""
    trace: Mapped[list] = mapped_column(Json, default=list)
    matures_on: Mapped[date | None] = mapped_column(Date)
    """For a decision not yet due: the day its conditions will be met (e.g. 6 months in post)."""
    open_conditions: Mapped[dict] = mapped_column(Json, default=dict)
    """What still stands in the way: {"failed": [...], "missing": [...], "unset": [...]} in Chinese."""
    months: Mapped[list] = mapped_column(Json, default=list)
    """The calendar months a monthly subsidy pays (YYYY-MM), after accumulation and combination rules."""
    next_step: Mapped[str | None] = mapped_column(Text)
    """What would make an unpaid decision payable, in plain Chinese."""
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Claim(Base):
    """A claim for money, e.g. an HR agency's service fee (004 §2(2)2: once a person a year)."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("claim_year BETWEEN 2000 AND 2100", name="claim_year"),
        CheckConstraint("(status = 'submitted') = (decided_at IS NULL)", name="decided_iff_not_submitted"),
        # Once a person a year per scheme: a rejected claim does not block a new one.
        Index(
            "uq_claims_scheme_person_year_live",
            "scheme_code",
            "person_id",
            "claim_year",
            unique=True,
            sqlite_where=text("status <> 'rejected'"),
            postgresql_where=text("status <> 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    scheme_code: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_decisions.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    claim_year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[ClaimStatus] = mapped_column(str_enum(ClaimStatus, "claim_status"), default=ClaimStatus.SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
