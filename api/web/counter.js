// 接待: a walk-in found (ID number, name or phone) or registered, edited, searched for in their own
// words, a post pushed only after a confirmation, then a slip; employers' invitations passed on.
import {
  $, $$, api, banner, clearErrors, fieldError, go, h, Problem, purpose, regionPicker, resolveRegion, setRegion, showProblem, state, wage, words,
} from "./core.js";
import { showPerson } from "./officer.js";

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

const looksLikePhone = (v) => /^1\d{10}$/.test(v.replace(/[\s-]/g, ""));
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

const cardLine = (c) => `${c.masked_name}　${c.masked_id_number}　${c.sex === "M" ? "男" : "女"}　${c.age_band}　${c.residence_region_name}`;

function showPicks(cards, none) {
  if (!cards.length) { $('[data-error-for="id_number"]').textContent = none; return; }
  $("#person-list").replaceChildren(...cards.map((c) => h("li", {},
    h("button", { type: "button", class: "secondary", on: { click: () => pick(c) } }, cardLine(c)))));
  $("#person-list button").focus();
}

function openRegister(idNumber = "") {
  const form = $("#register-form"); clearErrors(form); form.reset();
  form.hidden = false; $("#person-card").hidden = true; $("#wishes-form").hidden = true;
  $("#r-id").value = idNumber;
  setRegion($("#r-residence-q"), $("#r-residence"), (state.me.region || "").length === 6 ? state.me.region : "");
  (idNumber ? $("#r-name") : $("#r-id")).focus();
}

async function register(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  const idNumber = data.get("id_number").trim().toUpperCase();
  const problem = idNumberError(idNumber);
  if (problem) { $('[data-error-for="id_number"]', form).textContent = problem; $("#r-id").focus(); return; }
  // The residence county by name (or none: the address or the hukou county gives it, as the API reads them).
  const typed = $("#r-residence-q").value.trim();
  const residence = typed ? await resolveRegion($("#r-residence-q"), $("#r-residence"), form, "residence_region_code") : "";
  if (residence === null) return;
  const body = {
    id_number: idNumber, name: data.get("name").trim(), urban_rural: data.get("urban_rural"),
    // The hukou county is the ID number's, unless that code is no longer in use: then the residence.
    hukou_region_code: idNumber.slice(0, 6), residence_region_code: residence || null, address: data.get("address").trim() || null,
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
    form.hidden = true; $$('#person-form .error').forEach((e) => (e.textContent = ""));
    banner(`已登记：${person.name}`, true);
    const card = await api("POST", "/persons/lookup", { body: { id_number: person.id_number, purpose: purpose("窗口求职登记") } });
    pick(card);
  } catch (err) { showProblem(err, form); }
}

export function pick(card) {
  if ($('[data-view="posts"]').hidden) go("posts");
  state.person = card;
  $("#person-list").replaceChildren(); $("#register-form").hidden = true; $("#edit-form").hidden = true;
  const edit = h("button", { type: "button", class: "secondary", on: { click: openEdit } }, "修改登记信息");
  const officer = ["officer", "admin"].includes(state.me.role)
    ? h("button", { type: "button", class: "secondary", on: { click: () => showPerson(card.id) } }, "认定与分级") : null;
  $("#person-card").replaceChildren(h("strong", {}, card.masked_name),
    ` ${card.masked_id_number}　${card.sex === "M" ? "男" : "女"}　${card.age_band}　${card.residence_region_name}`, " ", edit, ...(officer ? [" ", officer] : []));
  $("#person-card").hidden = false; $("#wishes-form").hidden = false;
  $("#matches").replaceChildren(); $("#notes").replaceChildren(); $("#results-heading").hidden = true;
  slipPicks.clear(); updateSlipBar();
  $("#wished").focus();
}

const CONSENTS = ["data_processing", "show_to_employers", "job_push"];

// Each scope's latest record decides (the API keeps every grant and withdrawal).
function consentsNow(p) {
  const latest = {};
  for (const c of p.consents) if (!latest[c.scope] || c.recorded_at >= latest[c.scope].recorded_at) latest[c.scope] = c;
  return Object.fromEntries(CONSENTS.map((scope) => [scope, !!(latest[scope] && latest[scope].granted)]));
}

async function openEdit() {
  const form = $("#edit-form"); clearErrors(form);
  try {
    const p = await api("GET", `/persons/${state.person.id}`, { params: { purpose: purpose("窗口求职登记") } });
    $("#e-phone").value = p.phone || ""; $("#e-address").value = p.address || "";
    showLocation(p);
    await setRegion($("#e-residence-q"), $("#e-residence"), p.residence_region_code);
    $("#e-wished").value = p.wished_work.join("、"); $("#e-skills").value = p.skills.join("、");
    $$('input[name="wished_schedules"]', form).forEach((c) => (c.checked = p.wished_schedules.includes(c.value)));
    const granted = consentsNow(p);
    for (const scope of CONSENTS) $(`input[name="${scope}"]`, form).checked = granted[scope];
    state.record = p; form.hidden = false; $("#e-phone").focus();
  } catch (err) { showProblem(err, form); }
}

// Where distances are measured from, and how exact it is ("按区县中心估算" until a clerk enters a point).
function showLocation(p) {
  const loc = p.location;
  $("#e-location").textContent = loc
    ? `当前位置：${loc.precision_label}（纬度 ${loc.latitude.toFixed(4)}，经度 ${loc.longitude.toFixed(4)}）${loc.precision === "entered" ? "" : "；如已核实，可在下面填写更正的经纬度"}`
    : "当前位置：未知（无法估算）；如已核实，可在下面填写经纬度";
  $("#e-lat").value = p.latitude ?? ""; $("#e-lon").value = p.longitude ?? "";
}

