"""Importing a spreadsheet of persons or postings (CSV or xlsx, as offices keep them): every row
is checked, and either all are imported or none (``ledger.imports`` rolls its savepoint back),
with a per-row report of what was refused. Rows outside the caller's jurisdiction are refused like
any bad row: a person by ``Jurisdiction.covers`` (hukou or residence), a posting by its region."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from ledger import audit, imports
from ledger.access import Principal
from ledger.imports import ImportReport
from services.jurisdiction import Jurisdiction


class Imports:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _outside(self, within: bool) -> list[tuple[str, str]]:
        return [] if within else [("region", f"不在您的管辖范围（{self.jurisdiction.label}）内")]

    def run(
        self, kind: Literal["persons", "postings"], content: bytes, filename: str | None, check: bool = False
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
            )
        else:
            report = imports.import_postings(
                self.session,
                rows,
                dry_run=check,
                check=lambda p: self._outside(self.jurisdiction.covers_region(p.region_code)),
            )
        if report.ok and not check:
            audit.record(
                self.session, self.who, f"import_{kind}", None, [kind], f"表格导入 {filename} {report.total} 行"
            )
        return report
