"""The audit log: who saw or changed whose data, when, which fields, for what purpose (PIPL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.base import Base, Json, UtcDateTime, utcnow


class AuditEntry(Base):
    """Append-only. ``subject_person_id`` has no foreign key on purpose: the trail of a
    person's data outlives any change to the person row."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(60))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    subject_person_id: Mapped[int | None] = mapped_column(index=True)
    fields: Mapped[list[str]] = mapped_column(Json, default=list)
    purpose: Mapped[str] = mapped_column(Text)
