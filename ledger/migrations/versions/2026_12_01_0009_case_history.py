"""case history

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

What the rules read over a case's life (issue 15): social-insurance contributions per month,
in-post confirmations, life events (002 §5(1)(2)(3)), publicity objections (002 §2), officers'
rulings on "原则上" (002 §5), the retirement category (2024 reform) and how an exit was made.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


_STATUSES = "'eligible', 'eligible_amount_unset', 'not_yet', 'ineligible', 'needs_facts', 'outside_validity'"


def _decision_statuses(statuses: str) -> None:
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.drop_constraint("decision_status", type_="check")
        batch_op.create_check_constraint("decision_status", f"status IN ({statuses})")


def upgrade() -> None:
    # 002 §5 "原则上不超过2次": a decision an officer has to take.
    _decision_statuses(_STATUSES + ", 'needs_approval'")
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "months",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )
        batch_op.add_column(sa.Column("next_step", sa.Text(), nullable=True))
    op.create_table(
        "life_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'left_labour_market' OR reason IS NOT NULL", name=op.f("ck_life_events_left_reason")
        ),
        sa.CheckConstraint(
            "kind IN ('management_role', 'management_role_ended', 'left_labour_market', 'pension')",
            name=op.f("ck_life_events_kind"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_life_events_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_events")),
    )
    with op.batch_alter_table("life_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_life_events_person_id"), ["person_id"], unique=False)

    op.create_table(
        "officer_rulings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=60), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=60), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_officer_rulings_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_officer_rulings_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_rulings")),
    )
    with op.batch_alter_table("officer_rulings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_rulings_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_officer_rulings_placement_id"), ["placement_id"], unique=False)

    op.create_table(
        "placement_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("in_post", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_placement_confirmations_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_confirmations")),
    )
    with op.batch_alter_table("placement_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_confirmations_placement_id"), ["placement_id"], unique=False)

    op.create_table(
        "recognition_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'open') = (decided_on IS NULL)", name=op.f("ck_recognition_objections_decided_iff_closed")
        ),
        sa.CheckConstraint(
            "outcome IN ('open', 'upheld', 'dismissed')", name=op.f("ck_recognition_objections_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"], ["recognitions.id"], name=op.f("fk_recognition_objections_recognition_id_recognitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_objections")),
    )
    with op.batch_alter_table("recognition_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recognition_objections_recognition_id"), ["recognition_id"], unique=False)

    op.create_table(
        "si_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("payer", sa.String(length=10), nullable=False),
        sa.Column("insurance", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "insurance IN ('pension', 'medical', 'unemployment')", name=op.f("ck_si_contributions_insurance")
        ),
        sa.CheckConstraint("payer IN ('employer', 'personal')", name=op.f("ck_si_contributions_payer")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_si_contributions_amount_non_negative")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_si_contributions_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_si_contributions_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_si_contributions")),
        sa.UniqueConstraint(
            "person_id", "month", "payer", "insurance", name=op.f("uq_si_contributions_person_id_month_payer_insurance")
        ),
    )
    with op.batch_alter_table("si_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_si_contributions_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_si_contributions_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_si_contributions_placement_id"), ["placement_id"], unique=False)

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retirement_category", sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            "retirement_category",
            "retirement_category IS NULL OR retirement_category IN ('male', 'female_55', 'female_50')",
        )

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exit_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("exit_route", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("exit_notified_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint("exit_route", "exit_route IS NULL OR exit_route IN ('self', 'office')")


def downgrade() -> None:
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.drop_column("next_step")
        batch_op.drop_column("months")
    _decision_statuses(_STATUSES)
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.drop_constraint("exit_route", type_="check")
        batch_op.drop_column("exit_notified_on")
        batch_op.drop_column("exit_route")
        batch_op.drop_column("exit_reason")

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("end_reason")

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint("retirement_category", type_="check")
        batch_op.drop_column("retirement_category")

    with op.batch_alter_table("si_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_si_contributions_placement_id"))
        batch_op.drop_index(batch_op.f("ix_si_contributions_person_id"))
        batch_op.drop_index(batch_op.f("ix_si_contributions_month"))

    op.drop_table("si_contributions")
    with op.batch_alter_table("recognition_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_objections_recognition_id"))

    op.drop_table("recognition_objections")
    with op.batch_alter_table("placement_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_confirmations_placement_id"))

    op.drop_table("placement_confirmations")
    with op.batch_alter_table("officer_rulings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_rulings_placement_id"))
        batch_op.drop_index(batch_op.f("ix_officer_rulings_person_id"))

    op.drop_table("officer_rulings")
    with op.batch_alter_table("life_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_events_person_id"))

    op.drop_table("life_events")
