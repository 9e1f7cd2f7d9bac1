// 本机构 (HR agencies): the persons who authorised this agency (masked), its placements of them,
// and its fee claims with their status. Nothing of a person without an active authorisation.
import { $, api, h, onShow, purpose, showProblem } from "./core.js";

// The schemes an agency may claim (POST /claims), by the names ledger.payments.NAMES gives them.
const SCHEMES = { agency_fee: "人力资源服务机构就业创业服务补贴", agency_service_jiaxing: "人力资源机构就业创业服务补助" };

async function load() {
  try {
    const [persons, claims] = await Promise.all([
      api("GET", "/agency/persons", { params: { purpose: purpose("就业安置登记"), limit: 100 } }),
      api("GET", "/claims", { params: { purpose: purpose("补贴申领"), limit: 50 } }),
    ]);
    $("#agency-persons").replaceChildren(...(persons.length ? persons.map((a) => h("li", {},
      h("h3", {}, a.person.masked_name, " ", h("small", {}, `${a.person.masked_id_number}　${a.person.age_band}　${a.person.residence_region_name}`)),
      h("p", { class: "meta" }, `委托期限：${a.valid_from} 至 ${a.valid_to}　用途：${a.purpose}`),
      h("ul", {}, a.placements.length
        ? a.placements.map((p) => h("li", {}, `${p.kind_label}，${p.start_date} 起${p.end_date ? `，${p.end_date} 止` : ""}（安置编号 ${p.id}）`))
        : h("li", {}, "本机构尚未为其登记安置")))) : [h("li", {}, "暂无有效委托：求职者须在零工市场窗口办理对本机构的服务委托")]));
    // The legal basis is the claimed decision's (GET /placements/{id}: the agency's own placement, an audited read).
    const placements = new Map();
    for (const id of new Set(claims.map((c) => c.placement_id))) {
      placements.set(id, await api("GET", `/placements/${id}`, { params: { purpose: purpose("补贴申领") } }));
    }
    const basis = (c) => {
      const ds = (placements.get(c.placement_id) || { decisions: [] }).decisions;
      const d = ds.find((x) => x.id === c.decision_id) || ds.find((x) => x.scheme === c.scheme);
      return `${SCHEMES[c.scheme] || c.scheme}${d ? `（${d.legal_basis}）` : ""}`;
    };
    $("#agency-claims tbody").replaceChildren(...(claims.length ? claims.map((c) => h("tr", { "data-claim": String(c.id) },
      ...[String(c.id), String(c.placement_id), `${c.claim_year}年`, `${Number(c.amount)} 元`, basis(c), c.status_label + (c.reason ? `：${c.reason}` : "")]
        .map((v) => h("td", {}, v)))) : [h("tr", {}, h("td", { colspan: "6" }, "本机构尚无申领：为委托人员登记安置后，可按补贴决定申领服务补贴"))]));
    $("#agency-claims caption").textContent = `本机构的申领（${claims.length} 件）`;
  } catch (err) { showProblem(err); }
}

export function init() { onShow.agency = load; }
