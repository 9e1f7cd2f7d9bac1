"""Posts for a person: hard filters first, then a re-rank a counter clerk can read aloud.

The re-rank adds named parts to the search relevance; each reason shown to the clerk comes
from one of those parts, so the explanation is the score, not a story told beside it.
Support tiers (002 §4): tier 3 sees suitable public-welfare posts first (§4(3) 优先实施公益性
岗位兜底安置); love posts are lifted for older or low-skill people; a tier-2 person gets at
least three distinct suitable posts (§4(2); 001 青岛 “至少推荐3个岗位”) or is told how many
there are — never padded with unsuitable ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from indexer import occupations
from indexer.documents import PostingDocument
from indexer.encoder import Encoder, query_vector
from indexer.protocol import Filters, Query, SearchBackend
from jiuyuan import gazetteer, regions
from jiuyuan.vocab import PostingKind, Schedule
from matcher.exposure import spread
from scoring.support import minimum_pushes, older_worker_age

# Weights of the rule ranker's parts. Relevance (the hybrid search score, 0–1) leads; fit parts
# refine it. Chosen by hand; the learned re-ranker (matcher.ranker) replaces the fit weights
# only where it beats these rules on held-out outcomes.
WEIGHTS = {
    "relevance": 0.5,
    "skills": 0.15,
    "distance": 0.15,
    "wage": 0.1,
    "schedule": 0.05,
    "love_lift": 0.15,
    "public_welfare_first": 1.0,
}


class Ranker(Protocol):
    name: str

    def parts(self, features: dict[str, float]) -> dict[str, float]:
        """The score parts for a match's features; the score is their sum."""


class RuleRanker:
    name = "rules"

    def parts(self, features: dict[str, float]) -> dict[str, float]:
        return {name: WEIGHTS[name] * value for name, value in features.items()}


RULES = RuleRanker()


