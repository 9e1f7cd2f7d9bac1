"""Typeahead for job titles and skills: characters, full pinyin or its initials (bj → 保洁),
since many counter users type that way. Pinyin comes from pypinyin."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from indexer import text


@dataclass(frozen=True)
class Entry:
    word: str
    full: str  # baojie
    initials: str  # bj
    weight: int


def _entry(word: str, weight: int) -> Entry:
    from pypinyin import Style, lazy_pinyin  # its phrase tables load on first use, not at import (~0.3 s)

    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    return Entry(word, "".join(syllables), "".join(s[0] for s in syllables if s), weight)


def _entries(titles: Iterable[tuple[str, int]]) -> list[Entry]:
    """Each title's last part and its words, weighted by how many postings carry the title, and
    the lexicon's words. Each distinct title is segmented once: 100,000 postings carry a few
    thousand titles."""
    counts: Counter[str] = Counter()
    for title, n in titles:
        counts[title.split("·")[-1]] += n
        for w in text.segment(title):
            if len(w) > 1:
                counts[w] += n
    lexicon = text.lexicon()
    for word in {w for group in lexicon["synonyms"] for w in group} | set(lexicon["terms"]):
        counts[word] += 0
    return [_entry(w, n) for w, n in counts.items()]


class Typeahead:
    """Suggestions ranked by how many postings use the word, then shorter first."""

    def __init__(self, titles: Iterable[str] = ()):
        self.entries = _entries(Counter(titles).items())

    @classmethod
    def counted(cls, titles: Iterable[tuple[str, int]]) -> Typeahead:
        """From (title, how many postings carry it): the ledger counts them (``GROUP BY``)."""
        made = cls.__new__(cls)
        made.entries = _entries(titles)
        return made

    def suggest(self, typed: str, limit: int = 8) -> list[str]:
        typed = text.fold(typed).strip().replace(" ", "")  # ＢＪ as bj, 燒烤 as 烧烤
        if not typed:
            return []
        matches = [
            e
            for e in self.entries
            if e.word.startswith(typed) or e.full.startswith(typed) or e.initials.startswith(typed)
        ]
        matches.sort(key=lambda e: (-e.weight, len(e.word), e.word))
        return [e.word for e in matches[:limit]]
