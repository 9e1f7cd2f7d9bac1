"""Decisions and reports: what a rule says, with the figures and the trace behind it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from jiuyuan.vocab import DecisionStatus


class Decision(msgspec.Struct, omit_defaults=True, kw_only=True):
    scheme: str
    """Stable code, e.g. ``employer_si``."""
    name: str
    """Chinese name, e.g. 企业吸纳就业社会保险补贴."""
    status: DecisionStatus
    document: str
    """Seed code of the document the rule comes from ("004")."""
    legal_basis: list[str]
    """File and clause, e.g. ["004 §2(3)2"]."""
    subject: str
    """The placement id, or "person" / "employer" / "training[0]" for other entitlements."""
    amount: Decimal | None = None
    cap: Decimal | None = None
    """The monthly cap of a monthly subsidy (a minimum wage, 000 §8), rounded to fen."""
    floor: Decimal | None = None
    """The monthly floor (000 §8 rural posts: 50% of the minimum wage), rounded to fen."""
    payment: str | None = None
    """one_off, monthly, annual, per_day or loan."""
    period_start: date | None = None
    period_end: date | None = None
    months: list[str] = []
    """Calendar months paid (monthly schemes), after combination rules."""
    month_amounts: dict[str, Decimal] = {}
    matures_on: date | None = None
    failed: list[str] = []
    missing: list[str] = []
    unset: list[str] = []
    """Local parameters the documents leave to the locality, not configured here."""
    parameters: dict[str, str] = {}
    """Every parameter value the decision used, so it can be explained later exactly as it was."""
    trace: list[str] = []
    notes: list[str] = []
    next_step: str | None = None
    """What would make it payable (a date, a fact to supply, a condition, an officer's approval)."""


class Conflict(msgspec.Struct, kw_only=True):
    rule: str
    legal_basis: list[str]
    winner: str
    losers: list[str]
    months: list[str] = []
    reason: str


class Report(msgspec.Struct, kw_only=True, omit_defaults=True):
    case_id: str
    as_of: date
    ruleset_version: str
    local_source: str
    decisions: list[Decision]
    conflicts: list[Conflict] = []
    totals: dict[str, Decimal] = {}
    recognition: dict[str, Any] | None = None
    duties: list[dict[str, Any]] | None = None
    exit: list[dict[str, Any]] | None = None
    recognition_steps: list[dict[str, Any]] | None = None


encoder = msgspec.json.Encoder(decimal_format="string")


def to_json(report: Report | list[Report]) -> bytes:
    return encoder.encode(report)
