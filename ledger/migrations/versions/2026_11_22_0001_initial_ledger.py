"""initial ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The whole ledger as of the foundation issue. Frozen: column types are spelled out in
plain SQLAlchemy types (Money is BIGINT fen, UtcDateTime is TIMESTAMP WITH TIME ZONE) so the
migration does not change when application code does.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_person_id", sa.Integer(), nullable=True),
        sa.Column(
            "fields", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_subject_person_id"), ["subject_person_id"], unique=False)

    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("small_micro", sa.Boolean(), nullable=False),
        sa.Column("insured_headcount", sa.Integer(), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.CheckConstraint("insured_headcount >= 0", name=op.f("ck_employers_insured_headcount")),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_employers_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_employers_longitude")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("uscc", name=op.f("uq_employers_uscc")),
    )
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employers_region_code"), ["region_code"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column(
            "urban_rural",
            sa.Enum("urban", "rural", name="urban_rural", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "assistance",
            sa.Enum("none", "dibao", "dibian", name="assistance_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("zero_employment", sa.Boolean(), nullable=False),
        sa.Column("zero_employment_since", sa.Date(), nullable=True),
        sa.CheckConstraint("member_count >= 1", name=op.f("ck_households_member_count_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("ref", name=op.f("uq_households_ref")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_region_code"), ["region_code"], unique=False)

    op.create_table(
        "hr_agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=True),
        sa.Column("licence_valid_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_agencies")),
        sa.UniqueConstraint("uscc", name=op.f("uq_hr_agencies_uscc")),
    )
    with op.batch_alter_table("hr_agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hr_agencies_region_code"), ["region_code"], unique=False)

    op.create_table(
        "job_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ordinary",
                "love",
                "gig",
                "public_welfare",
                name="posting_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "schedule",
            sa.Enum(
                "full_time", "part_time", "hourly", "daily", name="schedule", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("wage_min", sa.BigInteger(), nullable=False),
        sa.Column("wage_max", sa.BigInteger(), nullable=False),
        sa.Column(
            "wage_unit",
            sa.Enum("hour", "day", "month", "piece", name="wage_unit", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column(
            "skills_required",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("disabled_suitable", sa.Boolean(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "filled", "expired", name="posting_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'love' OR (age_min IS NULL AND age_max IS NULL)", name=op.f("ck_job_postings_love_no_age_limit")
        ),
        sa.CheckConstraint(
            "age_min IS NULL OR age_max IS NULL OR age_max >= age_min", name=op.f("ck_job_postings_age_range")
        ),
        sa.CheckConstraint("age_min IS NULL OR age_min >= 16", name=op.f("ck_job_postings_age_min_legal")),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_job_postings_headcount_positive")),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_job_postings_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_job_postings_longitude")),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_job_postings_validity")),
        sa.CheckConstraint("wage_max >= wage_min", name=op.f("ck_job_postings_wage_range")),
        sa.CheckConstraint("wage_min >= 0", name=op.f("ck_job_postings_wage_min_non_negative")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_job_postings_employer_id_employers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_postings")),
        sa.UniqueConstraint("ref", name=op.f("uq_job_postings_ref")),
    )
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_postings_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_postings_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_postings_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_postings_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("hukou_region_code", sa.String(length=6), nullable=False),
        sa.Column("residence_region_code", sa.String(length=6), nullable=False),
        sa.Column(
            "urban_rural",
            sa.Enum("urban", "rural", name="urban_rural", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("education", sa.String(length=20), nullable=True),
        sa.Column("registered_unemployed_since", sa.Date(), nullable=True),
        sa.Column("disability_certificate", sa.String(length=30), nullable=True),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column("land_lost", sa.Boolean(), nullable=False),
        sa.Column("poverty_registered_from", sa.Date(), nullable=True),
        sa.Column("poverty_registered_to", sa.Date(), nullable=True),
        sa.Column(
            "skills", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "wished_work", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "wished_schedules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sex IN ('M', 'F')", name=op.f("ck_persons_sex")),
        sa.CheckConstraint("disability_grade BETWEEN 1 AND 4", name=op.f("ck_persons_disability_grade")),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_persons_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_persons_longitude")),
        sa.CheckConstraint(
            "poverty_registered_to IS NULL OR poverty_registered_from IS NULL OR poverty_registered_to >= poverty_registered_from",
            name=op.f("ck_persons_poverty_period"),
        ),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_persons_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number", name=op.f("uq_persons_id_number")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_hukou_region_code"), ["hukou_region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_residence_region_code"), ["residence_region_code"], unique=False)

    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "data_processing",
                "show_to_employers",
                "job_push",
                name="consent_scope",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_consent_records_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_records_person_id"), ["person_id"], unique=False)

    op.create_table(
        "job_pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "counter",
                "sms",
                "phone",
                "wechat",
                "app",
                name="push_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pushed_by", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_job_pushes_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["job_postings.id"], name=op.f("fk_job_pushes_posting_id_job_postings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_pushes")),
        sa.UniqueConstraint("person_id", "posting_id", name=op.f("uq_job_pushes_person_id_posting_id")),
    )
    with op.batch_alter_table("job_pushes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_pushes_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_pushes_posting_id"), ["posting_id"], unique=False)

    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "employer_absorption",
                "flexible",
                "public_welfare",
                "self_employed",
                name="placement_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("contract_months", sa.Integer(), nullable=True),
        sa.Column("full_time", sa.Boolean(), nullable=False),
        sa.Column("weekly_hours", sa.Integer(), nullable=True),
        sa.Column("monthly_wage", sa.BigInteger(), nullable=True),
        sa.Column("rural_post", sa.Boolean(), nullable=False),
        sa.Column("temporary_public_welfare", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "contract_months IS NULL OR contract_months >= 0", name=op.f("ck_placements_contract_months")
        ),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_placements_period")),
        sa.CheckConstraint("monthly_wage IS NULL OR monthly_wage >= 0", name=op.f("ck_placements_monthly_wage")),
        sa.CheckConstraint(
            "weekly_hours IS NULL OR weekly_hours BETWEEN 0 AND 84", name=op.f("ck_placements_weekly_hours")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["hr_agencies.id"], name=op.f("fk_placements_agency_id_hr_agencies")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_placements_employer_id_employers")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_placements_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["job_postings.id"], name=op.f("fk_placements_posting_id_job_postings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_posting_id"), ["posting_id"], unique=False)

    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "in_review",
                "recognised",
                "rejected",
                "exited",
                name="recognition_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.Column("exited_on", sa.Date(), nullable=True),
        sa.Column("exit_clause", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "exited_on IS NULL OR (recognised_on IS NOT NULL AND exited_on >= recognised_on)",
            name=op.f("ck_recognitions_exited_after_recognised"),
        ),
        sa.CheckConstraint(
            "recognised_on IS NULL OR recognised_on >= applied_on",
            name=op.f("ck_recognitions_recognised_after_applied"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_recognitions_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
    )
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recognitions_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recognitions_region_code"), ["region_code"], unique=False)

    op.create_table(
        "service_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("staff", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_service_contacts_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_contacts")),
    )
    with op.batch_alter_table("service_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_contacts_contacted_on"), ["contacted_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_contacts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "tier_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("assigned_by", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name=op.f("ck_tier_assignments_period")
        ),
        sa.CheckConstraint("tier BETWEEN 1 AND 3", name=op.f("ck_tier_assignments_tier")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_tier_assignments_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_assignments")),
    )
    with op.batch_alter_table("tier_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_assignments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "recognition_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "community_review",
                "publicity",
                "street_review",
                "county_review",
                name="recognition_step",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("pending", "passed", "failed", name="step_outcome", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("officer", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "completed_on IS NULL OR completed_on >= started_on",
            name=op.f("ck_recognition_steps_completed_after_start"),
        ),
        sa.CheckConstraint("due_on >= started_on", name=op.f("ck_recognition_steps_due_after_start")),
        sa.ForeignKeyConstraint(
            ["recognition_id"], ["recognitions.id"], name=op.f("fk_recognition_steps_recognition_id_recognitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_steps")),
        sa.UniqueConstraint("recognition_id", "step", name=op.f("uq_recognition_steps_recognition_id_step")),
    )
    with op.batch_alter_table("recognition_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recognition_steps_recognition_id"), ["recognition_id"], unique=False)

    op.create_table(
        "subsidy_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("scheme_code", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "eligible",
                "eligible_amount_unset",
                "not_yet",
                "ineligible",
                "needs_facts",
                "outside_validity",
                name="decision_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("ruleset_version", sa.String(length=40), nullable=False),
        sa.Column(
            "parameters", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "trace", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_subsidy_decisions_amount_non_negative")),
        sa.CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name=op.f("ck_subsidy_decisions_period"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_subsidy_decisions_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_subsidy_decisions_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_decisions")),
    )
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_decisions_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_decisions_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_decisions_scheme_code"), ["scheme_code"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("scheme_code", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("claim_year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted", "approved", "rejected", name="claim_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'submitted') = (decided_at IS NULL)", name=op.f("ck_claims_decided_iff_not_submitted")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_claims_amount_non_negative")),
        sa.CheckConstraint("claim_year BETWEEN 2000 AND 2100", name=op.f("ck_claims_claim_year")),
        sa.ForeignKeyConstraint(["agency_id"], ["hr_agencies.id"], name=op.f("fk_claims_agency_id_hr_agencies")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["subsidy_decisions.id"], name=op.f("fk_claims_decision_id_subsidy_decisions")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_claims_person_id_persons")),
        sa.ForeignKeyConstraint(["placement_id"], ["placements.id"], name=op.f("fk_claims_placement_id_placements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_claims_idempotency_key")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(
            "uq_claims_scheme_person_year_live",
            ["scheme_code", "person_id", "claim_year"],
            unique=True,
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        )


def downgrade() -> None:

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_claims_scheme_person_year_live",
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        )
        batch_op.drop_index(batch_op.f("ix_claims_placement_id"))
        batch_op.drop_index(batch_op.f("ix_claims_person_id"))
        batch_op.drop_index(batch_op.f("ix_claims_agency_id"))

    op.drop_table("claims")
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_decisions_scheme_code"))
        batch_op.drop_index(batch_op.f("ix_subsidy_decisions_placement_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_decisions_person_id"))

    op.drop_table("subsidy_decisions")
    with op.batch_alter_table("recognition_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_steps_recognition_id"))

    op.drop_table("recognition_steps")
    with op.batch_alter_table("tier_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tier_assignments_person_id"))

    op.drop_table("tier_assignments")
    with op.batch_alter_table("service_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_contacts_person_id"))
        batch_op.drop_index(batch_op.f("ix_service_contacts_contacted_on"))

    op.drop_table("service_contacts")
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognitions_region_code"))
        batch_op.drop_index(batch_op.f("ix_recognitions_person_id"))

    op.drop_table("recognitions")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_posting_id"))
        batch_op.drop_index(batch_op.f("ix_placements_person_id"))
        batch_op.drop_index(batch_op.f("ix_placements_employer_id"))
        batch_op.drop_index(batch_op.f("ix_placements_agency_id"))

    op.drop_table("placements")
    with op.batch_alter_table("job_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_pushes_posting_id"))
        batch_op.drop_index(batch_op.f("ix_job_pushes_person_id"))

    op.drop_table("job_pushes")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_records_person_id"))

    op.drop_table("consent_records")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_residence_region_code"))
        batch_op.drop_index(batch_op.f("ix_persons_hukou_region_code"))
        batch_op.drop_index(batch_op.f("ix_persons_household_id"))

    op.drop_table("persons")
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_postings_valid_until"))
        batch_op.drop_index(batch_op.f("ix_job_postings_region_code"))
        batch_op.drop_index(batch_op.f("ix_job_postings_kind"))
        batch_op.drop_index(batch_op.f("ix_job_postings_employer_id"))

    op.drop_table("job_postings")
    with op.batch_alter_table("hr_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hr_agencies_region_code"))

    op.drop_table("hr_agencies")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_region_code"))

    op.drop_table("households")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employers_region_code"))

    op.drop_table("employers")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_subject_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
