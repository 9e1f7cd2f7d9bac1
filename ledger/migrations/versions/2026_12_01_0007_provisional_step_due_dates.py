"""provisional step due dates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

A recognition step's due date counted over a year whose State Council holiday arrangement is
not loaded yet is provisional (002 §2); the note says so until `jiuyuan calendar rederive`
recomputes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recognition_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_provisional_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recognition_steps", schema=None) as batch_op:
        batch_op.drop_column("due_provisional_note")
