// 就援 counter page: a thin client of the JSON API. Every rule — roles, jurisdiction, masking,
// the audit log — is the API's; the page only asks and shows. One module per view (core.js the
// shared parts); this one logs in and out and wires them.
import { $, $$, api, banner, clearErrors, go, Problem, state, unregisteredEmployer } from "./core.js";
import * as agency from "./agency.js";
import * as counter from "./counter.js";
import * as employers from "./employers.js";
import * as officer from "./officer.js";
import * as postings from "./postings.js";

export { idNumberError } from "./counter.js";

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
  const { role_label, name, region_name } = state.me;
  $("#who").textContent = `${role_label}：${name}${region_name ? `（${region_name}）` : ""}`;
  const unregistered = showViews();
  $("#nav").hidden = false; $("#logout").hidden = false;
  postings.setPostingDefaults();
  showCalendarNotice();
  const first = $$("nav button").find((b) => !b.hidden);
  go(first ? first.dataset.go : "login");
  if (!first) banner("此角色暂无页面功能：请向管理员确认令牌的角色。");
  if (unregistered) banner(`贵单位（统一社会信用代码 ${state.me.employer_uscc}）尚未登记：请先登记本单位，再登记岗位、查看候选人。`);
}

function showViews() {
  const { role } = state.me;
  const unregistered = unregisteredEmployer();
  $$("[data-roles]").forEach((el) => (el.hidden = !allowedFor(role, el) || (unregistered && el.matches("nav button") && el.dataset.go !== "employers")));
  return unregistered;
}
state.onRegistered = async () => { state.me = await api("GET", "/me"); showViews(); };

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
state.onLogout = logout;

document.addEventListener("DOMContentLoaded", () => {
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault(); clearErrors(event.target);
    try { await login($("#token").value.trim()); $("#token").value = ""; }
    catch (err) { $('[data-error-for="token"]').textContent = err instanceof Problem ? err.body.detail : `${err.message}：请检查网络后重试`; }
  });
  $("#logout").addEventListener("click", () => logout());
  $$("[data-go]").forEach((b) => b.addEventListener("click", () => go(b.dataset.go)));
  for (const view of [counter, postings, employers, officer, agency]) view.init();
  const token = sessionStorage.getItem("token");
  if (token) login(token).catch(() => logout()); else go("login");
});
