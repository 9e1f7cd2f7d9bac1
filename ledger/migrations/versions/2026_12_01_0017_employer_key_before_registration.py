"""employer key before registration

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

An employer key may be issued for a USCC not yet registered (issue 19: an employer registers its
own company). The key carries the USCC until the company is registered with it, when the
registration binds the key to the new employer row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employer_uscc", sa.String(18), nullable=True))
        batch_op.drop_constraint("employer_bound", type_="check")
        batch_op.create_check_constraint(
            "employer_bound", "role <> 'employer' OR employer_id IS NOT NULL OR employer_uscc IS NOT NULL"
        )
        batch_op.create_check_constraint("uscc_for_employers", "employer_uscc IS NULL OR role = 'employer'")
        batch_op.create_index("ix_api_keys_employer_uscc", ["employer_uscc"])


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_employer_uscc")
        batch_op.drop_constraint("uscc_for_employers", type_="check")
        batch_op.drop_constraint("employer_bound", type_="check")
        batch_op.execute("DELETE FROM api_keys WHERE role = 'employer' AND employer_id IS NULL")
        batch_op.create_check_constraint("employer_bound", "role <> 'employer' OR employer_id IS NOT NULL")
        batch_op.drop_column("employer_uscc")
