"""The embedded backend's text part as wired (``indexer.embedded`` over ``indexer.text_index``)
against bare tantivy with its filters as tantivy queries: what the wiring costs.

    python -m bench.search_engines [--postings 100000]

Both index the same pre-segmented ``words`` and ``bigrams`` fields (``indexer.text``; tantivy
splits them with its whitespace tokenizer) of generated demo postings, and answer the same
weighted terms (``text.query_terms`` × field weights, as boosts) with the same filters (county,
kind, valid on the demo date) for the 52 labelled demo queries. The embedded index filters with
numpy masks over its columns and asks tantivy for the candidates' scores by key, maps keys to
rows and decodes the hits' documents; bare tantivy filters on keyword terms and integer fast
fields and returns ids. Measured: indexing rate, query p50/p95, resident memory after a fresh
load in a child process, restart (load) time, and an incremental update of 100 postings made
visible (embedded: upsert, save, load, as the live follower and a reader do; bare: add,
commit, reload). The top-10 overlap of the two says whether they score alike. (The hand-made
inverted index this compared before tantivy was wired in is gone: docs/search.md keeps its
figures.)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import tantivy

from bench.search import ANCHOR, COUNTIES, documents, eval_queries
from indexer import text
from indexer.embedded import FIELD_WEIGHTS, EmbeddedIndex
from indexer.protocol import Filters, Query
from jiuyuan.vocab import PostingKind

DIM = 8  # vectors are not compared here: a small dimension keeps them out of the way
EMBEDDED, BARE = "embedded (tantivy as wired)", "bare tantivy"


def _schema():
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    for field in text.FIELDS:
        b.add_text_field(field, tokenizer_name="ws", index_option="freq")
    b.add_text_field("kind", tokenizer_name="raw")
    b.add_text_field("county", tokenizer_name="raw")
    b.add_integer_field("valid_from", fast=True, indexed=True)
    b.add_integer_field("valid_until", fast=True, indexed=True)
    return b.build()


def open_tantivy(path: Path):
    index = tantivy.Index(_schema(), path=str(path))
    index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def tantivy_docs(docs):
    for d in docs:
        f = text.fields(d.text)
        yield tantivy.Document(
            id=d.id,
            words=" ".join(f["words"]),
            bigrams=" ".join(f["bigrams"]),
            kind=d.kind.value,
            county=d.region_code,
            valid_from=d.valid_from.toordinal(),
            valid_until=d.valid_until.toordinal(),
        )


def tantivy_query(index, q: str, county: str, kind: str | None):
    schema, Q, occ = index.schema, tantivy.Query, tantivy.Occur
    should = [
        (occ.Should, Q.boost_query(Q.term_query(schema, field, term), FIELD_WEIGHTS[field] * weight))
        for field, weighted in text.query_terms(q).items()
        for term, weight in weighted.items()
    ]
    day = ANCHOR.toordinal()
    filters = [
        (occ.Must, Q.term_query(schema, "county", county)),
        (occ.Must, Q.range_query(schema, "valid_from", tantivy.FieldType.Integer, None, day)),
        (occ.Must, Q.range_query(schema, "valid_until", tantivy.FieldType.Integer, day, None)),
    ]
    if kind:
        filters.append((occ.Must, Q.term_query(schema, "kind", kind)))
    text_part = Q.boolean_query(should, 1)
    return Q.boolean_query([(occ.Must, text_part), *[(o, Q.const_score_query(q_, 0.0)) for o, q_ in filters]])


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) * 1000


_LOAD = """
import sys, time
from pathlib import Path
{imports}
def rss():
    return [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS")][0] / 1024
before = rss()
t = time.perf_counter()
{load}
print(time.perf_counter() - t, rss() - before)
"""


def _rss_after_load(engine: str, path: Path) -> tuple[float, float]:
    """(load seconds, resident MiB the load added) in a fresh child process, imports done first."""
    if engine == BARE:
        imports, load = (
            "from bench.search_engines import open_tantivy",
            "i = open_tantivy(Path(sys.argv[1])); i.searcher()",
        )
    else:
        imports, load = "from indexer.embedded import EmbeddedIndex", "i = EmbeddedIndex.load(Path(sys.argv[1]))"
    code = _LOAD.format(imports=imports, load=load)
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    seconds, rss = map(float, out.stdout.split())
    return seconds, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_engines")
    parser.add_argument("--postings", type=int, default=100_000)
    args = parser.parse_args(argv)
    docs = documents(args.postings + 100)
    docs, extra = docs[: args.postings], docs[args.postings :]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(docs), DIM)).astype(np.float32)
    t = time.perf_counter()
    for d in docs:
        text.fields(d.text)  # segmentation is the same for both: done (and cached) once, apart
    segment_s = time.perf_counter() - t
    rows: dict[str, dict] = {}
    queries = eval_queries()
    with TemporaryDirectory() as tmp:
        embedded_path, tv_path = Path(tmp) / "embedded", Path(tmp) / "tantivy"
        tv_path.mkdir()
        embedded = EmbeddedIndex(DIM, embedded_path)
        t = time.perf_counter()
        for start in range(0, len(docs), 2048):
            embedded.upsert(docs[start : start + 2048], vectors[start : start + 2048])
        embedded.save()
        rows[EMBEDDED] = {"index_s": time.perf_counter() - t}
        tv = open_tantivy(tv_path)
        t = time.perf_counter()
        writer = tv.writer(heap_size=128_000_000, num_threads=1)
        for doc in tantivy_docs(docs):
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        tv.reload()
        rows[BARE] = {"index_s": time.perf_counter() - t}

        latency: dict[str, list[float]] = {EMBEDDED: [], BARE: []}
        overlap = []
        searcher = tv.searcher()
        for i, spec in enumerate(queries * 3):
            county, kind = COUNTIES[i % len(COUNTIES)], spec.get("kind")
            filters = Filters(region_prefix=county, valid_on=ANCHOR, kinds=(PostingKind(kind),) if kind else ())
            t = time.perf_counter()
            a = embedded.search(Query(text=spec["q"], mode="bm25", k=50, filters=filters, collapse_duplicates=False))
            latency[EMBEDDED].append(time.perf_counter() - t)
            t = time.perf_counter()
            found = searcher.search(tantivy_query(tv, spec["q"], county, kind), 50).hits
            b = [searcher.doc(addr)["id"][0] for _, addr in found]
            latency[BARE].append(time.perf_counter() - t)
            top_a, top_b = {h.id for h in a[:10]}, set(b[:10])
            if top_a or top_b:
                overlap.append(len(top_a & top_b) / max(len(top_a), len(top_b)))

        # incremental: 100 new postings made visible to readers
        t = time.perf_counter()
        embedded.upsert(extra, rng.standard_normal((len(extra), DIM)).astype(np.float32))
        embedded.save()
        EmbeddedIndex.load(embedded_path)
        rows[EMBEDDED]["update_s"] = time.perf_counter() - t
        t = time.perf_counter()
        writer = tv.writer(heap_size=64_000_000, num_threads=1)
        for doc in tantivy_docs(extra):
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        tv.reload()
        tv.searcher()
        rows[BARE]["update_s"] = time.perf_counter() - t
        del writer, searcher, tv, embedded
        for name, path in ((EMBEDDED, embedded_path), (BARE, tv_path)):
            rows[name]["load_s"], rows[name]["rss"] = _rss_after_load(name, path)
            rows[name]["disk"] = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
            rows[name]["p50"], rows[name]["p95"] = _pct(latency[name], 50), _pct(latency[name], 95)
    n = len(docs)
    print(
        f"\n## the text part, embedded as wired against bare tantivy: {n:,} demo postings; segmentation (shared, done once) {n / segment_s:,.0f}/s"
    )
    print("| index | indexing postings/s | query p50 ms | p95 ms | RSS added by the load MiB | on disk MiB | "
          "restart (load) s | +100 postings visible s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(
            f"| {name} | {n / r['index_s']:,.0f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['rss']:.0f} | "
            f"{r['disk']:.1f} | {r['load_s']:.2f} | {r['update_s']:.2f} |"
        )
    print(f"top-10 overlap, embedded vs bare tantivy: {statistics.mean(overlap):.3f} over {len(overlap)} searches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
