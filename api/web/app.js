// 就援 counter page: a thin client of the JSON API. Every rule — roles, jurisdiction, masking,
// the audit log — is the API's; the page only asks and shows. The token lives in this tab's
// sessionStorage (gone when the tab closes) and is sent as a bearer header, never as a cookie.

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const state = { me: null, person: null, record: null, matches: [], purposes: [] };

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
  if (!(err instanceof Problem)) { banner(`连接服务失败（${err.message}）：请检查网络后重试，仍不行请联系管理员。`); return; }
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

// --- 接待: a walk-in found (ID number, name or phone) or registered, edited, searched for in
// their own words, a post pushed only after a confirmation, then a slip --------------------------
const SCHEDULES = { daily: "日结", hourly: "小时工", part_time: "非全日制", full_time: "全日制" };
const looksLikePhone = (v) => /^1\d{10}$/.test(v.replace(/[\s-]/g, ""));
const words = (v) => (v || "").split(/[,，、\s]+/).map((w) => w.trim()).filter(Boolean);
const slipPicks = new Set();

function lookupError(value) {
  const v = value.trim();
  if (!v || !/^\d/.test(v) || looksLikePhone(v)) return "";
  return idNumberError(v);
}

async function findPerson(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const value = $("#id-number").value.trim();
  const slot = $('[data-error-for="id_number"]', form);
  $("#person-list").replaceChildren(); $("#register-form").hidden = true;
  if (!value) { slot.textContent = "请输入身份证号码、姓名或手机号"; $("#id-number").focus(); return; }
  try {
    if (looksLikePhone(value)) {
      const page = await api("POST", "/persons/by-phone", { body: { phone: value, purpose: purpose("窗口求职登记") } });
      return showPicks(page.items, "该手机号未登记：请核对号码，或点“登记新人员”");
    }
    if (/^\d/.test(value)) {
      const problem = idNumberError(value.toUpperCase());
      if (problem) { slot.textContent = problem; $("#id-number").focus(); return; }
      try {
        const card = await api("POST", "/persons/lookup", { body: { id_number: value.toUpperCase(), purpose: purpose("窗口求职登记") } });
        return pick(card);
      } catch (err) {
        if (err instanceof Problem && err.body.status === 404) {
          slot.textContent = "未找到该人员，或不在本窗口管辖范围内：请在下面登记";
          return openRegister(value.toUpperCase());
        }
        throw err;
      }
    }
    const page = await api("GET", "/persons", { params: { q: value, limit: 20, purpose: purpose("窗口求职登记") } });
    showPicks(page.items, "没有找到这个姓名：请换用身份证号码查找，或点“登记新人员”");
  } catch (err) { showProblem(err, form); }
}

function showPicks(cards, none) {
  if (!cards.length) { $('[data-error-for="id_number"]').textContent = none; return; }
  $("#person-list").replaceChildren(...cards.map((c) => h("li", {},
    h("button", { type: "button", class: "secondary", on: { click: () => pick(c) } },
      `${c.masked_name}　${c.masked_id_number}　${c.sex === "M" ? "男" : "女"}　${c.age_band}　${c.residence_region_name}`))));
  $("#person-list button").focus();
}

function openRegister(idNumber = "") {
  const form = $("#register-form"); clearErrors(form); form.reset();
  form.hidden = false; $("#person-card").hidden = true; $("#wishes-form").hidden = true;
  $("#r-id").value = idNumber;
  $("#r-residence").value = (state.me.region || "").length === 6 ? state.me.region : "";
  (idNumber ? $("#r-name") : $("#r-id")).focus();
}

