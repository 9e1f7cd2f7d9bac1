"""Simulated outcomes of pushes for the demo ledger: pushed → applied → hired → still in post
after six months — what the learned re-ranker (matcher.ranker) trains on.

The simulation is written to be independent of both rankers, so comparing them is not
circular:
- which posts are pushed is random among the suitable ones (the hard filters of matcher.posts,
  a pool of 60 by search relevance), not chosen by either ranker's score;
- whether the person applies, is hired and stays depends on the person and the post, through
  a hidden formula that never reads the rankers' features or weights: whether the post's title
  names work the person wished for, the commute in kilometres (older people mind it more), the
  schedule, the wage against the pool's median, love posts for people over 45 or without skills, public-welfare
  posts for tiers 2–3, and a hidden per-person disposition the rankers cannot see.
The rankers see only their own features (search relevance, a linear closeness, …), so the
learned one can approximate the hidden formula but never reproduce it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from indexer.documents import PostingDocument
from indexer.embedded import EmbeddedIndex
from jiuyuan import gazetteer
from jiuyuan.vocab import PlacementKind, PostingKind, PushChannel, Schedule
from ledger.models import JobPosting, JobPush, Person, Placement
from ledger.tiers import current_tier
from matcher.posts import assess, candidates
from matcher.seekers import seeker_from_person

SIMULATED = "模拟推送（演示数据，见 demo/outcomes.py）"
POOL = 60
STAY_DAYS = 183  # "still in post after 6 months"


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class Truth:
    """The hidden propensities of one person for one post."""

    apply: float
    hire: float
    stay: float


def truth(seeker, post: PostingDocument, median_wage: float, disposition: float) -> Truth:
    wish = any(w in post.title for w in seeker.wished_work)
    km = (
        gazetteer.km((seeker.latitude, seeker.longitude), (post.latitude, post.longitude))
        if seeker.latitude is not None and post.latitude is not None
        else 15.0
    )
    older = seeker.age >= 50
    schedule_fits = post.schedule in seeker.schedules
    monthly = float(post.monthly_wage_max or median_wage)
    wage = max(-0.5, min(0.5, monthly / median_wage - 1))
    love_suits = post.kind is PostingKind.LOVE and (seeker.age >= 45 or not seeker.skills)
    public_welfare = post.kind is PostingKind.PUBLIC_WELFARE
    gig = post.schedule in (Schedule.HOURLY, Schedule.DAILY)
    apply = (
        -1.2
        + 1.4 * wish
        + 0.9 * schedule_fits
        - 0.12 * km * (1.6 if older else 1.0)
        + 1.5 * wage
        + 1.1 * love_suits
        + 0.7 * (public_welfare and (seeker.tier or 0) >= 2)
        + disposition
    )
    hire = 0.3 + 0.9 * bool(post.skills_required) - 0.04 * max(0, seeker.age - 45) + 0.5 * love_suits
    stay = (
        0.3
        + 0.9 * schedule_fits
        - 0.06 * km
        + 0.7 * love_suits
        + 0.8 * public_welfare
        - 0.7 * gig
        + 1.2 * wage
        + disposition
    )
    return Truth(_sigmoid(apply), _sigmoid(hire), _sigmoid(stay))


def _placement_kind(post: PostingDocument) -> PlacementKind:
    if post.kind is PostingKind.PUBLIC_WELFARE:
        return PlacementKind.PUBLIC_WELFARE
    if post.schedule in (Schedule.HOURLY, Schedule.DAILY, Schedule.PART_TIME):
        return PlacementKind.FLEXIBLE
    return PlacementKind.EMPLOYER_ABSORPTION


def simulate(
    session: Session,
    index: EmbeddedIndex,
    encoder,
    documents: dict[str, PostingDocument],
    today: date,
    persons: int = 3000,
    pushes_each: int = 8,
    seed: int = 20261123,
    progress: bool = True,
) -> dict[str, int]:
    """Push, apply, hire and stay for a random sample of persons. Idempotent: a ledger that
    already holds simulated pushes is left as it is."""
    if session.scalar(select(exists().where(JobPush.note == SIMULATED))):
        return {"pushes": 0, "applied": 0, "hired": 0}
    rng = random.Random(seed)
    ids = session.scalars(select(Person.id).where(Person.latitude.is_not(None)).order_by(Person.id)).all()
    sample = sorted(rng.sample(ids, min(persons, len(ids))))
    median_wage = median(float(d.monthly_wage_max) for d in documents.values() if d.monthly_wage_max)
    employers = dict(session.execute(select(JobPosting.id, JobPosting.employer_id)).all())
    pushes, placements = [], []
    for person_id in tqdm(sample, desc="模拟推送结果", unit="人", disable=not progress):
        seeker = seeker_from_person(session.get(Person, person_id), today, current_tier(session, person_id, today))
        _, pool = candidates(seeker, index, encoder, today, pool=POOL)
        disposition = rng.gauss(0, 0.6)
        for post, relevance in rng.sample(pool, min(pushes_each, len(pool))):
            pushed = today - timedelta(days=rng.randint(200, 420))
            odds = truth(seeker, post, median_wage, disposition)
            applied = pushed + timedelta(days=rng.randint(1, 10)) if rng.random() < odds.apply else None
            pushes.append(
                {
                    "person_id": person_id,
                    "posting_id": int(post.id),
                    "channel": PushChannel.COUNTER,
                    "pushed_by": "演示数据",
                    "pushed_at": _noon(pushed),
                    "note": SIMULATED,
                    "applied_on": applied,
                    "features": assess(seeker, post, relevance, today)[0],
                }
            )
            if applied and rng.random() < odds.hire:
                start = applied + timedelta(days=rng.randint(3, 20))
                stays = rng.random() < odds.stay
                placements.append(
                    {
                        "person_id": person_id,
                        "posting_id": int(post.id),
                        "employer_id": employers[int(post.id)],
                        "kind": _placement_kind(post),
                        "start_date": start,
                        "end_date": None if stays else start + timedelta(days=rng.randint(14, STAY_DAYS - 10)),
                        "full_time": post.schedule is Schedule.FULL_TIME,
                        "monthly_wage": post.monthly_wage_max,
                    }
                )
    if pushes:
        session.execute(insert(JobPush), pushes)
    if placements:
        session.execute(insert(Placement), placements)
    session.commit()
    return {
        "pushes": len(pushes),
        "applied": sum(p["applied_on"] is not None for p in pushes),
        "hired": len(placements),
    }


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # 12:00 Beijing time
