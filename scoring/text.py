"""A Chinese summary of a report that an officer can read."""

from __future__ import annotations

from scoring.decision import Report

_STATUS_MARK = {
    "eligible": "✔ 符合条件",
    "eligible_amount_unset": "✔ 符合条件（金额待地方规定）",
    "not_yet": "… 暂未满足",
    "ineligible": "✘ 不符合",
    "needs_facts": "？缺少信息",
    "outside_validity": "— 不在政策有效期内",
}
_PAYMENT = {"one_off": "一次性", "monthly": "按月", "annual": "按年", "per_day": "按天", "loan": "贷款"}


def summary(report: Report) -> str:
    lines = [
        f"案件 {report.case_id}　测算日期 {report.as_of}　规则版本 {report.ruleset_version}",
        f"地方参数来源：{report.local_source}",
        "",
    ]
    for d in report.decisions:
        head = f"{_STATUS_MARK[d.status.value]}　{d.name}（{d.scheme}，{'、'.join(d.legal_basis)}）　对象 {d.subject}"
        lines.append(head)
        if d.amount is not None:
            lines.append(f"    金额：{d.amount} 元（{_PAYMENT.get(d.payment or '', '')}）")
        if d.cap is not None:
            lines.append(f"    上限：{d.cap} 元" + (f"，下限：{d.floor} 元" if d.floor is not None else ""))
        if d.period_start:
            lines.append(f"    期间：{d.period_start} 至 {d.period_end or '—'}")
        if d.matures_on and d.status.value == "not_yet":
            lines.append(f"    满足条件日期：{d.matures_on}")
        if d.failed:
            lines.append("    未满足：" + "；".join(d.failed))
        if d.missing:
            lines.append("    需补充：" + "、".join(d.missing))
        if d.unset:
            lines.append("    须由地方设定的参数：" + "、".join(d.unset))
        lines.extend(f"    {t}" for t in d.trace)
        lines.extend(f"    注：{n}" for n in d.notes)
    for c in report.conflicts:
        months = f"（{'、'.join(c.months)}）" if c.months else ""
        lines.append(f"合并规则：{c.rule}{months}：保留 {c.winner}，不予支付 {'、'.join(c.losers)}。{c.reason}")
    if report.totals:
        lines.append(
            "合计（符合条件且金额确定）："
            + "；".join(f"{_PAYMENT.get(k, k)} {v} 元" for k, v in sorted(report.totals.items()))
        )
    if report.recognition and report.recognition.get("applicable"):
        r = report.recognition
        lines.append(
            f"就业困难人员认定（002 §1）：{'符合' if r['eligible'] else '不符合'}，"
            f"符合类别 {r['categories_met'] or '无'}；法定退休年龄 {r['retirement']['age']}（{r['retirement']['date']}）"
        )
    for step in report.recognition_steps or []:
        provisional = f"（暂定：{step['calendar_note']}）" if step.get("due_provisional") else ""
        lines.append(
            f"认定环节（{step['clause']}）：{step['label']} {step['started_on']} 起，"
            f"{step['due_on']} 前办结{provisional} — {step['status']}"
        )
    for duty in report.duties or []:
        lines.append(f"帮扶责任（{duty['clause']}）：{duty['duty']} — {duty['status']}")
    met = [e for e in report.exit or [] if e["met"]]
    if met:
        lines.append("退出情形（002 §5）：" + "；".join(f"{e['clause']} {e['evidence']}" for e in met))
    return "\n".join(lines)
