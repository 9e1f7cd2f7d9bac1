// 就援 counter page: a thin client of the JSON API. Every rule — roles, jurisdiction, masking,
// the audit log — is the API's; the page only asks and shows. The token lives in this tab's
// sessionStorage (gone when the tab closes) and is sent as a bearer header, never as a cookie.

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const state = { me: null, person: null, matches: [], purposes: [] };

// Every read of a person states its purpose, an entry of the office's vocabulary (GET /purposes).
// One the office removed is never swapped for another (the audit log would say the wrong thing):
// the page says so, and the API refuses it.
function purpose(entry) {
  if (!state.purposes.includes(entry)) banner(`查阅目的清单中没有“${entry}”，请联系管理员更新清单。`);
  return entry;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) el.append(c);
  return el;
}

class Problem extends Error {
  constructor(body) { super(body.detail || body.title); this.body = body; }
}

async function api(method, path, { params, body } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    for (const item of [].concat(v)) if (item !== "" && item !== null && item !== undefined && item !== false) url.searchParams.append(k, item);
  }
  const headers = { Authorization: `Bearer ${sessionStorage.getItem("token") || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== "/me") { logout("登录已失效，请重新登录。"); throw new Problem({ detail: "登录已失效" }); }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.blob();
  if (!res.ok) throw new Problem(type.includes("json") ? data : { detail: `请求失败（${res.status}）` });
  return data;
}

// --- messages: a banner for the page, and each field's own error next to it -------------------
function banner(text, ok = false) {
  const b = $("#banner");
  b.textContent = text || ""; b.hidden = !text; b.classList.toggle("ok", ok);
}
function clearErrors(form) { $$(".error", form).forEach((e) => (e.textContent = "")); }
function showProblem(err, form) {
  if (!(err instanceof Problem)) { banner(`出错了：${err.message}`); return; }
  const unplaced = [];
  for (const e of err.body.errors || []) {
    const slot = form && $(`[data-error-for="${e.field}"]`, form);
    if (slot) slot.textContent = e.message; else unplaced.push(e.row ? `第${e.row}行 ${e.field}：${e.message}` : e.message);
  }
  banner([err.body.detail, ...unplaced].filter(Boolean).join(" "));
}

// --- resident ID number (GB 11643), checked as typed; the API checks it again in full ------------
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function idNumberError(value) {
  const v = value.trim().toUpperCase();
  if (!v) return "请输入身份证号码";
  if (!/^\d*X?$/.test(v) || (v.includes("X") && v.length !== 18)) return "身份证号码只能是数字，最后一位可以是X";
  if (v.length < 18) return `还差${18 - v.length}位`;
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(v[i]), 0);
  if ("10X98765432"[sum % 11] !== v[17]) return "校验位不正确，请核对号码";
  return "";
}

// --- views -------------------------------------------------------------------------------------
function go(view) {
  $$("[data-view]").forEach((s) => (s.hidden = s.dataset.view !== view));
  $$("nav button").forEach((b) => b.toggleAttribute("aria-current", b.dataset.go === view));
  if (view === "people") loadPostings();
  banner("");
  const first = $(`[data-view="${view}"] input, [data-view="${view}"] select, [data-view="${view}"] button`);
  if (first) first.focus();
}

function allowedFor(role, el) { return !el.dataset.roles || el.dataset.roles.split(" ").includes(role); }

async function login(token) {
  sessionStorage.setItem("token", token);
  try {
    state.me = await api("GET", "/me");
  } catch (err) {
    sessionStorage.removeItem("token");
    throw err;
  }
  state.purposes = (await api("GET", "/purposes")).purposes;
  const { role, role_label, name, region_name } = state.me;
  $("#who").textContent = `${role_label}：${name}${region_name ? `（${region_name}）` : ""}`;
  $$("[data-roles]").forEach((el) => (el.hidden = !allowedFor(role, el)));
  $("#nav").hidden = false; $("#logout").hidden = false;
  const today = new Date().toISOString().slice(0, 10);
  $("#o-region").value = state.me.region || ""; $("#o-as-of").value = today;
  $("#p-region").value = (state.me.region || "").length === 6 ? state.me.region : "";
  setPostingDefaults();
  showCalendarNotice();
  const first = $$("nav button").find((b) => !b.hidden);
  go(first ? first.dataset.go : "login");
  if (!first) banner("此角色没有可用的页面功能，请使用 API。");
}

// 002 §2 due dates past the loaded State Council holiday arrangement are provisional: say so.
async function showCalendarNotice() {
  const health = await api("GET", "/health");
  const notice = $("#calendar-notice");
  notice.textContent = health.calendar.warning ? `工作日日历：${health.calendar.warning}` : "";
  notice.hidden = !health.calendar.warning || !["counter", "officer", "admin"].includes(state.me.role);
}

function logout(message) {
  sessionStorage.removeItem("token");
  state.me = null;
  $("#nav").hidden = true; $("#logout").hidden = true; $("#who").textContent = "";
  go("login");
  if (message) banner(message);
}

// --- 找岗位: a registered person, their wishes, ranked posts, push, job slip -------------------
async function findPerson(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const id = $("#id-number").value.trim().toUpperCase();
  const problem = idNumberError(id);
  if (problem) { $('[data-error-for="id_number"]', form).textContent = problem; $("#id-number").focus(); return; }
  try {
    // A POST: the ID number travels in the body, never in a URL or an access log.
    let card;
    try { card = await api("POST", "/persons/lookup", { body: { id_number: id, purpose: purpose("岗位推荐") } }); } catch (err) {
      if (err instanceof Problem && err.body.status === 404) { $('[data-error-for="id_number"]', form).textContent = "未找到该人员，或不在本窗口管辖范围内，请先登记"; return; }
      throw err;
    }
    state.person = card;
    const p = state.person;
    $("#person-card").replaceChildren(h("strong", {}, p.masked_name), ` ${p.masked_id_number}　${p.sex === "M" ? "男" : "女"}　${p.age_band}`);
    $("#person-card").hidden = false; $("#wishes-form").hidden = false;
    $("#matches").replaceChildren(); $("#notes").replaceChildren();
    $("#wished").focus();
  } catch (err) { showProblem(err, form); }
}

async function findPosts(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  const params = {
    purpose: purpose("岗位推荐"), wished: data.get("wished"), schedule: data.getAll("schedule"),
    max_km: data.get("max_km"), wage_floor: data.get("wage_floor"), kind: data.get("kind"),
    love_only: data.get("love_only") ? "true" : "",
  };
  try {
    const page = await api("GET", `/persons/${state.person.id}/matches`, { params });
    state.matches = page.matches;
    $("#notes").replaceChildren(...page.notes.map((n) => h("li", {}, n)));
    $("#matches").replaceChildren(...page.matches.map(matchCard));
    if (!page.matches.length) $("#notes").append(h("li", {}, "没有符合条件的岗位，请放宽条件"));
    const first = $("#matches button"); if (first) first.focus();
  } catch (err) { showProblem(err, form); }
}

function wage(post) { return `${post.wage_min}${post.wage_max !== post.wage_min ? `–${post.wage_max}` : ""} ${post.wage_unit_label}`; }

function matchCard(m) {
  const post = m.posting;
  const push = h("button", { type: "button", disabled: m.already_pushed }, m.already_pushed ? "已推送" : "推送给此人");
  push.addEventListener("click", async () => {
    try {
      await api("POST", "/pushes", { body: { person_id: state.person.id, posting_id: post.id, channel: "counter", features: m.features } });
      push.textContent = "已推送"; push.disabled = true; banner(`已推送：${post.title}`, true);
    } catch (err) { showProblem(err); }
  });
  const slip = h("button", { type: "button", class: "secondary", on: { click: () => showSlip(post.id) } }, "打印岗位单");
  return h("li", { "data-posting": post.id },
    h("h3", {}, post.title, " ", h("small", {}, post.kind_label)),
    h("p", { class: "meta" }, `${post.employer_name}｜${post.region_name}｜${post.schedule_label}｜${wage(post)}`),
    h("ul", { class: "reasons" }, m.reasons.map((r) => h("li", {}, r))),
    h("p", { class: "meta" }, `匹配分 ${m.score.toFixed(2)}`),
    push, slip);
}

async function showSlip(postingId) {
  try {
    const post = await api("GET", `/postings/${postingId}`);
    const p = state.person;
    const rows = [["岗位", post.title], ["类型", post.kind_label], ["单位", post.employer_name || ""],
      ["工资", wage(post)], ["班次", post.schedule_label], ["地址", post.address || post.region_name],
      ["联系电话", post.contact_phone || "请向窗口咨询"], ["有效期至", post.valid_until],
      ["求职者", p ? `${p.masked_name}（${p.age_band}）` : ""], ["打印日期", new Date().toLocaleDateString("zh-CN")]];
    $("#slip").replaceChildren(h("h2", {}, "岗位单"), h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      post.description ? h("p", {}, post.description) : null);
    go("slip");
    $("#print-slip").focus();
  } catch (err) { showProblem(err); }
}

// --- 找人: masked candidates for a posting, with what hiring them would open -----------------
async function loadPostings() {
  const select = $("#posting-select");
  const params = { limit: 100 };
  if (state.me.role !== "employer") { params.valid_on = new Date().toISOString().slice(0, 10); if (state.me.region) params.region = state.me.region; }
  try {
    const page = await api("GET", "/postings", { params });
    select.replaceChildren(...page.items.map((p) => h("option", { value: p.id }, `${p.title}｜${p.region_name}｜${wage(p)}（编号${p.id}）`)));
  } catch (err) { showProblem(err); }
}

async function findPeople(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const id = $("#posting-select").value;
  if (!id) { $('[data-error-for="posting"]', form).textContent = "请先选择岗位"; return; }
  try {
    const page = await api("GET", `/postings/${id}/candidates`, { params: { k: 10, purpose: purpose("用人单位招聘") } });
    $("#candidates").replaceChildren(...page.candidates.map((c) => h("li", {},
      h("h3", {}, c.masked_name, " ", h("small", {}, c.age_band)),
      h("p", { class: "meta" }, `技能：${c.skills.join("、") || "无"}｜意向：${c.wished_work.join("、") || "未填"}｜${c.distance_band || "距离未知"}`),
      h("ul", {}, c.subsidies.length ? c.subsidies.map((s) => h("li", {}, `${s.name}：${s.amount ? `${s.amount} 元` : "金额由地方规定"}`,
        s.to_meet.length ? `（尚需：${s.to_meet.join("；")}）` : "")) : h("li", {}, "录用后暂无可申请的补贴"))
    )));
    if (!page.candidates.length) banner("暂无同意展示的候选人");
  } catch (err) { showProblem(err, form); }
}

// --- 登记岗位: quick entry, with defaults for day labour and hourly work ------------------------
function setPostingDefaults() {
  const schedule = $("#p-schedule").value;
  $("#p-unit").value = { daily: "day", hourly: "hour" }[schedule] || "month";
  const from = new Date(); const until = new Date(); until.setDate(from.getDate() + (["daily", "hourly"].includes(schedule) ? 7 : 30));
  $("#p-from").value = from.toISOString().slice(0, 10); $("#p-until").value = until.toISOString().slice(0, 10);
}

async function createPosting(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form); $("#posting-done").textContent = "";
  const body = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  if (body.employer_id) body.employer_id = Number(body.employer_id);
  try {
    const post = await api("POST", "/postings", { body });
    $("#posting-done").textContent = `已登记：${post.title}（编号${post.id}），下次同步索引后可被检索。`;
    banner(`已登记岗位 ${post.title}`, true);
  } catch (err) { showProblem(err, form); }
}

// --- 经办: duty lists and the dispatch table -----------------------------------------------------
async function dutyLists(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  try {
    const page = await api("GET", "/reports/duties", { params: { region: data.get("region"), as_of: data.get("as_of"), purpose: purpose("就业援助责任清单") } });
    $("#duties tbody").replaceChildren(...page.items.map((i) => h("tr", {},
      [i.list_label, i.masked_name, i.region, i.detail, i.clause].map((v) => h("td", {}, v)))));
    banner(`共 ${page.items.length} 项`, true);
  } catch (err) { showProblem(err, form); }
}

async function downloadDispatch() {
  const form = $("#officer-form"); clearErrors(form);
  const data = new FormData(form);
  try {
    const blob = await api("GET", "/reports/dispatch", { params: { region: data.get("region"), as_of: data.get("as_of"), format: "xlsx" } });
    const link = $("#dispatch-link");
    link.href = URL.createObjectURL(blob); link.download = `调度表-${data.get("region")}-${data.get("as_of")}.xlsx`;
    link.click();
  } catch (err) { showProblem(err, form); }
}

// --- wiring --------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault(); clearErrors(event.target);
    try { await login($("#token").value.trim()); $("#token").value = ""; }
    catch (err) { $('[data-error-for="token"]').textContent = err instanceof Problem ? err.body.detail : err.message; }
  });
  $("#logout").addEventListener("click", () => logout());
  $$("[data-go]").forEach((b) => b.addEventListener("click", () => go(b.dataset.go)));
  $("#id-number").addEventListener("input", (e) => {
    const v = e.target.value.trim();
    $('[data-error-for="id_number"]').textContent = v ? idNumberError(v) : "";
  });
  $("#person-form").addEventListener("submit", findPerson);
  $("#wishes-form").addEventListener("submit", findPosts);
  $("#print-slip").addEventListener("click", () => window.print());
  $("#posting-pick").addEventListener("submit", findPeople);
  $("#p-schedule").addEventListener("change", setPostingDefaults);
  $("#posting-form").addEventListener("submit", createPosting);
  $("#officer-form").addEventListener("submit", dutyLists);
  $("#download-dispatch").addEventListener("click", downloadDispatch);
  const token = sessionStorage.getItem("token");
  if (token) login(token).catch(() => logout()); else go("login");
});
