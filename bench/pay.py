"""Benchmark: the monthly payment run over a prefecture-size ledger (issue 16), on SQLite and
PostgreSQL in one run.

    python -m bench.pay [--sizes 100000] [--month YYYY-MM] [--backends sqlite postgresql] [--run payments]

For each size and backend: a fresh ledger (a SQLite file in a temporary folder; a PostgreSQL
database created for the run and dropped after), migrated, then filled by bulk inserts
(``bench.pay_ledger``: n placements, 12·n contributions). The run is measured in a subprocess of
its own, so its peak resident memory (VmHWM) is the run's and not the loader's.

What is run: ``RUNS[--run]``. ``payments`` (the default) is the run itself,
``ledger.payments.run``, writing the claim lines; the risk signals of its lines are then read
page by page and timed apart. ``read`` is the streamed read path alone (persons in keyset pages,
``ledger.facts.cases_for``, ``scoring.evaluate``, the month's lines counted and their signals
read), writing nothing. The baseline, measured in the same subprocess on the same cases, is the
bare engine: the seconds spent inside ``scoring.evaluate`` alone, without the database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import db

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Invented figures (the test fixture's, labelled so in the file): without local standards the
# monthly subsidies have no amount and a run would have nothing to write.
LOCAL = ROOT / "tests" / "policy_cases" / "local_test_config.yaml"
PAGE = 500
"""Lines per page of the officer's listing, whose risk signals are read after the run."""


def _as_of(month: str, today: date) -> date:
    from scoring.dates import ONE_DAY, add_months

    # As the run judges a month: once the month after it is over (a month counts from the start day).
    return min(today, add_months(date.fromisoformat(f"{month}-01"), 2) - ONE_DAY)


def read_path(session, month: str, today: date) -> dict:
    """The run's reads and evaluations, streamed page by page; writes nothing."""
    from sqlalchemy import select

    import scoring
    from jiuyuan.vocab import DecisionStatus
    from ledger import risk
    from ledger.facts import cases_for
    from ledger.models import Person
    from ledger.payments import CHUNK, MONTHLY

    local, as_of = scoring.load_local(LOCAL), _as_of(month, today)
    out = {"persons": 0, "placements": 0, "lines": 0, "facts_s": 0.0, "engine_s": 0.0, "signals_s": 0.0, "signals": {}}
    last = 0
    while ids := list(session.scalars(select(Person.id).where(Person.id > last).order_by(Person.id).limit(CHUNK))):
        last = ids[-1]
        lines = []
        t = time.perf_counter()
        cases = cases_for(session, ids, as_of)
        out["facts_s"] += time.perf_counter() - t
        for pid, case in cases.items():
            t = time.perf_counter()
            report = scoring.evaluate(case, as_of, local=local, assessments=False)
            out["engine_s"] += time.perf_counter() - t
            out["placements"] += len(case.placements)
            lines += [
                risk.Item(pid, int(d.subject), d.scheme, month)
                for d in report.decisions
                if d.scheme in MONTHLY and d.status is DecisionStatus.ELIGIBLE and month in d.month_amounts
            ]
        t = time.perf_counter()
        for signals in risk.signals_for(session, lines).values():
            for s in signals:
                out["signals"][s.code] = out["signals"].get(s.code, 0) + 1
        out["signals_s"] += time.perf_counter() - t
        out["persons"] += len(ids)
        out["lines"] += len(lines)
        session.expunge_all()  # one page in memory at a time
    return out


def payment_run(session, month: str, today: date) -> dict:
    """The payment run itself (``ledger.payments.run``), writing its claim lines. The two names it
    calls, ``cases_for`` and ``scoring.evaluate``, are wrapped with timers, so the bare engine's
    seconds are those of the very cases the run evaluated. Then the risk signals are read for every
    line, a page at a time as an officer's listing shows them (timed apart: not part of the run)."""
    from sqlalchemy import func, select, true

    import scoring
    from jiuyuan.vocab import Role
    from ledger import payments, risk
    from ledger.access import Principal
    from ledger.models import ClaimLine, Placement

    out = {"facts_s": 0.0, "engine_s": 0.0, "signals_s": 0.0, "signals": {}}

    def timed(fn, key):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                out[key] += time.perf_counter() - t

        return call

    payments.cases_for = timed(payments.cases_for, "facts_s")
    scoring.evaluate = timed(scoring.evaluate, "engine_s")
    who = Principal(key_id="bench", name="基准测试", role=Role.ADMIN)
    t = time.perf_counter()
    run_id = payments.run(session, who, month, None, true(), today)
    session.commit()
    out["seconds"], out["peak_mb"] = time.perf_counter() - t, _peak_mb()
    out["placements"] = session.scalar(select(func.count()).select_from(Placement))
    out["lines"] = session.scalar(select(func.count()).select_from(ClaimLine).where(ClaimLine.run_id == run_id))
    t, last = time.perf_counter(), 0
    page = select(ClaimLine).where(ClaimLine.run_id == run_id).order_by(ClaimLine.id).limit(PAGE)
    while lines := list(session.scalars(page.where(ClaimLine.id > last))):
        last = lines[-1].id
        for signals in risk.signals_for(session, lines).values():
            for sig in signals:
                out["signals"][sig.code] = out["signals"].get(sig.code, 0) + 1
        session.expunge_all()
    out["signals_s"] = time.perf_counter() - t
    return out


