"""claim line supersedes index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

A correction line names the line it supersedes; finding a line's successor (and deleting lines)
scanned the whole table without an index on that column: 76,000 lines took over ten minutes to
delete on PostgreSQL.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claim_lines_supersedes_id", "claim_lines", ["supersedes_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_lines_supersedes_id", table_name="claim_lines")