async function register(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  const idNumber = data.get("id_number").trim().toUpperCase();
  const problem = idNumberError(idNumber);
  if (problem) { $('[data-error-for="id_number"]', form).textContent = problem; $("#r-id").focus(); return; }
  const residence = data.get("residence_region_code").trim();
  const body = {
    id_number: idNumber, name: data.get("name").trim(), urban_rural: data.get("urban_rural"),
    // The hukou county is the ID number's, unless that code is no longer in use: then the residence.
    hukou_region_code: idNumber.slice(0, 6), residence_region_code: residence || null,
    phone: data.get("phone").trim() || null, wished_work: words(data.get("wished_work")), skills: words(data.get("skills")),
    wished_schedules: data.getAll("wished_schedules"),
    consents: { data_processing: !!data.get("data_processing"), show_to_employers: !!data.get("show_to_employers"), job_push: !!data.get("job_push") },
  };
  if (!body.name) { $('[data-error-for="name"]', form).textContent = "请填写姓名"; $("#r-name").focus(); return; }
  try {
    let person;
    try { person = await api("POST", "/persons", { body }); } catch (err) {
      const hukou = err instanceof Problem && (err.body.errors || []).some((e) => e.field === "hukou_region_code");
      if (!hukou || !residence) throw err;
      person = await api("POST", "/persons", { body: { ...body, hukou_region_code: residence } });
    }
    form.hidden = true;
    banner(`已登记：${person.name}`, true);
    const card = await api("POST", "/persons/lookup", { body: { id_number: person.id_number, purpose: purpose("窗口求职登记") } });
    pick(card, person);
  } catch (err) { showProblem(err, form); }
}

async function pick(card, full = null) {
  state.person = card; state.record = full;
  $("#person-list").replaceChildren(); $("#register-form").hidden = true; $("#edit-form").hidden = true;
  const edit = h("button", { type: "button", class: "secondary", on: { click: openEdit } }, "修改登记信息");
  $("#person-card").replaceChildren(h("strong", {}, card.masked_name),
    ` ${card.masked_id_number}　${card.sex === "M" ? "男" : "女"}　${card.age_band}　${card.residence_region_name}`, " ", edit);
  $("#person-card").hidden = false; $("#wishes-form").hidden = false;
  $("#matches").replaceChildren(); $("#notes").replaceChildren(); $("#results-heading").hidden = true;
  slipPicks.clear(); updateSlipBar();
  $("#wished").focus();
}

async function openEdit() {
  const form = $("#edit-form"); clearErrors(form);
  try {
    const p = await api("GET", `/persons/${state.person.id}`, { params: { purpose: purpose("窗口求职登记") } });
    $("#e-phone").value = p.phone || ""; $("#e-residence").value = p.residence_region_code;
    $("#e-wished").value = p.wished_work.join("、"); $("#e-skills").value = p.skills.join("、");
    $$('input[name="wished_schedules"]', form).forEach((c) => (c.checked = p.wished_schedules.includes(c.value)));
    form.hidden = false; $("#e-phone").focus();
  } catch (err) { showProblem(err, form); }
}

async function saveEdit(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  const body = { residence_region_code: data.get("residence_region_code").trim(), wished_work: words(data.get("wished_work")),
    skills: words(data.get("skills")), wished_schedules: data.getAll("wished_schedules") };
  if (data.get("phone").trim()) body.phone = data.get("phone").trim();
  try {
    await api("PATCH", `/persons/${state.person.id}`, { body });
    form.hidden = true; banner("已保存登记信息", true); $("#wished").focus();
  } catch (err) { showProblem(err, form); }
}

async function findPosts(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  const params = {
    purpose: purpose("岗位推荐"), wished: data.get("wished").trim(), schedule: data.getAll("schedule"),
    max_km: data.get("max_km"), wage_floor: data.get("wage_floor"), kind: data.get("kind"),
    love_only: data.get("love_only") ? "true" : "",
  };
  try {
    const page = await api("GET", `/persons/${state.person.id}/matches`, { params });
    state.matches = page.matches;
    $("#notes").replaceChildren(...page.notes.map((n) => h("li", {}, n)));
    $("#matches").replaceChildren(...page.matches.map(matchCard));
    if (!page.matches.length) $("#notes").append(h("li", {}, "没有符合条件的岗位：请换个说法，或在“更多条件”里放宽要求"));
    // Focus goes to the heading, never to a push button: a stray Enter pushes nothing.
    const heading = $("#results-heading"); heading.hidden = false;
    heading.textContent = `推荐岗位（${page.matches.length}个）`; heading.focus();
  } catch (err) { showProblem(err, form); }
}

