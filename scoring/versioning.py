"""Explaining a past decision as it was, and what the current rules would say instead.

A stored decision keeps the rule-set version (a release number plus a fingerprint of
the policy files) and every parameter value it used. ``difference`` re-evaluates the
same facts now and lists, per scheme and subject, what changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from scoring.decision import Decision, Report
from scoring.engine import evaluate
from scoring.facts import Case
from scoring.params import EMPTY_LOCAL, LocalConfig


def difference(
    stored: Report | dict[str, Any], case: Case, as_of: date | None = None, local: LocalConfig = EMPTY_LOCAL
) -> dict[str, Any]:
    old = stored if isinstance(stored, Report) else msgspec.convert(stored, Report)
    new = evaluate(case, as_of or old.as_of, local=local, assessments=False)

    def key(d: Decision) -> tuple[str, str, str]:
        return d.scheme, d.subject, d.document

    before, after = {key(d): d for d in old.decisions}, {key(d): d for d in new.decisions}
    changes = []
    for k in sorted(set(before) | set(after)):
        b, a = before.get(k), after.get(k)
        fields = {}
        for name in ("status", "amount", "period_start", "period_end", "matures_on"):
            vb, va = getattr(b, name, None), getattr(a, name, None)
            if vb != va:
                fields[name] = {"before": vb, "after": va}
        if b and a and b.parameters != a.parameters:
            fields["parameters"] = {"before": b.parameters, "after": a.parameters}
        if fields:
            changes.append({"scheme": k[0], "subject": k[1], "document": k[2], "changes": fields})
    return {"before_version": old.ruleset_version, "after_version": new.ruleset_version, "changes": changes}
