"""Deterministic demo data: the same seed and anchor date give the same rows, byte for byte.

Identities (ID numbers, USCCs, references) depend on the seed alone, not on the
anchor date: each person draws from a generator of its own, and ages are drawn for
the year ``BIRTH_REFERENCE_YEAR``. So ``jiuyuan demo`` run again on a later day finds
the same people and organisations and writes nothing twice.

Every ID number and USCC is built with the check digits of its standard (GB 11643,
GB 32100 with the GB 11714 organisation code inside), so each passes its validator.
Difficulty categories (002 §1) appear in plausible proportions because the person
facts that imply them (age and months unemployed, 低保, disability, land loss,
zero-employment households) are drawn at such rates.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stdnum.cn import ric, uscc
from tqdm import tqdm

from demo import vocab
from demo.postings import PostingMaker
from jiuyuan import regions
from jiuyuan.vocab import (
    AssistanceStatus,
    ConsentScope,
    PlacementKind,
    Schedule,
    UrbanRural,
)

BIRTH_REFERENCE_YEAR = 2026


@dataclass
class DemoData:
    anchor: date
    employers: list[dict[str, Any]] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)
    # Rows owned by a person, keyed by the person's ID number until the loader knows its id.
    consents: list[dict[str, Any]] = field(default_factory=list)
    recognitions: list[dict[str, Any]] = field(default_factory=list)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    training: list[dict[str, Any]] = field(default_factory=list)
    fairs: list[dict[str, Any]] = field(default_factory=list)


def org_code_check_digit(body: str) -> str:
    """GB 11714 check digit of an 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


