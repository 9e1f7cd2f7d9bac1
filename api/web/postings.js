// 登记岗位 and 找人: a posting with a county picker (names, not codes), the employer picked by USCC
// or name (staff), and the fields the matcher uses; then masked candidates for a posting, with what
// hiring each would unlock, and an invitation that reaches the person through the counter.
import {
  $, api, banner, clearErrors, fieldError, h, onShow, purpose, regionPicker, resolveRegion, setRegion, showProblem, state, today, wage, words,
} from "./core.js";

// --- 登记岗位 ---------------------------------------------------------------------------------------
export function setPostingDefaults() {
  const schedule = $("#p-schedule").value;
  $("#p-unit").value = { daily: "day", hourly: "hour" }[schedule] || "month";
  const from = new Date(); const until = new Date(); until.setDate(from.getDate() + (["daily", "hourly"].includes(schedule) ? 7 : 30));
  $("#p-from").value = from.toISOString().slice(0, 10); $("#p-until").value = until.toISOString().slice(0, 10);
}

// 爱心岗位 sets no age or skill limits (000 §2): the fields say so instead of being sent.
function loveKind() {
  const love = $("#p-kind").value === "love";
  for (const id of ["#p-age-min", "#p-age-max", "#p-skills"]) { $(id).disabled = love; if (love) $(id).value = ""; }
  $("#p-love-note").hidden = !love;
}

let employerTimer;
function searchEmployers() {
  clearTimeout(employerTimer);
  employerTimer = setTimeout(() => findEmployers($("#p-employer-q").value.trim()), 250);
}

async function findEmployers(q) {
  const select = $("#p-employer");
  if (!q) { select.replaceChildren(h("option", { value: "" }, "先在上面输入代码或名称")); return []; }
  const params = /^[0-9A-Za-z]{18}$/.test(q) ? { uscc: q } : { q };
  try {
    const page = await api("GET", "/employers", { params: { ...params, limit: 20 } });
    select.replaceChildren(...(page.items.length
      ? page.items.map((e) => h("option", { value: e.id }, `${e.name}（${e.uscc}，${e.region_name}）`))
      : [h("option", { value: "" }, "没有找到：请换个关键词，或点“登记新单位”")]));
    return page.items;
  } catch (err) { showProblem(err, $("#posting-form")); return []; }
}

export function chooseEmployer(employer) {
  $("#p-employer-q").value = employer.name;
  $("#p-employer").replaceChildren(h("option", { value: employer.id }, `${employer.name}（${employer.uscc}，${employer.region_name}）`));
}

function number(value) { return value === "" || value === null ? undefined : Number(value); }

async function createPosting(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form); $("#posting-done").textContent = "";
  const data = new FormData(form);
  try {
    const region = await resolveRegion($("#p-region-q"), $("#p-region"), form, "region_code", $("#p-address"));
    const staff = state.me.role !== "employer";
    if (staff && !$("#p-employer").value && $("#p-employer-q").value.trim()) await findEmployers($("#p-employer-q").value.trim());
    if (staff && !$("#p-employer").value) fieldError(form, "employer_id", "请按统一社会信用代码或名称查找并选择用人单位；未登记的单位请先点“登记新单位”");
    if (region === null || (staff && !$("#p-employer").value)) { banner("有字段需要补充，见各字段下方的提示。"); return; }
    const body = {
      title: data.get("title").trim(), kind: data.get("kind"), schedule: data.get("schedule"), wage_unit: data.get("wage_unit"),
      wage_min: data.get("wage_min").trim(), wage_max: data.get("wage_max").trim() || undefined, region_code: region || undefined,
      valid_from: data.get("valid_from"), valid_until: data.get("valid_until"), address: data.get("address").trim() || undefined,
      contact_phone: data.get("contact_phone").trim() || undefined, description: data.get("description").trim(),
      age_min: number(data.get("age_min") ?? ""), age_max: number(data.get("age_max") ?? ""),
      skills_required: words(data.get("skills_required") || ""), headcount: number(data.get("headcount")) || 1,
      disabled_suitable: !!data.get("disabled_suitable"),
    };
    if (staff) body.employer_id = Number($("#p-employer").value);
    const post = await api("POST", "/postings", { body });
    $("#posting-done").textContent = `已登记：${post.title}（编号${post.id}，${post.region_name}），下次同步索引后可被检索。`;
    banner(`已登记岗位 ${post.title}`, true);
  } catch (err) { showProblem(err, form); }
}

// --- 找人 -------------------------------------------------------------------------------------------
async function loadPostings() {
  const select = $("#posting-select");
  const params = { limit: 100 };
  if (state.me.role !== "employer") { params.valid_on = today(); if (state.me.region) params.region = state.me.region; }
  try {
    const page = await api("GET", "/postings", { params });
    select.replaceChildren(...page.items.map((p) => h("option", { value: p.id }, `${p.title}｜${p.region_name}｜${wage(p)}（编号${p.id}）`)));
  } catch (err) { showProblem(err); }
}

function inviteButton(postingId, c) {
  const button = h("button", { type: "button", class: "secondary" }, "邀约面试");
  button.addEventListener("click", async () => {
    try {
      await api("POST", `/postings/${postingId}/invitations`, { body: { person_ref: c.person_ref } });
      button.textContent = "已邀约（窗口会转达）"; button.disabled = true;
      banner(`已邀约 ${c.masked_name}：零工市场窗口会转达给本人，您看不到其身份信息。`, true);
    } catch (err) {
      if (err.body && err.body.status === 409) { button.textContent = "已邀约"; button.disabled = true; }
      showProblem(err);
    }
  });
  return button;
}

async function findPeople(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const id = $("#posting-select").value;
  if (!id) { fieldError(form, "posting", "请先选择岗位；还没有岗位请先在“登记岗位”中登记"); return; }
  try {
    const page = await api("GET", `/postings/${id}/candidates`, { params: { k: 10, purpose: purpose("用人单位招聘") } });
    const employer = state.me.role === "employer";
    $("#candidates").replaceChildren(...page.candidates.map((c) => h("li", {},
      h("h3", {}, c.masked_name, " ", h("small", {}, c.age_band)),
      h("p", { class: "meta" }, `技能：${c.skills.join("、") || "无"}｜意向：${c.wished_work.join("、") || "未填"}｜${c.distance_band || "距离未知"}`),
      h("p", {}, "录用后可申请："),
      h("ul", {}, c.subsidies.length ? c.subsidies.map((s) => h("li", {}, `${s.name}：${s.amount ? `${s.amount} 元` : "金额由地方规定"}`,
        s.to_meet.length ? `（尚需：${s.to_meet.join("；")}）` : "")) : h("li", {}, "暂无可申请的补贴")),
      employer ? h("p", { class: "actions" }, inviteButton(id, c)) : null)));
    if (!page.candidates.length) banner("暂无同意向用人单位展示的候选人：可放宽年龄、技能条件后再看。");
  } catch (err) { showProblem(err, form); }
}

export function init() {
  regionPicker($("#p-region-q"), $("#p-region"));
  $("#p-schedule").addEventListener("change", setPostingDefaults);
  $("#p-kind").addEventListener("change", loveKind);
  $("#p-employer-q").addEventListener("input", searchEmployers);
  $("#posting-form").addEventListener("submit", createPosting);
  $("#posting-pick").addEventListener("submit", findPeople);
  onShow.people = loadPostings;
  onShow["new-posting"] = () => {
    if (!$("#p-region").value && (state.me.region || "").length === 6) setRegion($("#p-region-q"), $("#p-region"), state.me.region);
  };
  setPostingDefaults();
}
