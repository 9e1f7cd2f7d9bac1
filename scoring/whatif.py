"""What-if: the same placements under a changed parameter, and the difference in totals.

The question a finance bureau asks first ("what does a new minimum wage cost?"): evaluate
every case under the current local parameters and under the changed ones, and compare
the money that is eligible with a known amount, scheme by scheme.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jiuyuan.vocab import DecisionStatus
from scoring.decision import Report
from scoring.engine import evaluate
from scoring.facts import Case
from scoring.params import LocalConfig, with_override


@dataclass(frozen=True)
class Change:
    name: str
    region_prefix: str
    start: date
    value: str

    @classmethod
    def parse(cls, text: str, default_start: date) -> Change:
        """``name=value@region[:YYYY-MM-DD]``, e.g. ``minimum_wage.monthly=2200@43``."""
        try:
            name, rest = text.split("=", 1)
            value, where = rest.split("@", 1)
            region, _, start = where.partition(":")
            return cls(
                name.strip(), region.strip(), date.fromisoformat(start) if start else default_start, value.strip()
            )
        except ValueError:
            raise ValueError(f"假设参数格式应为 名称=值@地区代码前缀[:生效日期]，收到 {text!r}") from None


def totals_by_scheme(reports: list[Report]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for report in reports:
        for d in report.decisions:
            if d.status is DecisionStatus.ELIGIBLE and d.amount is not None:
                out[d.scheme] += d.amount
    return dict(out)


def compare(cases: list[Case], as_of: date, local: LocalConfig, changes: list[Change]) -> dict[str, Any]:
    changed = local
    for c in changes:
        changed = with_override(changed, c.name, c.region_prefix, c.start, c.value)
    before = totals_by_scheme([evaluate(c, as_of, local=local, assessments=False) for c in cases])
    after = totals_by_scheme([evaluate(c, as_of, local=changed, assessments=False) for c in cases])
    schemes = sorted(set(before) | set(after))
    rows = [
        {
            "scheme": s,
            "before": before.get(s, Decimal(0)),
            "after": after.get(s, Decimal(0)),
            "difference": after.get(s, Decimal(0)) - before.get(s, Decimal(0)),
        }
        for s in schemes
    ]
    return {
        "cases": len(cases),
        "as_of": as_of,
        "changes": [c.__dict__ for c in changes],
        "rows": rows,
        "total_before": sum(before.values(), Decimal(0)),
        "total_after": sum(after.values(), Decimal(0)),
        "total_difference": sum(after.values(), Decimal(0)) - sum(before.values(), Decimal(0)),
    }
