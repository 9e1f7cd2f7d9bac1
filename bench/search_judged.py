"""The judged set's figures for ``bench.search``: every variant's nDCG@10, recall@50 and MRR,
the fusion (min-max or RRF, the text weight and the occupation lift) chosen on one half of the
queries and reported on the other, what the feedback and the lift add, and the spread over
training seeds.

The split is fixed and stated: the tuning half is the queries at even positions of
``queries.tsv`` (Q001, Q003 …), the held-out half those at odd positions (Q002, Q004 …). The
fusion is picked on the tuning half alone; the held-out figure is the honest one, the full-set
figure is printed beside it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from bench import judged
from indexer.embedded import FIELD_WEIGHTS, EmbeddedIndex
from indexer.encoder import query_vector
from indexer.protocol import DEFAULT_FUSION, DEFAULT_TEXT_WEIGHT, OCCUPATION_BOOST, Query

VARIANTS: dict[str, tuple[str, dict[str, float] | None, dict]] = {
    "bm25": ("bm25", None, {}),
    "bm25, words field only": ("bm25", {"words": 1.0}, {}),
    "bm25, bigrams field only": ("bm25", {"bigrams": 1.0}, {}),
    "vector": ("vector", None, {}),
    "hybrid": ("hybrid", None, {}),
    "hybrid without feedback": ("hybrid", None, {"feedback_rows": 0}),
    "hybrid without occupation lift": ("hybrid", None, {"occupation_boost": 0.0}),
    "hybrid without either": ("hybrid", None, {"feedback_rows": 0, "occupation_boost": 0.0}),
    "hybrid, min-max": ("hybrid", None, {"fusion": "min_max"}),
}
GRID = [
    (fusion, w, lift)
    for fusion in ("min_max", "rrf")
    for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    for lift in (0.0, 0.05, 0.1, 0.2)
]
"""The fusions tried on the tuning half: normalisation × text weight × occupation lift."""


def halves(qids: Iterable[str]) -> tuple[list[str], list[str]]:
    ordered = list(qids)
    return ordered[0::2], ordered[1::2]


def _metrics(runs: dict[str, list[str]], data: judged.Judged, qids: list[str]) -> dict:
    rels = [(runs[q], data.qrels[q]) for q in qids]
    return {
        "ndcg": statistics.mean(judged.ndcg(r, j) for r, j in rels),
        "recall": statistics.mean(judged.recall(r, j) for r, j in rels),
        "mrr": statistics.mean(judged.reciprocal_rank(r, j) for r, j in rels),
        "misses": [q for q in qids if judged.top3_miss(runs[q], data.qrels[q])],
    }


def evaluate(model, data: judged.Judged | None = None) -> dict[str, dict]:
    """Each variant's mean metrics over all queries (and ``"tuning"``/``"held-out"`` halves),
    plus ``hybrid, tuned``: the grid's best fusion on the tuning half (``"chosen"``)."""
    data = data or judged.load()
    index = EmbeddedIndex(model.dimension)
    index.upsert(data.postings, model.encode([d.text for d in data.postings]))
    baseline = judged.BigramBM25([d.id for d in data.postings], [d.text for d in data.postings])
    vectors = {qid: query_vector(model, q) for qid, q in data.queries.items()}  # as the search route asks

    def run(mode: str, weights: dict | None = None, **options) -> dict[str, list[str]]:
        index.field_weights = dict(weights or FIELD_WEIGHTS)
        out = {}
        for qid, q in data.queries.items():
            query = Query(text=q, vector=vectors[qid], mode=mode, k=50, collapse_duplicates=False, **options)
            out[qid] = [h.id for h in index.search(query)]
        index.field_weights = dict(FIELD_WEIGHTS)
        return out

    runs = {name: run(mode, weights, **options) for name, (mode, weights, options) in VARIANTS.items()}
    runs["bigram baseline"] = {qid: baseline.search(q) for qid, q in data.queries.items()}
    tuning, held_out = halves(data.queries)
    grid = {(f, w, lift): run("hybrid", fusion=f, text_weight=w, occupation_boost=lift) for f, w, lift in GRID}
    default = (DEFAULT_FUSION, DEFAULT_TEXT_WEIGHT, OCCUPATION_BOOST)
    chosen = max(GRID, key=lambda c: (_metrics(grid[c], data, tuning)["ndcg"], c == default))
    runs["hybrid, tuned"] = grid[chosen]
    results = {}
    for name, ranked in runs.items():
        results[name] = _metrics(ranked, data, list(data.queries))
        results[name]["tuning"] = _metrics(ranked, data, tuning)["ndcg"]
        results[name]["held-out"] = _metrics(ranked, data, held_out)["ndcg"]
    results["hybrid, tuned"]["chosen"] = chosen
    return results


