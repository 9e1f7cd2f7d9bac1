"""decision maturity and open conditions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

A stored subsidy decision keeps the day it will mature and what still stands in its way, so a
claim and a clerk can read them without re-running the engine (API issue).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matures_on", sa.Date(), nullable=True))
        # Rows stored before this revision have no open conditions on record: an empty object.
        batch_op.add_column(
            sa.Column(
                "open_conditions",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subsidy_decisions", schema=None) as batch_op:
        batch_op.drop_column("open_conditions")
        batch_op.drop_column("matures_on")