class Generator(PostingMaker):
    def __init__(self, seed: int, anchor: date, progress: bool = False):
        self.rng = random.Random(seed)
        self.seed = seed
        self.anchor = anchor
        self.progress = progress
        self._places = self._place_weights()
        self._seen_ids: set[str] = set()
        self._seen_uscc: set[str] = set()
        self._codes_by_year: dict[int, list[str]] = {}
        self._county_offsets: dict[str, tuple[float, float]] = {}

    # -- places -------------------------------------------------------------------
    def _place_weights(self) -> tuple[list[regions.Region], list[float]]:
        counties: list[regions.Region] = []
        weights: list[float] = []
        hunan = regions.current_counties("43")
        share_outside = sum(vocab.OUTSIDE_HUNAN.values())
        for r in hunan:
            counties.append(r)
            weights.append((1 - share_outside) / len(hunan))
        for prefix, share in vocab.OUTSIDE_HUNAN.items():
            local = regions.current_counties(prefix)
            for r in local:
                counties.append(r)
                weights.append(share / len(local))
        return counties, weights

    def county(self, employer: bool = False) -> regions.Region:
        counties, weights = self._places
        if employer:  # employers crowd into the cities (vocab.EMPLOYER_CITIES)
            weights = [w * vocab.EMPLOYER_CITIES.get(c.code[:4], 1.0) for c, w in zip(counties, weights, strict=True)]
        return self.rng.choices(counties, weights)[0]

    def coordinates(self, code: str) -> tuple[float, float]:
        lat, lon = vocab.CITY_CENTRES.get(code[:4], (28.0, 112.0))
        # A fixed offset per county (from its code), plus a little noise per address.
        if code not in self._county_offsets:
            offset = random.Random(int(code))
            self._county_offsets[code] = (offset.uniform(-0.3, 0.3), offset.uniform(-0.3, 0.3))
        dlat, dlon = self._county_offsets[code]
        lat += dlat + self.rng.uniform(-0.04, 0.04)
        lon += dlon + self.rng.uniform(-0.04, 0.04)
        return round(lat, 5), round(lon, 5)

    def address(self, code: str) -> str:
        return f"{regions.full_name(code)}{self.rng.choice(vocab.STREET_WORDS)}{self.rng.randint(1, 399)}号"

    # -- identifiers --------------------------------------------------------------
    def id_number(self, birth: date, sex: str, code: str) -> str:
        birth_region = code if self._valid_at_birth(code, birth.year) else self._older_code(birth.year)
        while True:
            seq = self.rng.randrange(0, 999)
            if (seq % 2 == 1) != (sex == "M"):
                seq += 1
            body = f"{birth_region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self._seen_ids:
                self._seen_ids.add(number)
                return number

    @staticmethod
    def _valid_at_birth(code: str, year: int) -> bool:
        region = regions.all_regions().get(code)
        return region is not None and any(
            (s.start is None or s.start <= year) and (s.end is None or year <= s.end) for s in region.spans
        )

    def _older_code(self, year: int) -> str:
        """A Hunan county code already in use in ``year`` (people born before a county got its code)."""
        if year not in self._codes_by_year:
            self._codes_by_year[year] = [
                r.code for r in regions.current_counties("43") if self._valid_at_birth(r.code, year)
            ]
        return self.rng.choice(self._codes_by_year[year])

    def social_credit_code(self, code: str) -> str:
        while True:
            body = f"{self.rng.randrange(10**8):08d}"
            org = body + org_code_check_digit(body)
            head = f"91{code}{org}"  # 9: market regulation registration; 1: enterprise
            number = head + uscc.calc_check_digit(head + "0")
            if number not in self._seen_uscc:
                self._seen_uscc.add(number)
                return number

    def name(self, sex: str) -> str:
        pool = vocab.GIVEN_MALE if sex == "M" else vocab.GIVEN_FEMALE
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(vocab.SURNAMES) + given

    def phone(self) -> str:
        return (
            self.rng.choice(("138", "139", "150", "151", "158", "177", "180", "186", "187", "199"))
            + f"{self.rng.randrange(10**8):08d}"
        )

    @contextmanager
    def _own_stream(self, key: int):
        """Draw from a generator seeded by (seed, key): one record's draws cannot shift the next's."""
        shared, self.rng = self.rng, random.Random(self.seed * 1_000_003 + key)
        try:
            yield
        finally:
            self.rng = shared

    def _bar(self, iterable, total: int, desc: str):
        return tqdm(iterable, total=total, desc=desc, unit="条", disable=not self.progress, leave=False)

    # -- organisations ------------------------------------------------------------
    def employers(self, n: int) -> list[dict[str, Any]]:
        rows = []
        for _ in self._bar(range(n), n, "用人单位"):
            place = self.county(employer=True)
            lat, lon = self.coordinates(place.code)
            name_place = place.name.removesuffix("区").removesuffix("县").removesuffix("市")
            rows.append(
                {
                    "uscc": self.social_credit_code(place.code),
                    "name": f"{name_place}{self.rng.choice(vocab.COMPANY_WORDS)}{self.rng.choices(vocab.COMPANY_TRADES, vocab.TRADE_WEIGHTS)[0]}",
                    "region_code": place.code,
                    "address": self.address(place.code),
                    "latitude": lat,
                    "longitude": lon,
                    "founded_on": self.anchor - timedelta(days=self.rng.randint(200, 8000)),
                    "small_micro": self.rng.random() < 0.7,
                    "insured_headcount": self.rng.choice((3, 8, 12, 25, 40, 80, 150, 600)),
                    "contact_phone": self.phone(),
                }
            )
        return rows

    def agencies(self, n: int) -> list[dict[str, Any]]:
        rows = []
        for i in range(n):
            place = self.county()
            rows.append(
                {
                    "uscc": self.social_credit_code(place.code),
                    "name": f"{place.name}{self.rng.choice(vocab.COMPANY_WORDS)}{self.rng.choice(vocab.AGENCY_TRADES)}",
                    "region_code": place.code,
                    "licence_no": f"{place.code}{2019 + i % 6}{i:04d}",
                    "licence_valid_until": self.anchor + timedelta(days=self.rng.randint(90, 1500)),
                }
            )
        return rows

    # -- people -------------------------------------------------------------------
    def people(self, n: int, data: DemoData) -> None:
        remaining = n
        h = 0
        bar = self._bar(range(n), n, "人员")
        while remaining > 0:
            h += 1
            size = min(remaining, self.rng.choice((1, 1, 2, 2, 3)))
            place = self.county()
            rural = self.rng.random() < 0.45
            zero_employment = self.rng.random() < 0.05
            assistance = self.rng.choices(
                (AssistanceStatus.NONE, AssistanceStatus.DIBAO, AssistanceStatus.DIBIAN), (84, 12, 4)
            )[0]
            household = {
                "ref": f"D{self.seed}-H{h:07d}",
                "region_code": place.code,
                "urban_rural": UrbanRural.RURAL if rural else UrbanRural.URBAN,
                "assistance": assistance,
                "member_count": size,
                "zero_employment": zero_employment,
                "zero_employment_since": self.anchor - timedelta(days=self.rng.randint(200, 900))
                if zero_employment
                else None,
            }
            data.households.append(household)
            for _ in range(size):
                with self._own_stream(len(data.persons)):
                    data.persons.append(self._person(household, place.code, rural, zero_employment, data))
                bar.update(1)
            remaining -= size
        bar.close()

    def _person(self, household, code, rural, zero_employment, data: DemoData) -> dict[str, Any]:
        sex = self.rng.choice("MF")
        age = self.rng.choices(
            (self.rng.randint(18, 34), self.rng.randint(35, 44), self.rng.randint(45, 59)), (30, 30, 40)
        )[0]
        birth = date(BIRTH_REFERENCE_YEAR - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        number = self.id_number(birth, sex, code)
        unemployed_months = (
            self.rng.choice((None, 2, 4, 7, 9, 13, 18, 26, 40))
            if not zero_employment
            else self.rng.choice((7, 9, 13, 18))
        )
        lat, lon = self.coordinates(code)
        disabled = self.rng.random() < 0.10
        poverty = rural and self.rng.random() < 0.35
        families = self._wished(number)
        person = {
            "id_number": number,
            "name": self.name(sex),
            "sex": sex,
            "birth_date": birth,
            "phone": self.phone() if self.rng.random() < 0.9 else None,
            "household_ref": household["ref"],
            "hukou_region_code": code,
            "residence_region_code": code,
            "urban_rural": household["urban_rural"],
            "latitude": lat,
            "longitude": lon,
            "education": self.rng.choices(*zip(*vocab.EDUCATION, strict=True))[0],
            "registered_unemployed_since": None
            if unemployed_months is None
            else self.anchor - timedelta(days=unemployed_months * 30),
            "disability_certificate": f"{number}{self.rng.randint(1, 7)}{self.rng.randint(1, 4)}" if disabled else None,
            "disability_grade": self.rng.choices((1, 2, 3, 4), (10, 20, 35, 35))[0] if disabled else None,
            "land_lost": rural and self.rng.random() < 0.15,
            "poverty_registered_from": date(self.rng.choice((2014, 2015, 2016)), 10, 1) if poverty else None,
            "poverty_registered_to": date(2020, 12, 31) if poverty else None,
            "skills": sorted({s for f in families for s in f.skills[:1]} if self.rng.random() < 0.5 else set()),
            "wished_work": [f.title for f in families],
            "wished_schedules": [s.value for s in self.rng.sample(list(Schedule), k=self.rng.randint(1, 3))],
        }
        self._person_records(person, household, unemployed_months, data)
        return person

    def _wished(self, number: str) -> list[vocab.JobFamily]:
        """Two occupations, as often as boards post them, from a stream of the person's own: the
        occupation table can grow without changing anything else about the person."""
        pick = random.Random(f"{self.seed}:{number}")
        weights = [f.weight for f in vocab.FAMILIES]
        first = pick.choices(vocab.FAMILIES, weights)[0]
        rest = [f for f in vocab.FAMILIES if f is not first]
        return [first, pick.choices(rest, [f.weight for f in rest])[0]]

    def _person_records(self, person, household, unemployed_months, data: DemoData) -> None:
        number = person["id_number"]
        for scope, share in (
            (ConsentScope.DATA_PROCESSING, 1.0),
            (ConsentScope.SHOW_TO_EMPLOYERS, 0.7),
            (ConsentScope.JOB_PUSH, 0.85),
        ):
            data.consents.append(
                {"id_number": number, "scope": scope, "granted": self.rng.random() < share, "recorded_by": "demo"}
            )
        categories = self._categories(person, household, unemployed_months)
        if not categories or self.rng.random() > 0.6:
            return
        applied = self.anchor - timedelta(days=self.rng.randint(40, 700))
        data.recognitions.append(
            {
                "id_number": number,
                "region_code": person["hukou_region_code"],
                "categories": categories,
                "status": "recognised",
                "applied_on": applied,
                "recognised_on": applied + timedelta(days=28),
            }
        )
        data.tiers.append(
            {
                "id_number": number,
                "tier": self.rng.choices((1, 2, 3), (30, 45, 25))[0],
                "effective_from": applied + timedelta(days=28),
                "assigned_by": "demo",
            }
        )
        if self.rng.random() < 0.15:
            start = applied + timedelta(days=self.rng.randint(29, 200))
            if start + timedelta(days=20) <= self.anchor:
                data.training.append(
                    {
                        "id_number": number,
                        "kind": self.rng.choice(("employment_skills", "post_skill")),
                        "start_date": start,
                        "end_date": start + timedelta(days=20),
                        "days_attended": self.rng.randint(10, 21),
                        "completed": True,
                    }
                )
        if self.rng.random() < 0.25:
            kind = self.rng.choices(list(PlacementKind), (45, 30, 20, 5))[0]
            start = applied + timedelta(days=self.rng.randint(35, 300))
            if start > self.anchor:  # not placed yet on the anchor date
                return
            data.placements.append(
                {
                    "id_number": number,
                    "kind": kind,
                    "start_date": start,
                    "end_date": start + timedelta(days=179) if kind is PlacementKind.PUBLIC_WELFARE else None,
                    "contract_months": self.rng.choice((12, 24, 36))
                    if kind is PlacementKind.EMPLOYER_ABSORPTION
                    else None,
                    "full_time": kind is not PlacementKind.FLEXIBLE,
                    "monthly_wage": Decimal(self.rng.randint(19, 45) * 100),
                    "rural_post": household["urban_rural"] is UrbanRural.RURAL,
                    "temporary_public_welfare": kind is PlacementKind.PUBLIC_WELFARE and self.rng.random() < 0.5,
                }
            )

    def fairs(self, n: int) -> list[dict[str, Any]]:
        """Special job fairs for people with employment difficulty (000 §3), in the last year."""
        rows = []
        for i in range(n):
            place = self.county()
            posts = self.rng.randint(20, 300)
            rows.append(
                {
                    "ref": f"D{self.seed}-F{i + 1:05d}",
                    "region_code": place.code,
                    "held_on": self.anchor - timedelta(days=self.rng.randint(1, 365)),
                    "title": f"{place.name}就业困难人员{self.rng.choice(('春风行动', '民营企业招聘月', '爱心岗位'))}专场招聘会",
                    "online": self.rng.random() < 0.3,
                    "for_difficult_persons": True,
                    "posts_offered": posts,
                    "love_posts_offered": self.rng.randint(0, posts // 3),
                }
            )
        return rows

    def _categories(self, person, household, unemployed_months) -> list[int]:
        """Demo-only reading of 002 §1 (1)–(6); the policy engine owns the real rule."""
        age = self.anchor.year - person["birth_date"].year
        long_enough = unemployed_months is not None and unemployed_months >= 6
        cats = []
        if long_enough and ((person["sex"] == "M" and age >= 50) or (person["sex"] == "F" and age >= 40)):
            cats.append(1)
        if household["zero_employment"] and household["urban_rural"] is UrbanRural.URBAN and long_enough:
            cats.append(2)
        if household["assistance"] is AssistanceStatus.DIBAO and unemployed_months is not None:
            cats.append(3)
        if person["disability_grade"] and unemployed_months is not None:
            cats.append(4)
        if person["land_lost"] and long_enough:
            cats.append(5)
        if unemployed_months is not None and unemployed_months >= 12:
            cats.append(6)
        return cats


def generate(seed: int, postings: int, persons: int, anchor: date, progress: bool = False) -> DemoData:
    """Demo data for ``seed``; ``anchor`` is the 'today' the dates are drawn around."""
    gen = Generator(seed, anchor, progress)
    data = DemoData(anchor=anchor)
    data.employers = gen.employers(max(10, postings // 20))
    data.agencies = gen.agencies(max(3, persons // 500))
    data.postings = gen.postings(postings, data.employers)
    gen.people(persons, data)
    data.fairs = gen.fairs(max(2, postings // 50))
    for placement in data.placements:
        if placement["kind"] in (PlacementKind.EMPLOYER_ABSORPTION, PlacementKind.PUBLIC_WELFARE):
            placement["employer_uscc"] = gen.rng.choice(data.employers)["uscc"]
        if placement["kind"] is PlacementKind.EMPLOYER_ABSORPTION and gen.rng.random() < 0.3:
            placement["agency_uscc"] = gen.rng.choice(data.agencies)["uscc"]
    return data
