"""payment runs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Monthly payment runs (issue 16): a run per month and region, and the claim lines it writes, one
live line per (scheme, subject, month) and one social-insurance subsidy a person a month.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIVE = sa.text("status <> 'superseded'")
# One social-insurance subsidy a person a month with money in it (the engine's combination rule).
SI_MONEY = sa.text("social_insurance AND amount > 0 AND status <> 'superseded'")


def upgrade() -> None:
    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("run_by", sa.String(length=60), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("written", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "persons >= 0 AND written >= 0 AND corrections >= 0 AND unchanged >= 0", name=op.f("ck_payment_runs_counts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
    )
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_runs_month"), ["month"], unique=False)

    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("scheme_code", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("social_insurance", sa.Boolean(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("payee_kind", sa.String(length=10), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=True),
        sa.Column("payee_name", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("payable", sa.BigInteger(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column(
            "trace", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approved', 'rejected')", name=op.f("ck_claim_lines_decision")
        ),
        sa.CheckConstraint("payee_kind IN ('employer', 'person', 'agency')", name=op.f("ck_claim_lines_payee_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'superseded')", name=op.f("ck_claim_lines_status")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'superseded') OR decision = status", name=op.f("ck_claim_lines_status_is_decision")
        ),
        sa.CheckConstraint(
            "(decision IS NULL) = (decided_at IS NULL)", name=op.f("ck_claim_lines_decided_iff_decision")
        ),
        sa.CheckConstraint(
            "(supersedes_id IS NULL) = (correction_reason IS NULL)", name=op.f("ck_claim_lines_correction_has_reason")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_claim_lines_amount_non_negative")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_claim_lines_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_claim_lines_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["payment_runs.id"], name=op.f("fk_claim_lines_run_id_payment_runs")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["claim_lines.id"], name=op.f("fk_claim_lines_supersedes_id_claim_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
    )
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_lines_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_claim_lines_key_live",
            ["scheme_code", "subject", "month"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.create_index(
            "uq_claim_lines_si_person_month",
            ["person_id", "month"],
            unique=True,
            sqlite_where=SI_MONEY,
            postgresql_where=SI_MONEY,
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_index("uq_claim_lines_si_person_month")
        batch_op.drop_index("uq_claim_lines_key_live")
        batch_op.drop_index(batch_op.f("ix_claim_lines_status"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_run_id"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_region_code"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_placement_id"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_person_id"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_month"))

    op.drop_table("claim_lines")
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_runs_month"))

    op.drop_table("payment_runs")
