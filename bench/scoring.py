"""Benchmark: score generated placements and print placements per second.

    python -m bench.scoring [--placements 100000] [--seed 1]

Runs on one core (one process). The baseline, measured in the same run, is decoding the
same cases from JSON (what every request pays before any rule runs); the engine's rates
are printed with their ratio to it.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

import msgspec
from tqdm import tqdm

from scoring import decode_cases, evaluate
from scoring.params import EMPTY_LOCAL, load_local

PEOPLE = [
    ("430121199511110358", "430121"),
    ("430121198003100028", "430121"),
    ("430102198507150011", "430102"),
    ("33042119850505022X", "330421"),
    ("440106199001010152", "440106"),
    ("370202198501010199", "370202"),
]
REGIONS = ["430121", "430102", "431226", "330421", "440106", "370202"]
KINDS = ["employer_absorption", "flexible", "public_welfare", "self_employed"]


def generate(n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        id_number, hukou = rng.choice(PEOPLE)
        start = date(2017, 1, 1) + timedelta(days=rng.randrange(365 * 9))
        months = rng.randrange(0, 14)
        cases.append(
            {
                "case_id": f"b{i}",
                "person": {
                    "id_number": id_number,
                    "hukou_region_code": hukou,
                    "poverty_registration": {"start": "2016-10-01", "end": "2020-12-31"}
                    if rng.random() < 0.4
                    else None,
                },
                "recognitions": [{"region_code": hukou, "recognised_on": str(start - timedelta(days=30))}]
                if rng.random() < 0.8
                else [],
                "placements": [
                    {
                        "id": "p1",
                        "kind": rng.choice(KINDS),
                        "start": str(start),
                        "region_code": rng.choice(REGIONS),
                        "contract_months": rng.choice([None, 6, 12, 24]),
                        "social_insurance_paid": rng.random() < 0.8,
                        "temporary_public_welfare": rng.random() < 0.5,
                        "agency": {"id": "hr"} if rng.random() < 0.3 else None,
                        "contributions": [
                            {
                                "month": f"{start.year + (start.month - 1 + k) // 12}-{(start.month - 1 + k) % 12 + 1:02d}",
                                "employer": {"pension": "480", "medical": "240", "unemployment": "21"},
                            }
                            for k in range(months)
                        ],
                    }
                ],
            }
        )
    return msgspec.json.encode(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scoring", description="评分性能基准：测算生成的安置记录，输出每秒处理条数"
    )
    parser.add_argument("--placements", type=int, default=100_000, help="安置条数 (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--local", help="地方参数文件（默认不配置）")
    args = parser.parse_args(argv)
    local = load_local(args.local) if args.local else EMPTY_LOCAL
    as_of = date(2026, 11, 1)

    data = generate(args.placements, args.seed)
    t0 = time.perf_counter()
    cases = decode_cases(data)
    decode_s = time.perf_counter() - t0

    def timed(assessments: bool) -> tuple[float, int]:
        decisions = 0
        t = time.perf_counter()
        for case in tqdm(cases, desc="测算" + ("（含认定/责任/退出）" if assessments else ""), unit="条", leave=False):
            decisions += len(evaluate(case, as_of, local=local, assessments=assessments).decisions)
        return time.perf_counter() - t, decisions

    subsidies_s, decisions = timed(False)
    full_s, _ = timed(True)
    n = len(cases)
    print(f"placements: {n}, decisions: {decisions} (one core, as_of {as_of})")
    print(f"baseline  decode JSON → facts     {n / decode_s:>10,.0f} placements/s")
    print(
        f"engine    subsidies               {n / subsidies_s:>10,.0f} placements/s  "
        f"({subsidies_s / decode_s:.1f}× the decode time)"
    )
    print(
        f"engine    full report             {n / full_s:>10,.0f} placements/s  "
        f"({full_s / decode_s:.1f}× the decode time)"
    )
    print(f"goal ≥ 20,000 placements/s (subsidies): {'met' if n / subsidies_s >= 20_000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
