"""Search benchmark: indexing speed, query latency and retrieval quality, printed as a table.

    python -m bench.search [--sizes 10000 100000]        (make bench-search)

Measured in one run on generated demo postings (seed 1), against baselines from the same
run: indexing against the encoder's bare ``encode`` of the same texts; query latency against
a bare numpy matrix–vector scan over the same vectors (the floor of exact search). Quality:
the labelled queries of ``indexer/data/eval_queries.yaml`` (graded by the generator's
occupation labels, not by the ranking code), each limited to one county and to postings
valid on the demo date, as a counter would search: nDCG@10 and recall@50 per mode. The index
is built in a temporary folder and saved: save time, restart (a load in a fresh process, to the
first searcher) with the resident memory it adds (and once every page of the rows is in), and the
live follower's step (100 postings
written, saved, and loaded again by a reader).

Then the judged set of ``indexer/data/bench/`` (``bench.judged``: postings as gig boards write
them, colloquial queries, graded by hand): nDCG@10, recall@50 and MRR for bm25, vector and
hybrid, for BM25 over each text field alone, and for a plain character-bigram BM25 baseline
(no segmentation, no lexicon), all in the same run; and the queries whose top 3 hold nothing
relevant although the corpus has a relevant posting. Then the same for the two held-out sets,
``indexer/data/bench_unseen/`` and ``bench_blind/`` (other authors' postings and queries;
nothing is tuned on them).
The model for all of it is trained here, once per seed, on ``--train-postings`` demo postings
(5,000 by default, as ``make run`` trains the default model), unless ``--model`` names one.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from datetime import date
from importlib import resources
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import yaml

from bench import judged, search_judged
from indexer import build
from indexer.documents import PostingDocument, from_demo
from indexer.embedded import EmbeddedIndex
from indexer.encoder import compute_query_vector, load
from indexer.protocol import Filters, Query
from jiuyuan.vocab import PostingKind, Schedule

ANCHOR = date(2026, 11, 22)
COUNTIES = ("430121", "430102", "430321", "430421", "430503", "430182")


DEFAULT_TRAINING_POSTINGS = 5000
"""The judged sets are measured with the default model, the one ``make run`` trains on its demo
ledger (the Makefile's DEMO_POSTINGS); ``--train-postings`` measures another size."""


def documents(n: int) -> list[PostingDocument]:
    from demo.generate import generate

    return from_demo(generate(1, n, 1, ANCHOR))


def eval_queries() -> list[dict]:
    return yaml.safe_load(resources.files("indexer.data").joinpath("eval_queries.yaml").read_text("utf-8"))


def family(doc: PostingDocument) -> str:
    return doc.title.removeprefix("爱心岗位·")


def ndcg_at(grades: list[int], ideal: list[int], k: int) -> float:
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(ideal, reverse=True)[:k]))
    return dcg / idcg if idcg else 0.0


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else 0.0


_LOAD = """
import sys, time
from pathlib import Path
from indexer.embedded import EmbeddedIndex
def rss():
    return [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS")][0] / 1024
before = rss()
t = time.perf_counter()
index = EmbeddedIndex.load(Path(sys.argv[1]))
index.text.searcher()
seconds, loaded = time.perf_counter() - t, rss() - before
# Every page of the rows in (memory-mapped: a load reads them only as searches touch them).
touched = sum(float(a.sum()) for a in index.cols.arrays().values()) + float(index.vectors.sum())
documents = sum(len(index.documents[row]) for row in range(len(index.cols.ids)))
print(seconds, loaded, rss() - before)
"""


