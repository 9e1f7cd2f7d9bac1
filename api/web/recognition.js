// 认定与分级 (officers): a person's recognition steps (002 §2) with their due dates, publicity and
// its objections, the outcome of the current step, and the support tier (002 §4). Every read is
// the API's audited read; the page adds no rule of its own.
import { $, api, banner, clearErrors, fieldError, h, purpose, showProblem, today, yesNo } from "./core.js";

const TIERS = { 1: "一级：以政策扶持为主", 2: "二级：重点帮扶（每月至少推送3次岗位）", 3: "三级：托底安置（公益性岗位优先）" };

function field(id, label, input) { return [h("label", { for: id }, label), input]; }

function stepForm(rec, step) {
  const form = h("form", { class: "step-form", novalidate: true },
    h("h4", {}, `记录“${step.label}”的结果`),
    field(`step-outcome-${rec.id}`, "结果", h("select", { id: `step-outcome-${rec.id}`, name: "outcome" },
      h("option", { value: "passed" }, "通过"), h("option", { value: "failed" }, "不通过"))),
    field(`step-on-${rec.id}`, "完成日期", h("input", { id: `step-on-${rec.id}`, name: "completed_on", type: "date", value: today() })),
    h("p", { class: "error", "data-error-for": "completed_on" }),
    field(`step-note-${rec.id}`, "说明", h("input", { id: `step-note-${rec.id}`, name: "note", maxlength: "500", placeholder: "不通过须写明理由" })),
    h("p", { class: "error", "data-error-for": "note" }), h("p", { class: "error", "data-error-for": "outcome" }),
    h("button", { type: "submit" }, "保存结果"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault(); clearErrors(form);
    const data = new FormData(form);
    try {
      await api("POST", `/recognitions/${rec.id}/steps/${step.step}`, { body: { outcome: data.get("outcome"),
        completed_on: data.get("completed_on"), note: data.get("note").trim() || null } });
      await showRecognition(rec.id, rec.person_id);
      banner(`已记录：${step.label}${data.get("outcome") === "passed" ? "通过" : "不通过"}`, true);
    } catch (err) { showProblem(err, form); }
  });
  return form;
}

function objectionForms(rec) {
  const raise = h("form", { class: "step-form", novalidate: true }, h("h4", {}, "登记公示期间的异议"),
    field(`obj-on-${rec.id}`, "提出日期", h("input", { id: `obj-on-${rec.id}`, name: "raised_on", type: "date", value: today() })),
    field(`obj-summary-${rec.id}`, "异议内容", h("input", { id: `obj-summary-${rec.id}`, name: "summary", maxlength: "500" })),
    h("p", { class: "error", "data-error-for": "summary" }), h("p", { class: "error", "data-error-for": "raised_on" }),
    h("button", { type: "submit", class: "secondary" }, "登记异议"));
  raise.addEventListener("submit", async (event) => {
    event.preventDefault(); clearErrors(raise);
    const data = new FormData(raise);
    if (!data.get("summary").trim()) { fieldError(raise, "summary", "请写明异议内容，如“群众反映其已在某公司就业”"); return; }
    try {
      await api("POST", `/recognitions/${rec.id}/objections`, { body: { raised_on: data.get("raised_on"), summary: data.get("summary").trim() } });
      await showRecognition(rec.id, rec.person_id); banner("已登记异议：异议处理前公示不能通过", true);
    } catch (err) { showProblem(err, raise); }
  });
  const open = (rec.objections || []).filter((o) => o.outcome === "open" || !o.decided_on);
  return [raise, ...open.map((o) => {
    const form = h("form", { class: "step-form", novalidate: true }, h("h4", {}, `处理异议：${o.summary}`),
      field(`obj-outcome-${o.id}`, "处理结果", h("select", { id: `obj-outcome-${o.id}`, name: "outcome" },
        h("option", { value: "dismissed" }, "异议不成立"), h("option", { value: "upheld" }, "异议成立（公示不通过）"))),
      field(`obj-reason-${o.id}`, "理由", h("input", { id: `obj-reason-${o.id}`, name: "reason", maxlength: "500" })),
      h("p", { class: "error", "data-error-for": "reason" }), h("button", { type: "submit", class: "secondary" }, "保存处理结果"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault(); clearErrors(form);
      const data = new FormData(form);
      try {
        await api("POST", `/recognitions/${rec.id}/objections/${o.id}/decision`, { body: { outcome: data.get("outcome"), reason: data.get("reason").trim() } });
        await showRecognition(rec.id, rec.person_id); banner("已处理异议", true);
      } catch (err) { showProblem(err, form); }
    });
    return form;
  })];
}

export async function showRecognition(id, personId) {
  try {
    const rec = await api("GET", `/recognitions/${id}`, { params: { purpose: purpose("认定审核"), as_of: today() } });
    rec.person_id = personId;
    const current = rec.steps.find((s) => !s.completed_on && s.started_on);
    const rows = rec.steps.map((s) => h("tr", {}, ...[s.label, s.status,
      s.started_on || "未开始", `${s.due_on || ""}${s.due_provisional ? "（暂定）" : ""}`,
      s.completed_on ? `${s.completed_on} ${s.outcome_label}` : "", yesNo(s.overdue), s.note || ""].map((v) => h("td", {}, v))));
    $("#recognition").replaceChildren(...[
      h("h3", {}, `认定申请 ${rec.id}：${rec.status_label}（${rec.region_name}，${rec.applied_on} 申请）`),
      h("table", {}, h("caption", {}, "认定步骤（002 §2：每步第5个工作日内完成；公示不少于5个工作日）"),
        h("thead", {}, h("tr", {}, ...["步骤", "状态", "开始", "应完成", "完成", "逾期", "说明"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows)),
      (rec.objections || []).length ? h("ul", { class: "objections" }, rec.objections.map((o) =>
        h("li", {}, `${o.raised_on} 异议：${o.summary}——${o.outcome_label}${o.reason ? `（${o.reason}）` : ""}`))) : null,
      current ? stepForm(rec, current) : null,
      current && current.step === "publicity" ? objectionForms(rec) : null].flat().filter(Boolean));
    $("#recognition").hidden = false;
  } catch (err) { showProblem(err); }
}

export function tierForm(person) {
  const form = h("form", { id: "tier-form", class: "step-form", novalidate: true }, h("h4", {}, `帮扶分级（现为${person.tier ? `${person.tier}级` : "未分级"}）`),
    field("tier", "等级", h("select", { id: "tier", name: "tier" }, ...Object.entries(TIERS).map(([v, t]) =>
      h("option", { value: v, selected: String(person.tier) === v }, t)))),
    field("tier-from", "起始日期", h("input", { id: "tier-from", name: "effective_from", type: "date", value: today() })),
    h("p", { class: "error", "data-error-for": "tier" }), h("p", { class: "error", "data-error-for": "effective_from" }),
    h("button", { type: "submit" }, "保存分级"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault(); clearErrors(form);
    const data = new FormData(form);
    try {
      const done = await api("POST", `/persons/${person.id}/tier`, { body: { tier: Number(data.get("tier")), effective_from: data.get("effective_from") } });
      banner(`已分级：${done.tier}级，自 ${data.get("effective_from")} 起`, true);
      $("h4", form).textContent = `帮扶分级（现为${done.tier}级）`;
    } catch (err) { showProblem(err, form); }
  });
  return form;
}
