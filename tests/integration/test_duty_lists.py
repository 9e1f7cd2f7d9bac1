"""The duty lists that follow a live recognition (issue 15): the monthly follow-up of every
recognised person (002 §1 末段), the exit procedure on every exit item (002 §5 末段) and the
persons who no longer meet the conditions (002 §5 首段). Each test lists one person and leaves
out one who was followed up, or still qualifies."""

from __future__ import annotations

import csv
import io
from datetime import date

import msgspec
from litestar.testing import TestClient
from sqlalchemy import select
from stdnum.cn import ric

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import AssistanceStatus, PlacementKind, RecognitionStatus, UrbanRural
from ledger.facts import cases_for
from ledger.models import (
    AuditEntry,
    Household,
    Person,
    Placement,
    PlacementConfirmation,
    Recognition,
    ServiceContact,
    TierAssignment,
)
from ledger.reports import duties, recognition_checks
from scoring import EMPTY_LOCAL, load_policies
from tests.conftest import bearer

AS_OF = date(2025, 10, 15)
COUNTY = "430121"
SELF_REPORT = "应主动到认定地社区（行政村）或通过官方网上平台自主申报退出"
OFFICE_EXIT = "以适当方式告知本人或进行公示公告后，在系统内予以退出"
_seq = iter(range(1, 999, 2))


def _person(s, name: str, born: date = date(1985, 3, 10), **over) -> Person:
    """A disabled man of 40 registered unemployed since 2025-01-06: on AS_OF he meets 002 §1(4)
    only (not (1): under 50; not (6): 9 months), unless the test changes that."""
    body = f"{COUNTY}{born:%Y%m%d}{next(_seq):03d}"
    fields = {
        "sex": "M",
        "birth_date": born,
        "hukou_region_code": COUNTY,
        "residence_region_code": COUNTY,
        "urban_rural": UrbanRural.URBAN,
        "registered_unemployed_since": date(2025, 1, 6),
        "disability_grade": 4,
        **over,
    }
    person = Person(id_number=body + ric.calc_check_digit(body + "0"), name=name, **fields)
    s.add(person)
    s.flush()
    return person


def _recognise(s, person: Person, on: date = date(2025, 8, 1), categories=(4,), exited_on=None) -> Recognition:
    r = Recognition(
        person_id=person.id,
        region_code=COUNTY,
        categories=list(categories),
        status=RecognitionStatus.EXITED if exited_on else RecognitionStatus.RECOGNISED,
        applied_on=on,
        recognised_on=on,
        exited_on=exited_on,
    )
    s.add(r)
    s.flush()
    return r


def _contact(s, person: Person, on: date) -> None:
    s.add(ServiceContact(person_id=person.id, contacted_on=on, channel="phone", staff="社区专干"))


def _listed(sessions, actor: str = "officer-1") -> dict[tuple[str, str], duties.DutyItem]:
    with sessions.begin() as s:
        items = duties.build(s, COUNTY, AS_OF, actor=actor)
    return {(i.list, i.masked_name): i for i in items}


def _audited(sessions, actor: str = "officer-1") -> set[int]:
    with sessions() as s:
        return set(s.scalars(select(AuditEntry.subject_person_id).where(AuditEntry.actor == actor)))


def test_002_s1_monthly_follow_up_lists_person_without_contact_this_month(sessions):
    with sessions.begin() as s:
        last_month = _person(s, "蒋一")
        _recognise(s, last_month)
        s.add(TierAssignment(person_id=last_month.id, tier=1, effective_from=date(2025, 8, 1), assigned_by="x"))
        _contact(s, last_month, date(2025, 9, 20))
        never = _person(s, "沈二")  # no tier: still followed up every month
        _recognise(s, never)
        later = _person(s, "韩三")
        _recognise(s, later)
        _contact(s, later, date(2025, 10, 20))  # after AS_OF: not yet done on AS_OF
        contacted = _person(s, "杨四")
        _recognise(s, contacted)
        s.add(TierAssignment(person_id=contacted.id, tier=2, effective_from=date(2025, 8, 1), assigned_by="x"))
        _contact(s, contacted, date(2025, 10, 3))
        confirmed = _person(s, "朱五")
        _recognise(s, confirmed)
        post = Placement(person_id=confirmed.id, kind=PlacementKind.FLEXIBLE, start_date=date(2025, 9, 1))
        s.add(post)
        s.flush()
        s.add(
            PlacementConfirmation(placement_id=post.id, confirmed_on=date(2025, 10, 8), in_post=True, recorded_by="x")
        )
        exited = _person(s, "秦六")
        _recognise(s, exited, exited_on=date(2025, 9, 30))
        tier3 = _person(s, "尤七")
        _recognise(s, tier3)
        s.add(TierAssignment(person_id=tier3.id, tier=3, effective_from=date(2025, 8, 1), assigned_by="x"))
        ids = {p.name: p.id for p in (last_month, never, later, contacted, confirmed, exited, tier3)}

    found = _listed(sessions)
    follow_up = {name for key, name in found if key == "follow_up"}
    assert follow_up == {"蒋*", "沈*", "韩*", "尤*"}
    assert found[("follow_up", "蒋*")].detail == "2025-10 尚未跟踪回访（服务联系或在岗核实），上次回访 2025-09-20"
    assert found[("follow_up", "沈*")].detail.endswith("从未回访")
    assert found[("follow_up", "韩*")].detail.endswith("从未回访")
    assert found[("follow_up", "蒋*")].clause == "002 §1 末段"
    assert ("tier3_contact", "尤*") in found  # every tier: tier 3 is on both lists
    # Followed up this month by a contact (杨, still short of tier-2 pushes) or an in-post
    # confirmation (朱), or exited (秦): not on the follow-up list; 朱 and 秦 on no list at all.
    assert ("tier2_pushes", "杨*") in found
    assert not {name for _, name in found} & {"朱*", "秦*"}
    assert _audited(sessions) == {i.person_id for i in found.values()}
    assert not _audited(sessions) & {ids["朱五"], ids["秦六"]}


