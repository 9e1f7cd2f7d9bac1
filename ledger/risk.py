"""Claim risk signals (issue 16): what an officer should look at before approving a claim or a
payment line. A signal is shown with its line, explained in Chinese and naming the rows behind
it; it never rejects anything by itself.

``signals_for`` takes any objects with ``person_id``, ``placement_id``, ``scheme`` (or
``scheme_code``, as HR-agency ``claims`` rows have it) and ``month`` (None or absent for a
one-off claim); an ``agency_id`` attribute names the claiming agency where the item has one, as
does the payee of an agency's claim line (``payee_kind`` "agency").
It reads the ledger in a few set-based queries per call (per chunk of 5,000 persons), never one
per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan.vocab import PlacementKind
from ledger.fact_rows import ids_in
from ledger.intake_history import PAYERS
from ledger.models import AgencyAuthorisation, Contribution, Person, Placement
from scoring import load_policies
from scoring.dates import ONE_DAY, add_months, full_months_between
from scoring.schemes import SCHEMES

SEVERAL_AGENCIES = "several_agencies"
ENDS_AFTER_FEE = "ends_after_fee"
EMPLOYER_SIXTH_MONTH = "employer_sixth_month"
NO_CONTRIBUTION = "no_contribution"
AGENCY_NOT_AUTHORISED = "agency_not_authorised"
TWO_ID_NUMBERS = "two_id_numbers"
CODES = {
    SEVERAL_AGENCIES: "短期内多家机构介绍同一人员",
    ENDS_AFTER_FEE: "服务补贴期满后随即离岗",
    EMPLOYER_SIXTH_MONTH: "用人单位的安置多在第六个月离岗",
    NO_CONTRIBUTION: "补贴月份无缴费记录",
    AGENCY_NOT_AUTHORISED: "人员未授权该机构",
    TWO_ID_NUMBERS: "疑似同一人两个身份证号码",
}
# The maturity each agency scheme's fee waits for (004 §2(2)2: 稳定就业满6个月; 003 §3(5): 缴纳社会保险满3个月).
FEE_MATURITY = {"agency_fee": "agency_fee.min_months", "agency_service_jiaxing": "agency_service.min_insured_months"}
SCHEME_NAMES = {s.code: s.name for s in SCHEMES}
SOCIAL_INSURANCE = frozenset(s.code for s in SCHEMES if s.social_insurance)
CHUNK = 5000
"""Ids per IN list: below SQLite's and PostgreSQL's bound-parameter limits."""


@dataclass(frozen=True)
class Limits:
    """The judgement calls behind the signals; none is a policy figure, each is the office's to tune."""

    agency_span_days: int = 90
    """Two agencies that placed one person with starts this close: a quarter is shorter than any
    stable job (the fee needs months in post), so both cannot have placed the person for good."""
    fee_window_days: int = 30
    """A placement that ends this soon after the agency fee matured (the last day it needed)
    looks arranged to last just long enough for the fee."""
    sixth_month_share: float = 0.3
    """An employer whose ended placements end in the month after the fee's maturity this often:
    a few such ends are normal turnover, a third of them is a pattern."""
    sixth_month_min_ended: int = 5
    """Too few ended placements say nothing about an employer: below this, no signal."""


@dataclass(frozen=True)
class Signal:
    code: str
    explanation: str
    """What was found, in Chinese, for the clerk who reviews the line."""
    rows: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """The rows behind the signal: table name → ids."""

    @property
    def title(self) -> str:
        return CODES[self.code]


class Item(NamedTuple):
    """A line to check, when the caller has no row of its own (a claim line being computed)."""

    person_id: int
    placement_id: int | None
    scheme: str
    month: str | None = None
    agency_id: int | None = None


Key = tuple[int, int | None, str, str | None]


def key_of(item: Any) -> Key:
    scheme = getattr(item, "scheme", None) or item.scheme_code
    return (item.person_id, item.placement_id, scheme, getattr(item, "month", None))


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _param(name: str, day: date) -> int | None:
    return load_policies().parameters[name].at(day)


def signals_for(session: Session, items: Iterable[Any], limits: Limits = Limits()) -> dict[Key, list[Signal]]:
    """The signals for each item, keyed by ``key_of(item)``; an item without any is left out."""
    keyed = {key_of(i): i for i in items}
    person_ids = {k[0] for k in keyed}
    placements = {}
    for chunk in _chunks(person_ids):
        placements.update(
            {p.id: p for p in session.execute(_PLACEMENT_COLUMNS.where(ids_in(session, Placement.person_id, chunk)))}
        )
    out: dict[Key, list[Signal]] = defaultdict(list)
    checks = (_several_agencies, _ends_after_fee, _employer_sixth_month, _no_contribution, _not_authorised, _two_ids)
    for check in checks:
        for key, signal in check(session, keyed, placements, limits):
            out[key].append(signal)
    return dict(out)


