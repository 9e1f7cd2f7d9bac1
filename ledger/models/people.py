"""Persons, households, consent, recognitions (002 §1–§2), tiers (002 §4), service contacts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jiuyuan.vocab import (
    AssistanceStatus,
    ConsentScope,
    RecognitionStatus,
    RecognitionStep,
    StepOutcome,
    UrbanRural,
)
from ledger.base import Base, Json, UtcDateTime, str_enum, utcnow


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (CheckConstraint("member_count >= 1", name="member_count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    """The office's own household number (户号); unique."""
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    urban_rural: Mapped[UrbanRural] = mapped_column(str_enum(UrbanRural, "urban_rural"))
    assistance: Mapped[AssistanceStatus] = mapped_column(
        str_enum(AssistanceStatus, "assistance_status"), default=AssistanceStatus.NONE
    )
    member_count: Mapped[int] = mapped_column(Integer, default=1)
    zero_employment: Mapped[bool] = mapped_column(default=False)
    """零就业家庭: every working-age member unemployed (002 §1(2), §4(3))."""
    zero_employment_since: Mapped[date | None] = mapped_column(Date)

    members: Mapped[list[Person]] = relationship(back_populates="household")


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade"),
        CheckConstraint(
            "poverty_registered_to IS NULL OR poverty_registered_from IS NULL "
            "OR poverty_registered_to >= poverty_registered_from",
            name="poverty_period",
        ),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint(
            "retirement_category IS NULL OR retirement_category IN ('male', 'female_55', 'female_50')",
            name="retirement_category",
        ),
        # The two-ID-number risk signal (ledger.risk) looks persons up by birth date.
        Index("ix_persons_birth_date", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    hukou_region_code: Mapped[str] = mapped_column(String(6), index=True)
    residence_region_code: Mapped[str] = mapped_column(String(6), index=True)
    urban_rural: Mapped[UrbanRural] = mapped_column(str_enum(UrbanRural, "urban_rural"))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    education: Mapped[str | None] = mapped_column(String(20))
    registered_unemployed_since: Mapped[date | None] = mapped_column(Date)
    disability_certificate: Mapped[str | None] = mapped_column(String(30))
    disability_grade: Mapped[int | None] = mapped_column(Integer)
    land_lost: Mapped[bool] = mapped_column(default=False)
    poverty_registered_from: Mapped[date | None] = mapped_column(Date)
    """建档立卡 period (004): from/to; None when never registered."""
    poverty_registered_to: Mapped[date | None] = mapped_column(Date)
    retirement_category: Mapped[str | None] = mapped_column(String(10))
    """The original statutory retirement category the 2024 reform counts from: male, female_55
    (a female cadre, or a woman insured as a flexible worker) or female_50 (a female worker);
    None: not recorded, so the retirement age is marked assumed."""
    skills: Mapped[list[str]] = mapped_column(Json, default=list)
    wished_work: Mapped[list[str]] = mapped_column(Json, default=list)
    wished_schedules: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    household: Mapped[Household | None] = relationship(back_populates="members")


class ConsentRecord(Base):
    """One grant or withdrawal of consent (PIPL); the latest row per scope is in force."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    scope: Mapped[ConsentScope] = mapped_column(str_enum(ConsentScope, "consent_scope"))
    granted: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(60))


class Recognition(Base):
    """An application to be recognised as 就业困难人员 (002 §1) and its outcome."""

    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint("recognised_on IS NULL OR recognised_on >= applied_on", name="recognised_after_applied"),
        CheckConstraint(
            "exited_on IS NULL OR (recognised_on IS NOT NULL AND exited_on >= recognised_on)",
            name="exited_after_recognised",
        ),
        CheckConstraint("exit_route IS NULL OR exit_route IN ('self', 'office')", name="exit_route"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    """Where the application was made: the hukou or residence county (002 §2, §4)."""
    categories: Mapped[list[int]] = mapped_column(Json)
    """002 §1 categories (1)–(7) claimed, as integers."""
    status: Mapped[RecognitionStatus] = mapped_column(
        str_enum(RecognitionStatus, "recognition_status"), default=RecognitionStatus.APPLIED
    )
    applied_on: Mapped[date] = mapped_column(Date)
    recognised_on: Mapped[date | None] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_clause: Mapped[str | None] = mapped_column(String(20))
    """The 002 §5 clause that ended it, e.g. '002 §5(5)'."""
    exit_reason: Mapped[str | None] = mapped_column(Text)
    exit_route: Mapped[str | None] = mapped_column(String(10))
    """002 §5 last paragraph: ``self`` (the person reported it) or ``office`` (found by the
    community, after notice to the person or publicity)."""
    exit_notified_on: Mapped[date | None] = mapped_column(Date)
    """For an office exit: the day the person was told or the notice was published."""

    steps: Mapped[list[RecognitionStepRow]] = relationship(
        back_populates="recognition", order_by="RecognitionStepRow.started_on"
    )


class RecognitionStepRow(Base):
    """One workflow step of 002 §2, with its due date on the working-day calendar."""

    __tablename__ = "recognition_steps"
    __table_args__ = (
        UniqueConstraint("recognition_id", "step"),
        CheckConstraint("due_on >= started_on", name="due_after_start"),
        CheckConstraint("completed_on IS NULL OR completed_on >= started_on", name="completed_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recognition_id: Mapped[int] = mapped_column(ForeignKey("recognitions.id"), index=True)
    step: Mapped[RecognitionStep] = mapped_column(str_enum(RecognitionStep, "recognition_step"))
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    due_provisional_note: Mapped[str | None] = mapped_column(Text)
    """Set while ``due_on`` was counted over a year whose holiday arrangement is not loaded
    (scoring.workdays); ``jiuyuan calendar rederive`` recomputes it once the year is loaded."""
    completed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[StepOutcome] = mapped_column(str_enum(StepOutcome, "step_outcome"), default=StepOutcome.PENDING)
    officer: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)

    recognition: Mapped[Recognition] = relationship(back_populates="steps")


class TierAssignment(Base):
    """The support tier of 002 §4 (1)(2)(3) a person is served under, over a period."""

    __tablename__ = "tier_assignments"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)


class ServiceContact(Base):
    """A service given to a person (tier 3 needs one a month, 002 §4(3))."""

    __tablename__ = "service_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    contacted_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    staff: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class AgencyAuthorisation(Base):
    """A person's service authorisation of one HR agency (PIPL: consent to that agency): dated,
    revocable, recorded at a counter or imported with its proof. An agency records a placement
    of, sees the decisions about, or claims for a person only while one is active
    (``services.authorisations``); revoking keeps the row, so the history stays."""

    __tablename__ = "agency_authorisations"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="period"),
        CheckConstraint("source IN ('counter', 'import')", name="source"),
        CheckConstraint("source <> 'import' OR proof IS NOT NULL", name="import_proof"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    """``counter``: given in person at a counter; ``import``: taken from a signed form (``proof``)."""
    proof: Mapped[str | None] = mapped_column(Text)
    """What the consent rests on where it was imported: the signed form's reference."""
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(60))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
