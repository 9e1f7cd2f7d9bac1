"""`make bench-api`: the matching and placement routes under load over loopback, against the
same work called in process.

A demo ledger (SQLite, the embedded default) with 100,000 postings gets a trained model, a
search index and profiles; uvicorn serves the API in its own processes; an asyncio httpx client
keeps ``--concurrency`` requests in flight for ``--seconds`` (wrk where installed — Debian's
package — else an asyncio httpx client, which also stops after ``--requests``).
The same requests are then made in process (Litestar's TestClient: the whole ASGI app, no
sockets), and the bare matcher call, so the table shows what HTTP and the API layer cost.
The client shares the machine's cores with the server: the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

GOAL_MATCH_RPS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stats(latencies: list[float], seconds: float) -> dict[str, float]:
    ms = np.array(latencies) * 1000
    return {
        "requests": len(ms),
        "rps": len(ms) / seconds,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
    }


def prepare(folder: Path, postings: int, persons: int, seed: int, progress: bool) -> dict:
    """Ledger, model, index and profiles in ``folder``; keys for a counter and an agency."""
    from sqlalchemy import select

    from demo.generate import generate
    from demo.load import load
    from indexer import build
    from jiuyuan.vocab import Role
    from ledger import access, db
    from ledger.models import AgencyAuthorisation, HrAgency, Person

    url = f"sqlite:///{folder / 'ledger.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    started = time.perf_counter()
    with db.session_factory(engine).begin() as s:
        load(s, generate(seed, postings, persons, date.today(), progress=progress), progress=progress)
    with db.session_factory(engine)() as s:
        build.train_and_rebuild(s, folder / "model", folder / "index", date.today(), progress=progress)
        hunan = s.scalars(select(Person.id).where(Person.residence_region_code.startswith("43"))).all()
        agency = s.scalars(select(HrAgency).order_by(HrAgency.id)).first()
    with db.session_factory(engine).begin() as s:
        counter, _ = access.issue(s, Role.COUNTER, "压测窗口", region="43")
        agency_token, _ = access.issue(s, Role.AGENCY, "压测机构", agency_uscc=agency.uscc)
        # The agency places only persons who authorised it (docs/privacy.md): all of them, for the load.
        s.add_all(
            AgencyAuthorisation(
                person_id=p,
                agency_id=agency.id,
                valid_from=date.today() - timedelta(days=1),
                valid_to=date.today() + timedelta(days=365),
                purpose="统计报表",
                source="counter",
                recorded_by="压测窗口",
            )
            for p in hunan
        )
    engine.dispose()
    return {
        "url": url,
        "persons": hunan,
        "counter": counter,
        "agency": agency_token,
        "setup_s": time.perf_counter() - started,
    }


def _requests(world: dict, n: int, seed: int) -> dict[str, list[tuple[str, str, dict | None]]]:
    rng = random.Random(seed)
    people = [rng.choice(world["persons"]) for _ in range(n)]
    return {
        "match": [("GET", f"/persons/{p}/matches?purpose={quote('岗位推荐')}&k=10", None) for p in people],
        "placement": [
            (
                "POST",
                "/placements",
                {
                    "person_id": p,
                    "kind": "flexible",
                    "start_date": "2026-06-01",
                    "full_time": False,
                    "weekly_hours": 20,
                },
            )
            for p in people
        ],
    }


async def _load(base: str, token: str, calls, concurrency: int, seconds: float) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failures = 0
    queue = iter(calls)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60
    ) as client:

        async def worker():
            nonlocal failures
            for method, path, body in queue:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                response = await client.request(method, path, json=body)
                latencies.append(time.perf_counter() - t0)
                failures += response.status_code >= 400

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, failures


WRK_SCRIPT = """
local calls = {%s}
local i = 0
request = function()
  i = i %% #calls + 1
  local c = calls[i]
  return wrk.format(c[1], c[2], {["Authorization"] = "Bearer %s", ["Content-Type"] = "application/json"}, c[3])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%f %%f %%f %%d %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua(text: str) -> str:
    return "[==[" + text + "]==]"


def _wrk(base: str, token: str, calls, concurrency: int, seconds: float, folder: Path) -> dict[str, float]:
    """wrk (C, one thread) drives the load, so the client takes little of the cores it shares."""
    entries = ",".join(
        f"{{{_lua(m)},{_lua(path)},{_lua(json.dumps(body)) if body else 'nil'}}}" for m, path, body in calls
    )
    script = folder / "calls.lua"
    script.write_text(WRK_SCRIPT % (entries, token))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "30s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    n, secs, p50, p95, status, socket_errors = next(
        line.split()[1:] for line in out.splitlines() if line.startswith("WRK ")
    )
    return {
        "requests": int(n),
        "rps": int(n) / float(secs),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "failed": int(status) + int(socket_errors),
        "client": "wrk",
    }


