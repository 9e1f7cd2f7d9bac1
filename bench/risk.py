"""How many lines each claim risk signal (``ledger.risk``) flags on the demo data, and why.

    python -m bench.risk [--persons 20000] [--seed 20230201]

The demo generator (``demo.generate``) writes persons, recognitions and placements but no
contributions, authorisations or claims. So on top of the loaded demo this script adds, labelled
here and nowhere else:

- **a simulated history**: monthly contributions by the right payer for every month in post of
  95 % of the placements (of those, 3 % of the months are missing: paid late); the other 5 % have
  none imported yet. An authorisation of its agency for 97 % of the agency placements.
- **planted patterns**, a few of each signal's kind, so that each is seen to fire: a second
  agency placing the same person 45 days later; agency placements ending 1–20 days after the
  fee matured; one employer with six placements, four ended in the month after the sixth;
  three persons registered again under another ID number (same name, birth date, birthplace).

The demo is generated with one posting per ten persons (so one employer per 200 persons). The
lines checked are those a run would make: every month of a monthly subsidy the engine finds
eligible (``Decision.months``, on the demo's anchor date) and one agency-fee claim per agency
placement. The table counts the lines each signal flags, how many of those rest on planted rows,
and one explanation as the clerk reads it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from stdnum.cn import ric

import scoring
from demo.generate import generate
from demo.load import load
from jiuyuan import clock
from jiuyuan.vocab import DecisionStatus, PlacementKind
from ledger import db, risk
from ledger.facts import cases_for
from ledger.models import AgencyAuthorisation, Contribution, Person, Placement
from scoring.dates import ONE_DAY, add_months, months_covered

PAYING = (DecisionStatus.ELIGIBLE, DecisionStatus.ELIGIBLE_AMOUNT_UNSET)


def simulate_history(s, rng: random.Random, anchor: date) -> None:
    """Contributions and authorisations the demo lacks (see the module's docstring)."""
    rows, grants = [], []
    for p in s.scalars(select(Placement)):
        if p.kind is not PlacementKind.SELF_EMPLOYED and rng.random() < 0.95:
            payer = "personal" if p.kind is PlacementKind.FLEXIBLE else "employer"
            for month in months_covered(p.start_date, min(p.end_date or anchor, anchor)):
                if rng.random() >= 0.03:
                    rows.append(
                        {
                            "person_id": p.person_id,
                            "placement_id": p.id,
                            "month": month,
                            "payer": payer,
                            "insurance": "pension",
                            "amount": Decimal(480),
                            "source": "模拟",
                            "recorded_by": "bench.risk",
                        }
                    )
        if p.agency_id and rng.random() < 0.97:
            grants.append(
                {
                    "person_id": p.person_id,
                    "agency_id": p.agency_id,
                    "valid_from": p.start_date - timedelta(days=30),
                    "valid_to": p.start_date + timedelta(days=700),
                    "purpose": "委托推荐就业（模拟）",
                    "source": "counter",
                    "recorded_by": "bench.risk",
                }
            )
    s.execute(insert(Contribution), rows)
    s.execute(insert(AgencyAuthorisation), grants)


def plant(s, rng: random.Random, anchor: date) -> dict[str, set[int]]:
    """The planted patterns; returns the placements and persons they touch."""
    planted: dict[str, set[int]] = {"placements": set(), "persons": set()}
    agency_ids = sorted({a for a in s.scalars(select(Placement.agency_id)) if a})
    with_agency = list(s.scalars(select(Placement).where(Placement.agency_id.is_not(None)).order_by(Placement.id)))
    rng.shuffle(with_agency)
    for p in with_agency[:5]:  # a second agency 45 days later
        other = next(a for a in agency_ids if a != p.agency_id)
        new = s.scalar(
            insert(Placement).returning(Placement.id),
            [_copy(p, agency_id=other, start_date=p.start_date + timedelta(days=45))],
        )
        planted["placements"] |= {p.id, new}
    for p in with_agency[5:]:  # ends just after the fee matured
        end = add_months(p.start_date, 6) - ONE_DAY + timedelta(days=rng.randint(1, 20))
        if end <= anchor and len(planted["placements"]) < 15:
            s.execute(update(Placement).where(Placement.id == p.id).values(end_date=end))
            planted["placements"].add(p.id)
    own_hires = select(Placement).where(
        Placement.kind == PlacementKind.EMPLOYER_ABSORPTION, Placement.agency_id.is_(None)
    )
    employer_placements = list(s.scalars(own_hires.order_by(Placement.id).limit(6)))
    for i, p in enumerate(employer_placements):  # one employer, four of six ended in the month after the sixth
        start = anchor - timedelta(days=800 + 30 * i)
        months = 6 if i < 4 else 14
        s.execute(
            update(Placement)
            .where(Placement.id == p.id)
            .values(
                employer_id=employer_placements[0].employer_id,
                start_date=start,
                end_date=add_months(start, months) + timedelta(days=10),
            )
        )
        planted["placements"].add(p.id)
    placed = list(s.scalars(select(Person).where(Person.id.in_(select(Placement.person_id))).order_by(Person.id)))
    for person in rng.sample(placed, 3):  # registered again under another number
        body = person.id_number[:14] + f"{(int(person.id_number[14:17]) + 2) % 1000:03d}"
        copy = {c.key: getattr(person, c.key) for c in Person.__table__.columns if c.key != "id"}
        s.execute(insert(Person), [copy | {"id_number": body + ric.calc_check_digit(body + "0")}])
        planted["persons"].add(person.id)
    return planted


def _copy(p: Placement, **changes) -> dict:
    row = {c.key: getattr(p, c.key) for c in Placement.__table__.columns if c.key not in ("id", "end_date")}
    return row | changes


def lines(s, anchor: date) -> list[risk.Item]:
    """The lines a run would make over the demo's history (see the module's docstring)."""
    out = []
    person_ids = list(s.scalars(select(Placement.person_id).distinct()))
    agencies = dict(s.execute(select(Placement.id, Placement.agency_id).where(Placement.agency_id.is_not(None))).all())
    for pid, case in cases_for(s, person_ids, anchor).items():
        for d in scoring.evaluate(case, anchor, assessments=False).decisions:
            if d.status in PAYING and d.subject.isdigit():
                out += [risk.Item(pid, int(d.subject), d.scheme, m) for m in d.months]
        out += [
            risk.Item(pid, int(p.id), "agency_fee", None, agencies[int(p.id)])
            for p in case.placements
            if int(p.id) in agencies
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.risk", description="风险提示在演示数据上的命中情况")
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20230201)
    args = parser.parse_args(argv)
    anchor, rng = clock.today(), random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-risk-") as folder:
        url = f"sqlite:///{folder}/risk.db"
        db.upgrade(url)
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as s:
            counts = load(s, generate(args.seed, args.persons // 10, args.persons, anchor))
            simulate_history(s, rng, anchor)
            planted = plant(s, rng, anchor)
        with db.session_factory(engine)() as s:
            items = lines(s, anchor)
            t = time.perf_counter()
            found = risk.signals_for(s, items)
            seconds = time.perf_counter() - t
        engine.dispose()
    print(
        f"demo: {counts['persons']:,} persons, {counts['placements']:,} placements (seed {args.seed}, anchor {anchor});"
        f" {len(items):,} lines checked in {seconds:.2f} s; {len(found):,} lines with a signal"
    )
    print("| signal | lines flagged | on planted rows | example |\n|---|---:|---:|---|")
    by_code: Counter[str] = Counter()
    on_planted: Counter[str] = Counter()
    example: dict[str, str] = {}
    for signals in found.values():
        for sig in signals:
            by_code[sig.code] += 1
            rows = (
                set(sig.rows.get("placements", ())) & planted["placements"]
                or set(sig.rows.get("persons", ())) & planted["persons"]
            )
            on_planted[sig.code] += bool(rows)
            example.setdefault(sig.code, sig.explanation)
    for code, title in risk.CODES.items():
        print(f"| {title} (`{code}`) | {by_code[code]:,} | {on_planted[code]:,} | {example.get(code, '—')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
