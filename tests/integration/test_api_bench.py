"""`make bench-api` runs end to end at a tiny size and prints its table (no timing asserted)."""

from __future__ import annotations

import json

import pytest

from bench.api import main


@pytest.mark.slow
def test_the_api_benchmark_runs_and_prints_its_table(tmp_path, capsys, monkeypatch):
    for name in ("JIUYUAN_INDEX_DIR", "JIUYUAN_EMBEDDING_MODEL", "JIUYUAN_RANKER", "JIUYUAN_DATABASE_URL"):
        monkeypatch.setenv(name, "")  # the benchmark sets them for its own ledger; put back afterwards
    out = tmp_path / "api.json"
    assert (
        main(
            [
                "--postings",
                "1200",
                "--persons",
                "300",
                "--requests",
                "40",
                "--seconds",
                "3",
                "--workers",
                "1",
                "--concurrency",
                "4",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for needle in (
        "match over HTTP",
        "placement over HTTP",
        "match in process",
        "bare posts_for",
        "HTTP ÷ in-process throughput",
        "matching goal",
    ):
        assert needle in printed
    results = json.loads(out.read_text())["results"]
    assert all(r["requests"] > 0 for r in results.values())
    assert results["match over HTTP"]["failed"] == 0 and results["match in process"]["failed"] == 0
