"""``ledger.bulk_rows.insert_rows`` (COPY on PostgreSQL, executemany on SQLite) stores what an
insert of the same rows stores: text that COPY must escape, JSON, NULLs, aware datetimes in
another zone. Money (fen) and the claim lines themselves are read back through the payment-run
tests, which run on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ledger.bulk_rows import insert_rows
from ledger.models import AuditEntry

AWKWARD = ["制表\t符", "换\n行", "反斜杠\\N", "\\.", "引号\"'", ""]


def test_copy_and_insert_store_the_same_audit_entries(sessions):
    at = datetime(2026, 12, 1, 20, 15, 30, 123456, tzinfo=timezone(timedelta(hours=8)))
    rows = [
        {"at": at, "actor": f"经办{i}", "actor_role": "officer", "action": "payments.run", "subject_person_id": None}
        | {"fields": [text, "placement"], "purpose": text}
        for i, text in enumerate(AWKWARD)
    ]
    with sessions.begin() as s:
        insert_rows(s, AuditEntry.__table__, rows)
        insert_rows(s, AuditEntry.__table__, [])  # nothing to write is no statement
    with sessions() as s:
        stored = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.purpose, e.fields, e.subject_person_id) for e in stored] == [
        (text, [text, "placement"], None) for text in AWKWARD
    ]
    assert {e.at for e in stored} == {at.astimezone(UTC)}


def test_a_refused_row_raises_what_an_insert_raises_and_writes_nothing(sessions):
    row = {"id": 7, "at": datetime(2026, 12, 1, tzinfo=UTC), "actor": "经办", "actor_role": "officer"}
    row |= {"action": "payments.run", "subject_person_id": 1, "fields": [], "purpose": "测试"}
    with pytest.raises(IntegrityError), sessions.begin() as s:
        insert_rows(s, AuditEntry.__table__, [row, row])  # the same id twice
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
