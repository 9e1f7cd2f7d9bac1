// 单位: counter staff and officers find an employer by USCC or name, or register one (USCC checked
// by the API; one already registered is named); an employer registers its own company (its key's
// USCC) and then reads and changes its profile.
import { $, api, banner, clearErrors, fieldError, go, h, onShow, Problem, regionPicker, resolveRegion, setRegion, showProblem, state, unregisteredEmployer } from "./core.js";
import { chooseEmployer } from "./postings.js";

const line = (e) => `${e.name}（${e.uscc}）　${e.region_name}${e.address ? `　${e.address}` : ""}${e.contact_phone ? `　电话 ${e.contact_phone}` : ""}`;

function listed(employers) {
  $("#employer-list").replaceChildren(...employers.map((e) => h("li", {},
    h("p", {}, line(e)),
    h("button", { type: "button", class: "secondary", on: { click: () => { chooseEmployer(e); go("new-posting"); } } }, "为此单位登记岗位"))));
}

async function find(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const q = $("#emp-q").value.trim();
  if (!q) { $('[data-error-for="q"]', form).textContent = "请输入统一社会信用代码或单位名称的一部分"; return; }
  try {
    const page = await api("GET", "/employers", { params: /^[0-9A-Za-z]{18}$/.test(q) ? { uscc: q } : { q } });
    listed(page.items);
    if (!page.items.length) $('[data-error-for="q"]', form).textContent = "没有找到这家单位：请核对代码或换个关键词，未登记的单位请在下面登记";
  } catch (err) { showProblem(err, form); }
}

// Whether a company is a small or micro enterprise and its insured headcount are facts subsidies
// rest on: staff record them from the registers; an employer's form does not offer them.
function verifiedFacts(form, data) {
  const headcount = data.get("insured_headcount").trim();
  if (headcount && !/^[0-9]{1,8}$/.test(headcount)) {
    fieldError(form, "insured_headcount", "参保人数请填整数，如 12；未核实请留空");
    return null;
  }
  return { small_micro: $("#emp-small-micro").checked, insured_headcount: headcount ? Number(headcount) : null };
}

async function save(event) {
  event.preventDefault();
  const form = event.target; clearErrors(form);
  const data = new FormData(form);
  try {
    const region = await resolveRegion($("#emp-region-q"), $("#emp-region"), form, "region_code", $("#emp-address"));
    if (region === null) return;
    const body = { name: data.get("name").trim(), region_code: region || null,
      address: data.get("address").trim() || null, contact_phone: data.get("contact_phone").trim() || null };
    if (unregisteredEmployer()) {
      const e = await api("POST", "/employers", { body: { ...body, uscc: state.me.employer_uscc } }).catch(async (err) => {
        // registered meanwhile (by the counter, say): the key acts for it now, the page too
        if (err instanceof Problem && err.body.status === 409) { await state.onRegistered(); shown(); }
        throw err;
      });
      await state.onRegistered();
      go("new-posting");
      banner(`已登记本单位：${e.name}（${e.uscc}）。现在可以登记岗位，再在“找人”中查看候选人。`, true);
      return;
    }
    if (state.me.role === "employer") {
      const e = await api("PATCH", `/employers/${state.me.employer_id}`, { body });
      banner(`已保存本单位信息：${e.name}`, true);
      return showProfile(e);
    }
    const facts = verifiedFacts(form, data);
    if (facts === null) return;
    const e = await api("POST", "/employers", { body: { ...body, ...facts, uscc: data.get("uscc").trim().toUpperCase() } });
    banner(`已登记用人单位：${e.name}（${e.uscc}）`, true);
    listed([e]); form.reset(); $("#emp-region").value = "";
    $("#employer-list button").focus();
  } catch (err) { showProblem(err, form); }
}

async function showProfile(e) {
  $("#emp-uscc").value = e.uscc; $("#emp-uscc").readOnly = true;
  $("#emp-name").value = e.name; $("#emp-address").value = e.address || ""; $("#emp-phone").value = e.contact_phone || "";
  await setRegion($("#emp-region-q"), $("#emp-region"), e.region_code);
}

async function shown() {
  const employer = state.me.role === "employer";
  const title = unregisteredEmployer() ? "登记本单位" : employer ? "本单位信息" : "登记用人单位";
  $("#employer-form-title").textContent = title;
  $("#employer-form button[type=submit]").textContent = unregisteredEmployer() ? "登记本单位" : employer ? "保存" : "登记";
  if (unregisteredEmployer()) {
    $("#emp-uscc").value = state.me.employer_uscc; $("#emp-uscc").readOnly = true;
    return;
  }
  if (!employer) {
    $("#emp-uscc").readOnly = false;
    if (!$("#emp-region").value && (state.me.region || "").length === 6) setRegion($("#emp-region-q"), $("#emp-region"), state.me.region);
    return;
  }
  try { await showProfile(await api("GET", `/employers/${state.me.employer_id}`)); } catch (err) { showProblem(err); }
}

export function init() {
  regionPicker($("#emp-region-q"), $("#emp-region"));
  $("#employer-find").addEventListener("submit", find);
  $("#employer-form").addEventListener("submit", save);
  onShow.employers = shown;
}
