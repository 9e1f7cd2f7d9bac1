"""The matching benchmark runs end to end on tiny sizes and prints its figures (no timing asserts)."""

from __future__ import annotations

import json

from bench import match as bench


def test_match_bench_runs_and_reports_every_figure(tmp_path, capsys, model_path):
    out = tmp_path / "match.json"
    assert (
        bench.main(
            [
                "--postings",
                "2000",
                "--persons",
                "1000",
                "--queries",
                "5",
                "--seed",
                "3",
                "--quiet",
                "--model",
                str(model_path),
                "--json",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for expected in (
        "## setup",
        "demo/load.py",
        "posts for a person",
        "people for a post",
        "| end to end |",
        "baseline: bare index search",
        "end to end / baseline",
        "query embedding",
        "subsidy dry run",
        "consent lookup",
        "same results: yes",
        "goal: posts for a person p95 ≤ 50 ms",
    ):
        assert expected in printed, expected
    result = json.loads(out.read_text(encoding="utf-8"))
    for route in ("posts_for", "people_for"):
        r = result[route]
        assert r["queries"] == 5 and r["same_results"]
        assert set(r["end_to_end_ms"]) == {"p50", "p95", "mean"} and r["baseline_ms"]["p50"] > 0
        assert abs(sum(s["share"] for s in r["stages"].values()) - 1) < 1e-6
    assert result["people_for"]["empty_results"] < 5  # candidates found, so the dry run was timed
    assert {"generate_s", "load_sqlite_s", "index_postings_s", "index_profiles_s"} <= set(result["setup_s"])
    assert result["goal"]["posts_for_p95_ms"] == 50.0
