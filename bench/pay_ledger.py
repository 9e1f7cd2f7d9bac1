"""A prefecture-size ledger for ``bench.pay``, written by bulk inserts (not intake row by row).

One person and one placement each, recognised first (002 §1 category 6), with 12 months of
pension contributions by the right payer (the unit for employer and public-welfare posts, the
person for flexible work): n placements make 12·n contribution rows. 90 % started in December
of the year before the run month and are in post; 10 % started earlier in that year and ended
with their twelfth month, before the run month. 30 % of employer placements came through an HR
agency. SQLite gets one executemany per table, PostgreSQL COPY.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from stdnum.cn import ric

from scoring.dates import add_months

# Counties whose codes were in use in 1984, so every ID number's birthplace is valid at birth.
REGIONS = ("430102", "430103", "430104", "430105", "430111", "430121", "433130")
KINDS = (("employer_absorption", 60), ("flexible", 25), ("public_welfare", 15))
AGENCIES = 20
NOW = datetime(2026, 1, 1, tzinfo=UTC)
EMPTY = "[]"


def _id_number(rng: random.Random, i: int, region: str) -> str:
    born = date(1984, 1, 1) + timedelta(days=i % 5000)  # i → (region, birth, sequence) is one to one
    body = f"{region}{born:%Y%m%d}{(i // 5000) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def tables(n: int, month: str, seed: int = 1) -> Iterator[tuple[str, tuple[str, ...], list[tuple]]]:
    """(table, columns, rows) in foreign-key order; values as the database stores them (money in fen)."""
    rng = random.Random(seed)
    run_first = date.fromisoformat(f"{month}-01")
    employers = max(10, n // 50)
    yield (
        "employers",
        ("id", "uscc", "name", "region_code", "small_micro"),
        [
            (e, f"91{REGIONS[e % len(REGIONS)]}{e:010d}", f"基准单位{e}", REGIONS[e % len(REGIONS)], True)
            for e in range(1, employers + 1)
        ],
    )
    yield (
        "hr_agencies",
        ("id", "uscc", "name", "region_code", "licence_no"),
        [(a, f"92{REGIONS[0]}{a:010d}", f"基准机构{a}", REGIONS[0], f"L{a}") for a in range(1, AGENCIES + 1)],
    )
    persons, recognitions, placements = [], [], []
    kinds, weights = zip(*KINDS, strict=True)
    for i in range(1, n + 1):
        region = REGIONS[i % len(REGIONS)]
        number = _id_number(rng, i, region)
        persons.append(
            (
                i,
                number,
                f"基准{i}",
                "M" if int(number[16]) % 2 else "F",
                date.fromisoformat(f"{number[6:10]}-{number[10:12]}-{number[12:14]}"),
                region,
                region,
                "urban",
                False,
                EMPTY,
                EMPTY,
                EMPTY,
                NOW,
            )
        )
        kind = rng.choices(kinds, weights)[0]
        if rng.random() < 0.9:  # in post: started in the December before the run month's year
            start = add_months(run_first, -11).replace(day=rng.randint(1, 28))
            end = None
        else:  # ended with its twelfth month, earlier
            start = add_months(run_first, -rng.randint(13, 22)).replace(day=1)
            end = add_months(start, 12) - timedelta(days=1)
        recognitions.append((i, i, region, "[6]", "recognised", start - timedelta(days=60), start - timedelta(days=30)))
        employer = rng.randint(1, employers) if kind != "flexible" else None
        agency = rng.randint(1, AGENCIES) if kind == "employer_absorption" and rng.random() < 0.3 else None
        placements.append(
            (
                i,
                i,
                kind,
                employer,
                agency,
                start,
                end,
                12 if kind == "employer_absorption" else None,
                kind != "flexible",
                220000,
                False,
                False,
                NOW,
            )
        )
    yield (
        "persons",
        (
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "hukou_region_code",
            "residence_region_code",
            "urban_rural",
            "land_lost",
            "skills",
            "wished_work",
            "wished_schedules",
            "created_at",
        ),
        persons,
    )
    yield (
        "recognitions",
        ("id", "person_id", "region_code", "categories", "status", "applied_on", "recognised_on"),
        recognitions,
    )
    yield (
        "placements",
        (
            "id",
            "person_id",
            "kind",
            "employer_id",
            "agency_id",
            "start_date",
            "end_date",
            "contract_months",
            "full_time",
            "monthly_wage",
            "rural_post",
            "temporary_public_welfare",
            "created_at",
        ),
        placements,
    )
    yield (
        "si_contributions",
        (
            "id",
            "person_id",
            "placement_id",
            "month",
            "payer",
            "insurance",
            "amount",
            "source",
            "recorded_by",
            "recorded_at",
        ),
        _contributions(placements),
    )


def _contributions(placements: list[tuple]) -> Iterator[tuple]:
    """Twelve months from each placement's start, streamed: 12·n tuples are never held at once."""
    row_id = 0
    for pid, person, kind, _, _, start, *_ in placements:
        payer = "personal" if kind == "flexible" else "employer"
        for k in range(12):
            row_id += 1
            month = f"{add_months(start.replace(day=1), k):%Y-%m}"
            yield (row_id, person, pid, month, payer, "pension", 48000, "bench", "bench", NOW)


def _sqlite_value(value):
    # The text SQLAlchemy's SQLite types store and read back: ISO dates, naive UTC timestamps.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def write(engine, n: int, month: str) -> int:
    """Bulk-load the ledger at ``engine`` (migrated, empty); the number of rows written."""
    total = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        postgres = engine.dialect.name == "postgresql"
        for table, columns, rows in tables(n, month):
            names = ", ".join(columns)
            if postgres:
                with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        total += 1
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            else:
                marks = ", ".join("?" * len(columns))
                cur.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    ([_sqlite_value(v) for v in row] for row in rows),
                )
                total += cur.rowcount
        raw.commit()
    finally:
        raw.close()
    return total
