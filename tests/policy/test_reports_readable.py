"""Reports an officer can read (issue 15): every trace, note, failed condition, assessment line and
line of the text summary is Chinese, over every worked case in tests/policy_cases/*.yaml.

What may stay ASCII, and why:
- the case's own data: the case id, placement and agency ids (the officer's own records);
- a missing fact's field path (``placements.contributions``) after "缺少：" and in "需补充：", the name
  under which the fact is supplied (the same path a FactsError names); the Chinese condition stands
  next to it;
- the ruleset version (a release and a fingerprint) in the summary's first line;
- parameter names as keys of ``Decision.parameters`` and entries of ``Decision.unset``: data for
  the JSON, never printed in a trace (the summary prints their Chinese descriptions).
Scheme codes never appear in a trace or in the summary; the summary names schemes in Chinese.
"""

from __future__ import annotations

import re

from scoring import case_from_python, evaluate
from scoring.facts import Case
from scoring.schemes import SCHEMES
from scoring.text import summary
from tests.policy.conftest import expand, load_scenarios, local_for

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED: frozenset[str] = frozenset()
"""ASCII words allowed anywhere: none so far."""
CODES = {s.code for s in SCHEMES}
# Lines that once carried a code or an enum value, checked on their own below.
ENGINE_CONFLICT = re.compile(r"已由 [a-z_]+（")  # scoring/engine.py _si_conflicts
EXIT_LEFT_MARKET = re.compile(r"退出劳动力市场：[a-z]+")  # scoring/assess.py exit_conditions

RUNS = []
for _name, _scenario in load_scenarios():
    _case = case_from_python(expand(_scenario["facts"]))
    RUNS.append((_name, _case, evaluate(_case, _scenario["as_of"], local=local_for(_scenario))))


def _data(case: Case) -> list[str]:
    ids = [case.case_id]
    for p in case.placements:
        ids += [p.id, *p.claiming_agencies] + ([p.agency.id] if p.agency else [])
    return sorted(ids, key=len, reverse=True)


def _foreign(line: str, case: Case, missing: list[str]) -> list[str]:
    """The ASCII words of ``line`` that are neither the case's data nor an allowed name."""
    for text in [*missing, *_data(case)]:
        line = line.replace(text, " ")
    return [w for w in ASCII_WORD.findall(line) if w not in ALLOWED]


def _decision_lines(report):
    for d in report.decisions:
        for line in [*d.trace, *d.notes, *d.failed]:
            yield d, line


def _assessment_lines(report):
    r = report.recognition or {}
    for p in r.get("preconditions", []):
        yield p["label"]
    for c in r.get("categories", []):
        yield c["label"]
        yield c["evidence"]
    if "retirement" in r:
        yield r["retirement"]["age"]
        yield r["retirement"]["category"]
        yield r["retirement"]["note"]
    for step in report.recognition_steps or []:
        yield f"{step['label']} {step['status']} {step.get('calendar_note') or ''}"
    for duty in report.duties or []:
        yield f"{duty['duty']} {duty['status']} {duty.get('detail', '')}"
    for e in report.exit or []:
        if not EXIT_LEFT_MARKET.search(e["evidence"]):
            yield e["evidence"]


def test_every_trace_note_and_failed_line_is_chinese():
    bad = []
    for name, case, report in RUNS:
        for d, line in _decision_lines(report):
            if ENGINE_CONFLICT.search(line):
                continue
            if foreign := _foreign(line, case, d.missing):
                bad.append((name, d.scheme, line, foreign))
    assert not bad, bad[:10]


def test_no_scheme_code_in_a_trace_line():
    bad = [
        (name, line)
        for name, _, report in RUNS
        for _, line in _decision_lines(report)
        if not ENGINE_CONFLICT.search(line) and set(re.findall(r"[a-z_]{3,}", line)) & CODES
    ]
    assert not bad, bad[:10]


def test_recognition_duties_and_exit_read_in_chinese():
    bad = [
        (name, line) for name, case, report in RUNS for line in _assessment_lines(report) if _foreign(line, case, [])
    ]
    assert not bad, bad[:10]


def test_the_text_summary_is_chinese():
    bad = []
    for name, case, report in RUNS:
        missing = [m for d in report.decisions for m in d.missing]
        # The first line carries the ruleset version (release + fingerprint); the second the local source.
        for line in summary(report).splitlines()[1:]:
            if EXIT_LEFT_MARKET.search(line):
                line = EXIT_LEFT_MARKET.sub("", line)
            if foreign := _foreign(line, case, missing):
                bad.append((name, line, foreign))
    assert not bad, bad[:10]


def test_the_summary_prints_monthly_bounds_steps_and_no_period_on_unpaid_decisions():
    for _, _, report in RUNS:
        text = summary(report)
        assert "上限：" not in text.replace("额度上限：", "")  # bounds are "每月上限 X 元 / 每月下限 Y 元"
        for step in report.recognition_steps or []:
            assert f"{step['label']}　{step['started_on']} 起，{step['due_on']} 前办结" in text
    bounded = [(d, summary(r)) for _, _, r in RUNS for d in r.decisions if d.cap is not None and d.payment == "monthly"]
    assert bounded, "a worked case with a monthly cap"
    for d, text in bounded:
        assert f"每月上限 {d.cap} 元" in text
        if d.floor is not None:
            assert f"每月上限 {d.cap} 元 / 每月下限 {d.floor} 元" in text
    unpaid = [
        (d, r)
        for _, _, r in RUNS
        for d in r.decisions
        if d.status.value in ("ineligible", "needs_facts", "not_yet") and d.period_start is not None
    ]
    for d, r in unpaid:  # the engine stops setting it; the text must not print one either way
        block = summary(r.__class__(**{**_fields(r), "decisions": [d]}))
        assert "期间：" not in block, block


def _fields(report) -> dict:
    return {f: getattr(report, f) for f in report.__struct_fields__}


def test_the_summary_says_when_the_retirement_age_was_assumed():
    assumed = [(r, summary(r)) for _, c, r in RUNS if r.recognition and r.recognition.get("applicable")]
    assert assumed
    for r, text in assumed:
        retire = r.recognition["retirement"]
        assert ("按性别推定" in text) == retire["assumed"]
        assert retire["assumed"] is (r.recognition["preconditions"][0]["label"].find("按性别推定") >= 0)


def test_combination_lines_name_the_scheme_in_chinese():
    lines = [line for _, _, r in RUNS for _, line in _decision_lines(r) if "本项不再重复支付" in line]
    assert lines and not [line for line in lines if ENGINE_CONFLICT.search(line)]


def test_exit_evidence_names_the_way_out_of_the_labour_market_in_chinese():
    evidence = [e["evidence"] for _, _, r in RUNS for e in r.exit or [] if e["clause"] == "002 §5(3)" and e["met"]]
    assert evidence and not [e for e in evidence if EXIT_LEFT_MARKET.search(e)]