function wage(post) {
  const n = (v) => String(Number(v));
  return `${n(post.wage_min)}${post.wage_max !== post.wage_min ? `–${n(post.wage_max)}` : ""} ${post.wage_unit_label}`;
}

function confirmPush(post) {
  const dialog = $("#confirm-push");
  $("#confirm-text").textContent = `确认把“${post.title}”（${post.employer_name || "用人单位"}）推送给 ${state.person.masked_name}？推送会记入服务台账。`;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "push"), { once: true });
    dialog.returnValue = ""; dialog.showModal(); $("#confirm-cancel").focus();
  });
}

function matchCard(m) {
  const post = m.posting;
  const push = h("button", { type: "button", class: "secondary", disabled: m.already_pushed }, m.already_pushed ? "已推送" : "推送给此人…");
  push.addEventListener("click", async () => {
    if (!(await confirmPush(post))) { banner("已取消推送"); push.focus(); return; }
    try {
      await api("POST", "/pushes", { body: { person_id: state.person.id, posting_id: post.id, channel: "counter", features: m.features } });
      push.textContent = "已推送"; push.disabled = true; banner(`已推送：${post.title}`, true);
      slipPicks.add(post.id); updateSlipBar(); card.querySelector("input").checked = true;
      $("#slip-selected").focus();
    } catch (err) { showProblem(err); }
  });
  const choose = h("input", { type: "checkbox", id: `pick-${post.id}`, on: { change: (e) => {
    if (e.target.checked) slipPicks.add(post.id); else slipPicks.delete(post.id);
    updateSlipBar();
  } } });
  const card = h("li", { "data-posting": post.id },
    h("h3", {}, post.title, " ", h("small", {}, post.kind_label)),
    h("p", { class: "meta" }, [post.employer_name, post.region_name, post.schedule_label, wage(post)].filter(Boolean).join("｜")),
    h("ul", { class: "reasons" }, m.reasons.map((r) => h("li", {}, r))),
    h("p", { class: "actions" }, push,
      h("label", { class: "pick" }, choose, "选入岗位单"),
      h("button", { type: "button", class: "secondary", on: { click: () => showSlip([post.id]) } }, "打印岗位单")));
  return card;
}

function updateSlipBar() {
  $("#slip-count").textContent = slipPicks.size; $("#slip-bar").hidden = !slipPicks.size;
}

async function showSlip(ids) {
  try {
    const slip = await api("GET", "/slips", { params: { posting: ids } });
    const p = state.person;
    const posts = slip.posts.map((post) => h("article", { class: "slip-post" },
      h("h3", {}, post.title, " ", h("small", {}, post.kind)),
      h("img", { src: post.qr_svg, alt: `二维码：岗位编号 ${post.ref}，${slip.market_name}电话 ${slip.market_phone}`, class: "qr" }),
      h("dl", {}, [["用人单位", post.employer], ["工资", post.pay], ["工作时间", post.hours], ["工作地点", post.place],
        ["联系电话", post.contact], ["有效期至", post.valid_until], ["岗位编号", post.ref],
        ...(post.description ? [["工作内容", post.description]] : [])].map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))));
    $("#slip").replaceChildren(
      h("h2", {}, `${slip.market_name} 岗位单`),
      h("p", { class: "meta" }, `窗口电话：${slip.market_phone}　打印日期：${slip.printed_on}${p ? `　求职者：${p.masked_name}（${p.age_band}）` : ""}`),
      ...posts);
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
    $('[data-error-for="id_number"]').textContent = lookupError(e.target.value);
  });
  $("#person-form").addEventListener("submit", findPerson);
  $("#show-register").addEventListener("click", () => openRegister());
  $("#register-form").addEventListener("submit", register);
  $("#edit-form").addEventListener("submit", saveEdit);
  $$("[data-close]").forEach((b) => b.addEventListener("click", () => { $(`#${b.dataset.close}`).hidden = true; $("#id-number").focus(); }));
  $("#slip-selected").addEventListener("click", () => showSlip([...slipPicks]));
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
