"""Occupations: a clerk's or a board's word mapped to a standard title (``data/occupations.yaml``,
titles after the 国家职业分类大典 where it has one), so that occupation is a search filter and a
facet (issue 18). Aliases are found with an Aho-Corasick automaton (pyahocorasick): every alias
in one pass over the text.

A posting's occupation is read from its title: the alias that ends last (the role comes last in
a Chinese job title: 保安公司招会计 is a 会计 post, 叉车维修工 a mechanic's), the longest of those
ending there. A title naming none is read by its description, where the first alias counts (the
longest of those starting there). A query names every occupation whose alias it holds, longest
matches first and none overlapping (想找扫地的活 → 保洁员).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick
import yaml

from indexer import text as analysis
from jiuyuan.errors import FieldError, InvalidInput

TABLE = Path(__file__).parent / "data" / "occupations.yaml"
GROUPS = {
    2: "专业技术人员",
    3: "办事人员和有关人员",
    4: "社会生产服务和生活服务人员",
    5: "农、林、牧、渔业生产及辅助人员",
    6: "生产制造及有关人员",
}
"""The 国家职业分类大典's major groups the table uses."""


@dataclass(frozen=True)
class Occupation:
    title: str
    group: int
    aliases: tuple[str, ...]

    @property
    def group_name(self) -> str:
        return GROUPS[self.group]


@dataclass(frozen=True)
class _Match:
    start: int
    end: int  # exclusive
    occupation: Occupation


class Occupations:
    """The table and its automaton."""

    def __init__(self, entries: list[Occupation]):
        self.by_title = {o.title: o for o in entries}
        self._automaton = ahocorasick.Automaton()
        for o in entries:
            for alias in {o.title, *o.aliases}:
                self._automaton.add_word(alias, (alias, o))
        self._automaton.make_automaton()

    def _matches(self, text: str) -> list[_Match]:
        return [
            _Match(last + 1 - len(alias), last + 1, occupation)
            for last, (alias, occupation) in self._automaton.iter(analysis.fold(text))
        ]

    def of_posting(self, title: str, description: str = "") -> Occupation | None:
        """The posting's occupation (see the module's note), or None when it names none."""
        return self.of_title(title) or self._of_description(description)

    @lru_cache(maxsize=65536)  # noqa: B019 — the table lives as long as the process (``table``)
    def of_title(self, title: str) -> Occupation | None:
        """The occupation a title names (the one ending last, the longest there), or None."""
        in_title = self._matches(title)
        if in_title:
            return max(in_title, key=lambda m: (m.end, m.end - m.start)).occupation
        return None

    def _of_description(self, description: str) -> Occupation | None:
        in_description = self._matches(description)
        if in_description:
            return min(in_description, key=lambda m: (m.start, m.start - m.end)).occupation
        return None

    def named(self, text: str) -> list[Occupation]:
        """Every occupation a query names, in the order named; an alias inside a longer one
        found at the same place does not count (电焊工 names 焊工 once, not 电焊 and 焊工)."""
        taken: list[_Match] = []
        for m in sorted(self._matches(text), key=lambda m: (m.start - m.end, m.start)):
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        out: list[Occupation] = []
        for m in sorted(taken, key=lambda m: m.start):
            if m.occupation not in out:
                out.append(m.occupation)
        return out

    def check(self, title: str, field: str = "occupation") -> str:
        """A standard title as given (read as ``text.fold`` reads it: 會計 is 会计), or a 422 that
        names the titles the word maps to."""
        if (folded := analysis.fold(title)) in self.by_title:
            return folded
        meant = [o.title for o in self.named(title)]
        hint = f"：您要找的可能是“{'”“'.join(meant)}”" if meant else "：可用 GET /occupations?q= 按常用说法查找"
        raise InvalidInput([FieldError(field, f"“{title}”不是标准职业名称{hint}")])


@cache
def table() -> Occupations:
    rows = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["occupations"]
    return Occupations([Occupation(r["title"], int(r["group"]), tuple(r["aliases"])) for r in rows])


@lru_cache(maxsize=4096)
def titles_named(text: str) -> tuple[str, ...]:
    """The standard titles a clerk's or a walk-in's words name (想找扫地的活 → 保洁员)."""
    return tuple(o.title for o in table().named(text))


def of_posting(title: str, description: str = "") -> str:
    """The posting's standard occupation title, or "" when it names none."""
    found = table().of_posting(title, description)
    return found.title if found else ""