HELD_OUT = {judged.UNSEEN: "unseen judged set", judged.BLIND: "blind judged set"}
"""The sets other authors wrote without seeing the lexicon or the occupation table."""


def report_unseen(model, out, folder: str = judged.UNSEEN) -> dict[str, dict]:
    """A held-out judged set (``HELD_OUT``): the main variants with the default fusion, the
    first model. Nothing is tuned on it."""
    data = judged.load(folder)
    results = evaluate(model, data)
    print(
        f"\n## {HELD_OUT[folder]}: {len(data.postings)} postings, {len(set(data.occupations.values()))} occupations, "
        f"{len(data.queries)} queries (another author's; nothing tuned on it)",
        file=out,
    )
    print("| variant | nDCG@10 | recall@50 | MRR | top-3 misses |", file=out)
    print("|---|---|---|---|---|", file=out)
    for name in ("bm25", "bm25, words field only", "bm25, bigrams field only", "vector", "hybrid", "bigram baseline"):
        r = results[name]
        print(f"| {name} | {r['ndcg']:.3f} | {r['recall']:.3f} | {r['mrr']:.3f} | {len(r['misses'])} |", file=out)
    best = max(v["ndcg"] for k, v in results.items() if k.startswith("bm25") or k == "bigram baseline")
    misses = ", ".join(data.queries[q] for q in results["hybrid"]["misses"]) or "none"
    print(
        f"hybrid: nDCG@10 {results['hybrid']['ndcg']:.3f} (goal ≥ 0.75); − best BM25 variant "
        f"{results['hybrid']['ndcg'] - best:+.3f} (goal ≥ +0.05); top-3 misses: {misses}",
        file=out,
    )
    return results


def report(models: list, out) -> dict[str, dict]:
    """The judged set's table (the first model), and vector and hybrid nDCG@10 for each model
    (one per training seed) as mean ± half the range."""
    data = judged.load()
    per_model = [evaluate(m, data) for m in models]
    first = per_model[0]
    fusion, weight, lift = first["hybrid, tuned"]["chosen"]
    print(
        f"\n## judged set: {len(data.postings)} postings, {len(set(data.occupations.values()))} occupations, "
        f"{len(data.queries)} queries, {sum(map(len, data.qrels.values()))} judgements",
        file=out,
    )
    print(
        "| variant | nDCG@10 | nDCG@10 tuning half | nDCG@10 held-out half | recall@50 | MRR | top-3 misses |",
        file=out,
    )
    print("|---|---|---|---|---|---|---|", file=out)
    for name, r in first.items():
        label = f"hybrid, tuned ({fusion}, text weight {weight}, lift {lift})" if name == "hybrid, tuned" else name
        print(
            f"| {label} | {r['ndcg']:.3f} | {r['tuning']:.3f} | {r['held-out']:.3f} | {r['recall']:.3f} | "
            f"{r['mrr']:.3f} | {len(r['misses'])} |",
            file=out,
        )
    bm25_names = [k for k in first if k.startswith("bm25") or k == "bigram baseline"]
    for name in ("hybrid", "hybrid, tuned"):
        for half in ("ndcg", "held-out"):
            best = max(first[k][half] for k in bm25_names)
            print(
                f"{name} ({'all queries' if half == 'ndcg' else 'held-out half'}): nDCG@10 {first[name][half]:.3f} "
                f"(goal ≥ 0.75); − best BM25 variant {first[name][half] - best:+.3f} (goal ≥ +0.05)",
                file=out,
            )
    misses = first["hybrid"]["misses"]
    print(f"hybrid top-3 misses ({len(misses)}): {', '.join(data.queries[q] for q in misses) or 'none'}", file=out)
    if len(per_model) > 1:
        for mode in ("vector", "hybrid", "hybrid, tuned"):
            values = [r[mode]["ndcg"] for r in per_model]
            print(
                f"{mode} nDCG@10 over {len(values)} training seeds: {statistics.mean(values):.3f} ± "
                f"{(max(values) - min(values)) / 2:.3f} ({', '.join(f'{v:.3f}' for v in values)})",
                file=out,
            )
    return first
