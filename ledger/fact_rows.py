"""Rows read fast for ``ledger.facts`` and the payment run: IN lists that PostgreSQL takes as one
array, and contribution months built into the engine's facts once per distinct content."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any

import msgspec
from sqlalchemy import ARRAY, ColumnElement, Connection, any_, bindparam
from sqlalchemy.orm import Session

from scoring.facts import Contribution as ContributionFact

FEN = Decimal("0.01")


def ids_in(db: Session | Connection, column: Any, ids: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL ``= ANY(array)``, one parameter rather than a thousand
    that SQLAlchemy renders and psycopg parses again on every page (a quarter of the read).
    The array's element type is the column's (ids, but also dates and names)."""
    dialect = db.get_bind().dialect if isinstance(db, Session) else db.dialect
    if dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(column.type)))
    return column.in_(ids)


@lru_cache(maxsize=65536)
def _yuan(fen: int) -> Decimal:
    # As ledger.base.Money reads it, memoised: a run reads 1.2 M amounts of a few thousand values.
    return (Decimal(fen) / 100).quantize(FEN)


def contribution_facts(rows: Iterable[Any]) -> dict[int, list[Any]]:
    """Per placement, one fact per month: the employer's and the personal parts by insurance.
    ``rows``: (placement_id, month, payer, insurance, amount in fen) tuples.

    Each month becomes the engine's frozen ``Contribution`` here, built (and validated) once per
    distinct content within the call and shared: placements on one scheme pay the same figures,
    and the engine validated every amount again otherwise. A month that does not convert stays a
    dict, so ``case_from_python`` reports it as it always did."""
    cells: dict[int, dict[str, list[tuple[str, str, int]]]] = defaultdict(lambda: defaultdict(list))
    for placement_id, month, payer, insurance, fen in rows:
        cells[placement_id][month].append((payer, insurance, fen))
    built: dict[Any, Any] = {}
    out: dict[int, list[Any]] = {}
    for placement_id, by_month in cells.items():
        facts = out[placement_id] = []
        for month in sorted(by_month):
            paid = by_month[month]
            key = (month, *sorted(paid)) if len(paid) > 1 else (month, *paid)
            if (fact := built.get(key)) is None:
                parts: dict[str, Any] = {"month": month, "employer": {}, "personal": {}}
                for payer, insurance, fen in key[1:]:  # (person, month, payer, insurance) is unique
                    parts[payer][insurance] = _yuan(fen)
                try:
                    fact = built[key] = msgspec.convert(parts, ContributionFact)
                except msgspec.ValidationError:
                    fact = built[key] = parts
            facts.append(fact)
    return out