RUNS = {"read": read_path, "payments": payment_run}


def _peak_mb() -> float:
    """This process's peak resident memory. Not ``ru_maxrss``: Linux carries that across fork and
    exec, so the child would report the loader's peak; VmHWM starts afresh with the new program."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def child(url: str, month: str, mode: str, page: int | None) -> None:
    """One run in this process; prints its figures as one JSON line."""
    from jiuyuan import clock
    from ledger import payments

    if page:
        payments.CHUNK = page  # persons a page (--page): the read path's page size, measured

    engine = db.make_engine(url)
    before_mb = _peak_mb()
    with db.session_factory(engine)() as session:
        t = time.perf_counter()
        figures = RUNS[mode](session, month, clock.today())
        figures.setdefault("seconds", time.perf_counter() - t)
    figures.setdefault("peak_mb", _peak_mb())
    figures["imports_mb"], figures["page"] = before_mb, payments.CHUNK
    print(json.dumps(figures))


def _postgres_database(admin_url: str, name: str, create: bool) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                c.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def measure(backend: str, n: int, month: str, mode: str, pg_url: str, folder: Path, page: int | None) -> dict:
    from bench import pay_ledger

    name = f"bench_pay_{os.getpid()}_{n}"
    url = f"sqlite:///{folder / (name + '.db')}" if backend == "sqlite" else _postgres_database(pg_url, name, True)
    try:
        t = time.perf_counter()
        db.upgrade(url)
        engine = db.make_engine(url)
        rows = pay_ledger.write(engine, n, month)
        engine.dispose()
        load_s = time.perf_counter() - t
        env = os.environ | {"JIUYUAN_LOCAL_PARAMETERS": str(LOCAL)}
        done = subprocess.run(
            [sys.executable, "-m", "bench.pay", "--child", url, "--month", month, "--run", mode]
            + (["--page", str(page)] if page else []),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"the run failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if backend == "postgresql":
            _postgres_database(pg_url, name, False)
    return figures | {"backend": backend, "n": n, "rows": rows, "load_s": load_s}


def _postgres_answers(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 — any failure to connect means: no PostgreSQL here
        return False


def report(results: list[dict], mode: str) -> None:
    pages = sorted({r.get("page") for r in results} - {None})
    print(f"\nrun: {mode} · {pages} persons a page · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.2f}")
    print(
        "| placements | database | contributions loaded in | run s | peak MB (after imports) |"
        " placements/s | bare engine placements/s | run ÷ engine | lines | goal < 60 s, < 1 GB |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        rate = r["placements"] / r["seconds"]
        engine = r["placements"] / r["engine_s"] if r.get("engine_s") else None
        goal = "met" if r["seconds"] < 60 and r["peak_mb"] < 1024 else "NOT met"
        print(
            f"| {r['n']:,} | {r['backend']} | {r['load_s']:.1f} s ({r['rows']:,} rows) | {r['seconds']:.1f} |"
            f" {r['peak_mb']:.0f} ({r['imports_mb']:.0f}) | {rate:,.0f} |"
            f" {f'{engine:,.0f}' if engine else '—'} | {f'{rate / engine:.2f}' if engine else '—'} |"
            f" {r['lines']:,} | {goal} |"
        )
    for r in results:
        if "signals" in r:
            shares = {k: r[f"{k}_s"] / r["seconds"] for k in ("facts", "engine")}
            print(
                f"{r['backend']} {r['n']:,}: facts read (ledger.facts.cases_for) {shares['facts']:.0%},"
                f" engine {shares['engine']:.0%} of the run; risk signals on its lines {r['signals_s']:.1f} s"
                f" ({r['signals_s'] / r['seconds']:.2f}× the run): {r['signals'] or 'none'}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pay", description="月度发放基准：地市规模台账上的一次月度发放"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="安置条数（每条12个月缴费）")
    parser.add_argument("--month", help="发放月份 YYYY-MM（默认：前两个月，即今天已能完整判定的最近月份）")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--run", choices=sorted(RUNS), default="payments", help="payments：正式发放；read：只读测算路径"
    )
    parser.add_argument("--pg-url", default=os.environ.get("JIUYUAN_BENCH_PG_URL", PG_URL))
    parser.add_argument("--page", type=int, help="每页人数（默认 ledger.payments.CHUNK）")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.month is None:
        from jiuyuan import clock
        from scoring.dates import add_months

        # A month is decided once the month after it is over (_as_of): two months back is the latest.
        args.month = f"{add_months(clock.today().replace(day=1), -2):%Y-%m}"
    if args.child:
        child(args.child, args.month, args.run, args.page)
        return 0
    backends = args.backends
    if "postgresql" in backends and not _postgres_answers(args.pg_url):
        print(f"PostgreSQL at {args.pg_url} does not answer: SQLite only.")
        backends = [b for b in backends if b != "postgresql"]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pay-") as folder:
        for n in args.sizes:
            for backend in backends:
                print(f"{backend}, {n:,} placements …", flush=True)
                results.append(measure(backend, n, args.month, args.run, args.pg_url, Path(folder), args.page))
    report(results, args.run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
