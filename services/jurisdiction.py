"""Who may reach what: the one place that decides a caller's jurisdiction.

A caller (``ledger.access.Principal``) reaches:

- administrators: everywhere;
- counter staff and officers: the regions whose 6-digit code starts with their region prefix
  (a province ``43``, a city ``4301`` or a county ``430102``);
- employers and HR agencies: no region at all (they reach their own postings, placements and
  claims by ``employer_id`` / ``agency_id``, which the domain services check).

A *person* is within reach when the hukou county **or** the residence county lies within the
caller's (002 §4: assistance is given at either place). The one exception is claims, which go
by the hukou county only: see ``Jurisdiction.covers_for_claims``.

Every jurisdiction check in the code base goes through this module; nothing else compares a
region code with a region prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, false, or_, true

from jiuyuan.vocab import Role
from ledger.models import Person

if TYPE_CHECKING:
    from ledger.access import Principal

S = TypeVar("S")


@dataclass(frozen=True)
class Jurisdiction:
    """A caller's reach, as a value: built from a ``Principal`` with ``Jurisdiction.of``."""

    role: Role
    region_prefix: str | None = None
    employer_id: int | None = None
    agency_id: int | None = None

    @classmethod
    def of(cls, who: Principal | Jurisdiction) -> Jurisdiction:
        if isinstance(who, Jurisdiction):
            return who
        return cls(who.role, who.region_prefix, who.employer_id, who.agency_id)

    # ----- regions

    @property
    def everywhere(self) -> bool:
        """Administrators reach every region."""
        return self.role is Role.ADMIN

    @property
    def label(self) -> str:
        """How error messages name the jurisdiction (the region prefix, or 全国 for an administrator)."""
        if self.everywhere:
            return "全国"
        return self.region_prefix or "无"

    def covers_region(self, code: str | None) -> bool:
        """Whether a region code (or a narrower prefix, e.g. a report's region) lies within reach."""
        if self.everywhere:
            return True
        return bool(self.region_prefix and code and code.startswith(self.region_prefix))

    def region_clause(self, column: Any) -> ColumnElement[bool]:
        """SQL: ``column`` (a region code) lies within reach — the query twin of ``covers_region``."""
        if self.everywhere:
            return true()
        if not self.region_prefix:
            return false()
        return column.startswith(self.region_prefix)

    # ----- persons

    def covers(self, person: Any) -> bool:
        """Whether a person is within reach: the hukou or the residence county lies within the
        caller's (002 §4: assistance is given at either place).

        ``person`` is anything with ``hukou_region_code`` and ``residence_region_code``."""
        return (self.covers_region(person.hukou_region_code)
                or self.covers_region(getattr(person, "residence_region_code", None)))

    def person_clause(self, entity: Any = Person) -> ColumnElement[bool]:
        """SQL: the person (``Person`` or an alias of it) is within reach — twin of ``covers``."""
        if self.everywhere:
            return true()
        return or_(self.region_clause(entity.hukou_region_code), self.region_clause(entity.residence_region_code))

    def where_person(self, stmt: S, entity: Any = Person) -> S:
        """``stmt`` (a SELECT over ``Person``) narrowed to the persons within reach."""
        return stmt if self.everywhere else stmt.where(self.person_clause(entity))  # type: ignore[attr-defined]

    @staticmethod
    def in_area_clause(prefix: str, entity: Any = Person) -> ColumnElement[bool]:
        """SQL: the person lives (hukou or residence) within ``prefix`` — a caller's narrowing
        filter, checked first with ``covers_region(prefix)``."""
        return or_(entity.hukou_region_code.startswith(prefix),
                   entity.residence_region_code.startswith(prefix))

    # ----- claims: hukou only

    def covers_for_claims(self, person: Any) -> bool:
        """Whether the caller may see and decide claims about this person: the **hukou** county
        only, not the residence.

        Why hukou only: the employment-assistance funds that pay an HR agency's service fee are
        budgeted and settled by the person's hukou county — the place where the person is
        recognised as having employment difficulty and where 每人每年只享受一次 (004 §2(2)2) is
        counted. An officer where the person merely lives may register the person and the
        placement (002 §4), but does not approve money drawn from another county's funds."""
        return self.covers_region(person.hukou_region_code)

    def claims_person_clause(self, entity: Any = Person) -> ColumnElement[bool]:
        """SQL twin of ``covers_for_claims``: the person's hukou county lies within reach."""
        return self.region_clause(entity.hukou_region_code)

    # ----- own organisations

    def is_agency(self, agency_id: int | None) -> bool:
        """Whether the caller is the HR agency ``agency_id``."""
        return self.role is Role.AGENCY and self.agency_id is not None and self.agency_id == agency_id

    def is_employer(self, employer_id: int | None) -> bool:
        """Whether the caller is the employer ``employer_id``."""
        return self.role is Role.EMPLOYER and self.employer_id is not None and self.employer_id == employer_id
