"""Monthly payment runs (直补快办, 001; 003 §3(2) "原则上应按月兑现补贴资金"): a run turns one
month of recorded facts into claim lines an officer approves; approved lines are the payments.

A line is keyed by (scheme, subject, month): at most one *live* line per key (every line but a
superseded one), so running a month again writes nothing unless the facts changed, and then a
correction line supersedes the live one. The database keeps both money rules:
- one live line per key (a partial unique index), so two runs cannot both pay a month;
- one social-insurance subsidy per person and month with money in it (``social_insurance``
  lines, the engine's combination rule), a partial unique index too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.base import Base, Json, Money, UtcDateTime, utcnow

LIVE = text("status <> 'superseded'")


class PaymentRun(Base):
    """One run of one month over one region, with what it found and wrote."""

    __tablename__ = "payment_runs"
    __table_args__ = (
        CheckConstraint("persons >= 0 AND written >= 0 AND corrections >= 0 AND unchanged >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    """YYYY-MM: the month paid."""
    region: Mapped[str | None] = mapped_column(String(6))
    """The region prefix the run covered (43, 4301, 430121); None: everywhere (administrators)."""
    as_of: Mapped[date] = mapped_column(Date)
    """The day the facts were evaluated on (see ``ledger.payments.evaluation_day``)."""
    run_by: Mapped[str] = mapped_column(String(60))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    """Persons evaluated."""
    written: Mapped[int] = mapped_column(Integer, default=0)
    """Lines written, corrections included."""
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    """Live lines the facts still bear out, left as they were."""


class ClaimLine(Base):
    """What one scheme pays for one subject (a placement) in one month, to whom and why.

    Most lines are written by a run. An HR agency's fee claim (``ledger.claims``) writes one too:
    payee the agency, month the one the fee matured in, no run until a run of that month takes
    it up (``run_id``), so approved fees reach the finance export and totals with the rest."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("payee_kind IN ('employer', 'person', 'agency')", name="payee_kind"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')", name="status"),
        CheckConstraint("decision IS NULL OR decision IN ('approved', 'rejected')", name="decision"),
        # A decided line keeps its decision when superseded: an approved line was paid.
        CheckConstraint("status IN ('pending', 'superseded') OR decision = status", name="status_is_decision"),
        CheckConstraint("(decision IS NULL) = (decided_at IS NULL)", name="decided_iff_decision"),
        CheckConstraint("(supersedes_id IS NULL) = (correction_reason IS NULL)", name="correction_has_reason"),
        Index(
            "uq_claim_lines_key_live",
            "scheme_code",
            "subject",
            "month",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "uq_claim_lines_si_person_month",
            "person_id",
            "month",
            unique=True,
            sqlite_where=text("social_insurance AND amount > 0 AND status <> 'superseded'"),
            postgresql_where=text("social_insurance AND amount > 0 AND status <> 'superseded'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    """The run that wrote the line, or took up an agency's claim line; None until one does."""
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), unique=True)
    """The HR agency's claim the line stands for (decided together with it)."""
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    scheme_code: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(40))
    """What the decision is about, as the engine names it (a placement id)."""
    month: Mapped[str] = mapped_column(String(7), index=True)
    social_insurance: Mapped[bool] = mapped_column(default=False)
    """A social-insurance subsidy: one a person a month (the engine's combination rule)."""
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    """The county that pays it (where the work is, as the engine scores it)."""
    payee_kind: Mapped[str] = mapped_column(String(10))
    payee_id: Mapped[int | None] = mapped_column(Integer)
    """employers.id, persons.id or hr_agencies.id; None where the employer is not recorded."""
    payee_name: Mapped[str] = mapped_column(String(100))
    """The account holder's name as the ledger holds it."""
    amount: Mapped[Decimal] = mapped_column(Money)
    """What the key is worth on the facts now (0.00 when it is no longer paid)."""
    payable: Mapped[Decimal] = mapped_column(Money)
    """What approving this line moves: ``amount`` less what approved lines of the key already
    paid; negative when money is to be recovered."""
    legal_basis: Mapped[str] = mapped_column(Text)
    trace: Mapped[list] = mapped_column(Json, default=list)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("claim_lines.id"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
