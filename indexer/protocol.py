"""The search protocol every backend implements, and the query it takes.

Filters are hard: a posting that fails one is never returned, and they are applied before
the top-k so a narrow filter never starves the list. Modes: ``bm25`` (segmented text),
``vector`` (cosine of normalised embeddings) and ``hybrid`` (each list min-max normalised
over its top candidates, then a weighted mean — what OpenSearch's normalization processor
does, so both backends rank alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

import numpy as np

from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan import validation
from jiuyuan.vocab import PostingKind, Schedule
from indexer.documents import PostingDocument

Mode = Literal["bm25", "vector", "hybrid"]
# Hybrid weights: text matches carry the exact words a clerk typed, the vector the meaning.
# Equal until the search benchmark's labelled queries have tuned them; a query may pass its own.
DEFAULT_TEXT_WEIGHT = 0.5
CANDIDATES = 100  # per sub-query before fusion, as OpenSearch's hybrid query "k"


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


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    parts: dict[str, float]
    """bm25 and vector scores (raw) and their normalised shares in the hybrid score."""


class SearchBackend(Protocol):
    dimension: int

    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray) -> int: ...

    def delete(self, ids: list[str]) -> int: ...

    def search(self, query: Query) -> list[Hit]: ...

    def count(self) -> int: ...


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
    if (f.wage_floor_monthly is not None and f.wage_ceiling_monthly is not None
            and f.wage_floor_monthly > f.wage_ceiling_monthly):
        errors.append(FieldError("wage_ceiling_monthly", "工资上限不能低于工资下限"))
    if f.age is not None and not 16 <= f.age <= 100:
        errors.append(FieldError("age", "年龄应在16到100之间"))
    if errors:
        raise InvalidInput(errors)
