"""The judged benchmark's data hold together, and its metrics and baseline compute what they say."""

from __future__ import annotations

import pytest

from bench import judged


def test_the_judged_set_is_as_large_as_promised_and_every_query_has_a_relevant_posting():
    data = judged.load()
    assert len(data.postings) >= 400
    assert len(set(data.occupations.values())) >= 80
    assert len(data.queries) >= 80
    ids = {p.id for p in data.postings}
    for qid, grades in data.qrels.items():
        assert set(grades) <= ids
        assert set(grades.values()) <= {1, 2, 3}
        assert any(g >= judged.RELEVANT for g in grades.values()), data.queries[qid]


def test_metrics_on_a_hand_worked_ranking():
    grades = {"a": 3, "b": 1}
    assert judged.ndcg(["a", "b"], grades) == 1.0
    assert judged.ndcg(["x", "a"], grades) < 1.0
    assert judged.recall(["x", "a"], grades) == 0.5
    assert judged.reciprocal_rank(["x", "b", "a"], grades) == 1 / 3  # b is marginal, below RELEVANT
    assert judged.top3_miss(["x", "y", "z", "a"], grades)


def test_bigram_baseline_ranks_the_posting_sharing_the_rarer_pair_first():
    bm25 = judged.BigramBM25(["1", "2", "3"], ["小区保洁", "电焊工", "小区保安"])
    assert bm25.search("电焊") == ["2"]
    assert bm25.search("小区保洁")[0] == "1"


@pytest.mark.parametrize(("folder", "postings", "queries"), [(judged.UNSEEN, 150, 50), (judged.BLIND, 160, 60)])
def test_each_held_out_set_holds_together_and_names_its_distractors(folder, postings, queries):
    data = judged.load(folder)
    ids = {p.id for p in data.postings}
    assert len(ids) == len(data.postings) >= postings
    assert len(data.queries) >= queries
    for qid, grades in data.qrels.items():
        assert set(grades) <= ids
        assert set(grades.values()) <= {0, 1, 2, 3}
        assert any(g >= judged.RELEVANT for g in grades.values()), data.queries[qid]
    assert sum(1 for grades in data.qrels.values() for g in grades.values() if g == 0) >= 25
    others = [f for f in (judged.JUDGED, judged.UNSEEN, judged.BLIND) if f != folder]
    assert not ids & {p.id for f in others for p in judged.load(f).postings}  # three sets, not one split
