"""agency claim lines

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

An HR agency's fee claim becomes one kind of claim line (issue 16): the line names its claim
(``claim_id``, one line a claim) and has no run until a run of its month takes it up, so
``run_id`` may be empty. Persons get an index on their birth date for the two-ID-number risk
signal, which otherwise scanned the table once per page of lines.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.alter_column("run_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_claim_lines_claim_id"), ["claim_id"])
        batch_op.create_foreign_key(batch_op.f("fk_claim_lines_claim_id_claims"), "claims", ["claim_id"], ["id"])
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index("ix_persons_birth_date", ["birth_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_birth_date")
    # The claims keep what the agencies claimed and the decisions; their lines go with the column.
    op.execute("DELETE FROM claim_lines WHERE claim_id IS NOT NULL")
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claim_lines_claim_id_claims"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_claim_lines_claim_id"), type_="unique")
        batch_op.alter_column("run_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("claim_id")
