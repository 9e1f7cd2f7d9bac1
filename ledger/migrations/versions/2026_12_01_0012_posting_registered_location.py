"""posting registered location

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

Candidate distance bands come from a posting's location as registered (issue 17): an employer's
move keeps the location the posting had before it for the bands, and may happen once a day.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("registered_longitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("location_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_column("location_changed_at")
        batch_op.drop_column("registered_longitude")
        batch_op.drop_column("registered_latitude")
