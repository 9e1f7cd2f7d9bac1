"""Person profiles for the other direction (people for a post), indexed like postings.

Only what a match needs: skills, wished work and schedules, education, the county and an
approximate place. Never a name, ID number, phone, or health detail such as a disability.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from indexer.embedded import EmbeddedIndex, _stable_hash
from indexer.protocol import Filters, Query
from indexer.text_index import Row
from jiuyuan import gazetteer, validation
from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan.vocab import Schedule

_SCHEDULES = list(Schedule)
PROFILE_SCHEMA = {
    "alive": bool,
    "region": np.int32,
    "lat": np.float32,
    "lon": np.float32,
    "schedules": np.int8,
    "duplicate": np.uint64,
}
_SUPPORTED = {"region_prefix", "near", "within_km", "schedules"}


@dataclass(frozen=True)
class PersonDocument:
    id: str
    """The ledger's internal person id — never the ID number."""
    region_code: str
    skills: tuple[str, ...] = ()
    wished_work: tuple[str, ...] = ()
    wished_schedules: tuple[Schedule, ...] = ()
    education: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def __post_init__(self):
        c = validation.Checker()
        c.check("region_code", validation.region_code, self.region_code)
        if (self.latitude is None) != (self.longitude is None):
            c.fail("latitude", "经纬度须同时给出")
        c.raise_if_any()

    @property
    def words(self) -> str:
        """What a profile's text index holds: the wished work, skills, schedules and education
        themselves, not ``text``'s labels and placeholders (意向、技能、不限、未填 …), which every
        profile has and every search would score and pay for."""
        values = [*self.wished_work, *self.skills, *(s.label for s in self.wished_schedules)]
        return "、".join([*values, self.education] if self.education else values)

    @cached_property
    def text(self) -> str:
        schedules = "、".join(s.label for s in self.wished_schedules) or "不限"
        return (
            f"意向：{'、'.join(self.wished_work) or '不限'}。技能：{'、'.join(self.skills) or '无'}。"
            f"可工作时间：{schedules}。学历：{self.education or '未填'}"
        )


def from_person(person) -> PersonDocument:
    """A ledger ``Person`` as a profile document (reads no sensitive field); without a point
    entered, at the residence county's centre, so a post's distance filter keeps the person."""
    home = gazetteer.point(person.latitude, person.longitude, person.residence_region_code)
    return PersonDocument(
        id=str(person.id),
        region_code=person.residence_region_code,
        skills=tuple(person.skills or ()),
        wished_work=tuple(person.wished_work or ()),
        wished_schedules=tuple(Schedule(s) for s in person.wished_schedules or ()),
        education=person.education,
        latitude=home.latitude if home else None,
        longitude=home.longitude if home else None,
    )


class ProfileIndex(EmbeddedIndex):
    SCHEMA = PROFILE_SCHEMA
    DOCUMENT = PersonDocument

    def row_values(self, doc: PersonDocument) -> dict:
        return {
            "alive": True,
            "region": int(doc.region_code),
            "lat": np.nan if doc.latitude is None else doc.latitude,
            "lon": np.nan if doc.longitude is None else doc.longitude,
            "schedules": sum(1 << _SCHEDULES.index(s) for s in doc.wished_schedules),
            "duplicate": _stable_hash(doc.id),  # every person is their own group
        }

    def _lifted(self, query: Query):
        return lambda row: False  # persons have no posting occupation to lift

    def text_row(self, doc: PersonDocument) -> Row:
        return Row(doc.words)  # no filters in the text index: the masks apply them

    def _within(self, query: Query) -> None:
        return None

    def _masks(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        return self.cols.alive, self._mask(query)

    def _mask(self, query: Query) -> np.ndarray:
        f = query.filters
        unsupported = [
            name
            for name in Filters.__dataclass_fields__
            if name not in _SUPPORTED and getattr(f, name) != getattr(Filters(), name)
        ]
        if unsupported:
            raise InvalidInput([FieldError(name, "人员检索不支持该筛选条件") for name in unsupported])
        c = self.cols
        mask = c.alive.copy()
        if f.region_prefix:
            mask &= (c.region // 10 ** (6 - len(f.region_prefix))) == int(f.region_prefix)
        if f.schedules:
            wanted = sum(1 << _SCHEDULES.index(s) for s in f.schedules)
            # A person who named no schedule takes any.
            mask &= ((c.schedules & wanted) != 0) | (c.schedules == 0)
        if f.near is not None:
            mask &= self.distance_km(*f.near) <= f.within_km
        return mask
