"""Benchmarks run by the make targets (bench-scoring, bench-search, bench-match, bench-api)."""
