"""job fairs and training records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Job fairs (dispatch table columns 3–6, 000 annex) and training records (column 12).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_fairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("for_difficult_persons", sa.Boolean(), nullable=False),
        sa.Column("posts_offered", sa.Integer(), nullable=False),
        sa.Column("love_posts_offered", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "love_posts_offered >= 0 AND love_posts_offered <= posts_offered", name=op.f("ck_job_fairs_love_posts_part")
        ),
        sa.CheckConstraint("posts_offered >= 0", name=op.f("ck_job_fairs_posts_offered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_fairs")),
        sa.UniqueConstraint("ref", name=op.f("uq_job_fairs_ref")),
    )
    with op.batch_alter_table("job_fairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_fairs_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_fairs_region_code"), ["region_code"], unique=False)

    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("days_attended", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("days_attended >= 0", name=op.f("ck_training_records_days_attended")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_training_records_period")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_training_records_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_records_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_person_id"))

    op.drop_table("training_records")
    with op.batch_alter_table("job_fairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_fairs_region_code"))
        batch_op.drop_index(batch_op.f("ix_job_fairs_held_on"))

    op.drop_table("job_fairs")