// The point as entered, when it differs from the record's (both emptied: cleared); a number field holding no number is an error beside it.
function pointChange(form) {
  const changed = {}; let bad = false;
  for (const [field, input, label] of [["latitude", $("#e-lat"), "纬度"], ["longitude", $("#e-lon"), "经度"]]) {
    if (input.validity.badInput) { fieldError(form, field, `${label}应为数字，如 28.25；不清楚请留空（按区县中心估算）`); bad = true; continue; }
    const raw = input.value.trim(), before = state.record ? state.record[field] : null;
    if (raw !== "" && Number(raw) !== before) changed[field] = Number(raw);
  }
  if (bad) return null;
  const emptied = $("#e-lat").value.trim() === "" && $("#e-lon").value.trim() === "";
  if (emptied && state.record && state.record.latitude != null) return { latitude: null, longitude: null };  // back to the county centre
  if (Object.keys(changed).length) {  // both go together: the API checks the pair against the county
    for (const [field, input] of [["latitude", $("#e-lat")], ["longitude", $("#e-lon")]]) {
      if (!(field in changed) && input.value.trim() !== "") changed[field] = Number(input.value.trim());
    }
  }
  return changed;
}

async function saveEdit(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  if ((await resolveRegion($("#e-residence-q"), $("#e-residence"), form, "residence_region_code", $("#e-address"))) === null) return;
  const point = pointChange(form);
  if (point === null) return;
  const data = new FormData(form);
  const body = { ...point, residence_region_code: data.get("residence_region_code").trim(), wished_work: words(data.get("wished_work")),
    skills: words(data.get("skills")), wished_schedules: data.getAll("wished_schedules") };
  if (data.get("phone").trim()) body.phone = data.get("phone").trim();
  if (!body.residence_region_code) delete body.residence_region_code;
  // A new address naming another county moves the residence there (the API reads it), unless the code changed too.
  if (data.get("address").trim() !== (state.record && state.record.address || "")) {
    body.address = data.get("address").trim() || null;
    if (body.residence_region_code === (state.record && state.record.residence_region_code)) delete body.residence_region_code;
  }
  try {
    await api("PATCH", `/persons/${state.person.id}`, { body });
    const before = consentsNow(state.record);
    for (const scope of CONSENTS) {  // a changed consent is a new grant or withdrawal, recorded as such
      const now = $(`input[name="${scope}"]`, form).checked;
      if (now !== before[scope]) await api("POST", `/persons/${state.person.id}/consents`, { body: { scope, granted: now } });
    }
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
    $("#notes").replaceChildren(...page.notes.map((n) => h("li", {}, n)));
    $("#matches").replaceChildren(...page.matches.map(matchCard));
    if (!page.matches.length) $("#notes").append(h("li", {}, "没有符合条件的岗位：请换个说法，或在“更多条件”里放宽要求"));
    // Focus goes to the heading, never to a push button: a stray Enter pushes nothing.
    const heading = $("#results-heading"); heading.hidden = false;
    heading.textContent = `推荐岗位（${page.matches.length}个）`; heading.focus();
  } catch (err) { showProblem(err, form); }
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

// --- employers' invitations, passed on by the counter (each person listed is an audited read) ---
async function loadInvitations() {
  if (!$("#invites").open) return;
  try {
    const items = await api("GET", "/invitations", { params: { purpose: purpose("就业服务跟踪"), limit: 50 } });
    $("#invite-list").replaceChildren(...(items.length ? items.map((i) => h("li", {},
      h("p", {}, `${i.at.slice(0, 10)}　${i.employer_name}《${i.posting_title || "岗位"}》邀约 ${i.person.masked_name}（${i.person.age_band}）`,
        i.note ? `：${i.note}` : ""),
      h("button", { type: "button", class: "secondary", on: { click: () => pick(i.person) } }, `接待 ${i.person.masked_name}`)))
      : [h("li", {}, "暂无用人单位邀约")]));
  } catch (err) { showProblem(err); }
}

export function init() {
  $("#id-number").addEventListener("input", (e) => {
    $('[data-error-for="id_number"]').textContent = lookupError(e.target.value);
  });
  $("#person-form").addEventListener("submit", findPerson);
  $("#show-register").addEventListener("click", () => openRegister());
  $("#register-form").addEventListener("submit", register);
  // Enter in a field moves to the next one: only the 登记 button saves, after the consents are read.
  $("#register-form").addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || ["BUTTON", "TEXTAREA"].includes(e.target.tagName)) return;
    e.preventDefault();
    const fields = $$("input:not([type=hidden]), select, button", e.currentTarget).filter((f) => f.offsetParent !== null && !f.disabled);
    const next = fields[fields.indexOf(e.target) + 1];
    if (next) next.focus();
  });
  $("#edit-form").addEventListener("submit", saveEdit);
  $$("[data-close]").forEach((b) => b.addEventListener("click", () => { $(`#${b.dataset.close}`).hidden = true; $("#id-number").focus(); }));
  $("#slip-selected").addEventListener("click", () => showSlip([...slipPicks]));
  $("#wishes-form").addEventListener("submit", findPosts);
  $("#print-slip").addEventListener("click", () => window.print());
  $("#invites").addEventListener("toggle", loadInvitations);
  regionPicker($("#r-residence-q"), $("#r-residence"));
  regionPicker($("#e-residence-q"), $("#e-residence"));
}
