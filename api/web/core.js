// What every view shares: the API client, messages in Chinese beside their fields, the view
// switcher, and the county picker (names, never 6-digit codes). The token lives in this tab's
// sessionStorage and travels as a bearer header, never as a cookie.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
export const state = { me: null, person: null, purposes: [], onLogout: () => {}, onRegistered: async () => {} };
export const onShow = {};

export const words = (v) => (v || "").split(/[,，、\s]+/).map((w) => w.trim()).filter(Boolean);
export const today = () => new Date().toISOString().slice(0, 10);
export const yesNo = (v) => (v ? "是" : "否");
// An employer key issued before its company registered: it reaches only “单位” until it registers.
export const unregisteredEmployer = () => state.me.role === "employer" && state.me.employer_id == null;

// Every read of a person states its purpose, an entry of the office's vocabulary (GET /purposes).
// One the office removed is never swapped for another: the page says so, and the API refuses it.
export function purpose(entry) {
  if (!state.purposes.includes(entry)) banner(`查阅目的清单中没有“${entry}”，请联系管理员更新清单。`);
  return entry;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export class Problem extends Error {
  constructor(body) { super(body.detail || body.title); this.body = body; }
}

export async function api(method, path, { params, body } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    for (const item of [].concat(v)) if (item !== "" && item !== null && item !== undefined && item !== false) url.searchParams.append(k, item);
  }
  const headers = { Authorization: `Bearer ${sessionStorage.getItem("token") || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== "/me") { state.onLogout("登录已失效，请重新登录。"); throw new Problem({ detail: "登录已失效，请重新登录。" }); }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.blob();
  if (!res.ok) throw new Problem(type.includes("json") ? data : { detail: `请求失败（${res.status}）：请稍后重试，仍不行请联系管理员。` });
  return data;
}

// --- messages: a banner for the page, and each field's own error next to it -------------------
export function banner(text, ok = false) {
  const b = $("#banner");
  b.textContent = text || ""; b.hidden = !text; b.classList.toggle("ok", ok);
}
export function clearErrors(form) { $$(".error", form).forEach((e) => (e.textContent = "")); banner(""); }
export function fieldError(form, field, text) {
  const slot = $(`[data-error-for="${field}"]`, form);
  if (slot) slot.textContent = text; else banner(text);
}
export function showProblem(err, form) {
  if (!(err instanceof Problem)) { banner(`连接服务失败（${err.message}）：请检查网络后重试，仍不行请联系管理员。`); return; }
  const unplaced = [];
  for (const e of err.body.errors || []) {
    const slot = form && $(`[data-error-for="${e.field}"]`, form);
    if (slot) slot.textContent = e.message; else unplaced.push(e.row ? `第${e.row}行 ${e.field}：${e.message}` : e.message);
  }
  banner([err.body.detail, ...unplaced].filter(Boolean).join(" "));
}

export function go(view) {
  $$("[data-view]").forEach((s) => (s.hidden = s.dataset.view !== view));
  $$("nav button").forEach((b) => b.toggleAttribute("aria-current", b.dataset.go === view));
  banner("");
  if (onShow[view]) onShow[view]();
  const fields = `[data-view="${view}"] input:not([type=hidden]):not([readonly])`;
  const first = $(`${fields}, [data-view="${view}"] select, [data-view="${view}"] button`);
  const visible = first && first.offsetParent !== null ? first : $$(`${fields}, [data-view="${view}"] button`).find((e) => e.offsetParent !== null);
  if (visible) visible.focus();
}

export function wage(post) {
  const n = (v) => String(Number(v));
  return `${n(post.wage_min)}${post.wage_max !== post.wage_min ? `–${n(post.wage_max)}` : ""} ${post.wage_unit_label}`;
}

// --- counties by name: GET /regions?q= fills a datalist; a name typed without picking is resolved
// on submit (one county, or the one inside the user's own region), otherwise the field says which ---
const names = new Map();
export async function regionName(code) {
  if (!code) return "";
  if (!names.has(code)) names.set(code, api("GET", `/regions/${code}`).then((r) => r.full_name).catch(() => code));
  return names.get(code);
}

export function regionPicker(text, code) {
  const list = h("datalist", { id: `${text.id}-options` });
  text.setAttribute("list", list.id); text.after(list);
  const hits = new Map();
  let timer;
  text.addEventListener("input", () => {
    code.value = hits.get(text.value.trim()) || "";
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = text.value.trim();
      if (!q || code.value || /^\d+$/.test(q)) return;
      try {
        const found = await api("GET", "/regions", { params: { q, within: (state.me && state.me.region) || "", limit: 10 } });
        for (const r of found) hits.set(r.full_name, r.code);
        list.replaceChildren(...found.map((r) => h("option", { value: r.full_name })));
      } catch { /* the submit resolves it and says what is wrong */ }
    }, 200);
  });
}

export async function setRegion(text, code, value) {
  code.value = value || ""; text.value = value ? await regionName(value) : "";
}

// ``address``: an address field that may name the county instead (the API reads it): then an empty
// picker is no error, and "" is returned for the API to take the county from the address.
export async function resolveRegion(text, code, form, field = "region_code", address = null) {
  if (code.value) return code.value;
  const q = text.value.trim();
  if (!q && address && address.value.trim()) return "";
  if (!q) { fieldError(form, field, "请填写区县名称，如“长沙县”，并从列表中选择；或在地址中写明区县"); return null; }
  if (/^\d{6}$/.test(q)) { code.value = q; return q; }
  const within = (state.me && state.me.region) || "";
  const found = await api("GET", "/regions", { params: { q, within, limit: 10 } });
  const exact = found.filter((r) => r.name === q || r.full_name === q);
  const candidates = exact.length ? exact : found;
  const inside = within ? candidates.filter((r) => r.code.startsWith(within)) : [];
  const chosen = candidates.length === 1 ? candidates[0] : inside.length === 1 ? inside[0] : null;
  if (!chosen) {
    fieldError(form, field, found.length
      ? `有${found.length}个区县与“${q}”相符：请从列表中选择一个，如 ${found.slice(0, 3).map((r) => r.full_name).join("、")}`
      : `没有名为“${q}”的区县：请核对名称，如“长沙县”“芙蓉区”`);
    return null;
  }
  code.value = chosen.code; text.value = chosen.full_name;
  return chosen.code;
}