_PLACEMENT_COLUMNS = select(
    Placement.id,
    Placement.person_id,
    Placement.kind,
    Placement.agency_id,
    Placement.employer_id,
    Placement.start_date,
    Placement.end_date,
)


def _several_agencies(session, keyed, placements, limits):
    by_person = defaultdict(list)
    for p in placements.values():
        if p.agency_id is not None:
            by_person[p.person_id].append(p)
    involved: dict[int, list[Any]] = {}
    for rows in by_person.values():
        for p in rows:
            near = [q for q in rows if abs((q.start_date - p.start_date).days) <= limits.agency_span_days]
            if len({q.agency_id for q in near}) > 1:
                involved[p.id] = sorted(near, key=lambda q: (q.start_date, q.id))
    for key in keyed:
        near = involved.get(key[1])
        if near:
            listed = "；".join(f"安置 #{q.id}：机构 #{q.agency_id}，{q.start_date} 起" for q in near)
            yield (
                key,
                Signal(
                    SEVERAL_AGENCIES,
                    f"该人员在 {limits.agency_span_days} 天内由 {len({q.agency_id for q in near})} 家人力资源服务机构"
                    f"介绍就业（{listed}）。请核实是哪家机构实际介绍，避免重复申领服务补贴。",
                    {
                        "placements": tuple(q.id for q in near),
                        "hr_agencies": tuple(sorted({q.agency_id for q in near})),
                    },
                ),
            )


def _ends_after_fee(session, keyed, placements, limits):
    for key in keyed:
        p = placements.get(key[1])
        name = FEE_MATURITY.get(key[2])
        if p is None or name is None or p.end_date is None or p.agency_id is None:
            continue
        months = _param(name, p.start_date)
        if months is None:
            continue
        last_needed = add_months(p.start_date, months) - ONE_DAY
        after = (p.end_date - last_needed).days
        if 0 <= after <= limits.fee_window_days:
            yield (
                key,
                Signal(
                    ENDS_AFTER_FEE,
                    f"安置 #{p.id} 于 {p.start_date} 上岗、{p.end_date} 离岗：{SCHEME_NAMES.get(key[2], key[2])}"
                    f"要求满 {months} 个月（至 {last_needed}），离岗仅在其后 {after} 天"
                    f"（提示范围 {limits.fee_window_days} 天）。请核实是否为稳定就业。",
                    {"placements": (p.id,), "hr_agencies": (p.agency_id,)},
                ),
            )


def _employer_sixth_month(session, keyed, placements, limits):
    employers = {placements[k[1]].employer_id for k in keyed if k[1] in placements} - {None}
    ended = defaultdict(list)
    for chunk in _chunks(employers):
        # Public-welfare posts have fixed terms (000 §8: temporary ones at most six months), so
        # ending on time says nothing: only the employer's own hires are counted.
        query = _PLACEMENT_COLUMNS.where(
            ids_in(session, Placement.employer_id, chunk),
            Placement.end_date.is_not(None),
            Placement.kind == PlacementKind.EMPLOYER_ABSORPTION,
        )
        for p in session.execute(query):
            ended[p.employer_id].append(p)
    flagged = {}
    for employer_id, rows in ended.items():
        sixth = [p for p in rows if _ends_in_month_after_fee(p)]
        enough = len(rows) >= limits.sixth_month_min_ended
        if enough and sixth and len(sixth) >= limits.sixth_month_share * len(rows):
            flagged[employer_id] = (rows, sixth)
    for key in keyed:
        p = placements.get(key[1])
        if p is None or p.employer_id not in flagged:
            continue
        rows, sixth = flagged[p.employer_id]
        months = _param("agency_fee.min_months", min(q.start_date for q in sixth))
        yield (
            key,
            Signal(
                EMPLOYER_SIXTH_MONTH,
                f"用人单位 #{p.employer_id} 已离岗的 {len(rows)} 个安置中，{len(sixth)} 个"
                f"（{len(sixth) / len(rows):.0%}，提示阈值 {limits.sixth_month_share:.0%}）在岗满 {months} 个月、"
                f"不足 {months + 1} 个月即离岗，正是介绍服务补贴期满之时（004 §2(2)2）。请核实该单位的安置是否真实稳定。",
                {"employers": (p.employer_id,), "placements": tuple(sorted(q.id for q in sixth))},
            ),
        )