def _in_process(world: dict, token: str, calls) -> tuple[list[float], float, int]:
    from litestar.testing import TestClient

    from api.app import create_app
    from jiuyuan.settings import Settings

    latencies, failures = [], 0
    # Settings read now, from the environment set for this ledger (get_settings() may hold an
    # earlier process-wide copy when the benchmark runs inside a test session).
    with TestClient(create_app(Settings())) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        client.request(*calls[0][:2], json=calls[0][2])  # loads model and index, as a served first request does
        started = time.perf_counter()
        for method, path, body in calls:
            t0 = time.perf_counter()
            failures += client.request(method, path, json=body).status_code >= 400
            latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - started, failures


def _bare_matcher(world: dict, people: list[int]) -> tuple[list[float], float]:
    """posts_for over the ledger-checked index, as the matching service calls it, without the API."""
    from indexer import backends
    from indexer import encoder as encoders
    from jiuyuan.settings import SearchSettings
    from ledger import db
    from ledger.models import Person
    from ledger.tiers import current_tier
    from matcher.posts import posts_for
    from matcher.seekers import seeker_from_person
    from services.posting_search import LedgerChecked

    settings = SearchSettings()
    encoder, index = encoders.load(settings.model_dir), backends.open_backend(settings)
    engine = db.make_engine(world["url"])
    latencies = []
    with db.session_factory(engine)() as s:
        started = time.perf_counter()
        for pid in people:
            t0 = time.perf_counter()
            seeker = seeker_from_person(s.get(Person, pid), date.today(), current_tier(s, pid, date.today()))
            posts_for(seeker, LedgerChecked(index, s, date.today()), encoder, date.today(), k=10)
            latencies.append(time.perf_counter() - t0)
    engine.dispose()
    return latencies, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.api", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--postings", type=int, default=100_000)
    p.add_argument("--persons", type=int, default=20_000)
    p.add_argument("--requests", type=int, default=1500, help="per route, at most (default 1500)")
    p.add_argument("--seconds", type=float, default=30, help="per route, at most (default 30)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2, one per core)")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--out", default="var/bench/api.json")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line a request would bury the table

    folder = Path(tempfile.mkdtemp(prefix="jiuyuan-bench-api-"))
    os.environ.update(
        JIUYUAN_INDEX_DIR=str(folder / "index"),
        JIUYUAN_EMBEDDING_MODEL=str(folder / "model"),
        JIUYUAN_RANKER=str(folder / "absent-ranker.json"),
    )
    world = prepare(folder, args.postings, args.persons, args.seed, progress=not args.quiet)
    os.environ["JIUYUAN_DATABASE_URL"] = world["url"]
    calls = _requests(world, args.requests, args.seed)
    print(
        f"setup: {args.postings:,} postings, {args.persons:,} persons in {world['setup_s']:.0f} s "
        f"(ledger, model, index, profiles); {os.cpu_count()} cores"
    )

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        for route, token in (("match", world["counter"]), ("placement", world["agency"])):
            # Warm every worker (model, index) before timing.
            asyncio.run(_load(base, token, calls[route][: 4 * args.workers], args.workers * 2, 60))
            if shutil.which("wrk"):
                results[f"{route} over HTTP"] = _wrk(base, token, calls[route], args.concurrency, args.seconds, folder)
            else:
                lat, secs, failed = asyncio.run(_load(base, token, calls[route], args.concurrency, args.seconds))
                results[f"{route} over HTTP"] = {**_stats(lat, secs), "failed": failed, "client": "httpx"}
    finally:
        server.terminate()
        server.wait(timeout=30)
    for route, token in (("match", world["counter"]), ("placement", world["agency"])):
        n = min(len(calls[route]), 300)
        lat, secs, failed = _in_process(world, token, calls[route][:n])
        results[f"{route} in process"] = {**_stats(lat, secs), "failed": failed}
    people = [int(c[1].split("/")[2]) for c in calls["match"][:300]]
    lat, secs = _bare_matcher(world, people)
    results["bare posts_for"] = _stats(lat, secs)

    print(f"{'':22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'failed':>8}")
    for name, r in results.items():
        print(
            f"{name:22}{r['requests']:>9}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r.get('failed', 0):>8}"
        )
    for route in ("match", "placement"):
        http, local = results[f"{route} over HTTP"], results[f"{route} in process"]
        print(
            f"{route}: HTTP ÷ in-process throughput = {http['rps'] / local['rps']:.2f}"
            f" ({args.workers} workers, {args.concurrency} in flight, client {http['client']})"
        )
    match_rps = results["match over HTTP"]["rps"]
    print(
        f"matching goal ≥ {GOAL_MATCH_RPS} req/s on this machine: {'met' if match_rps >= GOAL_MATCH_RPS else 'NOT met'}"
        f" ({match_rps:.0f} req/s)"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
