"""The demo's job postings: an occupation of ``occupations.yaml`` drawn as often as boards
post it, from an employer of its trade (or, now and then, of another), with wages, hours and
perks as boards write them. A part of :class:`demo.generate.Generator`."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from demo import vocab
from jiuyuan.vocab import PostingKind, Schedule, WageUnit

KIND_WEIGHTS = {PostingKind.ORDINARY: 50, PostingKind.GIG: 25, PostingKind.LOVE: 10, PostingKind.PUBLIC_WELFARE: 15}
SCHEDULES_BY_KIND = {
    PostingKind.ORDINARY: ((Schedule.FULL_TIME, 85), (Schedule.PART_TIME, 15)),
    PostingKind.GIG: ((Schedule.HOURLY, 40), (Schedule.DAILY, 45), (Schedule.PART_TIME, 15)),
    PostingKind.LOVE: ((Schedule.FULL_TIME, 60), (Schedule.PART_TIME, 25), (Schedule.HOURLY, 15)),
    PostingKind.PUBLIC_WELFARE: ((Schedule.FULL_TIME, 70), (Schedule.PART_TIME, 30)),
}


class PostingMaker:
    """Posting rows; the generator supplies the random stream, places and the progress bar."""

    rng: random.Random
    seed: int
    anchor: date

    def coordinates(self, code: str) -> tuple[float, float]:
        raise NotImplementedError

    def address(self, code: str) -> str:
        raise NotImplementedError

    def _bar(self, iterable: Iterable[Any], total: int, desc: str) -> Iterable[Any]:
        raise NotImplementedError

    def postings(self, n: int, employers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
        by_sector = {
            name: [e for e in employers if e["name"].endswith(sector.trades)] for name, sector in vocab.SECTORS.items()
        }
        rows = []
        for i in self._bar(range(n), n, "岗位"):
            kind = self.rng.choices(kinds, kind_weights)[0]
            family = self._family_for(kind)
            schedules, weights = zip(*SCHEDULES_BY_KIND[kind], strict=True)
            schedule = self.rng.choices(schedules, weights)[0]
            unit, low, high = self._wage(family, schedule)
            # Most posts come from an employer of the trade; the rest from any (保安公司招会计).
            own = by_sector[family.sector] if self.rng.random() < 0.75 else []
            employer = self.rng.choice(own or employers)
            place = employer["region_code"]
            lat, lon = self.coordinates(place)
            valid_from = self.anchor - timedelta(days=self.rng.randint(0, 60))
            age_min = age_max = None
            skills: list[str] = []
            if kind is not PostingKind.LOVE:  # 000 §2: love posts have no age or skill limits
                if self.rng.random() < 0.75:
                    age_min, age_max = 18, self.rng.choice(vocab.SECTORS[family.sector].ages)
                if family.skills and self.rng.random() < 0.5:
                    skills = [self.rng.choice(family.skills)]
            # Experience is asked for, not required: "有保洁经验者优先" (a certificate is required).
            preferred = [s for s in skills if s.endswith("经验")]
            skills = [s for s in skills if s not in preferred]
            rows.append(
                {
                    "ref": f"D{self.seed}-P{i + 1:07d}",
                    "employer_uscc": employer["uscc"],
                    "title": family.title if kind is not PostingKind.LOVE else f"爱心岗位·{family.title}",
                    "description": "；".join(self.rng.sample(family.duties, k=2))
                    + f"。{self._terms(family, schedule)}。"
                    + "".join(f"有{s}者优先。" for s in preferred)
                    + "".join(f"技能要求：{s}。" for s in skills),
                    "kind": kind,
                    "schedule": schedule,
                    "wage_min": low,
                    "wage_max": high,
                    "wage_unit": unit,
                    "region_code": place,
                    "address": self.address(place),
                    "latitude": lat,
                    "longitude": lon,
                    "age_min": age_min,
                    "age_max": age_max,
                    "skills_required": skills,
                    "disabled_suitable": family.disabled_suitable and self.rng.random() < 0.6,
                    "headcount": self.rng.choice((1, 1, 2, 3, 5, 10)),
                    "valid_from": valid_from,
                    "valid_until": valid_from + timedelta(days=self.rng.choice((7, 30, 60, 90, 180))),
                    "contact_phone": employer["contact_phone"],
                }
            )
        return rows

    def _family_for(self, kind: PostingKind) -> vocab.JobFamily:
        if kind is PostingKind.PUBLIC_WELFARE:
            pool = [f for f in vocab.FAMILIES if f.public_welfare]
        elif kind is PostingKind.LOVE:
            pool = [f for f in vocab.FAMILIES if f.love]
        else:  # 零工 are the trades posted by the hour or the day
            pool = [
                f for f in vocab.FAMILIES if (not f.public_welfare or f.love) and (f.gig or kind is not PostingKind.GIG)
            ]
        return self.rng.choices(pool, [f.weight for f in pool])[0]

    def _terms(self, family: vocab.JobFamily, schedule: Schedule) -> str:
        """Hours (the sector's shifts for a full-time post) and, for some, a perk, as boards write them."""
        sector = vocab.SECTORS[family.sector]
        words = sector.shifts + vocab.SCHEDULE_WORDS[schedule.value] if schedule is Schedule.FULL_TIME else ()
        hours = self.rng.choice(words or vocab.SCHEDULE_WORDS[schedule.value])
        return f"{hours}，{self.rng.choice(sector.perks)}" if self.rng.random() < 0.5 else hours

    def _wage(self, family: vocab.JobFamily, schedule: Schedule) -> tuple[WageUnit, Decimal, Decimal]:
        if schedule is Schedule.HOURLY:
            unit, (lo, hi) = WageUnit.HOUR, family.hourly
        elif schedule is Schedule.DAILY:
            unit, (lo, hi) = WageUnit.DAY, family.daily
        elif family.piece and self.rng.random() < 0.3:
            lo_p, hi_p = Decimal(family.piece[0]), Decimal(family.piece[1])
            return (
                WageUnit.PIECE,
                lo_p,
                max(lo_p, (hi_p - (hi_p - lo_p) * Decimal(self.rng.randint(0, 50)) / 100).quantize(Decimal("0.01"))),
            )
        else:
            unit, (lo, hi) = WageUnit.MONTH, family.monthly
            if schedule is Schedule.PART_TIME:
                lo, hi = lo // 2, hi // 2
        low = self.rng.randint(lo, hi)
        high = self.rng.randint(low, hi)
        step = 100 if unit is WageUnit.MONTH else 1
        low, high = low // step * step, high // step * step  # boards write round figures: 4100–4500, not 4107
        return unit, Decimal(low), Decimal(max(low, high))