def test_002_s5_exit_list_states_the_procedure(sessions):
    with sessions.begin() as s:
        retired = _person(s, "褚八", born=date(1960, 5, 5))  # past the statutory age: 002 §5(2)
        _recognise(s, retired, on=date(2019, 1, 1))
        young = _person(s, "卫九")
        _recognise(s, young)
        _contact(s, young, date(2025, 10, 2))

    found = _listed(sessions)
    item = found[("exit", "褚*")]
    assert item.clause == "002 §5(2)、§5 末段"
    assert "法定退休年龄" in item.detail
    assert SELF_REPORT in item.detail and OFFICE_EXIT in item.detail
    assert "002 §5 末段" in item.detail
    assert not [key for key in found if key[1] == "卫*"]
    # Past the working age is §5(2)'s, not repeated on the no-longer-meets list.
    assert ("no_longer_eligible", "褚*") not in found


def test_002_s5_no_longer_meets_conditions_list(sessions):
    with sessions.begin() as s:
        ended = Household(ref="H-1", region_code=COUNTY, urban_rural=UrbanRural.URBAN)  # dibao ended
        still = Household(
            ref="H-2", region_code=COUNTY, urban_rural=UrbanRural.URBAN, assistance=AssistanceStatus.DIBAO
        )
        s.add_all([ended, still])
        s.flush()
        off_dibao = _person(s, "孔十", household_id=ended.id, disability_grade=None)
        _recognise(s, off_dibao, categories=(3,))
        on_dibao = _person(s, "曹一", household_id=still.id, disability_grade=None)
        _recognise(s, on_dibao, categories=(3,))
        employed = _person(s, "严二", household_id=ended.id, disability_grade=None)
        _recognise(s, employed, categories=(3,))
        s.add(Placement(person_id=employed.id, kind=PlacementKind.EMPLOYER_ABSORPTION, start_date=date(2025, 9, 1)))
        deregistered = _person(s, "华三", registered_unemployed_since=None)
        _recognise(s, deregistered)
        for p in (off_dibao, on_dibao, employed, deregistered):
            _contact(s, p, date(2025, 10, 9))

    found = _listed(sessions)
    item = found[("no_longer_eligible", "孔*")]
    assert "002 §1(3) 享受城市居民最低生活保障的失业人员 现已不符合（家庭低保状况：无；家庭：城镇）" in item.detail
    assert "经核实后取消" in item.detail and OFFICE_EXIT in item.detail
    assert item.clause == "002 §5 首段、末段"
    assert "失业登记" in found[("no_longer_eligible", "华*")].detail
    # Still on dibao, or in post (an employed person leaves under 002 §5(5)(6)): not listed.
    assert ("no_longer_eligible", "曹*") not in found
    assert ("no_longer_eligible", "严*") not in found
    assert _audited(sessions) == {i.person_id for i in found.values()}


def test_002_s5_no_longer_willing_to_work_is_a_changed_condition(sessions):
    """Where the ledger records that the person has no wish to work (002 §1 有就业愿望), the list says so."""
    with sessions.begin() as s:
        person = _person(s, "金四")
        claimed = _recognise(s, person).categories
        case = cases_for(s, [person.id], AS_OF)[person.id]
    policies = load_policies()
    assert recognition_checks.no_longer_meets(case, claimed, AS_OF, policies, EMPTY_LOCAL) is None
    unwilling = msgspec.structs.replace(case, person=msgspec.structs.replace(case.person, willing_to_work=False))
    detail = recognition_checks.no_longer_meets(unwilling, claimed, AS_OF, policies, EMPTY_LOCAL)
    assert detail is not None and detail.startswith("不再有就业愿望（002 §1）") and "经核实后" in detail


def test_002_s1_s5_new_lists_in_the_api_and_csv(sessions):
    with sessions.begin() as s:
        _recognise(s, _person(s, "魏五"))
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url)))) as client:
        client.headers.update(bearer(url, "officer", "长沙经办", region="4301"))
        body = client.get(
            "/reports/duties", params={"region": COUNTY, "as_of": str(AS_OF), "purpose": "就业援助责任清单"}
        ).json()
        assert {"follow_up", "exit", "no_longer_eligible"} <= set(body["lists"])
        item = next(i for i in body["items"] if i["list"] == "follow_up")
        assert item["masked_name"] == "魏*" and item["list_label"] == duties.LISTS["follow_up"]
        text = client.get(
            "/reports/duties",
            params={"region": COUNTY, "as_of": str(AS_OF), "format": "csv", "purpose": "就业援助责任清单"},
        )
        rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
        assert [duties.LISTS["follow_up"], "魏*", "002 §1 末段"] == [rows[1][0], rows[1][2], rows[1][5]]
