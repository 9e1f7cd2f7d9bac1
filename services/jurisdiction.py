"""Who may reach what: the one place that decides a caller's jurisdiction.

A caller (``ledger.access.Principal``) reaches:

- administrators: everywhere;
- counter staff and officers: the regions whose 6-digit code starts with their region prefix
  (a province ``43``, a city ``4301`` or a county ``430102``);
- employers and HR agencies: no region at all (they reach their own postings, placements and
  claims by ``employer_id`` / ``agency_id``, which the domain services check).

A *person* is within reach when the hukou county **or** the residence county lies within the
caller's (002 §4: "就业困难人员可根据自身意愿，至户籍地或常住地公共就业服务机构享受就业援助").
The same rule holds for everything about the person, money included: an HR agency's fee claim
(``/claims``) and its claim line (``/claim-lines``, a payment run) are one decision and are
reached alike (``Jurisdiction.covers``).

Every jurisdiction check in the code base goes through this module; nothing else compares a
region code with a region prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, or_, true

from jiuyuan import regions, validation
from jiuyuan.errors import FieldError, Forbidden, InvalidInput
from jiuyuan.vocab import Role
from ledger.access import Principal
from ledger.models import Person

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
        """How error messages name the jurisdiction: its region prefix (``None`` where it has none,
        as the messages always said; administrators are never told they are out of reach)."""
        return str(self.region_prefix)

    @property
    def region(self) -> str | None:
        """The region prefix the caller is bound to (counter staff, officers); None otherwise."""
        return self.region_prefix

    @property
    def region_name(self) -> str | None:
        """The full name of that region (湖南省长沙市), None without one."""
        return regions.full_name(self.region_prefix.ljust(6, "0")) if self.region_prefix else None

    def covers_region(self, code: str | None) -> bool:
        """Whether a region code (or a narrower prefix, e.g. a report's region) lies within reach."""
        if self.everywhere:
            return True
        return bool(self.region_prefix and code and code.startswith(self.region_prefix))

    def narrow(self, region: str, field: str = "region") -> str:
        """A region filter the caller asked for (省 43、市 4301、县 430102): its prefix, when valid
        (422 otherwise) and within reach (403 otherwise)."""
        prefix = region_filter(region, field)
        if not self.covers_region(prefix):
            raise Forbidden(f"地区 {region} 不在您的管辖范围（{self.label}）内。")
        return prefix

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
        return self.covers_places(person.hukou_region_code, person.residence_region_code)

    def covers_places(self, hukou_region_code: str | None, residence_region_code: str | None) -> bool:
        """``covers`` for a person not stored yet (a registration, an imported row)."""
        return self.covers_region(hukou_region_code) or self.covers_region(residence_region_code)

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
        return or_(entity.hukou_region_code.startswith(prefix), entity.residence_region_code.startswith(prefix))

    # ----- own organisations

    def is_agency(self, agency_id: int | None) -> bool:
        """Whether the caller is the HR agency ``agency_id``."""
        return self.role is Role.AGENCY and self.agency_id is not None and self.agency_id == agency_id

    def is_employer(self, employer_id: int | None) -> bool:
        """Whether the caller is the employer ``employer_id``."""
        return self.role is Role.EMPLOYER and self.employer_id is not None and self.employer_id == employer_id


def region_filter(region: str, field: str = "region") -> str:
    """A region filter as typed — a province, city or county code (43 / 4301 / 430102, or 430000 /
    430100) — as the code prefix that selects everything inside it; 422 naming ``field`` otherwise.
    It says nothing about reach: ``Jurisdiction.narrow`` checks that too."""
    try:
        return validation.region_prefix(region)
    except ValueError as exc:
        raise InvalidInput([FieldError(field, str(exc))]) from None
