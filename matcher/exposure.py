"""Spreading exposure: among results whose scores lie close together, a shuffle seeded by the
day (and the query) keeps the same few posts or candidates from absorbing every application.

Deterministic: the same query on the same day gives the same order, so a clerk and an
employer see what they saw an hour ago; the next day the ties fall differently. Results more
than ``TIE_BAND`` apart keep their order: a clearly better match always stays ahead.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

T = TypeVar("T")
# Scores within 0.02 (2 % of the 0–1 relevance scale) count as tied: smaller than any
# single reason's weight in matcher.posts, so a stated reason always separates two results.
TIE_BAND = 0.02


def spread(items: Sequence[T], score: Callable[[T], float], day: date, key: str) -> list[T]:
    """``items`` (best first) with each run of near-tied scores shuffled, weighted by score."""
    rng = random.Random(int(hashlib.sha256(f"{day.isoformat()}|{key}".encode()).hexdigest()[:16], 16))
    out: list[T] = []
    group: list[T] = []
    for item in items:
        if group and score(group[0]) - score(item) > TIE_BAND:
            out.extend(_weighted_shuffle(group, score, rng))
            group = []
        group.append(item)
    out.extend(_weighted_shuffle(group, score, rng))
    return out


def _weighted_shuffle(group: list[T], score: Callable[[T], float], rng: random.Random) -> list[T]:
    # Efraimidis–Spirakis: key u^(1/w) gives a draw without replacement proportional to w.
    keyed = [(rng.random() ** (1 / max(score(item), 1e-6)), i) for i, item in enumerate(group)]
    return [group[i] for _, i in sorted(keyed, reverse=True)]
