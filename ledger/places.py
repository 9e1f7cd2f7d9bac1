"""Where a person, posting or employer is: a region code, the address that names it, and a point
someone entered. Checked together, so an address in one county and a code of another is a 422
that says which to fix, never a silent pick (issue 19)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiuyuan import gazetteer, regions
from jiuyuan import validation as v

ADDRESS_LENGTH = 200


def _address(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    if len(text) > ADDRESS_LENGTH:
        raise ValueError(f"地址不能超过{ADDRESS_LENGTH}个字")
    return text or None


def region_and_address(
    c: v.Checker, data: Mapping[str, Any], key: str, label: str, fallback: Any = None
) -> tuple[str | None, str | None]:
    """The region code given, else the county the address names, else ``fallback``; and the
    address. A code and an address that disagree fail on the address, and so does an address the
    gazetteer can only guess at: one naming two counties, or a county name several cities share
    ("鼓楼区") with no city to tell them apart, unless the code given is one of them."""
    address = c.check("address", _address, data.get("address"))
    parsed = gazetteer.parse(address) if address else None
    if parsed is not None and parsed.also_named:
        names = "、".join(regions.full_name(x) for x in (parsed.region_code, *parsed.also_named))
        c.fail("address", f"地址中写了不止一个区县（{names}），请只写一处地址")
    given = data.get(key)
    if given is None or given == "":
        if parsed is not None and parsed.level == "county" and parsed.certain:
            given = parsed.region_code
        elif parsed is not None and parsed.alternatives and fallback not in parsed.alternatives:
            c.fail("address", f"{_ambiguous(parsed)}，请写明所在城市，或填写{label}")
            return None, address
        else:
            given = fallback
    if given is None or given == "":
        c.fail(key, f"请填写{label}，或在地址中写明区县（如：长沙县星沙街道开元路18号）")
        return None, address
    code = c.check(key, v.region_code, given)
    if code and parsed is not None and not parsed.also_named and not _agrees(code, parsed):
        where = _ambiguous(parsed) if parsed.alternatives else f"地址在{parsed.name}"
        c.fail("address", f"{where}，与{label}（{regions.full_name(code)}）不一致：请核对地址，或改正{label}")
    return code, address


def _agrees(code: str, parsed: gazetteer.Parsed) -> bool:
    if parsed.alternatives:
        return code in parsed.alternatives
    return code.startswith(regions.prefix(parsed.region_code))


def _ambiguous(parsed: gazetteer.Parsed) -> str:
    region = regions.lookup(parsed.region_code)
    name = region.name if region is not None else parsed.region_code
    places = "、".join(regions.full_name(x) for x in parsed.alternatives)
    return f"地址中的“{name}”有{len(parsed.alternatives)}处（{places}）"


def coordinates(c: v.Checker, data: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """A point entered (both or neither); without one, distances use the region's centre."""
    lat, lon = data.get("latitude"), data.get("longitude")
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        c.fail("latitude" if lat is None else "longitude", "经纬度须同时填写")
        return None, None
    return (
        c.check("latitude", lambda x: _bounded_float(x, -90, 90, "纬度"), lat),
        c.check("longitude", lambda x: _bounded_float(x, -180, 180, "经度"), lon),
    )


FARTHEST_KM = 300
"""How far an entered point may lie from its county's centre: more than the widest counties'
reach from their seat, so only a point in another place (0,0; Beijing for 长沙县) is refused."""


def check_point(c: v.Checker, region_code: str | None, latitude: float | None, longitude: float | None) -> None:
    """An entered point must lie near the county it is said to be in."""
    if region_code is None or latitude is None or longitude is None:
        return
    centre = gazetteer.centre(region_code)
    if centre is None:
        return
    km = gazetteer.km((latitude, longitude), (centre.latitude, centre.longitude))
    if km > FARTHEST_KM:
        c.fail(
            "latitude",
            f"位置离{regions.full_name(region_code)}约{km:.0f}公里，不在该区县：请核对经纬度，或不填（按区县中心估算）",
        )


def _bounded_float(value: Any, low: float, high: float, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label}应为数字") from None
    if not low <= number <= high:
        raise ValueError(f"{label}应在{low}到{high}之间")
    return number


def after_change(stored: Mapping[str, Any], changed: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A stored record with ``changed`` applied, as intake should judge it: a new address that
    names another county moves the region ``key`` too (unless one is given), and a point entered
    for the old address is dropped (unless a new one is given)."""
    merged = {**stored, **changed}
    if "address" in changed and changed["address"] != stored.get("address"):
        parsed = gazetteer.parse(str(changed["address"] or ""))
        if key not in changed and parsed is not None and parsed.level == "county" and parsed.certain:
            merged[key] = parsed.region_code
        if "latitude" not in changed and "longitude" not in changed:
            merged["latitude"] = merged["longitude"] = None
    return merged