def load_in_child(path: Path) -> tuple[float, float, float]:
    """(seconds to load the index at ``path``, resident MiB the load adds, and when every page of
    its rows is in) in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, check=True)
    seconds, rss, warm = map(float, out.stdout.split())
    return seconds, rss, warm


def run(n: int, model, out) -> None:
    with TemporaryDirectory() as tmp:
        _run(n, model, out, Path(tmp) / "index")


def _run(n: int, model, out, path: Path) -> None:
    docs = documents(n)
    by_id = {d.id: d for d in docs}
    texts = [d.text for d in docs]
    t = time.perf_counter()
    model.encode(texts)
    bare_encode = time.perf_counter() - t
    index = EmbeddedIndex(model.dimension, path)
    t = time.perf_counter()
    build.write(index, model, docs, progress=False)  # as jiuyuan index rebuild writes
    indexing = time.perf_counter() - t
    t = time.perf_counter()
    index.save()
    save_s = time.perf_counter() - t
    arrays = sum(v.nbytes for v in index.cols.arrays().values()) + index.vectors.nbytes
    disk = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    load_s, load_rss, warm_rss = load_in_child(path)

    queries = eval_queries()
    modes = ("bm25", "vector", "hybrid")
    latency = {m: [] for m in modes}
    latency_with_embedding = {m: [] for m in modes}
    quality = {m: ([], []) for m in (*modes, "bigram baseline")}
    baseline = judged.BigramBM25([d.id for d in docs], texts) if n <= 20_000 else None
    scan = []
    for i, spec in enumerate(queries):
        filters = Filters(
            region_prefix=COUNTIES[i % len(COUNTIES)],
            valid_on=ANCHOR,
            kinds=(PostingKind(spec["kind"]),) if spec.get("kind") else (),
            schedules=(Schedule(spec["schedule"]),) if spec.get("schedule") else (),
            disabled_suitable=bool(spec.get("disabled")),
        )
        t = time.perf_counter()
        vector = compute_query_vector(model, spec["q"])  # worked out, not the cache's: each size times it
        embed_s = time.perf_counter() - t
        t = time.perf_counter()
        index.vectors @ vector
        scan.append(time.perf_counter() - t)
        allowed = index._mask(Query(text=" ", filters=filters))
        ideal = [spec["rel"].get(family(by_id[index.cols.ids[r]]), 0) for r in np.flatnonzero(allowed)]
        relevant = sum(1 for g in ideal if g)
        if baseline is not None:  # the plain bigram BM25 over the same filtered postings
            allowed_ids = {index.cols.ids[r] for r in np.flatnonzero(allowed)}
            ranked = [d for d in baseline.search(spec["q"], k=len(docs)) if d in allowed_ids][:50]
            grades = [spec["rel"].get(family(by_id[d]), 0) for d in ranked]
            quality["bigram baseline"][0].append(ndcg_at(grades, ideal, 10))
            quality["bigram baseline"][1].append(sum(1 for g in grades if g) / relevant if relevant else 0.0)
        for mode in modes:
            query = Query(text=spec["q"], vector=vector, mode=mode, k=50, filters=filters, collapse_duplicates=False)
            t = time.perf_counter()
            hits = index.search(query)
            spent = time.perf_counter() - t
            latency[mode].append(spent)
            latency_with_embedding[mode].append(spent + embed_s)
            grades = [spec["rel"].get(family(by_id[h.id]), 0) for h in hits]
            quality[mode][0].append(ndcg_at(grades, ideal, 10))
            quality[mode][1].append(sum(1 for g in grades if g) / relevant if relevant else 0.0)

    # the live follower's step: 100 postings written (replacing 100), saved, and loaded by a reader
    t = time.perf_counter()
    index.upsert(docs[:100], model.encode(texts[:100]))
    index.save()
    EmbeddedIndex.load(path).text.searcher()
    update_s = time.perf_counter() - t

    floor = _pct(scan, 50) * 1000
    print(f"\n## {n:,} postings (dimension {index.dimension}, exact search: recall@10 against exact = 1.00)", file=out)
    print(
        f"indexing: {n / indexing:,.0f} postings/s; bare encode {n / bare_encode:,.0f} texts/s; "
        f"ratio {bare_encode / indexing:.2f} (goal ≥ 0.9)",
        file=out,
    )
    print(
        f"save {save_s:.2f} s; memory: arrays + vectors {arrays / 2**20:.1f} MiB, RSS a fresh load adds "
        f"{load_rss:.0f} MiB ({warm_rss:.0f} MiB with every page of the rows in, goal ≤ 2 GiB); on disk {disk / 2**20:.1f} MiB; restart (load in a fresh process) {load_s:.2f} s; "
        f"100 postings written, saved and loaded again (the live follower's step) {update_s:.2f} s",
        file=out,
    )
    print(f"bare numpy scan over all vectors: p50 {floor:.2f} ms", file=out)
    print(
        "| mode | p50 ms | p95 ms | p50 ms incl. embedding | p95 incl. | p50 / bare scan | nDCG@10 | recall@50 |",
        file=out,
    )
    print("|---|---|---|---|---|---|---|---|", file=out)
    for mode in modes:
        p50 = _pct(latency[mode], 50) * 1000
        print(
            f"| {mode} | {p50:.2f} | {_pct(latency[mode], 95) * 1000:.2f} | "
            f"{_pct(latency_with_embedding[mode], 50) * 1000:.2f} | {_pct(latency_with_embedding[mode], 95) * 1000:.2f} | "
            f"{p50 / floor if floor else 0:.1f}× | {statistics.mean(quality[mode][0]):.3f} | "
            f"{statistics.mean(quality[mode][1]):.3f} |",
            file=out,
        )
    if quality["bigram baseline"][0]:
        ndcg, rec = (statistics.mean(v) for v in quality["bigram baseline"])
        print(f"| bigram baseline | | | | | | {ndcg:.3f} | {rec:.3f} |", file=out)
    gain = statistics.mean(quality["hybrid"][0]) - statistics.mean(quality["bm25"][0])
    print(f"hybrid − bm25 nDCG@10: {gain:+.3f} (goal ≥ +0.05); {len(queries)} labelled queries", file=out)


def evaluate_judged(model, data: judged.Judged | None = None) -> dict[str, dict]:
    return search_judged.evaluate(model, data)


def report_judged(models: list, out) -> dict[str, dict]:
    return search_judged.report(models, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description="检索基准：建索引速度、查询延迟、检索质量"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="岗位规模")
    parser.add_argument("--model", help="向量模型目录（默认：在 --train-postings 条演示岗位上现训练）")
    parser.add_argument(
        "--train-postings",
        type=int,
        default=DEFAULT_TRAINING_POSTINGS,
        help=f"现训练模型用的演示岗位数（默认 {DEFAULT_TRAINING_POSTINGS}：make run 的默认模型所训练的规模）",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="训练种子（评测集按每个种子各训一个）")
    parser.add_argument("--judged-only", action="store_true", help="只跑人工评测集")
    args = parser.parse_args(argv)
    if args.model:
        models = [load(Path(args.model))]
    else:
        from indexer.training import train

        models = []
        corpus = documents(args.train_postings)
        for seed in args.seeds:
            with TemporaryDirectory() as tmp:
                t = time.perf_counter()
                train([(d.title, d.description) for d in corpus], Path(tmp) / "m", seed=seed, progress=False)
                models.append(load(Path(tmp) / "m"))
                print(f"model (seed {seed}) trained on {len(corpus):,} postings in {time.perf_counter() - t:.1f}s")
    report_judged(models, sys.stdout)
    for folder in search_judged.HELD_OUT:
        search_judged.report_unseen(models[0], sys.stdout, folder)
    if args.judged_only:
        return 0
    model = models[0]
    for n in args.sizes:
        run(n, model, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
