"""Postings (and person profiles) as search documents: the text to embed and segment, and
the fields the filters read. Never an ID number, name, phone or health detail."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from indexer import occupations
from jiuyuan import gazetteer, validation
from jiuyuan.vocab import PostingKind, Schedule, WageUnit

# Monthly equivalents so wages of every unit compare (kept beside the original): 8 hours a
# day and 21.75 working days a month, the figures Chinese minimum-wage rules use to turn
# monthly into hourly and daily pay. A piece rate has no monthly equivalent.
HOURS_PER_DAY = Decimal(8)
DAYS_PER_MONTH = Decimal("21.75")


def monthly_equivalent(amount: Decimal, unit: WageUnit) -> Decimal | None:
    if unit is WageUnit.MONTH:
        return amount
    if unit is WageUnit.DAY:
        return amount * DAYS_PER_MONTH
    if unit is WageUnit.HOUR:
        return amount * HOURS_PER_DAY * DAYS_PER_MONTH
    return None


@dataclass(frozen=True)
class PostingDocument:
    id: str
    title: str
    description: str
    employer_name: str
    kind: PostingKind
    schedule: Schedule
    wage_min: Decimal
    wage_max: Decimal
    wage_unit: WageUnit
    region_code: str
    valid_from: date
    valid_until: date
    latitude: float | None = None
    longitude: float | None = None
    age_min: int | None = None
    age_max: int | None = None
    skills_required: tuple[str, ...] = ()
    disabled_suitable: bool = False
    headcount: int = 1

    def __post_init__(self):
        """A malformed posting is rejected with its reasons, never indexed quietly."""
        c = validation.Checker()
        if not str(self.id).strip():
            c.fail("id", "岗位编号不能为空")
        if not self.title.strip():
            c.fail("title", "岗位名称不能为空")
        c.check("region_code", validation.region_code, self.region_code)
        c.check("wage_min", validation.money, str(self.wage_min))
        c.check("wage_max", validation.money, str(self.wage_max))
        if self.wage_max < self.wage_min:
            c.fail("wage_max", "最高工资不能低于最低工资")
        validation.date_range(c, "valid_from", self.valid_from, "valid_until", self.valid_until)
        if self.kind is PostingKind.LOVE and (
            self.age_min is not None or self.age_max is not None or self.skills_required
        ):
            c.fail("kind", "爱心岗位无年龄限制、无技能要求（000 §2）")
        if (self.latitude is None) != (self.longitude is None):
            c.fail("latitude", "经纬度须同时给出")
        c.raise_if_any()

    @property
    def monthly_wage_min(self) -> Decimal | None:
        return monthly_equivalent(self.wage_min, self.wage_unit)

    @property
    def monthly_wage_max(self) -> Decimal | None:
        return monthly_equivalent(self.wage_max, self.wage_unit)

    @property
    def duplicate_key(self) -> str:
        """The same job posted twice, or by two sources: same employer, same title and the same
        words in its text once segmented, synonym-folded and stripped of numbers and order."""
        from indexer import text

        words = sorted(text.key_words(self.text))
        digest = hashlib.sha1(f"{self.employer_name}|{' '.join(text.tokens(self.title))}|{' '.join(words)}".encode())
        return digest.hexdigest()[:16]

    @cached_property
    def occupation(self) -> str:
        """The standard occupation its title names (``indexer.occupations``), "" when none: a
        search filter and facet, derived, so an index built before it needs no new field."""
        return occupations.of_posting(self.title, self.description)

    @cached_property
    def text(self) -> str:
        """What is embedded and segmented: title, duties, employer, kind, schedule, skills."""
        skills = "、".join(self.skills_required) if self.skills_required else "无技能要求"
        return (
            f"{self.title}。{self.description.rstrip('。')}。{self.employer_name}。{self.kind.label}，{self.schedule.label}。"
            f"技能：{skills}"
        )


def from_posting(posting, employer_name: str | None = None) -> PostingDocument:
    """A ledger ``JobPosting`` row (or anything with its attributes) as a search document. Without
    a point entered it stands at its county's centre, so distance filters keep it (issue 19)."""
    where = gazetteer.point(posting.latitude, posting.longitude, posting.region_code)
    return PostingDocument(
        id=str(posting.id),
        title=posting.title,
        description=posting.description or "",
        employer_name=employer_name or (posting.employer.name if getattr(posting, "employer", None) else ""),
        kind=PostingKind(posting.kind),
        schedule=Schedule(posting.schedule),
        wage_min=posting.wage_min,
        wage_max=posting.wage_max,
        wage_unit=WageUnit(posting.wage_unit),
        region_code=posting.region_code,
        valid_from=posting.valid_from,
        valid_until=posting.valid_until,
        latitude=where.latitude if where else None,
        longitude=where.longitude if where else None,
        age_min=posting.age_min,
        age_max=posting.age_max,
        skills_required=tuple(posting.skills_required or ()),
        disabled_suitable=posting.disabled_suitable,
        headcount=posting.headcount,
    )


def from_demo(data) -> list[PostingDocument]:
    """The postings of a ``demo.generate.DemoData`` as search documents (tests, benchmark)."""
    employers = {e["uscc"]: e["name"] for e in data.employers}
    return [
        PostingDocument(
            id=p["ref"],
            title=p["title"],
            description=p["description"],
            employer_name=employers[p["employer_uscc"]],
            kind=p["kind"],
            schedule=p["schedule"],
            wage_min=p["wage_min"],
            wage_max=p["wage_max"],
            wage_unit=p["wage_unit"],
            region_code=p["region_code"],
            valid_from=p["valid_from"],
            valid_until=p["valid_until"],
            latitude=p["latitude"],
            longitude=p["longitude"],
            age_min=p["age_min"],
            age_max=p["age_max"],
            skills_required=tuple(p["skills_required"]),
            disabled_suitable=p["disabled_suitable"],
            headcount=p["headcount"],
        )
        for p in data.postings
    ]
