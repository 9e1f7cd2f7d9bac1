"""Employers: registered by counter staff, officers or administrators (USCC checked against
GB 32100 with python-stdnum), found by USCC or name so a clerk picks one instead of typing an
internal number, and read or changed by the employer itself (its own profile only).

Companies are public notices (企业信用信息公示), not personal data: finding one is not audited.
Staff register and change employers whose county lies within their jurisdiction; they may find
any, since an employer elsewhere may still post in their county.

**Invitations.** An employer invites a candidate it was shown (``GET /postings/{id}/candidates``)
by the card's per-posting pseudonym (``person_ref``): the invitation reaches the person through
the counter, which lists the invitations for persons in its jurisdiction. It is kept in the audit
log (action ``employer.invite``, the posting in ``fields``), which already records who touched
whose data for what purpose; an invitation table would need a migration (see the issue's notes).
The employer never learns who the person is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jiuyuan import regions, validation
from jiuyuan.errors import Conflict, Duplicate, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.purposes import HIDDEN
from jiuyuan.vocab import Role
from ledger import audit, intake, places
from ledger.access import Principal, bind_employer_keys, server_secret
from ledger.models import AuditEntry, Employer, JobPosting, Person
from matcher.people import PERSON_REF_SECRET, consenting_to_employers, person_ref
from services.jurisdiction import Jurisdiction
from services.persons import CARD_FIELDS

INVITE = "employer.invite"
INVITE_PURPOSE = "用人单位招聘：邀约面试，经窗口转达"
_POSTING_FIELD = re.compile(r"^posting:(\d+)$")
NOTE = "note:"
"""The employer's note is kept as a field of the entry, apart from its text (a posting title could
otherwise pose as a note)."""
_CONTROL = HIDDEN  # control, zero-width and bidi characters: a name must read as it is stored
EDITABLE = ("name", "region_code", "address", "contact_phone", "small_micro", "insured_headcount")
VERIFIED = ("small_micro", "insured_headcount")
"""Facts subsidies rest on (小微企业名录, the insured headcount): staff record them, not the employer."""


@dataclass(frozen=True)
class Invitation:
    id: int
    at: datetime
    employer: str
    posting: JobPosting | None
    person: Person
    note: str


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """Intake's checks of an employer (``ledger.intake.clean_employer``: USCC, name, county or an
    address that names it, phone), every wrong field at once (422, nothing written); text trimmed,
    the USCC upper-cased, an empty optional field left out."""
    given = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    bad = [k for k, v in given.items() if isinstance(v, str) and _CONTROL.search(v)]
    if bad:  # PostgreSQL refuses NUL in text: a field error here rather than a 500 there
        raise InvalidInput([FieldError(k, "不能包含控制字符、零宽字符或文字方向控制符，请重新输入") for k in bad])
    if isinstance(given.get("uscc"), str):
        given["uscc"] = given["uscc"].upper()
    for k in ("address", "contact_phone", "region_code"):
        if given.get(k) == "":
            given[k] = None
    return intake.clean_employer(given)


def _refuse_declared(fields: list[str]) -> None:
    if fields:
        message = "小微企业划型和参保人数由人社部门按名录和社保记录核实登记，单位不能自行填写，请留空"
        raise InvalidInput([FieldError(k, message) for k in fields])


class Employers:
    """The employers a caller may register, find, read and change."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _staff_reach(self, region_code: str, doing: str = "登记") -> None:
        if not self.jurisdiction.covers_region(region_code):
            raise Forbidden(
                f"单位所在区县 {region_code} 不在您的管辖范围（{self.jurisdiction.label}）内：请由单位所在地的窗口{doing}。"
            )

    # ----- writes

    def register(self, data: dict[str, Any]) -> Employer:
        """A new employer (201); a USCC already registered → 409 naming that employer. An employer
        registers only the company its key was issued for, which binds the key to it."""
        if self.who.role is Role.EMPLOYER:
            self._own_company(data)
        fields = _checked(data)
        self._not_registered(fields["uscc"])
        if self.who.role is not Role.EMPLOYER:
            self._staff_reach(fields["region_code"])
        try:
            employer = intake.add_employer(self.session, fields)
        except Duplicate:  # registered by a concurrent request since the look-up: name it too
            self._not_registered(fields["uscc"])
            raise
        bound = bind_employer_keys(self.session, employer)
        audit.record(
            self.session,
            self.who,
            "employer.register",
            None,
            ["uscc", "name", "region_code"],
            f"登记单位{employer.id}（{employer.uscc}，{employer.name}，{regions.full_name(employer.region_code)}）"
            + (f"，绑定该单位的密钥{bound}个" if bound else ""),
        )
        return employer

    def _not_registered(self, uscc: str) -> None:
        """A USCC registered already → 409 naming the employer, so the caller picks it."""
        existing = self.session.scalar(select(Employer).where(Employer.uscc == uscc))
        if existing is not None:
            message = (
                f"统一社会信用代码 {existing.uscc} 已登记为“{existing.name}”（单位编号 {existing.id}），"
                "无需重复登记：请按代码或名称查找并选用该单位。"
            )
            raise Conflict(message, [FieldError("uscc", message)], employer_id=existing.id)

    def _own_company(self, data: dict[str, Any]) -> None:
        """An employer key registers its own company only, and only once; whether it is a small or
        micro enterprise and its insured headcount are facts subsidies rest on, which staff record
        from the official registers, not the employer's word."""
        uscc = data.get("uscc")
        if self.who.employer_id is not None:
            mine = self.session.get(Employer, self.who.employer_id)
            message = (
                f"贵单位已登记为“{mine.name}”（单位编号 {mine.id}），无需重复登记："
                f"修改信息请在页面“单位”中保存，或用 PATCH /employers/{mine.id}。"
            )
            raise Conflict(message, [FieldError("uscc", message)], employer_id=mine.id)
        try:  # compacted as the key's was (91430121-MA4L… is the same code)
            given = validation.social_credit_code(uscc)
        except ValueError as exc:  # a wrong check digit says so, not "not yours"
            raise InvalidInput([FieldError("uscc", str(exc))]) from None
        if given != self.who.employer_uscc:
            raise InvalidInput(
                [
                    FieldError(
                        "uscc",
                        f"只能登记本令牌所属单位（统一社会信用代码 {self.who.employer_uscc}）："
                        "代码不同请向人社部门申请本单位的令牌。",
                    )
                ]
            )
        declared = {
            "small_micro": data.get("small_micro") is True,
            "insured_headcount": data.get("insured_headcount") is not None,
        }
        _refuse_declared([k for k in VERIFIED if declared[k]])  # 0 is a headcount too: not `in (None, False)`

    def update(self, employer_id: int, data: dict[str, Any]) -> Employer:
        """Change name, county, address or contact phone (and, staff only, 小微企业 and the insured
        headcount); the USCC stays. A new address that names another county moves the employer
        there unless a county is given (``ledger.places``)."""
        row = self.get(employer_id)
        unknown = sorted(set(data) - set(EDITABLE))
        if "uscc" in unknown:
            raise InvalidInput([FieldError("uscc", "统一社会信用代码不能修改：代码有误请重新登记单位")])
        changes = {k: v for k, v in data.items() if k in EDITABLE}
        if self.who.role is Role.EMPLOYER:
            _refuse_declared([k for k in VERIFIED if k in changes])
        if not changes:
            raise InvalidInput(
                [FieldError("name", "请至少修改一项：单位名称、所在区县、地址、联系电话、小微企业或参保人数")]
            )
        stored = {k: getattr(row, k) for k in (*EDITABLE, "uscc", "founded_on", "latitude", "longitude")}
        if self.who.role is not Role.EMPLOYER:  # staff change employers of their own county only
            self._staff_reach(row.region_code, "修改")
        fields = _checked(places.after_change(stored, changes, "region_code"))
        if self.who.role is not Role.EMPLOYER:
            self._staff_reach(fields["region_code"], "修改")
        changed = [k for k in (*EDITABLE, "latitude", "longitude") if getattr(row, k) != fields[k]]
        if changed:  # a name reaches payment lists and invitations: who changed what is kept
            said = {
                "name": f"名称“{row.name}”→“{fields['name']}”",
                "region_code": f"区县{regions.full_name(row.region_code)}→{regions.full_name(fields['region_code'])}",
            }
            audit.record(
                self.session,
                self.who,
                "employer.update",
                None,
                changed,
                f"单位{row.id}（{row.uscc}）信息变更：" + "；".join(said[k] for k in changed if k in said),
            )
        for k in changed:  # a new address may move the county and drop the point
            setattr(row, k, fields[k])
        self.session.flush()
        return row

    # ----- reads

    def get(self, employer_id: int) -> Employer:
        """An employer reads only itself (another's id answers 404, as an unknown one does)."""
        row = self.session.get(Employer, employer_id)
        if row is None or (self.who.role is Role.EMPLOYER and not self.jurisdiction.is_employer(row.id)):
            raise NotFound(f"单位 {employer_id} 不存在：请按统一社会信用代码或名称查找。")
        if self.who.role is Role.AGENCY:
            raise NotFound(f"单位 {employer_id} 不存在：请按统一社会信用代码或名称查找。")
        return row

    def find(self, uscc: str | None = None, q: str | None = None, limit: int = 20) -> list[Employer]:
        """By USCC (exact, checked) or by a part of the name; staff only."""
        if bool(uscc) == bool(q):
            raise InvalidInput([FieldError("q", "请填写统一社会信用代码（uscc）或单位名称的一部分（q），二者选一")])
        if uscc:
            code = validation.Checker()
            cleaned = code.check("uscc", validation.social_credit_code, uscc.strip().upper())
            code.raise_if_any()
            return list(self.session.scalars(select(Employer).where(Employer.uscc == cleaned)))
        words = (q or "").strip()
        if _CONTROL.search(words):
            raise InvalidInput([FieldError("q", "单位名称不能包含控制字符，请重新输入")])
        if len(words) == 18 and words.isascii() and words.isalnum():  # a USCC typed into the name box
            try:
                return self.find(uscc=words)
            except InvalidInput:
                pass  # not a valid code: look for it in the names
        words = words.replace("%", "").replace("_", "").strip()
        if not words:  # a bare wildcard would list every employer
            raise InvalidInput([FieldError("q", "请填写单位名称中的至少一个字")])
        pattern = f"%{words}%"
        query = (
            select(Employer)
            .where(or_(Employer.name.like(pattern), Employer.uscc == words.upper()))
            .order_by(func.length(Employer.name), Employer.id)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    # ----- invitations

    def invite(self, posting_id: int, ref: str, note: str = "") -> Invitation:
        """An employer invites a candidate shown to it for its own posting: found by the card's
        pseudonym among the persons this caller was shown (the audit log's ``view_candidate``)."""
        posting = self.session.get(JobPosting, posting_id)
        if posting is None or not self.jurisdiction.is_employer(posting.employer_id):
            raise NotFound(f"岗位 {posting_id} 不存在或不是本单位的岗位：请从“找人”里选择本单位的岗位。")
        note = (note or "").strip()
        if len(note) > 200 or _CONTROL.search(note):
            raise InvalidInput([FieldError("note", "留言最多200个字，且不能包含控制字符")])
        shown = self.session.scalars(
            select(AuditEntry.subject_person_id)
            .where(AuditEntry.actor == self.who.actor, AuditEntry.action == "view_candidate")
            .distinct()
        ).all()
        key = server_secret(self.session, PERSON_REF_SECRET)
        person_id = next((p for p in shown if p is not None and person_ref(key, posting.id, p) == ref), None)
        if person_id is None or person_id not in consenting_to_employers(self.session, [person_id]):
            # Shown once is not consent now: a withdrawal (PIPL) ends invitations too.
            raise NotFound("没有找到这位候选人：请先在“找人”中查看该岗位的候选人，再从列表中邀约。")
        already = self.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == INVITE,
                AuditEntry.subject_person_id == person_id,
                AuditEntry.actor == self.who.actor,
                AuditEntry.purpose.like(f"%岗位编号 {posting.ref}）%"),
            )
        )
        if already is not None:
            raise Conflict(
                "已邀约过这位候选人应聘此岗位，窗口会转达，无需重复邀约。",
                [FieldError("person_ref", "已邀约过这位候选人应聘此岗位，无需重复邀约")],
            )
        employer = self.session.get_one(Employer, posting.employer_id)
        entry = audit.record(
            self.session,
            self.who,
            INVITE,
            person_id,
            [f"posting:{posting.id}", *([f"{NOTE}{note}"] if note else [])],
            f"{INVITE_PURPOSE}，{employer.name}《{posting.title}》（岗位编号 {posting.ref}）",
        )
        self.session.flush()
        return Invitation(entry.id, entry.at, employer.name, posting, self.session.get_one(Person, person_id), note)

    def invitations(self, purpose: str, limit: int = 50) -> list[Invitation]:
        """Staff: the invitations for persons in the jurisdiction, newest first; each person listed
        is an audited read (``list``)."""
        rows = self.session.execute(
            self.jurisdiction.where_person(
                select(AuditEntry, Person)
                .join(Person, Person.id == AuditEntry.subject_person_id)
                .where(AuditEntry.action == INVITE)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .limit(limit)
            )
        ).all()
        out = []
        for entry, person in rows:
            posting_id = next((int(m.group(1)) for f in entry.fields if (m := _POSTING_FIELD.match(f))), None)
            posting = self.session.get(JobPosting, posting_id) if posting_id else None
            employer = posting.employer.name if posting is not None and posting.employer else entry.actor
            note = next((f.removeprefix(NOTE) for f in entry.fields if f.startswith(NOTE)), "")
            audit.record(self.session, self.who, "list", person.id, [*CARD_FIELDS, "invitations"], purpose)
            out.append(Invitation(entry.id, entry.at, employer, posting, person, note))
        return out
