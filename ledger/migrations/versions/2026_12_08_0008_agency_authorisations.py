"""agency authorisations and server secrets

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

A person's service authorisation of an HR agency (PIPL issue): an agency records placements of,
sees decisions about and claims for a person only while one is active. The server's secret for
the per-posting pseudonyms of candidate cards is made here, once per ledger.
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_authorisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=60), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_agency_authorisations_period")),
        sa.CheckConstraint("source IN ('counter', 'import')", name=op.f("ck_agency_authorisations_source")),
        sa.CheckConstraint(
            "source <> 'import' OR proof IS NOT NULL", name=op.f("ck_agency_authorisations_import_proof")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["hr_agencies.id"], name=op.f("fk_agency_authorisations_agency_id_hr_agencies")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_agency_authorisations_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_authorisations")),
    )
    op.create_index(op.f("ix_agency_authorisations_agency_id"), "agency_authorisations", ["agency_id"], unique=False)
    op.create_index(op.f("ix_agency_authorisations_person_id"), "agency_authorisations", ["person_id"], unique=False)
    secrets_table = op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secrets")),
    )
    op.bulk_insert(
        secrets_table, [{"name": "person_ref", "value": secrets.token_hex(32), "created_at": datetime.now(UTC)}]
    )


def downgrade() -> None:
    op.drop_table("server_secrets")
    op.drop_index(op.f("ix_agency_authorisations_person_id"), table_name="agency_authorisations")
    op.drop_index(op.f("ix_agency_authorisations_agency_id"), table_name="agency_authorisations")
    op.drop_table("agency_authorisations")
