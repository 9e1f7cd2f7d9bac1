"""The policy engine: facts in, decisions out.

Pure by design — no database, web framework or search import — so every rule can be
tested clause by clause. ``evaluate(case, as_of)`` returns a :class:`Report` whose
decisions each carry a status, an amount (or the local parameter it waits for), the
legal basis (seed file and clause), the parameter values used and a trace.
"""

from scoring.decision import Decision, Report, to_json
from scoring.engine import evaluate
from scoring.facts import Case, FactsError, case_from_python, decode_case, decode_cases
from scoring.params import EMPTY_LOCAL, LocalConfig, load_local, load_policies

__all__ = [
    "EMPTY_LOCAL",
    "Case",
    "Decision",
    "FactsError",
    "LocalConfig",
    "Report",
    "case_from_python",
    "decode_case",
    "decode_cases",
    "evaluate",
    "load_local",
    "load_policies",
    "to_json",
]
