"""Administrative region codes (GB/T 2260), read from the table python-stdnum ships.

python-stdnum validates the birth-place part of resident ID numbers against
``stdnum/cn/loc.dat``, a GB/T 2260 table with the years each code was in use
(``[1983-1995]东区,[1996-]芙蓉区``). We read the same table, so a region code the
service accepts and the birth place of an ID number are judged by one source.

A code is *current* when its latest name has an open end year (or no years).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")
# "市辖区" and "县" are grouping rows in GB/T 2260, not places a person lives in.
_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class NameSpan:
    name: str
    start: int | None  # first year in use, None: since before the table
    end: int | None  # last year in use, None: still in use


@dataclass(frozen=True)
class Region:
    code: str
    spans: tuple[NameSpan, ...]

    @property
    def name(self) -> str:
        return self.spans[-1].name

    @property
    def current(self) -> bool:
        return self.spans[-1].end is None

    @property
    def level(self) -> str:
        """'province', 'city' or 'county' — read from the zeros of the code."""
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"

    @property
    def placeholder(self) -> bool:
        return self.name in _PLACEHOLDER_NAMES


def _parse_spans(text: str) -> tuple[NameSpan, ...]:
    spans = []
    for part in text.split(","):
        m = _SPAN.match(part)
        if m:
            start, end, name = m.groups()
            spans.append(NameSpan(name, int(start) if start else None, int(end) if end else None))
        else:
            spans.append(NameSpan(part, None, None))
    return tuple(spans)


@lru_cache(maxsize=1)
def all_regions() -> dict[str, Region]:
    """Every code in the table, current or not, keyed by its six digits."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    regions: dict[str, Region] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province, rest = line.split(" ", 1)
            name = rest.split('"')[1]
            regions[province + "0000"] = Region(province + "0000", _parse_spans(name))
            continue
        suffix, rest = line.strip().split(" ", 1)
        code = province + suffix
        if code in regions:  # the "0000" row repeats the province line
            continue
        regions[code] = Region(code, _parse_spans(rest.split('"')[1]))
    return regions


def lookup(code: str) -> Region | None:
    """The region of a six-digit code if it is in use today, else None."""
    region = all_regions().get(code)
    return region if region is not None and region.current else None


def ancestors(code: str) -> list[str]:
    """The code's province, city and itself (county → city → province order reversed).

    Province-level municipalities and county-level cities directly under a province
    have no city row of their own; only codes that exist are returned.
    """
    chain = [code[:2] + "0000", code[:4] + "00", code]
    seen: list[str] = []
    for c in chain:
        if c not in seen and c in all_regions():
            seen.append(c)
    return seen


def prefix(code: str) -> str:
    """The code prefix every place inside the region shares: 430000 → 43, 430100 → 4301."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@lru_cache(maxsize=8192)
def full_name(code: str) -> str:
    """湖南省长沙市芙蓉区 — placeholder rows such as 市辖区 are left out."""
    regions = all_regions()
    return "".join(regions[c].name for c in ancestors(code) if not regions[c].placeholder)


@lru_cache(maxsize=256)
def current_counties(prefix: str = "") -> tuple[Region, ...]:
    """County-level regions in use today whose code starts with ``prefix``."""
    return tuple(
        r
        for code, r in sorted(all_regions().items())
        if code.startswith(prefix) and r.current and r.level == "county" and not r.placeholder
    )
