"""Who may reach what (services.jurisdiction): one value object decides, for every route.

A person is within reach at the hukou or the residence county (002 §4); claims go by the hukou
county only; administrators reach everywhere, employers and agencies no region. And no other
module decides it: the route and service modules hold no region-prefix comparison of their own."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from jiuyuan.errors import Forbidden, InvalidInput
from jiuyuan.vocab import Role
from ledger.access import Principal
from services.jurisdiction import Jurisdiction, region_filter

ROOT = Path(__file__).resolve().parents[2]
CHANGSHA_COUNTY = Jurisdiction(Role.OFFICER, "430121")
CHANGSHA = Jurisdiction(Role.COUNTER, "4301")
ADMIN = Jurisdiction(Role.ADMIN)
AGENCY = Jurisdiction(Role.AGENCY, agency_id=7)
EMPLOYER = Jurisdiction(Role.EMPLOYER, employer_id=3)


def person(hukou: str, residence: str | None = None):
    return SimpleNamespace(hukou_region_code=hukou, residence_region_code=residence or hukou)


def test_it_is_built_from_the_principal():
    who = Principal("abc123def456", "长沙县人社局", Role.OFFICER, region_prefix="430121")
    assert Jurisdiction.of(who) == CHANGSHA_COUNTY
    assert Jurisdiction.of(CHANGSHA_COUNTY) is CHANGSHA_COUNTY
    agency = Principal("abc123def456", "某机构", Role.AGENCY, agency_id=7)
    assert Jurisdiction.of(agency) == AGENCY


def test_regions_under_the_prefix_are_covered_and_no_others():
    assert CHANGSHA_COUNTY.covers_region("430121")
    assert not CHANGSHA_COUNTY.covers_region("430102")
    assert CHANGSHA.covers_region("430102") and CHANGSHA.covers_region("4301")
    assert not CHANGSHA.covers_region("43")  # a wider area than the caller's is not within it
    assert not CHANGSHA.covers_region("440305") and not CHANGSHA.covers_region(None)
    assert not CHANGSHA.covers_region("")


def test_administrators_reach_everywhere_employers_and_agencies_no_region():
    assert ADMIN.everywhere and ADMIN.covers_region("650102") and ADMIN.covers(person("440305"))
    for caller in (AGENCY, EMPLOYER):
        assert not caller.everywhere
        assert not caller.covers_region("430121") and not caller.covers(person("430121"))
    officer_without_region = Jurisdiction(Role.OFFICER)  # the ledger refuses such a key; were it there
    assert not officer_without_region.covers_region("430121")


def test_002_s4_a_person_is_within_reach_at_the_hukou_or_the_residence_county():
    assert CHANGSHA_COUNTY.covers(person("430121"))
    assert CHANGSHA_COUNTY.covers(person("440305", residence="430121"))  # works here, hukou in Shenzhen
    assert CHANGSHA_COUNTY.covers(person("430121", residence="440305"))  # from here, lives in Shenzhen
    assert not CHANGSHA_COUNTY.covers(person("430102", residence="440305"))
    assert CHANGSHA_COUNTY.covers_places("440305", "430121")
    assert not CHANGSHA_COUNTY.covers_places("440305", None)


def test_own_organisations():
    assert AGENCY.is_agency(7) and not AGENCY.is_agency(8) and not AGENCY.is_agency(None)
    assert EMPLOYER.is_employer(3) and not EMPLOYER.is_employer(4)
    assert not CHANGSHA.is_agency(7) and not ADMIN.is_employer(3)


def test_a_region_filter_is_valid_and_within_reach():
    assert region_filter("430000") == "43" and region_filter("4301") == "4301"
    with pytest.raises(InvalidInput) as bad:
        region_filter("431", field="region")
    assert bad.value.errors[0].field == "region"
    assert CHANGSHA.narrow("430121") == "430121"
    with pytest.raises(Forbidden) as outside:
        CHANGSHA.narrow("43")
    assert "4301" in outside.value.detail
    with pytest.raises(InvalidInput):
        CHANGSHA.narrow("12345")  # 422 comes before 403
    assert ADMIN.narrow("44") == "44"


def test_the_callers_region_for_display():
    assert CHANGSHA.region == "4301" and CHANGSHA.region_name.endswith("长沙市")
    assert ADMIN.region is None and ADMIN.region_name is None


# -- one home -------------------------------------------------------------------------------------

# Every route, service and ledger module but Jurisdiction itself and the models (where the key's
# region_prefix column is defined) and migrations.
MODULES = sorted(
    str(path.relative_to(ROOT))
    for package in ("api", "services", "ledger", "matcher", "indexer")
    for path in (ROOT / package).rglob("*.py")
    if path.name != "jurisdiction.py"
    and not {"models", "migrations"} & set(path.parts)
    and path.relative_to(ROOT).as_posix() != "ledger/access.py"  # where a key's prefix becomes a Principal
)


@pytest.mark.parametrize("module", MODULES)
def test_no_module_but_jurisdiction_decides_reach(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert not re.search(r"\b(who|principal|user|caller|key|row)\.region_prefix", source), (
        "a caller's region prefix is Jurisdiction's business"
    )
    if module.startswith(("api/", "services/")):  # (the ledger's reports filter rows by the region asked for)
        assert not re.search(r"startswith\([^)]*prefix", source), "comparing a region with a prefix is Jurisdiction's"
    assert not re.search(r"\b(who|principal|user)\.covers\(", source), "ask a Jurisdiction, not the Principal"
    if module.startswith("api/"):
        assert not re.search(r"\bcovers(_\w+)?\(", source), "routes call services; services ask Jurisdiction"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith(("api/", "services/"))])
def test_no_route_or_service_commits(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert ".commit()" not in source and ".rollback()" not in source, "the request's unit of work commits"
