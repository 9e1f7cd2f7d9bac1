"""A case's history over time: what the rules read besides the profile (issue 15).

Social-insurance contributions month by month, confirmations that a person is still in post,
life events that end entitlements (a director's role, leaving the labour market), objections
raised during publicity, and officers' rulings where a document says "原则上".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.base import Base, Money, UtcDateTime, utcnow


class Contribution(Base):
    """One month of one insurance paid for a person by one payer, as the social-insurance office's
    monthly export shows it. A month not paid is a month with no row."""

    __tablename__ = "si_contributions"
    __table_args__ = (
        UniqueConstraint("person_id", "month", "payer", "insurance"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("payer IN ('employer', 'personal')", name="payer"),
        CheckConstraint("insurance IN ('pension', 'medical', 'unemployment')", name="insurance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    """The placement the month falls in: an employer's part belongs to an employer or public-welfare
    post, a personal one (灵活就业人员以个人身份缴费) to a flexible placement."""
    month: Mapped[str] = mapped_column(String(7), index=True)
    """YYYY-MM."""
    payer: Mapped[str] = mapped_column(String(10))
    """``employer`` (the unit's part) or ``personal`` (the person paying as a flexible worker)."""
    insurance: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200))
    """Where the figure comes from, e.g. the office's export file and its date."""
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PlacementConfirmation(Base):
    """A check that the person is still in post (or has left) on a day: a follow-up call, a
    visit, the employer's statement (002 §1 每月跟踪回访)."""

    __tablename__ = "placement_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    confirmed_on: Mapped[date] = mapped_column(Date)
    in_post: Mapped[bool]
    recorded_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class LifeEvent(Base):
    """A dated fact about a person that 002 §5 reads: a management role taken (§5(1)) or given up,
    leaving the labour market (§5(3): death, study, military service, emigration, prison,
    incapacity), a basic pension starting (§5(2))."""

    __tablename__ = "life_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('management_role', 'management_role_ended', 'left_labour_market', 'pension')", name="kind"
        ),
        CheckConstraint("kind <> 'left_labour_market' OR reason IS NOT NULL", name="left_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    happened_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(20))
    """For ``left_labour_market``: death, study, military, emigration, prison, incapacity."""
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Objection(Base):
    """An objection raised while an application is publicised (002 §2 "公示5个工作日后无异议"):
    open until an officer upholds it (the publicity fails) or dismisses it."""

    __tablename__ = "recognition_objections"
    __table_args__ = (
        CheckConstraint("outcome IN ('open', 'upheld', 'dismissed')", name="outcome"),
        CheckConstraint("(outcome = 'open') = (decided_on IS NULL)", name="decided_iff_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recognition_id: Mapped[int] = mapped_column(ForeignKey("recognitions.id"), index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10), default="open")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))


class OfficerRuling(Base):
    """An officer's call where a document leaves one ("原则上"), e.g. a third public-welfare
    placement (002 §5 安置次数原则上不超过2次). The newest ruling for a question stands."""

    __tablename__ = "officer_rulings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    question: Mapped[str] = mapped_column(String(60))
    approved: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(60))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
