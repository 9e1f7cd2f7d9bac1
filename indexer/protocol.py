"""The search protocol every backend implements, the query it takes and the hits it returns.

Filters are hard: a posting that fails one is never returned, and they are applied before
the top-k so a narrow filter never starves the list. Modes: ``bm25`` (segmented text),
``vector`` (cosine of normalised embeddings) and ``hybrid`` (each list's top candidates put on
a 0–1 scale by their ranks or scores, then a weighted mean; the vector query moved towards the best text
matches first, and postings of an occupation the query names lifted after). Both backends rank
through the same functions here (``feedback``, ``rank``, ``collapse``), so they fuse, tie-break
and collapse duplicates alike.

A hit carries its document (what was indexed), and its ``parts`` — the same keys from every
backend:

- ``bm25`` or ``vector`` mode: ``{"bm25": raw}`` / ``{"vector": cosine}``;
- ``hybrid``: ``bm25``, ``vector`` (raw) and ``bm25_normalised``, ``vector_normalised`` (the
  reciprocal-rank or min-max shares) for each list the hit was in; the score is ``w·bm25_normalised + (1−w)·vector_normalised``
  plus ``occupation`` (``OCCUPATION_BOOST``) where the posting's occupation is one the query names;
- filters only (no text, no vector): ``{}`` and a score of 0, newest postings first. A text or
  vector that gives nothing to rank by (vector mode with a zero vector) finds nothing: the
  newest postings would answer a question nobody asked.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, Protocol, TypeVar

import numpy as np

from indexer import occupations
from indexer.documents import PostingDocument
from jiuyuan import validation
from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan.vocab import PostingKind, Schedule

Mode = Literal["bm25", "vector", "hybrid"]
Fusion = Literal["min_max", "rrf"]
# Hybrid fusion: text matches carry the exact words a clerk typed, the vector the meaning. The
# judged benchmark prefers reciprocal rank fusion with text weight 0.5 and the occupation lift
# (chosen on its tuning half, confirmed on the held-out half: docs/search.md); the search box and
# the matcher both rank by it. A query may ask for min-max (as OpenSearch's normalization processor).
DEFAULT_FUSION: Literal["min_max", "rrf"] = "rrf"
DEFAULT_TEXT_WEIGHT = 0.5
FEEDBACK_ROWS = 5
"""Hybrid's vector query is moved towards its best text matches (pseudo-relevance feedback,
Rocchio): the query's unit vector plus the unit mean of the top ``FEEDBACK_ROWS`` BM25 hits'
vectors, among the rows the filters keep. A static model knows 养鸡 but not that 蛋鸡场 goes
with it; the postings that match the typed words do (judged set, seed 0: vector list 0.767 →
0.833 nDCG@10 in hybrid; docs/search.md)."""
OCCUPATION_BOOST = 0.1
"""Added to a hybrid hit's fused score when its posting's standard occupation is one the query
names (``occupations.titles_named``: 想找扫地的活 names 保洁员), so 保安公司招会计 does not ride on
保安 (measured on the judged set, tuning half, as the fusion is)."""
CANDIDATES = 100  # per sub-query before fusion, as OpenSearch's hybrid query "k"
RRF_K = 60
"""Reciprocal rank fusion's constant (Cormack et al. 2009; OpenSearch's ``score-ranker-processor``)."""


@dataclass(frozen=True)
class Filters:
    kinds: tuple[PostingKind, ...] = ()
    region_prefix: str | None = None
    near: tuple[float, float] | None = None  # (latitude, longitude)
    within_km: float | None = None
    wage_floor_monthly: Decimal | None = None
    wage_ceiling_monthly: Decimal | None = None
    schedules: tuple[Schedule, ...] = ()
    age: int | None = None
    skills_free_only: bool = False
    disabled_suitable: bool = False
    valid_on: date | None = None
    occupations: tuple[str, ...] = ()
    """Standard occupation titles (``indexer.occupations``): a posting of any of them passes."""

    def empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Query:
    text: str = ""
    vector: np.ndarray | None = field(default=None, compare=False)
    filters: Filters = Filters()
    mode: Mode = "hybrid"
    k: int = 10
    text_weight: float = DEFAULT_TEXT_WEIGHT
    collapse_duplicates: bool = True
    """Show one posting per duplicate group (the best-scored)."""
    fusion: Fusion = DEFAULT_FUSION
    """How hybrid puts each list on a common scale before the weighted mean: ``min_max`` (the
    raw scores, as OpenSearch's normalization processor) or ``rrf`` (the ranks, see ``rrf``)."""
    feedback_rows: int = FEEDBACK_ROWS
    """Hybrid: how many of the best text matches move the vector query (0: none, see ``feedback``)."""
    occupation_boost: float = OCCUPATION_BOOST
    """Hybrid: the lift for a posting of an occupation the query's text names (0: none)."""
    with_documents: bool = True
    """Whether each hit carries its indexed document. A caller that reads the hits' postings
    from the ledger anyway (``services.posting_search.LedgerChecked``) asks for none, and each
    hit's ``document`` is None: decoding them was about a quarter of a matching call."""


D = TypeVar("D")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Hit(Generic[D]):
    id: str
    score: float
    parts: dict[str, float]
    """bm25 and vector scores (raw) and their normalised shares in the hybrid score (see above)."""
    document: D | None
    """The document as indexed (a ``PostingDocument`` for postings); None when the query asked
    for none (``Query.with_documents``)."""


class SearchBackend(Protocol):
    """Postings, searchable. ``EmbeddedIndex`` (indexer.embedded) and ``OpenSearchIndex``
    (indexer.opensearch) implement it; ``indexer.backends.open_backend`` picks one from settings."""

    @property
    def dimension(self) -> int: ...

    feed_cursor: int
    """The last ledger change-feed entry applied (``posting_changes.id``); kept by ``save``."""

    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray) -> int:
        """Insert or replace by id (duplicate policy: overwrite). Returns how many were written."""

    def delete(self, ids: list[str]) -> int:
        """Remove by id; ids not in the index are skipped. Returns how many were removed."""

    def search(self, query: Query) -> list[Hit[PostingDocument]]: ...

    def facets(self, query: Query) -> dict[str, int]:
        """How many postings of each standard occupation hold a word of the query's text or a
        synonym (``text.facet_terms``; all postings when it has none) and pass its filters but the
        occupation filter itself, so a clerk sees the other occupations to switch to. Postings
        naming no occupation are not counted."""

    def count(self) -> int: ...

    def ids(self) -> set[str]:
        """Every id in the index (the build compares them with the ledger)."""

    def save(self) -> None:
        """Make the writes so far durable and visible to readers (with the feed cursor)."""


