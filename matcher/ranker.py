"""The learned re-ranker: a logistic regression over the same features the rule ranker weighs
by hand, trained on what the ledger records of pushes (pushed → applied → hired → still in
post after 6 months), and used only when it beats the rules on persons held out of training.

A linear model keeps the explanation honest: a match's parts are coefficient × feature, so
each reason a clerk reads aloud still names a part of the score. Two parts stay policy, not
preference: tier 3's public-welfare priority (002 §4(3)) is lifted above anything the fit
parts can add, and the love-post lift (002 §4) must come out positive or the model is refused.
A second model estimates the chance that a hire lasts 6 months, with its calibration kept.

Serving reads a trained model (``load``, ``in_use``, ``LearnedRanker.parts``) with numpy alone;
training imports scikit-learn inside the functions that fit and evaluate, so an API worker
never loads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.settings import SearchSettings
from jiuyuan.vocab import PostingKind, Schedule
from ledger.models import JobPosting, JobPush, Placement
from matcher.posts import RULES, Ranker

FEATURES = ("relevance", "skills", "distance", "wage", "schedule", "love_lift")
PRIORITY = "public_welfare_first"
STAY_FEATURES = (*FEATURES, "public_welfare_post", "gig")
STAY_DAYS = 183
FORMAT = 1


@dataclass
class Outcome:
    person_id: int
    features: dict[str, float]
    kind: PostingKind
    schedule: Schedule
    applied: bool
    hired: bool
    stayed: bool | None
    """None while a hire is younger than 6 months, or never happened."""

    @property
    def gain(self) -> int:
        return int(self.applied) + int(self.hired) + int(bool(self.stayed))


def outcomes(session: Session, today: date) -> list[Outcome]:
    """Every push logged with its match features, joined to what came of it."""
    hires: dict[tuple[int, int], Placement] = {}
    for p in session.scalars(select(Placement).where(Placement.posting_id.is_not(None)).order_by(Placement.start_date)):
        hires.setdefault((p.person_id, p.posting_id), p)
    rows = []
    query = (
        select(JobPush, JobPosting.kind, JobPosting.schedule)
        .join(JobPosting)
        .where(JobPush.features.is_not(None))
        .order_by(JobPush.id)
    )
    for push, kind, schedule in session.execute(query):
        hire = hires.get((push.person_id, push.posting_id))
        stayed = None
        if hire and hire.start_date + timedelta(days=STAY_DAYS) <= today:
            stayed = hire.end_date is None or (hire.end_date - hire.start_date).days >= STAY_DAYS
        rows.append(
            Outcome(
                push.person_id, push.features, kind, schedule, push.applied_on is not None, hire is not None, stayed
            )
        )
    return rows


def _matrix(rows: list[Outcome], names=FEATURES) -> np.ndarray:
    def value(r: Outcome, name: str) -> float:
        if name == "public_welfare_post":
            return float(r.kind is PostingKind.PUBLIC_WELFARE)
        if name == "gig":
            return float(r.schedule in (Schedule.HOURLY, Schedule.DAILY))
        return r.features.get(name, 0.0)

    return np.array([[value(r, n) for n in names] for r in rows], dtype=float).reshape(len(rows), len(names))


@dataclass
class LearnedRanker:
    version: str
    trained_on: str
    coefficients: dict[str, float]
    priority_lift: float
    metrics: dict[str, dict[str, float]]
    adopted: bool
    reason: str
    stay_model: dict | None = None
    format: int = FORMAT
    name: str = field(default="learned")

    def parts(self, features: dict[str, float]) -> dict[str, float]:
        return {n: (self.priority_lift if n == PRIORITY else self.coefficients[n]) * v for n, v in features.items()}

    def stay_probability(self, features: dict[str, float], kind: PostingKind, schedule: Schedule) -> float | None:
        if not self.stay_model:
            return None
        x = _matrix([Outcome(0, features, kind, schedule, False, False, None)], STAY_FEATURES)[0]
        z = self.stay_model["intercept"] + float(np.dot(x, [self.stay_model["coefficients"][n] for n in STAY_FEATURES]))
        return float(1 / (1 + np.exp(-z)))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1))
        tmp.replace(path)
        return path


def load(path: Path | None = None) -> LearnedRanker | None:
    """The model saved at ``path`` (default: ``Settings.search.ranker_path``); None where there is none."""
    path = path or SearchSettings().ranker_path
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if data.get("format") != FORMAT or set(data["coefficients"]) != set(FEATURES):
        raise ValueError(f"{path}: 排序模型的格式或特征与本程序不符，请重新运行 jiuyuan train-ranker")
    return LearnedRanker(**data)


def in_use(path: Path | None = None) -> Ranker:
    """The learned ranker where it was adopted (it beat the rules), the rules otherwise."""
    learned = load(path)
    return learned if learned is not None and learned.adopted else RULES


def _mean_ndcg(rows: list[Outcome], scores: np.ndarray, k: int = 10) -> float:
    from sklearn.metrics import ndcg_score

    by_person: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        by_person.setdefault(r.person_id, []).append(i)
    values = [
        ndcg_score([[rows[i].gain for i in idx]], [[scores[i] for i in idx]], k=k)
        for idx in by_person.values()
        if len(idx) > 1 and any(rows[i].gain for i in idx)
    ]
    return float(np.mean(values)) if values else float("nan")


def _score(ranker: Ranker, rows: list[Outcome]) -> np.ndarray:
    return np.array([sum(ranker.parts(r.features).values()) for r in rows])


def evaluate(ranker: Ranker, rows: list[Outcome]) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    scores = _score(ranker, rows)
    hired = [r.hired for r in rows]
    return {
        "ndcg@10": round(_mean_ndcg(rows, scores), 4),
        "auc_hired": round(float(roc_auc_score(hired, scores)), 4) if 0 < sum(hired) < len(hired) else float("nan"),
    }


def _stay_model(train: list[Outcome], test: list[Outcome]) -> dict | None:
    from sklearn.calibration import calibration_curve
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss

    train = [r for r in train if r.stayed is not None]
    test = [r for r in test if r.stayed is not None]
    if len(train) < 50 or len(test) < 20 or len({r.stayed for r in train}) < 2:
        return None
    model = LogisticRegression(max_iter=1000).fit(_matrix(train, STAY_FEATURES), [r.stayed for r in train])
    observed = np.array([r.stayed for r in test], dtype=float)
    predicted = model.predict_proba(_matrix(test, STAY_FEATURES))[:, 1]
    frac, mean = calibration_curve(observed, predicted, n_bins=5, strategy="quantile")
    base = float(np.mean([r.stayed for r in train]))
    brier = brier_score_loss(observed, predicted)
    if brier >= brier_score_loss(observed, np.full(len(test), base)):
        return None  # no better than the base rate on held-out persons: a clerk is shown no estimate
    return {
        "coefficients": dict(zip(STAY_FEATURES, map(float, model.coef_[0]), strict=True)),
        "intercept": float(model.intercept_[0]),
        "held_out": len(test),
        "brier": round(float(brier_score_loss(observed, predicted)), 4),
        "brier_base_rate": round(float(brier_score_loss(observed, np.full(len(test), base))), 4),
        "calibration": [
            {"predicted": round(float(m), 3), "observed": round(float(f), 3)} for m, f in zip(mean, frac, strict=True)
        ],
    }


def _within_person(rows: list[Outcome]) -> np.ndarray:
    """Features minus the person's mean: a ranking only compares posts for the same person, so
    what differs between persons (who states a schedule, who is keen) must not leak into the
    weights — a conditional-logit view of the same logistic regression."""
    x = _matrix(rows)
    groups = np.array([r.person_id for r in rows])
    _, inverse = np.unique(groups, return_inverse=True)
    sums = np.zeros((inverse.max() + 1, x.shape[1]))
    np.add.at(sums, inverse, x)
    return x - (sums / np.bincount(inverse)[:, None])[inverse]


class NotEnoughOutcomes(ValueError):
    pass


def held_out_split(rows: list[Outcome], seed: int = 0) -> tuple[list[Outcome], list[Outcome]]:
    """70% of persons to train on, the other 30% (all their pushes) to compare on."""
    from sklearn.model_selection import GroupShuffleSplit

    split = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=seed)
    train_idx, test_idx = next(split.split(rows, groups=[r.person_id for r in rows]))
    return [rows[i] for i in train_idx], [rows[i] for i in test_idx]


def train(rows: list[Outcome], today: date, seed: int = 0) -> LearnedRanker:
    """Fit on 70% of persons, compare with the rules on the other 30%, decide adoption."""
    from sklearn.linear_model import LogisticRegression

    persons = {r.person_id for r in rows}
    if len(persons) < 20 or sum(r.hired for r in rows) < 20:
        raise NotEnoughOutcomes(
            f"结果太少，无法训练：{len(persons)}人、{sum(r.hired for r in rows)}次录用（至少20人、20次录用）"
        )
    train_rows, test_rows = held_out_split(rows, seed)
    fit = LogisticRegression(max_iter=1000).fit(_within_person(train_rows), [r.hired for r in train_rows])
    coefficients = dict(zip(FEATURES, (round(float(c), 6) for c in fit.coef_[0]), strict=True))
    learned = LearnedRanker(
        version="",
        trained_on=today.isoformat(),
        coefficients=coefficients,
        priority_lift=round(1 + sum(max(0.0, c) for c in coefficients.values()), 6),
        metrics={},
        adopted=False,
        reason="",
        stay_model=_stay_model(train_rows, test_rows),
    )
    learned.metrics = {
        "rules": evaluate(RULES, test_rows),
        "learned": evaluate(learned, test_rows),
        "held_out": {"persons": len({r.person_id for r in test_rows}), "pushes": len(test_rows)},
    }
    rules, mine = learned.metrics["rules"], learned.metrics["learned"]
    if not (mine["ndcg@10"] > rules["ndcg@10"] and mine["auc_hired"] >= rules["auc_hired"]):
        learned.reason = "留出人员上未胜过规则排序：不采用，继续用规则排序"
    elif coefficients["love_lift"] <= 0:
        learned.reason = "学得的爱心岗位加权不为正，会取消 002 §4 的政策倾斜：不采用"
    else:
        learned.adopted, learned.reason = True, "留出人员上 nDCG@10 高于、AUC 不低于规则排序：采用"
    digest = hashlib.sha256(json.dumps([coefficients, learned.stay_model], sort_keys=True).encode()).hexdigest()
    learned.version = f"{today.isoformat()}-{digest[:8]}"
    return learned
