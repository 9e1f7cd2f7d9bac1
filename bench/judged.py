"""The judged benchmarks of ``indexer/data/bench/``, ``bench_unseen/`` and ``bench_blind/``: postings
written as gig boards and recruitment mini-programs write them, colloquial queries, and graded
judgements (0–3) made by hand (docs/search.md, and the README of the second). Metrics and a
plain character-bigram BM25 baseline, independent of the ranking code under test."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

from indexer.documents import PostingDocument
from jiuyuan.vocab import PostingKind, Schedule, WageUnit

RELEVANT = 2
"""Grade from which a posting counts as relevant for MRR and the top-3 check (1 is marginal)."""
REGION = "430121"


@dataclass(frozen=True)
class Judged:
    postings: list[PostingDocument]
    occupations: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


JUDGED, UNSEEN, BLIND = "bench", "bench_unseen", "bench_blind"
"""The folders under ``indexer/data``: the judged set the ranking was tuned on, and two smaller
ones written later by other authors who never saw the lexicon or the occupation table (their
READMEs; the blind one aims at rarer work, mistyped homophones and traditional characters)."""


def _read(folder: str, name: str) -> str:
    return resources.files("indexer.data").joinpath(folder, name).read_text(encoding="utf-8")


def load(folder: str = JUDGED) -> Judged:
    rows = [json.loads(line) for line in _read(folder, "postings.jsonl").splitlines() if line.strip()]
    postings = [
        PostingDocument(
            id=r["id"],
            title=r["title"],
            description=r["description"],
            employer_name=r["employer"],
            kind=PostingKind(r["kind"]),
            schedule=Schedule(r["schedule"]),
            wage_min=Decimal(r["wage_min"]),
            wage_max=Decimal(r["wage_max"]),
            wage_unit=WageUnit(r["wage_unit"]),
            region_code=REGION,
            valid_from=date(2026, 11, 1),
            valid_until=date(2027, 1, 31),
        )
        for r in rows
    ]
    queries = {
        r["query_id"]: r["query"] for r in csv.DictReader(_read(folder, "queries.tsv").splitlines(), delimiter="\t")
    }
    qrels: dict[str, dict[str, int]] = {q: {} for q in queries}
    for r in csv.DictReader(_read(folder, "qrels.tsv").splitlines(), delimiter="\t"):
        qrels[r["query_id"]][r["posting_id"]] = int(r["grade"])
    return Judged(postings, {r["id"]: r["occupation"] for r in rows}, queries, qrels)


def ndcg(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], judged: dict[str, int], k: int = 50) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: list[str], judged: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked) if judged.get(d, 0) >= RELEVANT), 0.0)


def top3_miss(ranked: list[str], judged: dict[str, int]) -> bool:
    """The corpus has a relevant posting, and none is in the first three."""
    has = any(g >= RELEVANT for g in judged.values())
    return has and not any(judged.get(d, 0) >= RELEVANT for d in ranked[:3])


def char_bigrams(text: str) -> list[str]:
    """Overlapping pairs of the text's letters and digits (no dictionary, no lexicon)."""
    chars = [c for c in text.lower() if c.isalnum()]
    return [a + b for a, b in zip(chars, chars[1:], strict=False)] or chars


class BigramBM25:
    """The textbook BM25 (k1 = 1.2, b = 0.75) over character bigrams: the baseline a search
    engine with no Chinese analysis gives."""

    def __init__(self, ids: list[str], texts: list[str], k1: float = 1.2, b: float = 0.75):
        self.ids, self.k1, self.b = ids, k1, b
        self.docs = [Counter(char_bigrams(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avgdl = sum(self.lengths) / len(self.lengths)
        self.df = Counter(t for d in self.docs for t in d)

    def search(self, query: str, k: int = 50) -> list[str]:
        n = len(self.docs)
        scores = []
        for doc, dl in zip(self.docs, self.lengths, strict=True):
            s = 0.0
            for t in set(char_bigrams(query)):
                tf = doc.get(t, 0)
                if tf:
                    idf = math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                    s += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / self.avgdl))
            scores.append(s)
        order = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
        return [self.ids[i] for i in order[:k]]
