"""Job words a query may have meant when it holds a character of the same sound (档车工 for
挡车工, 保玉员 for 保育员, 保结 for 保洁): walk-ins and clerks type pinyin, and the input
method offers the wrong character first. ``text.query_terms`` adds the words meant at
``WEIGHT``, below the words typed, as it adds synonyms.

Only the domain's own words are offered (the lexicon and the occupation table: ``Sounds``), and
only for a stretch of the query that looks mistyped: whole words of the query as segmentation
cuts it (包吃住|长期 never offers 猪场 for 住长), not a word of the dictionary itself (住宿,
机场, 代价 are words: no 注塑, 鸡场, 代驾), and not inside a job word written as typed (钟点工
holds 点工, dian gong, but offers no 电工).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

WEIGHT = 0.5
"""A word meant, beside a typed word's 1.0 (as a synonym's; measured: docs/search.md)."""
LONGEST = 6
"""The longest word offered, in characters."""
TYPED = 30
"""The most Han characters looked at: what a person types into a search box. A posting's text,
the query of a people search, is written, not typed, and its many stretches would sound like
some job word by chance."""
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def _sound(chars: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # ~0.13 s to import: paid by the first search, not every import

    return tuple(lazy_pinyin(chars, style=Style.NORMAL))


class Sounds:
    """The domain's words (two to ``LONGEST`` Han characters) by their toneless pinyin."""

    def __init__(self, words: Iterable[str]):
        self.words = {w for w in words if 2 <= len(w) <= LONGEST and _HAN.fullmatch(w)}
        by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in self.words:
            by_sound[_sound(word)].add(word)
        self.by_sound = {sound: tuple(sorted(found)) for sound, found in by_sound.items()}

    def meant(self, folded: str, cut: Callable[[str], Iterable[str]], known: Callable[[str], bool]) -> list[str]:
        """The words of the domain that sound like a stretch of ``folded`` (a query as
        ``text.fold`` reads it) but are written otherwise, in the order found. A stretch is
        whole words of ``cut`` (segmentation) that together are not ``known`` (a dictionary
        word); none for a text of more than ``TYPED`` Han characters."""
        runs = _HAN.findall(folded)
        out: list[str] = []
        if sum(map(len, runs)) > TYPED:
            return out
        for run in runs:
            sounds = _sound(run)
            if len(sounds) != len(run):  # one syllable a character, or nothing to align
                continue
            edges = [0]
            for word in cut(run):
                edges.append(edges[-1] + len(word))
            spans = [(i, j) for i in edges for j in edges if 2 <= j - i <= LONGEST]
            written = [(i, j) for i in range(len(run)) for j in range(i + 2, len(run) + 1) if run[i:j] in self.words]
            for i, j in spans:
                if known(run[i:j]) or any(a <= i and j <= b for a, b in written):
                    continue
                for word in self.by_sound.get(tuple(sounds[i:j]), ()):
                    if word not in out:
                        out.append(word)
        return out
