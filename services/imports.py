"""Importing a spreadsheet of persons, postings or social-insurance contributions (CSV or xlsx, as
offices keep them): every row is checked, and either all are imported or none (``ledger.imports``
rolls its savepoint back), with a per-row report of what was refused. Rows outside the caller's
jurisdiction are refused like any bad row: a person by ``Jurisdiction.covers`` (hukou or
residence), a posting by its region, a contribution by its person (answered as not registered).
Imported contributions are audited per person and re-score their placements
(``services.history.after_contributions``); imported persons one entry each. An ID number
registered outside the caller's reach is refused with the generic ``NOT_REGISTRABLE``, and the
attempt is audited on that person's trail (purpose ``DUPLICATE_CHECK``)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from jiuyuan import clock
from ledger import audit, imports
from ledger.access import Principal
from ledger.imports import ImportReport
from services.history import after_contributions
from services.jurisdiction import Jurisdiction
from services.persons import DUPLICATE_CHECK, FULL_FIELDS


class Imports:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _outside(self, within: bool) -> list[tuple[str, str]]:
        return [] if within else [("region", f"不在您的管辖范围（{self.jurisdiction.label}）内")]

    def run(
        self,
        kind: Literal["persons", "postings", "contributions"],
        content: bytes,
        filename: str | None,
        check: bool = False,
    ) -> ImportReport:
        """Import (or with ``check`` only check) every row of the file; an unreadable file raises
        ``ledger.spreadsheet.TableError``. A completed import is audited."""
        rows = imports.read_table(content, filename)
        if kind == "persons":
            report = imports.import_persons(
                self.session,
                rows,
                dry_run=check,
                actor=self.who.actor,
                check=lambda p: self._outside(self.jurisdiction.covers(p)),
                reach=self.jurisdiction.covers,
            )
            # An ID number registered out of reach was refused like any bad row; the attempt goes on
            # that person's trail (the route answers 422 without raising, so this commits).
            for person_id in report.registered_elsewhere:
                audit.record(self.session, self.who, "register_refused", person_id, ["id_number"], DUPLICATE_CHECK)
        elif kind == "contributions":
            day = clock.today()
            report = imports.import_contributions(
                self.session,
                rows,
                source=f"{(filename or '表格')[:150]} 导入 {day}",
                dry_run=check,
                actor=self.who.actor,
                reach=self.jurisdiction.covers,
            )
            after_contributions(self.session, self.who, report, day, f"表格导入 {filename}")
        else:
            report = imports.import_postings(
                self.session,
                rows,
                dry_run=check,
                check=lambda p: self._outside(self.jurisdiction.covers_region(p.region_code)),
            )
        if report.ok and not check:
            purpose = f"表格导入 {(filename or '表格')[:60]}"
            if kind == "persons":  # one entry per person registered, on their own trail
                for person_id in report.subjects:
                    audit.record(self.session, self.who, "register_import", person_id, FULL_FIELDS, purpose)
            elif kind == "postings":
                audit.record(self.session, self.who, "import_postings", None, [kind], f"{purpose} {report.total} 行")
        return report
