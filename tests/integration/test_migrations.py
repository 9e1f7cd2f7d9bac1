"""Alembic migrations run unchanged on SQLite and PostgreSQL, both ways, and match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ledger import db
from ledger.models import Base

TABLES = {
    "agency_authorisations",
    "api_keys",
    "audit_log",
    "claim_lines",
    "claims",
    "consent_records",
    "employers",
    "households",
    "hr_agencies",
    "job_postings",
    "job_fairs",
    "job_pushes",
    "life_events",
    "officer_rulings",
    "payment_runs",
    "persons",
    "placement_confirmations",
    "placements",
    "posting_changes",
    "recognition_objections",
    "recognition_steps",
    "recognitions",
    "server_secrets",
    "service_contacts",
    "si_contributions",
    "subsidy_decisions",
    "tier_assignments",
    "training_records",
}


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(db_url):
    db.upgrade(db_url)
    assert _tables(db_url) == TABLES
    db.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    db.upgrade(db_url)
    assert _tables(db_url) == TABLES


def test_migrated_schema_matches_the_models(migrated_url):
    """No drift: autogenerate finds nothing to add between the migration and the models."""
    engine = db.make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_alembic_check_command(migrated_url):
    command.check(db.alembic_config(migrated_url))  # raises when models and migrations differ
