// 经办 and 发放 (officers): duty lists with county names and a link to the person (an audited
// read), the dispatch table; monthly payment runs, their lines with the risk signals explained,
// approval or rejection in batches with a reason, and the finance xlsx.
import { $, $$, api, banner, clearErrors, fieldError, go, h, onShow, purpose, regionName, showProblem, state, today, yesNo } from "./core.js";
import { showRecognition, tierForm } from "./recognition.js";

// Booleans the engine writes into a text ("…：False") read as words.
const inWords = (text) => String(text ?? "").replace(/\bTrue\b/g, "是").replace(/\bFalse\b/g, "否").replace(/\bNone\b/g, "无");

export async function showPerson(id) {
  if ($('[data-view="officer"]').hidden) go("officer");
  $("#recognition").hidden = true;
  try {
    const p = await api("GET", `/persons/${id}`, { params: { purpose: purpose("就业援助责任清单") } });
    const [hukou, residence] = await Promise.all([regionName(p.hukou_region_code), regionName(p.residence_region_code)]);
    $("#duty-person").replaceChildren(h("h3", {}, `${p.name}（${p.sex === "M" ? "男" : "女"}）`),
      h("dl", {}, [["户籍地", hukou], ["居住地", residence], ["手机号", p.phone || "未登记"], ["帮扶等级", p.tier ? `${p.tier}级` : "未分级"],
        ["认定", p.recognitions.map((r) => `${r.status_label}${r.recognised_on ? `（${r.recognised_on}认定）` : ""}`).join("；") || "无"],
        ["同意向用人单位展示", yesNo((p.consents || []).some((c) => c.scope === "show_to_employers" && c.granted))]]
        .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("p", { class: "actions" }, p.recognitions.map((r) => h("button", { type: "button", class: "secondary",
        on: { click: () => showRecognition(r.id, p.id) } }, `认定进度：申请 ${r.id}（${r.status_label}）`))),
      p.recognitions.some((r) => r.status === "recognised") ? tierForm(p) : h("p", { class: "hint" }, "认定后才能分级（002 §4）。"));
    $("#duty-person").hidden = false; $("#duty-person h3").setAttribute("tabindex", "-1"); $("#duty-person h3").focus();
  } catch (err) { showProblem(err); }
}

async function dutyLists(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  try {
    const page = await api("GET", "/reports/duties", { params: { region: data.get("region"), as_of: data.get("as_of"), purpose: purpose("就业援助责任清单") } });
    const counties = Object.fromEntries(await Promise.all([...new Set(page.items.map((i) => i.region))].map(async (c) => [c, await regionName(c)])));
    $("#duties tbody").replaceChildren(...page.items.map((i) => h("tr", {},
      h("td", {}, i.list_label),
      h("td", {}, h("button", { type: "button", class: "link", on: { click: () => showPerson(i.person_id) } }, `${i.masked_name}（查看）`)),
      ...[counties[i.region] || i.region, inWords(i.detail), i.clause].map((v) => h("td", {}, v)))));
    banner(`共 ${page.items.length} 项`, true);
  } catch (err) { showProblem(err, form); }
}

async function download(path, params, filename, form) {
  try {
    const blob = await api("GET", path, { params });
    const link = $("#dispatch-link");
    link.href = URL.createObjectURL(blob); link.download = filename;
    link.click();
  } catch (err) { showProblem(err, form); }
}

function downloadDispatch() {
  const form = $("#officer-form"); clearErrors(form);
  const data = new FormData(form);
  download("/reports/dispatch", { region: data.get("region"), as_of: data.get("as_of"), start: data.get("start"), format: "xlsx" },
    `调度表-${data.get("region")}-${data.get("start") || "年初"}至${data.get("as_of")}.xlsx`, form);
}

function downloadJiaxing() {
  const form = $("#officer-form"); clearErrors(form);
  const data = new FormData(form);
  if (!data.get("month")) { fieldError(form, "month", "请选择月份，如 2026-11"); return; }
  download("/reports/jiaxing-progress", { region: data.get("region"), month: data.get("month"), format: "xlsx" },
    `嘉兴进度表-${data.get("region")}-${data.get("month")}.xlsx`, form);
}

// --- 发放 -----------------------------------------------------------------------------------------
let run = null;

async function startRun(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  if (!data.get("month")) { fieldError(form, "month", "请选择发放月份，如 2026-11"); return; }
  const button = $("button[type=submit]", form);
  if (button.disabled) return;  // a double click must not run the month twice
  button.disabled = true;
  try {
    run = await api("POST", "/payment-runs", { body: { month: data.get("month"), region: data.get("region").trim() || null } });
    $("#run-summary").textContent = `发放批次 ${run.id}：${run.month}，按 ${run.as_of} 的台账计算；人员 ${run.persons}，新写明细 ${run.written}（更正 ${run.corrections}），未变 ${run.unchanged}。`;
    await loadLines();
  } catch (err) { showProblem(err, form); } finally { button.disabled = false; }
}

async function loadLines() {
  if (!run) return;
  try {
    const lines = await api("GET", `/payment-runs/${run.id}/lines`, { params: { status: $("#line-status").value, limit: 200, purpose: purpose("补贴审核") } });
    $("#lines tbody").replaceChildren(...lines.map((l) => h("tr", { "data-line": l.id },
      h("td", {}, l.status === "pending" ? h("input", { type: "checkbox", value: l.id, "aria-label": `选择明细 ${l.id}` }) : ""),
      h("td", {}, String(l.id)),
      h("td", {}, `${l.scheme_name}（${l.legal_basis}）`),
      h("td", {}, `${l.payee_name}（${l.payee_kind_label}）`),
      h("td", {}, `${Number(l.payable)} 元`),
      h("td", {}, l.status_label + (l.decision_reason ? `：${l.decision_reason}` : "")),
      h("td", {}, l.signals.length ? h("ul", { class: "signals" }, l.signals.map((s) => h("li", {}, h("strong", {}, s.title), `：${s.explanation}`))) : "无"))));
    $("#lines-caption").textContent = `${run.month} 批次 ${run.id} 的明细（${lines.length} 条${$("#line-status").selectedOptions[0].textContent}）`;
    $("#decide-form").hidden = !lines.some((l) => l.status === "pending");
    $("#download-run").hidden = false;
  } catch (err) { showProblem(err); }
}

async function decide(approve) {
  const form = $("#decide-form"); clearErrors(form);
  const ids = $$("#lines tbody input:checked").map((c) => Number(c.value));
  const reason = $("#decide-reason").value.trim();
  if (!ids.length) { fieldError(form, "line_ids", "请先勾选要审批的明细（可点“全选待审批”）"); return; }
  if (!reason) { fieldError(form, "reason", approve ? "请填写核准理由，如“经核实材料齐全”" : "请填写驳回理由，如“劳动合同未满6个月”"); $("#decide-reason").focus(); return; }
  try {
    const done = await api("POST", "/claim-lines/decision", { body: { line_ids: ids, approve, reason } });
    await loadLines();
    banner(`已${approve ? "核准" : "驳回"} ${done.decided} 条明细`, true);
  } catch (err) { showProblem(err, form); }
}

// The officer's jurisdiction as a list to pick from: the whole of it first, then each county in it
// by name (an officer never types a code); filled again when another officer logs in.
async function jurisdiction(select) {
  const mine = state.me.region || "";
  if (select.dataset.for === mine) return;
  select.dataset.for = mine;
  select.replaceChildren(h("option", { value: mine }, mine ? `全辖区（${state.me.region_name || mine}）` : "全部地区"));
  if (!mine || mine.length === 6) return;
  try {
    const counties = await api("GET", "/regions", { params: { within: mine } });
    select.append(...counties.map((c) => h("option", { value: c.code }, c.full_name)));
  } catch (err) { showProblem(err); }
}

export function init() {
  $("#officer-form").addEventListener("submit", dutyLists);
  $("#download-dispatch").addEventListener("click", downloadDispatch);
  $("#download-jiaxing").addEventListener("click", downloadJiaxing);
  $("#run-form").addEventListener("submit", startRun);
  $("#line-status").addEventListener("change", loadLines);
  $("#select-pending").addEventListener("click", () => $$("#lines tbody input[type=checkbox]").forEach((c) => (c.checked = true)));
  $("#approve-lines").addEventListener("click", () => decide(true));
  $("#reject-lines").addEventListener("click", () => decide(false));
  $("#download-run").addEventListener("click", () => download(`/payment-runs/${run.id}/export.xlsx`, {}, `发放清单-${run.month}-批次${run.id}.xlsx`));
  onShow.officer = () => {
    jurisdiction($("#o-region")); $("#o-as-of").value ||= today(); $("#o-month").value ||= today().slice(0, 7);
  };
  onShow.payments = () => { jurisdiction($("#run-region")); $("#run-month").value ||= today().slice(0, 7); };
}
