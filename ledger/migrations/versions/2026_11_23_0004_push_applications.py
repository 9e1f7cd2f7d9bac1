"""push applications and logged match features

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The day a person applied for a pushed post: pushed → applied → hired → still in post after six
months is what the learned re-ranker learns from (matching issue).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_pushes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "features", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("job_pushes", schema=None) as batch_op:
        batch_op.drop_column("features")
        batch_op.drop_column("applied_on")
