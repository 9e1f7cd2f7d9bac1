"""A placement goes through the policy engine the moment it is recorded: every decision the
documents give for it is stored with its amount, period, legal basis, parameters and trace.

Local parameters the documents leave to "按规定" come from the file the settings name
(``Settings.policy.local_parameters_file``, from JIUYUAN_LOCAL_PARAMETERS: scoring.load_local,
each value with its source); without it they stay unset and the decisions say so (eligible,
amount set locally).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import scoring
from jiuyuan.settings import PolicySettings, get_settings
from ledger import intake
from ledger.facts import cases_for
from ledger.models import Placement, SubsidyDecision
from scoring.params import EMPTY_LOCAL, LocalConfig


@lru_cache(maxsize=4)
def _local_from(path: str) -> LocalConfig:
    return scoring.load_local(Path(path))


def local_parameters(settings: PolicySettings | None = None) -> LocalConfig:
    """The local parameters in force: those of ``settings`` (default: the service's settings)."""
    path = (settings or get_settings().policy).local_parameters_file
    return _local_from(str(path)) if path else EMPTY_LOCAL


def score(session: Session, placement: Placement, as_of: date) -> list[SubsidyDecision]:
    """Run the engine for the placement's person on ``as_of`` and store the decisions about
    this placement (added to the session; the caller commits)."""
    return _store(session, placement.person_id, [placement], as_of)


def rescore_person(session: Session, person_id: int, as_of: date) -> list[SubsidyDecision]:
    """Score every placement of the person again after a fact about their history changed
    (a contribution month, an end date, an exit, a ruling): the new decisions are stored beside
    the old, which stay as history (``latest_decisions`` reads the newest)."""
    rows = list(session.scalars(select(Placement).where(Placement.person_id == person_id)))
    return _store(session, person_id, rows, as_of)


def _store(session: Session, person_id: int, placements: list[Placement], as_of: date) -> list[SubsidyDecision]:
    """One evaluation of the person's whole history; the decisions about ``placements`` stored."""
    case = cases_for(session, [person_id], as_of)[person_id]
    report = scoring.evaluate(case, as_of, local=local_parameters(), assessments=False)
    ids = {str(p.id): p.id for p in placements}
    rows = [
        SubsidyDecision(
            person_id=person_id,
            placement_id=ids[d.subject],
            subject=d.subject,
            scheme_code=d.scheme,
            status=d.status,
            amount=d.amount,
            period_start=d.period_start,
            period_end=d.period_end,
            legal_basis="；".join(d.legal_basis),
            ruleset_version=report.ruleset_version,
            parameters=dict(d.parameters),
            trace=list(d.trace),
            matures_on=d.matures_on,
            open_conditions={"failed": list(d.failed), "missing": list(d.missing), "unset": list(d.unset)},
            months=list(d.months),
            next_step=d.next_step,
        )
        for d in report.decisions
        if d.subject in ids
    ]
    session.add_all(rows)
    session.flush()
    return rows


def record(
    session: Session, data: Mapping[str, Any], as_of: date, person_hidden: bool = False
) -> tuple[Placement, list[SubsidyDecision]]:
    """Validate and add the placement, then score it at once (``person_hidden``: see
    ``intake.add_placement``). A placement recorded late (it started before others of the person)
    changes what they were granted, so the person's other placements are scored again too."""
    placement = intake.add_placement(session, data, person_hidden)
    decisions = rescore_person(session, placement.person_id, as_of)
    return placement, [d for d in decisions if d.placement_id == placement.id]


def latest_decisions(session: Session, placement_id: int) -> list[SubsidyDecision]:
    """The newest decision per scheme for a placement (a claim re-scores; older ones stay as history)."""
    rows = session.scalars(
        select(SubsidyDecision).where(SubsidyDecision.placement_id == placement_id).order_by(SubsidyDecision.id.desc())
    )
    newest: dict[str, SubsidyDecision] = {}
    for row in rows:
        newest.setdefault(row.scheme_code, row)
    return sorted(newest.values(), key=lambda r: r.scheme_code)