@dataclass(frozen=True)
class Seeker:
    """What matching needs to know about a person — no name, ID number, phone or diagnosis."""

    age: int
    sex: str
    region_code: str
    skills: tuple[str, ...] = ()
    wished_work: tuple[str, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    max_km: float | None = None
    wage_floor_monthly: Decimal | None = None
    disabled: bool = False
    tier: int | None = None
    location_estimated: bool = False
    """The point is the residence county's centre (no address point entered): distances are estimates."""


@dataclass
class Match:
    posting: PostingDocument
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    """The raw feature values behind ``parts``; logged with a push for the learned re-ranker."""
    stay_6m: float | None = None
    """The learned estimate that a hire here lasts 6 months, where a stability model was trained."""


@dataclass
class MatchList:
    matches: list[Match]
    notes: list[str]


def _filters(seeker: Seeker, today: date) -> Filters:
    near = (seeker.latitude, seeker.longitude) if seeker.latitude is not None and seeker.max_km else None
    return Filters(
        region_prefix=None if near else seeker.region_code[:4],
        near=near,
        within_km=seeker.max_km if near else None,
        wage_floor_monthly=seeker.wage_floor_monthly,
        schedules=seeker.schedules,
        age=seeker.age,
        skills_free_only=not seeker.skills,
        disabled_suitable=seeker.disabled,
        valid_on=today,
    )


def candidates(
    seeker: Seeker, index: SearchBackend, encoder: Encoder, today: date, pool: int
) -> tuple[str, list[tuple[PostingDocument, float]]]:
    """Suitable posts with their search relevance: the hard filters, then the skills the person
    lacks. Each hit carries its posting. Returns the query text too (it seeds the exposure shuffle)."""
    text = " ".join(seeker.wished_work + seeker.skills) or "岗位"
    query = Query(text=text, vector=query_vector(encoder, text), k=pool, filters=_filters(seeker, today))
    held = set(seeker.skills)
    found = []
    # Relevance is a 0–1 feature: the fused score, which the occupation lift may take past 1, rescaled.
    scale = 1 + query.occupation_boost
    for hit in index.search(query):
        post = hit.document
        if held.issuperset(post.skills_required):  # a skill the person lacks: not suitable
            found.append((post, hit.score / scale))
    return text, found


def posts_for(
    seeker: Seeker,
    index: SearchBackend,
    encoder: Encoder,
    today: date,
    k: int = 10,
    spread_exposure: bool = False,
    ranker: Ranker = RULES,
) -> MatchList:
    text, found = candidates(seeker, index, encoder, today, pool=max(5 * k, 50))
    matches = [match(seeker, post, relevance, today, ranker) for post, relevance in found]
    matches.sort(key=lambda m: (-m.score, m.posting.id))
    if spread_exposure:
        matches = spread(matches, lambda m: m.score, today, text)
    matches = matches[:k]
    notes = []
    need = minimum_pushes(seeker.tier, today)
    if need is not None and len(matches) < need:
        notes.append(f"符合条件的岗位只有{len(matches)}个，不足{need}个（002 §4(2)），请扩大范围或登记新岗位")
    return MatchList(matches, notes)


def assess(
    seeker: Seeker, post: PostingDocument, relevance: float, day: date
) -> tuple[dict[str, float], dict[str, str]]:
    """The features of a match (each 0–1) and the reason a clerk reads aloud for each one."""
    older_from = older_worker_age(seeker.sex, day)
    older = older_from is not None and seeker.age >= older_from
    features, reasons = {"relevance": relevance}, {}
    if post.skills_required:
        features["skills"] = 1.0
        reasons["skills"] = f"您持有岗位要求的{'、'.join(post.skills_required)}"
    if post.kind is PostingKind.LOVE and (older or not seeker.skills):
        features["love_lift"] = 1.0
        reasons["love_lift"] = "爱心岗位：无年龄限制、无技能要求"
    if seeker.tier == 3 and post.kind is PostingKind.PUBLIC_WELFARE:
        features["public_welfare_first"] = 1.0
        reasons["public_welfare_first"] = "公益性岗位，优先兜底安置（002 §4(3)）"
    wished = next((w for w in seeker.wished_work if w in post.title), None)
    if wished:
        reasons["relevance"] = f"对口您想找的“{wished}”"
    elif post.occupation:  # said in everyday words: 扫地 names 保洁员 (indexer.occupations)
        said = next((w for w in seeker.wished_work if post.occupation in occupations.titles_named(w)), None)
        if said:  # 扫地 → 保洁员 says both; 保安员 for a 治安巡逻员 post says it once
            reasons["relevance"] = f"对口您想找的“{said}”" + (
                f"（{post.occupation}）" if said != post.occupation else ""
            )
    if seeker.latitude is not None and post.latitude is not None:
        km = gazetteer.km((seeker.latitude, seeker.longitude), (post.latitude, post.longitude))
        features["distance"] = max(0.0, 1 - km / (seeker.max_km or 30.0))
        reasons["distance"] = _where(seeker, post, km)
    if older and post.kind is not PostingKind.LOVE and post.age_max is None:
        reasons["age_open"] = "不限年龄上限"
    if post.schedule in seeker.schedules:
        features["schedule"] = 1.0
        reasons["schedule"] = f"{post.schedule.label}，符合您的时间"
    monthly = post.monthly_wage_max
    if seeker.wage_floor_monthly and monthly is not None and monthly > seeker.wage_floor_monthly:
        features["wage"] = min(1.0, float(monthly / seeker.wage_floor_monthly) - 1)
        reasons["wage"] = f"工资最高约{monthly:.0f}元/月，高于您期望的{seeker.wage_floor_monthly:.0f}元"
    return features, reasons


def _where(seeker: Seeker, post: PostingDocument, km: float) -> str:
    """Where the post is, said as exactly as the two points allow (county centres are estimates)."""
    region = regions.lookup(post.region_code)
    county = region.name if region is not None else post.region_code
    estimated = seeker.location_estimated or gazetteer.estimated(post.region_code, post.latitude, post.longitude)
    if post.region_code == seeker.region_code and estimated:
        return f"就在您所在的{county}"
    if estimated:
        return f"在{county}，距您约{km:.0f}公里（按区县中心估算）"
    return f"在{county}，距您约{km:.1f}公里"


def match(seeker: Seeker, post: PostingDocument, relevance: float, day: date, ranker: Ranker = RULES) -> Match:
    features, reasons = assess(seeker, post, relevance, day)
    parts = ranker.parts(features)
    stay = getattr(ranker, "stay_probability", None)
    return Match(
        post,
        sum(parts.values()),
        parts,
        list(reasons.values()),
        features,
        stay(features, post.kind, post.schedule) if stay else None,
    )
