"""Reports officers file: the dispatch table (000 annex), the Jiaxing progress table (003
annex) and duty lists (002 §2 §4 §5), with xlsx and CSV export."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleBreak:
    region: str
    rule: str
    values: str


class ReportRefused(ValueError):
    """A report whose logic rules do not hold is refused, never emitted quietly."""

    def __init__(self, breaks: list[RuleBreak]):
        self.breaks = breaks
        super().__init__("报表逻辑关系不成立，拒绝生成：" + "；".join(
            f"{b.region} {b.rule}（{b.values}）" for b in breaks))
