"""API keys: issued by an administrator, one role each, bound to the tenant the role works for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jiuyuan.vocab import Role
from ledger.base import Base, UtcDateTime, str_enum, utcnow


class ApiKey(Base):
    """Only the SHA-256 of the secret is kept: the secret is 256 random bits, so a slow password
    hash buys nothing, and the token is shown once when issued."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(
            "role <> 'employer' OR employer_id IS NOT NULL OR employer_uscc IS NOT NULL", name="employer_bound"
        ),
        CheckConstraint("employer_uscc IS NULL OR role = 'employer'", name="uscc_for_employers"),
        CheckConstraint("role <> 'agency' OR agency_id IS NOT NULL", name="agency_bound"),
        CheckConstraint("role NOT IN ('counter', 'officer') OR region_prefix IS NOT NULL", name="jurisdiction"),
        CheckConstraint("expires_at > created_at", name="expiry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    name: Mapped[str] = mapped_column(String(60))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    employer_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    """An employer key issued before its company is registered: the company registers itself
    with this USCC (``POST /employers``), which binds the key to the new employer."""
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"))
    region_prefix: Mapped[str | None] = mapped_column(String(6))
    """The jurisdiction of counter staff and officers: a province, city or county code prefix."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ServerSecret(Base):
    """Secrets the service keeps in its ledger, made once when the ledger is migrated (0008):
    ``person_ref`` keys the per-posting pseudonyms of candidate cards (``matcher.people``).
    Never shown through the API."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
