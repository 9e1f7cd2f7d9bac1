"""What a decision discloses to whom: the one redaction of decisions and traces by audience (PIPL).

Officers, counter staff (within reach: the services check reach first) and administrators see a
decision whole. An HR agency or an employer sees its status, amount, dates and legal basis, and
what is missing — never the category that qualified the person (disability, 低保/低边, 建档立卡
poverty, recognition as 就业困难人员, zero-employment household, 大龄) nor personal history (age,
retirement date, hukou place, earlier subsidies).

``FACTS`` is the one table: each trace fact (a line of a trace, a failed condition, a missing
fact, a parameter, a scheme's name) falls in the first kind whose pattern it matches, and
``SEES`` says which kinds each role may read. A fact matching no pattern is ``other`` and only
the full-view roles read it: a new rule's new line stays hidden from agencies and employers until
it is classified here. ``disclose`` is the one function that applies the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jiuyuan.vocab import Role

CATEGORY = "category"
"""Who the person is: disability, 低保/低边, poverty registration, recognition, zero-employment, 大龄."""
PERSONAL = "personal"
"""The person's own history: age and retirement, unemployment, hukou place, earlier subsidies."""
VALIDITY = "validity"
"""Whether the policy was in force: about the document, not the person, but a document's title
names its target group (《关于切实做好就业扶贫工作的实施意见》), so partial views read only that a
validity condition was met or not; the status (不在政策有效期内) says the rest."""
PLACEMENT = "placement"
"""The job, the contract, social insurance, the employer, the agency, the arithmetic of the amount."""
OTHER = "other"
"""Unclassified: hidden from every partial view."""

FACTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (VALIDITY, re.compile(r"不在政策有效期内|政策仍在有效期内|政策到期")),
    (
        CATEGORY,
        re.compile(
            r"残疾|低保|低边|最低生活保障|建档立卡|贫困|扶贫|就业困难|困难群体|困难家庭|零就业|大龄|认定"
            r"|disab|dibao|dibian|poverty|recogni|zero_employment|older_worker|assistance"
        ),
    ),
    (
        PERSONAL,
        re.compile(
            r"退休|出生|年龄|周岁|失业|户籍|生活补助|此前补贴|已享受|安置次数|学徒为|管理人员|劳动力市场|养老保险待遇"
            r"|birth|retire|unemploy|hukou|history|living_allowance|^person\."
        ),
    ),
    (
        PLACEMENT,
        re.compile(
            r"劳动合同|社会保险|参保|在岗|稳定就业|离岗|人力资源服务机构|介绍机构|用人单位|用工|企业|征信|工资"
            r"|小微|成立|创业|个体工商户|培训|培养|补贴标准|最低工资|乡村岗位|城镇全日制|非全日制|临时性岗位"
            r"|工时|条件将于|尚未享受过此项补贴|不再重复支付|利息|贷款|授信|适用标准|补贴期限|补贴险种|岗位补贴"
            r"|金额由地方按规定设定"
            r"|^(placements|employer|agency|training|loan|agency_fee|agency_service|jiaxing_agency_service"
            r"|employer_si|flexible_si|one_off_job_subsidy|public_welfare|minimum_wage|job_subsidy|startup"
            r"|startup_loan|guangdong_apprenticeship|qingdao_loan)\."
        ),
    ),
)
"""The one table of trace facts: first match wins, so a line naming a category is a category
fact even where it also names the contract. Parameters and unset local values are classified by
their name (``employer_si.monthly_subsidy``), missing facts by their path (``placements.…``)."""

FULL = frozenset({CATEGORY, PERSONAL, VALIDITY, PLACEMENT, OTHER})
PARTIAL = frozenset({PLACEMENT})
SEES: Mapping[Role, frozenset[str]] = {
    Role.ADMIN: FULL,
    Role.OFFICER: FULL,
    Role.COUNTER: FULL,
    Role.AGENCY: PARTIAL,
    Role.EMPLOYER: PARTIAL,
}
"""Which kinds of fact each role reads; a role not listed reads only the placement's own facts."""

HIDDEN = {
    CATEGORY: "人员类别条件",
    PERSONAL: "人员个人情况条件",
    VALIDITY: "政策有效期条件",
    PLACEMENT: "安置条件",
    OTHER: "其他条件",
}
"""How a hidden fact reads in a partial view: the kind of condition, never the fact."""
WITHHELD = "（仅经办人员可见）"
NEUTRAL_SCHEMES = {
    "poverty_job_subsidy": ("job_subsidy", "吸纳就业岗位补贴"),
    "training_subsidy": ("training_subsidy", "职业培训补贴"),
    "temporary_living_allowance": ("living_allowance", "生活补助"),
    "unemployment_insurance_extension": ("benefit_extension", "失业保险金延续发放"),
}
"""Neutral code and name for schemes whose own code or name names a category or a personal fact
(shown where those are hidden); other schemes keep theirs."""
_MARKS = ("✓ ", "✗ ", "? ", "· ", "… ")


def kind_of(fact: str) -> str:
    """The kind of one trace fact (a trace line without its mark, a condition, a field path)."""
    text = fact[2:] if fact.startswith(_MARKS) else fact
    for kind, pattern in FACTS:
        if pattern.search(text):
            return kind
    return OTHER


@dataclass(frozen=True)
class Disclosed:
    """A decision's facts as one audience may read them."""

    scheme: str
    name: str
    trace: list[str]
    failed: list[str]
    missing: list[str]
    unset: list[str]
    parameters: dict[str, str]
    complete: bool
    """False when something was withheld from this audience."""
    next_step: str | None = None


def disclose(
    role: Role,
    *,
    scheme: str,
    name: str,
    trace: Iterable[str] = (),
    failed: Iterable[str] = (),
    missing: Iterable[str] = (),
    unset: Iterable[str] = (),
    parameters: Mapping[str, str] | None = None,
    next_step: str | None = None,
) -> Disclosed:
    """The decision's name, trace, open conditions and parameters as ``role`` may read them.

    A hidden trace line keeps its mark (✓ met, ✗ failed, ? missing) — the status says as much —
    and reads only as the kind of condition it was; hidden conditions and missing facts are
    listed the same way, once each; hidden parameters are left out."""
    sees = SEES.get(role, PARTIAL)
    withheld = False

    def shown(fact: str) -> bool:
        return kind_of(fact) in sees

    def line(text: str) -> str:
        nonlocal withheld
        if shown(text):
            return text
        withheld = True
        mark = next((m for m in _MARKS if text.startswith(m)), "· ")
        return f"{mark}{HIDDEN[kind_of(text)]}{WITHHELD}"

    def listed(facts: Iterable[str]) -> list[str]:
        out: list[str] = []
        for fact in facts:
            text = line(fact).removeprefix("· ")
            if text not in out:
                out.append(text)
        return out

    params = dict(parameters or {})
    kept = {k: v for k, v in params.items() if shown(k)}
    if len(kept) != len(params):
        withheld = True
    shown_scheme, shown_name = scheme, name
    if not ({CATEGORY, PERSONAL} <= sees) and (scheme in NEUTRAL_SCHEMES or kind_of(name) in (CATEGORY, PERSONAL)):
        withheld = True
        shown_scheme, shown_name = NEUTRAL_SCHEMES.get(scheme, (scheme, "就业补贴"))
    return Disclosed(
        scheme=shown_scheme,
        name=shown_name,
        trace=[line(t) for t in trace],
        failed=listed(failed),
        missing=listed(missing),
        unset=listed(unset),
        parameters=kept,
        next_step=None if next_step is None else line(next_step).removeprefix("· "),
        complete=not withheld,
    )
