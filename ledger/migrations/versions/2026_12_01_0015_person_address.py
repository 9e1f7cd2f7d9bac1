"""person address

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

A person's address as the counter writes it (issue 19): it names the residence county, whose
centre is the point distances are estimated from until a clerk enters a finer one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("address")
