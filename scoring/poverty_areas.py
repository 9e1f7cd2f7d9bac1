"""Poverty counties (贫困地区, 004 §2(3)1) from a dated policy data file that names its source.

``in_poverty_area(code, day)`` answers True (listed on that day), False (not listed, and the
file declares itself complete) or None (not listed in an incomplete list: the fact is
unknown and the decision asks for it rather than guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from jiuyuan import validation
from jiuyuan.settings import get_settings


@dataclass(frozen=True)
class PovertyCounty:
    code: str
    name: str
    listed_on: date
    delisted_on: date | None = None

    def listed(self, day: date) -> bool:
        return self.listed_on <= day and (self.delisted_on is None or day < self.delisted_on)


@dataclass(frozen=True)
class PovertyCounties:
    source: str
    complete: bool
    counties: dict[str, PovertyCounty]

    def in_poverty_area(self, region_code: str, day: date) -> bool | None:
        county = self.counties.get(region_code[:6])
        if county is not None and county.listed(day):
            return True
        return False if self.complete or county is not None else None


def parse(data: dict[str, Any]) -> PovertyCounties:
    """The file's content, checked: a source, region codes that exist, dates in order."""
    if not data.get("source"):
        raise ValueError("贫困县名录缺少来源（source）")
    counties: dict[str, PovertyCounty] = {}
    for entry in data.get("counties") or []:
        code = validation.region_code(str(entry["code"]))
        county = PovertyCounty(code, str(entry["name"]), entry["listed_on"], entry.get("delisted_on"))
        if county.delisted_on is not None and county.delisted_on < county.listed_on:
            raise ValueError(f"{code} 摘帽日期早于列入日期")
        counties[code] = county
    return PovertyCounties(str(data["source"]), bool(data.get("complete", False)), counties)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> PovertyCounties:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def poverty_counties(path: Path | None = None) -> PovertyCounties:
    """The list in force (the settings' file by default); reloaded when the file changes."""
    path = path or get_settings().policy.poverty_counties_file
    return _load(path, path.stat().st_mtime_ns)