VECTOR_NORM_FLOOR = 1e-6
"""A query vector shorter than this says nothing (every character unknown to the model gives
zeros): it takes no part in the fusion, where its all-tied cosines would lift the first rows."""


def usable_vector(query: Query) -> bool:
    """Whether the query's vector can rank: present and not (near) zero."""
    return query.vector is not None and float(np.linalg.norm(query.vector)) >= VECTOR_NORM_FLOOR


def filters_only(query: Query) -> bool:
    """Whether the query asks nothing to rank by (no text, no vector): the newest postings its
    filters keep answer it."""
    return not query.text.strip() and query.vector is None


def min_max(scores: dict[K, float]) -> dict[K, tuple[float, float]]:
    """Each score with its min-max normalised value over the list. A single hit gets 1.0 (as
    OpenSearch's min_max does); a list of several all tied gets 0.0, no lift: a tie says
    nothing about which is better, and lifting them all would rank by row order."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    if not span:
        return {key: (raw, 1.0 if len(scores) == 1 else 0.0) for key, raw in scores.items()}
    return {key: (raw, (raw - low) / span) for key, raw in scores.items()}


def rrf(scores: dict[K, float]) -> dict[K, tuple[float, float]]:
    """Each score with its reciprocal-rank share, scaled so that the top of a list gets 1.0:
    (RRF_K + 1) / (RRF_K + rank). Tied scores share the best rank of their tie, and a list of
    several all tied gets 0.0, no lift, as in ``min_max``."""
    if not scores:
        return {}
    values = sorted(scores.values(), reverse=True)
    if len(values) > 1 and values[0] == values[-1]:
        return {key: (raw, 0.0) for key, raw in scores.items()}
    first: dict[float, int] = {}
    for position, value in enumerate(values, start=1):
        first.setdefault(value, position)
    return {key: (raw, (RRF_K + 1) / (RRF_K + first[raw])) for key, raw in scores.items()}


def _ordered(scores: dict[K, float], order: Callable[[K], object]) -> list[tuple[K, float]]:
    """(key, score) best first, ties by ``order(key)``."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], order(kv[0])))


