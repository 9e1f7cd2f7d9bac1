"""Many rows into one table within the session's transaction, fast: COPY on PostgreSQL, a Core
executemany elsewhere (SQLite).

Why COPY: a 100,000-placement payment run writes ~76,000 claim lines and as many audit entries.
As multi-row INSERTs on PostgreSQL that was over a third of the run: SQLAlchemy rendered and
processed every bound value, psycopg adapted it and the server parsed thousand-row VALUES lists.
COPY streams the rows; each value still goes through its column type's own bind processing
(Money to fen, JSON to jsonb, aware datetimes), so a row means what it would in an INSERT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys, column names) into ``table``; no ids returned."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    processors = [(i, p) for i, c in enumerate(columns) if (p := c.type._cached_bind_processor(dialect))]
    raw = connection.connection.driver_connection  # psycopg's, in the session's transaction
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    sql = f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = [row[n] for n in names]
                for i, process in processors:
                    values[i] = process(values[i])
                copy.write_row(values)
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it for an INSERT (IntegrityError, OperationalError…), so callers
        # and the API's error handlers see one kind of failure whichever way the rows went.
        raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
