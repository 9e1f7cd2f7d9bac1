"""Reports for officers, each for a region within their jurisdiction (``Jurisdiction.narrow``):
the dispatch table and the Jiaxing progress table (aggregates, no personal data), and the duty
lists (masked names; every person listed is an audited read, written by ``ledger.reports.duties``
into the request's unit of work)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from jiuyuan.errors import FieldError, InvalidInput
from ledger.access import Principal
from ledger.placements import local_parameters
from ledger.reports import dispatch, duties, jiaxing
from services.jurisdiction import Jurisdiction


class Reports:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def dispatch(self, region: str, as_of: date, start: date = dispatch.DEFAULT_START) -> dispatch.DispatchTable:
        """Cumulative counts per county from ``start`` to ``as_of``, rolled up to city and province."""
        if start > as_of:
            raise InvalidInput([FieldError("start", "累计起始日不能晚于截至日期")])
        return dispatch.build(self.session, self.jurisdiction.narrow(region), as_of, start)

    def jiaxing(self, region: str, month: str) -> jiaxing.ProgressTable:
        """The month's progress per county and in total (003 annex)."""
        return jiaxing.build(self.session, self.jurisdiction.narrow(region), month)

    def duties(self, region: str, as_of: date, purpose: str = "就业援助责任清单") -> list[duties.DutyItem]:
        """What is due for each recognised person; each person listed is written to the audit log,
        with the caller's own role and ``purpose``."""
        return duties.build(
            self.session,
            self.jurisdiction.narrow(region),
            as_of,
            self.who.actor,
            local=local_parameters(),
            purpose=purpose,
            role=self.who.role.value,
        )