def best(scores: dict[K, float], n: int, order: Callable[[K], object] = lambda key: key) -> list[K]:
    """The ``n`` best keys of a list, ties by ``order(key)``."""
    return [key for key, _ in _ordered(scores, order)[:n]]


def feedback(vector: np.ndarray, matched: np.ndarray) -> np.ndarray:
    """The query vector moved towards the (normalised) vectors of its best text matches: unit
    query + unit mean of the matches, scaled to unit length (see ``FEEDBACK_ROWS``). Unchanged
    without matches or when their mean is (near) zero."""
    if len(matched) == 0:
        return vector
    unit = np.asarray(vector, np.float32) / np.float32(np.linalg.norm(vector))
    matched = np.asarray(matched, np.float32)
    lengths = np.linalg.norm(matched, axis=1, keepdims=True)
    mean = (matched / np.where(lengths == 0, 1, lengths)).mean(axis=0)
    size = float(np.linalg.norm(mean))
    if size < VECTOR_NORM_FLOOR:
        return vector
    moved = unit + mean / size
    return moved / np.float32(np.linalg.norm(moved))


def named_occupations(query: Query) -> frozenset[str]:
    """The standard titles whose postings a hybrid query lifts (``OCCUPATION_BOOST``)."""
    if query.mode != "hybrid" or not query.occupation_boost or not query.text.strip():
        return frozenset()
    return frozenset(occupations.titles_named(query.text))


def rank(
    lists: dict[str, dict[K, float]],
    query: Query,
    order: Callable[[K], object] = lambda key: key,
    lifted: Callable[[K], bool] = lambda key: False,
) -> list[tuple[K, float, dict[str, float]]]:
    """The ranked (key, score, parts) of one list (bm25 or vector mode) or of both fused (hybrid:
    each list normalised by ``query.fusion``, then the weighted mean, plus
    ``query.occupation_boost`` where ``lifted(key)``: a posting of an occupation the query
    names). Ties go by ``order(key)``."""
    if len(lists) == 1 and query.mode != "hybrid":
        ((name, scores),) = lists.items()
        ranked = _ordered(scores, order)
        return [(key, score, {name: score}) for key, score in ranked]
    weights = {"bm25": query.text_weight, "vector": 1 - query.text_weight}
    fused: dict[K, float] = {}
    parts: dict[K, dict[str, float]] = {}
    for name, scores in lists.items():
        for key, (raw, norm) in (rrf if query.fusion == "rrf" else min_max)(scores).items():
            fused[key] = fused.get(key, 0.0) + weights[name] * norm
            parts.setdefault(key, {})[name] = raw
            parts[key][f"{name}_normalised"] = norm
    for key in fused:
        if lifted(key):
            fused[key] += query.occupation_boost
            parts[key]["occupation"] = query.occupation_boost
    ranked = _ordered(fused, order)
    return [(key, score, parts[key]) for key, score in ranked]


