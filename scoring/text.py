"""A Chinese summary of a report that an officer can read.

Every line is Chinese: statuses, payment schedules, subjects and the local parameters still to be
set are given by their Chinese names (a placement keeps its own id, which is the case's data).
``Decision.cap`` and ``Decision.floor`` are monthly figures (the credit line of a loan).
"""

from __future__ import annotations

import re
from typing import Any

from jiuyuan.vocab import RecognitionStep
from scoring.decision import Decision, Report
from scoring.params import LOCAL_PARAMETERS
from scoring.schemes import SCHEMES

_STATUS_MARK = {
    "eligible": "✔ 符合条件",
    "eligible_amount_unset": "✔ 符合条件（金额待地方规定）",
    "not_yet": "… 暂未满足",
    "ineligible": "✘ 不符合",
    "needs_facts": "？缺少信息",
    "needs_approval": "？待经办人员审批",
    "outside_validity": "— 不在政策有效期内",
}
_PAYMENT = {
    "one_off": "一次性",
    "monthly": "按月",
    "annual": "按年",
    "per_day": "按天",
    "loan": "贷款",
    "other": "其他",
}
_SUBJECTS = {
    "person": "本人",
    "employer": "用人单位",
    "startup_loan": "创业贷款",
    "apprenticeship": "学徒培养",
}
_NAMES = {s.code: s.name for s in SCHEMES}
_CODE = re.compile(r"(?<![A-Za-z0-9_.])([a-z][a-z0-9_]*)（")
_PERIOD_SHOWN = frozenset({"eligible", "eligible_amount_unset"})
"""Only a decision that pays has a payment period; the others print none."""


def _named(text: str) -> str:
    """A line with each scheme code before its subject ("flexible_si（f1）") given as the scheme's name."""
    return _CODE.sub(lambda m: f"{_NAMES.get(m.group(1), m.group(1))}（", text)


def _subject(label: str) -> str:
    if label in _SUBJECTS:
        return _SUBJECTS[label]
    if label.startswith("training[") and label.endswith("]") and label[9:-1].isdigit():
        return f"第{int(label[9:-1]) + 1}期培训"
    return f"安置 {label}"


def _unset(name: str) -> str:
    description, _, clause = LOCAL_PARAMETERS.get(name, (name, "", ""))
    return f"{description}（{clause}）" if clause else description


def _bounds(d: Decision) -> str | None:
    if d.cap is None and d.floor is None:
        return None
    if d.payment == "loan":
        return f"    额度上限：{d.cap} 元" if d.cap is not None else None
    parts = []
    if d.cap is not None:
        parts.append(f"每月上限 {d.cap} 元")
    if d.floor is not None:
        parts.append(f"每月下限 {d.floor} 元")
    return "    " + " / ".join(parts)


def _decision(d: Decision) -> list[str]:
    status = d.status.value
    lines = [f"{_STATUS_MARK.get(status, status)}　{d.name}（{'、'.join(d.legal_basis)}）　对象：{_subject(d.subject)}"]
    if d.amount is not None:
        lines.append(f"    金额：{d.amount} 元（{_PAYMENT.get(d.payment or '', '')}）")
    if (bounds := _bounds(d)) is not None:
        lines.append(bounds)
    if d.period_start and status in _PERIOD_SHOWN:
        lines.append(f"    期间：{d.period_start} 至 {d.period_end or '—'}")
    if d.matures_on and status == "not_yet":
        lines.append(f"    满足条件日期：{d.matures_on}")
    if d.failed:
        lines.append("    未满足：" + "；".join(d.failed))
    if d.missing:
        lines.append("    需补充：" + "、".join(d.missing))
    if d.unset:
        lines.append("    须由地方设定的参数：" + "、".join(_unset(n) for n in d.unset))
    lines.extend(f"    {_named(t)}" for t in d.trace)
    lines.extend(f"    注：{n}" for n in d.notes)
    return lines


def _step(step: dict[str, Any]) -> str:
    provisional = f"（暂定：{step['calendar_note']}）" if step.get("due_provisional") else ""
    done = f"，{step['completed_on']} 完成" if step.get("completed_on") else ""
    # Publicity is a minimum (002 §2 "公示5个工作日后无异议的"), the other steps deadlines.
    when = "期满后可结束" if step["step"] == RecognitionStep.PUBLICITY.value else "前办结"
    return (
        f"认定环节（{step['clause']}）：{step['label']}　{step['started_on']} 起，"
        f"{step['due_on']} {when}{provisional}{done} — {step['status']}"
    )


def summary(report: Report) -> str:
    lines = [
        f"案件 {report.case_id}　测算日期 {report.as_of}　规则版本 {report.ruleset_version}",
        f"地方参数来源：{report.local_source}",
        "",
    ]
    for d in report.decisions:
        lines.extend(_decision(d))
    for c in report.conflicts:
        months = f"（{'、'.join(c.months)}）" if c.months else ""
        losers = "、".join(_named(x) for x in c.losers)
        lines.append(f"合并规则：{c.rule}{months}：保留 {_named(c.winner)}，不予支付 {losers}。{c.reason}")
    if report.totals:
        lines.append(
            "合计（符合条件且金额确定）："
            + "；".join(f"{_PAYMENT.get(k, k)} {v} 元" for k, v in sorted(report.totals.items()))
        )
    if report.recognition and report.recognition.get("applicable"):
        r = report.recognition
        retire = r["retirement"]
        categories = "、".join(f"第({n})类" for n in r["categories_met"]) or "无"
        assumed = f"（{retire['note']}：{retire['category']}）" if retire.get("assumed") else ""
        lines.append(
            f"就业困难人员认定（002 §1）：{'符合' if r['eligible'] else '不符合'}，符合类别 {categories}；"
            f"法定退休年龄 {retire['age']}（{retire['date']}）{assumed}"
        )
    lines.extend(_step(step) for step in report.recognition_steps or [])
    for duty in report.duties or []:
        lines.append(f"帮扶责任（{duty['clause']}）：{duty['duty']} — {duty['status']}")
    met = [e for e in report.exit or [] if e["met"]]
    if met:
        lines.append("退出情形（002 §5）：" + "；".join(f"{e['clause']} {e['evidence']}" for e in met))
    return "\n".join(lines)
