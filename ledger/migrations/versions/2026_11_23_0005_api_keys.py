"""api keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

API keys issued by an administrator, one role each, bound to an employer, an agency or a
jurisdiction (API issue).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "counter",
                "agency",
                "employer",
                "officer",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("region_prefix", sa.String(length=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role <> 'agency' OR agency_id IS NOT NULL", name=op.f("ck_api_keys_agency_bound")),
        sa.CheckConstraint("role <> 'employer' OR employer_id IS NOT NULL", name=op.f("ck_api_keys_employer_bound")),
        sa.CheckConstraint(
            "role NOT IN ('counter', 'officer') OR region_prefix IS NOT NULL", name=op.f("ck_api_keys_jurisdiction")
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_api_keys_expiry")),
        sa.ForeignKeyConstraint(["agency_id"], ["hr_agencies.id"], name=op.f("fk_api_keys_agency_id_hr_agencies")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_api_keys_employer_id_employers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