def collapse(keys: Iterable[K], query: Query, group: Callable[[K], Hashable]) -> list[K]:
    """The first ``k`` keys, one per duplicate group (``group(key)``) when the query asks for it."""
    out: list[K] = []
    seen: set[Hashable] = set()
    for key in keys:
        if query.collapse_duplicates:
            g = group(key)
            if g in seen:
                continue
            seen.add(g)
        out.append(key)
        if len(out) == query.k:
            break
    return out


def without_occupations(query: Query) -> Query:
    """The query a facet counts over: its own occupation filter left out (see ``facets``)."""
    return replace(query, filters=replace(query.filters, occupations=()))


def depth(query: Query) -> int:
    """How far down each list reaches before fusion and collapsing: ``CANDIDATES`` for hybrid
    (as OpenSearch's hybrid query ``k``); further for one list that is collapsed, since
    collapsing drops hits."""
    if query.mode == "hybrid":
        return CANDIDATES
    return max(4 * query.k, CANDIDATES) if query.collapse_duplicates else query.k


def check_query(query: Query, dimension: int) -> None:
    """Refuse a query that cannot mean anything, naming the field, in Chinese."""
    errors: list[FieldError] = []
    f = query.filters
    if not query.text.strip() and query.vector is None and f.empty():
        errors.append(FieldError("text", "请输入关键词，或至少设置一个筛选条件"))
    if query.mode not in ("bm25", "vector", "hybrid"):
        errors.append(FieldError("mode", "检索方式只能是 bm25、vector 或 hybrid"))
    if query.vector is not None and np.asarray(query.vector).shape != (dimension,):
        errors.append(FieldError("vector", f"向量维度应为 {dimension}，收到 {np.asarray(query.vector).shape}"))
    if not 1 <= query.k <= 1000:
        errors.append(FieldError("k", "返回条数应在1到1000之间"))
    if not 0 <= query.text_weight <= 1:
        errors.append(FieldError("text_weight", "文本权重应在0到1之间"))
    if query.feedback_rows < 0:
        errors.append(FieldError("feedback_rows", "反馈条数不能为负数"))
    if not 0 <= query.occupation_boost <= 1:
        errors.append(FieldError("occupation_boost", "职业加分应在0到1之间"))
    if f.region_prefix is not None:
        try:
            if validation.region_prefix(f.region_prefix) != f.region_prefix:
                raise ValueError(f"地区代码前缀应写作 {validation.region_prefix(f.region_prefix)}")
        except ValueError as exc:
            errors.append(FieldError("region_prefix", str(exc)))
    for name in ("wage_floor_monthly", "wage_ceiling_monthly"):
        value = getattr(f, name)
        if value is not None and not value.is_finite():
            errors.append(FieldError(name, "工资应为有限的数字"))
    if errors:
        raise InvalidInput(errors)
    if (f.near is None) != (f.within_km is None):
        errors.append(FieldError("within_km", "按距离筛选须同时给出位置和距离"))
    if f.within_km is not None and f.within_km <= 0:
        errors.append(FieldError("within_km", "距离应大于0公里"))
    if f.near is not None and not (-90 <= f.near[0] <= 90 and -180 <= f.near[1] <= 180):
        errors.append(FieldError("near", "经纬度超出范围"))
    if f.wage_floor_monthly is not None and f.wage_floor_monthly < 0:
        errors.append(FieldError("wage_floor_monthly", "最低工资要求不能为负数"))
    if (
        f.wage_floor_monthly is not None
        and f.wage_ceiling_monthly is not None
        and f.wage_floor_monthly > f.wage_ceiling_monthly
    ):
        errors.append(FieldError("wage_ceiling_monthly", "工资上限不能低于工资下限"))
    if f.age is not None and not 16 <= f.age <= 100:
        errors.append(FieldError("age", "年龄应在16到100之间"))
    for title in f.occupations:
        try:
            occupations.table().check(title)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors)