def _ends_in_month_after_fee(p) -> bool:
    """In post for the fee's months and less than one month more (6–7 months, 004 §2(2)2)."""
    months = _param("agency_fee.min_months", p.start_date)
    return months is not None and full_months_between(p.start_date, p.end_date + ONE_DAY) == months


def _no_contribution(session, keyed, placements, limits):
    wanted = [k for k in keyed if k[2] in SOCIAL_INSURANCE and k[3] and k[1] in placements]
    paid = set()
    months = {k[3] for k in wanted}
    for chunk in _chunks(k[1] for k in wanted):
        query = (
            select(Contribution.placement_id, Contribution.month, Contribution.payer)
            .where(ids_in(session, Contribution.placement_id, chunk), Contribution.month.in_(months))
            .distinct()
        )
        paid.update(tuple(row) for row in session.execute(query))
    for key in wanted:
        p = placements[key[1]]
        # The payer a subsidy pays for: the person for flexible work, the employer otherwise (as recorded).
        payer = "personal" if p.kind == PlacementKind.FLEXIBLE else "employer"
        if (p.id, key[3], payer) not in paid:
            yield (
                key,
                Signal(
                    NO_CONTRIBUTION,
                    f"{key[3]} 列入了{SCHEME_NAMES.get(key[2], key[2])}，但安置 #{p.id} 该月没有{PAYERS[payer]}"
                    f"的社会保险缴费记录。请核实是否已缴费（或缴费数据尚未导入）。",
                    {"placements": (p.id,)},
                ),
            )


def _not_authorised(session, keyed, placements, limits):
    wanted = {}
    for key, item in keyed.items():
        agency = getattr(item, "agency_id", None)
        if agency is None and getattr(item, "payee_kind", None) == "agency":
            agency = item.payee_id  # an agency's claim line: the claiming agency is its payee
        if agency is None and key[2] in FEE_MATURITY and key[1] in placements:
            agency = placements[key[1]].agency_id
        if agency is not None:
            wanted[key] = agency
    given = set()
    for chunk in _chunks(k[0] for k in wanted):
        query = (
            select(AgencyAuthorisation.person_id, AgencyAuthorisation.agency_id)
            .where(ids_in(session, AgencyAuthorisation.person_id, chunk))
            .distinct()
        )
        given.update(tuple(row) for row in session.execute(query))
    for key, agency in wanted.items():
        if (key[0], agency) not in given:
            yield (
                key,
                Signal(
                    AGENCY_NOT_AUTHORISED,
                    f"人员 #{key[0]} 从未授权人力资源服务机构 #{agency}（台账中没有任何授权记录，已撤销的也没有），"
                    f"而该机构为其申领{SCHEME_NAMES.get(key[2], key[2])}。请核实人员是否知情、是否委托该机构。",
                    {"persons": (key[0],), "hr_agencies": (agency,)}
                    | ({"placements": (key[1],)} if key[1] is not None else {}),
                ),
            )


def _two_ids(session, keyed, placements, limits):
    """Same name, birth date and birthplace (an ID number's first six digits) under another number.
    Per chunk, persons looked up by the items' birth dates (the index on ``birth_date``, 0013; one
    on (name, birth date) made SQLite probe every name with every date, twice the scan's cost) and
    names, and grouped here, rather than a grouping of the whole table."""
    columns = select(Person.id, Person.name, Person.birth_date, Person.id_number)
    mine = {}
    for chunk in _chunks(k[0] for k in keyed):
        mine.update({p.id: p for p in session.execute(columns.where(ids_in(session, Person.id, chunk)))})
    twins = defaultdict(set)
    for chunk in _chunks((p.name, p.birth_date) for p in mine.values()):
        births, names = {b for _, b in chunk}, {n for n, _ in chunk}
        query = columns.where(ids_in(session, Person.birth_date, births), ids_in(session, Person.name, names))
        for p in session.execute(query):
            twins[(p.name, p.birth_date, p.id_number[:6])].add(p.id)
    others = {}
    for p in mine.values():
        ids = twins[(p.name, p.birth_date, p.id_number[:6])]
        if len(ids) > 1:
            others[p.id] = (ids, p.id_number[:6])
    for key in keyed:
        if key[0] in others:
            ids, where = others[key[0]]
            rest = tuple(sorted(i for i in ids if i != key[0]))
            yield (
                key,
                Signal(
                    TWO_ID_NUMBERS,
                    f"人员 #{key[0]} 与人员 {'、'.join(f'#{i}' for i in rest)} 姓名、出生日期相同，身份证号码的出生地"
                    f"（{where}）也相同，但号码不同。请核实是否为同一人重复登记、重复享受补贴。",
                    {"persons": tuple(sorted(ids))},
                ),
            )
