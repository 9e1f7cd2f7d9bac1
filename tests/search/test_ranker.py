"""The learned re-ranker (matching issue): trained from push outcomes in the ledger, compared
with the rules on held-out persons, used only when it wins, explanations still the score."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from cli.main import main
from demo import outcomes
from demo.generate import generate
from demo.load import load
from indexer import occupations
from indexer.build import searchable
from indexer.embedded import EmbeddedIndex
from jiuyuan.vocab import PostingKind
from ledger.models import JobPush, Placement
from matcher import posts, ranker
from matcher.posts import RULES, Seeker, posts_for

TODAY = date(2026, 11, 22)


def _world(sessions, model, persons=500):
    with sessions.begin() as s:
        load(s, generate(11, 1500, 900, TODAY))
    with sessions() as s:
        docs = {d.id: d for d in searchable(s, TODAY)}
    index = EmbeddedIndex(model.dimension)
    index.upsert(list(docs.values()), model.encode([d.text for d in docs.values()]))
    with sessions() as s:
        made = outcomes.simulate(s, index, model, docs, TODAY, persons=persons, progress=False)
    return index, docs, made


def _snapshot(sessions):
    with sessions() as s:
        pushes = s.execute(
            select(JobPush.person_id, JobPush.posting_id, JobPush.applied_on).order_by(
                JobPush.person_id, JobPush.posting_id
            )
        ).all()
        hires = s.execute(
            select(Placement.person_id, Placement.posting_id, Placement.end_date)
            .where(Placement.posting_id.is_not(None))
            .order_by(Placement.id)
        ).all()
    return pushes, hires


@pytest.mark.slow  # simulates hundreds of persons' pushes (seconds each)
def test_simulated_outcomes_do_not_depend_on_the_rankers_weights(sessions, model, monkeypatch, tmp_path):
    """The evaluation is not circular: outcomes come out the same whatever the rule weights."""
    _world(sessions, model, persons=120)
    first = _snapshot(sessions)
    with sessions.begin() as s:
        s.query(Placement).where(Placement.posting_id.is_not(None)).delete()
        s.query(JobPush).delete()
    monkeypatch.setattr(posts, "WEIGHTS", {name: -w for name, w in posts.WEIGHTS.items()})
    _world(sessions, model, persons=120)
    assert _snapshot(sessions) == first and first[0]


@pytest.mark.slow  # simulates hundreds of persons' pushes (seconds each)
def test_the_learned_ranker_is_trained_compared_and_adopted_only_when_it_wins(sessions, model, tmp_path):
    index, docs, made = _world(sessions, model)
    assert made["pushes"] > 2000 and 0 < made["hired"] < made["applied"] < made["pushes"]
    with sessions() as s:
        again = outcomes.simulate(s, index, model, docs, TODAY, persons=500, progress=False)
        assert again["pushes"] == 0 and s.scalar(select(func.count()).select_from(JobPush)) == made["pushes"]
        rows = ranker.outcomes(s, TODAY)
    learned = ranker.train(rows, TODAY)
    rules, mine = learned.metrics["rules"], learned.metrics["learned"]
    assert learned.adopted == (
        mine["ndcg@10"] > rules["ndcg@10"]
        and mine["auc_hired"] >= rules["auc_hired"]
        and learned.coefficients["love_lift"] > 0
    )
    assert learned.adopted, learned.metrics  # the hidden formula rewards closeness far more than the rules do
    assert set(learned.coefficients) == set(ranker.FEATURES) and learned.version.startswith("2026-11-22-")
    # The stay estimate is kept only when it beats the base rate on held-out persons.
    stay = learned.stay_model
    assert stay is None or (stay["brier"] < stay["brier_base_rate"] and len(stay["calibration"]) >= 3)

    path = learned.save(tmp_path / "ranker.json")
    assert ranker.load(path) == learned and ranker.in_use(path) == learned
    assert ranker.in_use(tmp_path / "absent.json") is RULES

    # In use: the parts are coefficient × feature, the score is their sum, tier 3 still sees
    # public-welfare posts first and the reasons still name the parts.
    d = next(d for d in docs.values() if d.region_code.startswith("43") and d.latitude)
    seeker = Seeker(
        age=45,
        sex="M",
        region_code=d.region_code,
        wished_work=("保洁员", "保安员"),
        latitude=d.latitude,
        longitude=d.longitude,
        max_km=80,
        tier=3,
    )
    matches = posts_for(seeker, index, model, TODAY, k=10, ranker=learned).matches
    kinds = [m.posting.kind for m in matches]
    assert kinds[0] is PostingKind.PUBLIC_WELFARE
    assert kinds == sorted(kinds, key=lambda k: k is not PostingKind.PUBLIC_WELFARE)
    for m in matches:
        assert m.score == pytest.approx(sum(m.parts.values()))
        for name, value in m.features.items():
            weight = learned.priority_lift if name == "public_welfare_first" else learned.coefficients[name]
            assert m.parts[name] == pytest.approx(weight * value)
        # every part but relevance has its reason; relevance has one when the title holds a wished
        # word, or a wished word names the posting's occupation (indexer.occupations)
        named = {t for w in seeker.wished_work for t in occupations.titles_named(w)}
        wished = any(w in m.posting.title for w in seeker.wished_work) or m.posting.occupation in named
        assert len(m.reasons) == len(m.parts) - 1 + wished
        assert (0 < m.stay_6m < 1) if stay else m.stay_6m is None


def test_a_ranker_that_cannot_beat_the_rules_is_not_adopted(tmp_path):
    """Outcomes that follow the rule score exactly: the rules are perfect, nothing can win."""
    rows = []
    for person in range(60):
        for j in range(8):
            features = {"relevance": j / 8, "distance": ((j * 5 + person) % 8) / 8}
            score = sum(RULES.parts(features).values())
            rows.append(
                ranker.Outcome(
                    person,
                    features,
                    PostingKind.ORDINARY,
                    posts.Schedule.FULL_TIME,
                    applied=score > 0.3,
                    hired=score > 0.4,
                    stayed=None,
                )
            )
    learned = ranker.train(rows, TODAY)
    assert learned.metrics["rules"]["ndcg@10"] == pytest.approx(1.0)
    assert not learned.adopted and "未胜过" in learned.reason
    assert ranker.in_use(learned.save(tmp_path / "r.json")) is RULES


def test_too_few_outcomes_are_refused_with_a_reason():
    with pytest.raises(ranker.NotEnoughOutcomes, match="结果太少"):
        ranker.train([], TODAY)


@pytest.mark.slow  # simulates hundreds of persons' pushes (seconds each)
def test_train_ranker_command_simulates_trains_and_prints_the_comparison(tmp_path, monkeypatch, capsys, model_path):
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("JIUYUAN_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))  # the run's model (tests/conftest.py)
    monkeypatch.setenv("JIUYUAN_RANKER", str(tmp_path / "ranker.json"))
    base = ["--database-url", db]
    assert main([*base, "db", "upgrade"]) == 0
    assert main([*base, "train-ranker", "--as-of", "2026-11-22"]) == 2  # an empty ledger: refused, not a crash
    assert "结果太少" in capsys.readouterr().err
    assert (
        main(
            [*base, "demo", "--postings", "1200", "--persons", "700", "--seed", "5", "--as-of", "2026-11-22", "--quiet"]
        )
        == 0
    )
    assert main([*base, "index", "rebuild", "--as-of", "2026-11-22", "--quiet"]) == 0
    capsys.readouterr()
    assert main([*base, "train-ranker", "--simulate", "400", "--as-of", "2026-11-22", "--quiet"]) == 0
    out = capsys.readouterr().out
    for needle in ("模拟推送", "nDCG@10", "录用AUC", "规则排序", "学习排序", "在岗满6个月概率模型", "已保存"):
        assert needle in out
    assert ranker.load(tmp_path / "ranker.json") is not None
