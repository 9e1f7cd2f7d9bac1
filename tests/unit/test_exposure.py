"""Spreading exposure (matching issue): daily-seeded, deterministic, only among near ties."""

from __future__ import annotations

from datetime import date

from matcher.exposure import TIE_BAND, spread

ITEMS = [("a", 0.90), ("b", 0.895), ("c", 0.89), ("d", 0.885), ("e", 0.50), ("f", 0.49)]


def _order(day, key="q"):
    return [name for name, _ in spread(ITEMS, lambda x: x[1], day, key)]


def test_same_day_same_order_other_days_differ():
    assert _order(date(2026, 11, 22)) == _order(date(2026, 11, 22))
    orders = {tuple(_order(date(2026, 11, d))) for d in range(1, 29)}
    assert len(orders) > 1


def test_a_clearly_better_result_stays_ahead():
    for d in range(1, 29):
        order = _order(date(2026, 11, d))
        assert set(order[:4]) == {"a", "b", "c", "d"}  # the near-tied top group moves within itself
        assert set(order[4:]) == {"e", "f"}  # 0.50 and 0.49 tie with each other, not with the top


def test_the_top_is_not_always_the_same():
    firsts = {_order(date(2026, 11, d))[0] for d in range(1, 29)}
    assert len(firsts) >= 3
    assert TIE_BAND < 0.05
