"""posting change feed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The posting change feed: every write to a posting, in order (search issue).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("change IN ('upsert', 'remove')", name=op.f("ck_posting_changes_change")),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["job_postings.id"], name=op.f("fk_posting_changes_posting_id_job_postings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_changes")),
    )
    with op.batch_alter_table("posting_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posting_changes_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_posting_changes_posting_id"), ["posting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posting_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posting_changes_posting_id"))
        batch_op.drop_index(batch_op.f("ix_posting_changes_at"))

    op.drop_table("posting_changes")
