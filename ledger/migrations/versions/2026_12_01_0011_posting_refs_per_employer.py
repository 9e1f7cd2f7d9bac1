"""posting refs per employer

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

A posting's ref is its employer's own number (issue 17): unique per employer, and among postings
without an employer (a partial unique index: NULLs never clash in a unique constraint). Unique
across all employers, a 409 told one employer another's refs, and a ref could be squatted.
Downgrading fails while two employers share a ref: the global constraint cannot hold then.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_NO_EMPLOYER = sa.text("employer_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_job_postings_ref", type_="unique")
        batch_op.create_unique_constraint("uq_job_postings_employer_id_ref", ["employer_id", "ref"])
        batch_op.create_index(
            "uq_job_postings_ref_no_employer",
            ["ref"],
            unique=True,
            sqlite_where=_NO_EMPLOYER,
            postgresql_where=_NO_EMPLOYER,
        )


def downgrade() -> None:
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_index("uq_job_postings_ref_no_employer")
        batch_op.drop_constraint("uq_job_postings_employer_id_ref", type_="unique")
        batch_op.create_unique_constraint("uq_job_postings_ref", ["ref"])
