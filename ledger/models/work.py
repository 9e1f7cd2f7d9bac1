"""Employers, HR agencies, job postings, placements and job pushes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jiuyuan.vocab import PlacementKind, PostingKind, PostingStatus, PushChannel, Schedule, WageUnit
from ledger.base import Base, Json, Money, UtcDateTime, str_enum, utcnow


class Employer(Base):
    __tablename__ = "employers"
    __table_args__ = (
        CheckConstraint("insured_headcount >= 0", name="insured_headcount"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    founded_on: Mapped[date | None] = mapped_column(Date)
    small_micro: Mapped[bool] = mapped_column(default=False)
    insured_headcount: Mapped[int | None] = mapped_column(Integer)
    contact_phone: Mapped[str | None] = mapped_column(String(20))

    postings: Mapped[list[JobPosting]] = relationship(back_populates="employer")


class HrAgency(Base):
    """A licensed human-resources service agency that may claim service fees (004 §2(2)2, 003 §3(5))."""

    __tablename__ = "hr_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    licence_no: Mapped[str | None] = mapped_column(String(40))
    licence_valid_until: Mapped[date | None] = mapped_column(Date)


class JobPosting(Base):
    __tablename__ = "job_postings"
    __table_args__ = (
        CheckConstraint("wage_min >= 0", name="wage_min_non_negative"),
        CheckConstraint("wage_max >= wage_min", name="wage_range"),
        CheckConstraint("age_min IS NULL OR age_min >= 16", name="age_min_legal"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_max >= age_min", name="age_range"),
        # 000 §2: love posts are "无年龄限制、无技能要求".
        CheckConstraint("kind <> 'love' OR (age_min IS NULL AND age_max IS NULL)", name="love_no_age_limit"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("valid_until >= valid_from", name="validity"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        # A ref is the employer's own number: unique per employer, so one employer's refs can be
        # neither learnt (a 409) nor squatted by another (issue 17). Postings without an employer
        # share one namespace: NULLs never clash in a unique constraint, hence the partial index.
        UniqueConstraint("employer_id", "ref"),
        Index(
            "uq_job_postings_ref_no_employer",
            "ref",
            unique=True,
            sqlite_where=text("employer_id IS NULL"),
            postgresql_where=text("employer_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40))
    """A stable external reference (the employer's or the office's posting number); unique per
    employer (and among postings without one), never across employers."""
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[PostingKind] = mapped_column(str_enum(PostingKind, "posting_kind"), index=True)
    schedule: Mapped[Schedule] = mapped_column(str_enum(Schedule, "schedule"))
    wage_min: Mapped[Decimal] = mapped_column(Money)
    wage_max: Mapped[Decimal] = mapped_column(Money)
    wage_unit: Mapped[WageUnit] = mapped_column(str_enum(WageUnit, "wage_unit"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    skills_required: Mapped[list[str]] = mapped_column(Json, default=list)
    """Empty list: no skill required (always so for love posts, 000 §2)."""
    disabled_suitable: Mapped[bool] = mapped_column(default=False)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[PostingStatus] = mapped_column(str_enum(PostingStatus, "posting_status"), default=PostingStatus.OPEN)
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    registered_latitude: Mapped[float | None]
    registered_longitude: Mapped[float | None]
    """Where candidate distance bands are measured from, once an employer has moved the posting:
    the location it had before its first move (None: the posting's own location is the one
    registered). Counter staff and officers moving it register the new one (issue 17: an
    employer moving its posting and re-reading the bands trilaterated a candidate's home)."""
    location_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The last change of region, address or coordinates: an employer may make one a day."""

    employer: Mapped[Employer | None] = relationship(back_populates="postings")


class Placement(Base):
    """A person placed in work; scoring reads it as the placement fact."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint("contract_months IS NULL OR contract_months >= 0", name="contract_months"),
        CheckConstraint("weekly_hours IS NULL OR weekly_hours BETWEEN 0 AND 84", name="weekly_hours"),
        CheckConstraint("monthly_wage IS NULL OR monthly_wage >= 0", name="monthly_wage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[PlacementKind] = mapped_column(str_enum(PlacementKind, "placement_kind"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("job_postings.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    """The HR agency that made the placement, if any (004 §2(2)2, 003 §3(5))."""
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    """Last day in post (closed period); None while still in post."""
    contract_months: Mapped[int | None] = mapped_column(Integer)
    full_time: Mapped[bool] = mapped_column(default=True)
    weekly_hours: Mapped[int | None] = mapped_column(Integer)
    monthly_wage: Mapped[Decimal | None] = mapped_column(Money)
    rural_post: Mapped[bool] = mapped_column(default=False)
    temporary_public_welfare: Mapped[bool] = mapped_column(default=False)
    """临时性公益岗位 (000 §8: at most 6 months)."""
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JobPush(Base):
    """A posting pushed to a person; tier 2 needs at least 3 (002 §4(2), 001 Qingdao)."""

    __tablename__ = "job_pushes"
    __table_args__ = (UniqueConstraint("person_id", "posting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id"), index=True)
    channel: Mapped[PushChannel] = mapped_column(str_enum(PushChannel, "push_channel"))
    pushed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    pushed_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    applied_on: Mapped[date | None] = mapped_column(Date)
    """The day the person applied for the pushed post; the learned re-ranker's first outcome."""
    features: Mapped[dict[str, float] | None] = mapped_column(Json)
    """The match's feature values as the clerk saw them when pushing (see matcher.ranker):
    logged at push time so training reads what the ranker saw, not a recomputation."""


class JobFair(Base):
    """A recruitment event; special fairs for people with employment difficulty feed the
    dispatch table (000 §3 and annex columns 3–6)."""

    __tablename__ = "job_fairs"
    __table_args__ = (
        CheckConstraint("posts_offered >= 0", name="posts_offered"),
        CheckConstraint("love_posts_offered >= 0 AND love_posts_offered <= posts_offered", name="love_posts_part"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    """The organiser's own reference for the event; unique."""
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(default=False)
    for_difficult_persons: Mapped[bool] = mapped_column(default=True)
    """就业困难人员专场招聘会."""
    posts_offered: Mapped[int] = mapped_column(Integer, default=0)
    love_posts_offered: Mapped[int] = mapped_column(Integer, default=0)
    """Of the posts offered, 爱心岗位 “无年龄限制、无技能要求”."""


class TrainingRecord(Base):
    """A person's vocational training course (000 §4, 004 §2(2)3; dispatch column 12)."""

    __tablename__ = "training_records"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period"),
        CheckConstraint("days_attended >= 0", name="days_attended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    """employment_skills (就业技能培训) or post_skill (岗位技能提升培训)."""
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    days_attended: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[bool] = mapped_column(default=False)


class PostingChange(Base):
    """The change feed: every write that adds, changes or withdraws a posting, in order.

    ``id`` is the cursor a partner or an OpenSearch cluster keeps; ``at`` lets one start from
    a timestamp. A posting that merely passes its valid-until date writes nothing here: the
    index drops it on its next update by date."""

    __tablename__ = "posting_changes"
    __table_args__ = (CheckConstraint("change IN ('upsert', 'remove')", name="change"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id"), index=True)
    change: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
