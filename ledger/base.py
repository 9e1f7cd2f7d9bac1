"""Declarative base, naming convention and the column types the ledger shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations name the same thing on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Money(TypeDecorator):
    """Yuan as ``Decimal`` in Python, whole fen as an integer in the database.

    Integers are exact on SQLite and PostgreSQL alike (SQLite has no decimal type),
    and a CHECK on the integer column keeps amounts ≥ 0.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect) -> int | None:
        if value is None:
            return None
        fen = Decimal(value) * 100
        if fen != fen.to_integral_value():
            raise ValueError(f"amount {value} has a fraction of a fen")
        return int(fen)

    def process_result_value(self, value: int | None, dialect) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


# JSONB on PostgreSQL (indexable), JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        # Stored in UTC: SQLite keeps no zone, so a +08:00 value must not be stored as written.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its value in a VARCHAR with a CHECK, the same on both databases."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )
