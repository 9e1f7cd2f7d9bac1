"""The privacy/abuse issue's input-limit findings (issue 17), each reproduced and now refused:
spreadsheet amplification, formula injection in what the service writes, lax booleans in JSON
bodies, implausible body dates, and control characters in paths."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from api.app import create_app
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.models import ConsentRecord, Person, Placement
from ledger.spreadsheet import Limits, TableError, read_table
from tests.conftest import bearer
from tests.integration.test_api_claims import POOR
from tests.integration.test_import import GOOD_PERSONS, PERSON_HEADER

MB = 1024 * 1024


@pytest.fixture
def api(migrated_url, sessions):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield {
            "url": migrated_url,
            "sessions": sessions,
            "client": client,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
        }


def chinese_problem(r, *statuses: int) -> dict:
    assert r.status_code in statuses, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"] + body["detail"]), body
    return body


def _upload(api, name: str, content: bytes, kind: str = "persons"):
    return api["client"].post(
        f"/imports/{kind}", headers=api["counter"], files={"file": (name, content, "application/octet-stream")}
    )


def _count(api, model) -> int:
    with api["sessions"]() as s:
        return s.scalar(select(func.count()).select_from(model))


# ----- spreadsheet amplification


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def shared_string_bomb() -> bytes:
    """A real workbook whose sharedStrings.xml is rewritten to hold one 100 MB string: about 100 KB
    packed (deflate packs a run a thousandfold)."""
    plain = zipfile.ZipFile(io.BytesIO(_xlsx([PERSON_HEADER, ["x"] * len(PERSON_HEADER)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in plain.infolist():
            if part.filename != "xl/sharedStrings.xml":
                bomb.writestr(part, plain.read(part))
        with bomb.open("xl/sharedStrings.xml", "w") as f:
            f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            f.write(b"<si><t>")
            chunk = b"A" * MB
            for _ in range(100):
                f.write(chunk)
            f.write(b"</t></si></sst>")
    data = out.getvalue()
    assert len(data) < 200 * 1024, len(data)
    return data


def test_xlsx_shared_string_amplification_is_refused_small(api, shared_string_bomb):
    r = _upload(api, "登记表.xlsx", shared_string_bomb)
    body = chinese_problem(r, 413, 422)
    assert "共享字符串" in body["detail"] and "MB" in body["detail"], body
    assert len(r.content) < 2_000  # the 100 MB string is never echoed
    # Memory, not wall time, shows the 100 MB string was never built (a timing bound flakes under load).
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        chinese_problem(_upload(api, "登记表.xlsx", shared_string_bomb), 413, 422)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - before < 50 * MB, (peak - before) / MB
    assert _count(api, Person) == 0


def test_xlsx_parts_past_their_declared_limits_are_refused_before_parsing(tmp_path):
    wb = _xlsx([PERSON_HEADER, GOOD_PERSONS[0]])
    # A part that packs a thousandfold, though small enough: refused by its compression ratio.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(wb)) as plain, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for part in plain.infolist():
            packed.writestr(part, plain.read(part))
        packed.writestr("xl/media/blank.bin", b"\0" * (2 * MB))
    with pytest.raises(TableError, match="压缩比超过 100 倍"):
        read_table(out.getvalue(), "表.xlsx")
    with pytest.raises(TableError, match="解压后超过 4 KB 的上限"):
        read_table(wb, "表.xlsx", Limits(unpacked=4096))
    with pytest.raises(TableError, match="工作表解压后超过 1 KB 的上限"):
        read_table(wb, "表.xlsx", Limits(sheet=1024))
    assert len(read_table(wb, "表.xlsx")) == 1  # the same workbook within the limits reads


def test_a_million_row_csv_is_refused_by_the_row_limit_without_building_the_rows(api):
    content = ",".join(PERSON_HEADER).encode() + b"\n" + b"1,2,3,4,5\n" * 1_000_000
    assert len(content) > 7 * 1_000_000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        r = _upload(api, "登记表.csv", content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    body = chinese_problem(r, 413, 422)
    assert "50000 行的上限" in body["detail"], body
    # A million parsed rows would take hundreds of MB; the body's own copies take tens.
    assert peak - before < 80 * MB, (peak - before) / MB


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_columns_and_cell_length_are_bounded_in_csv_and_xlsx(suffix):
    def table(rows) -> bytes:
        if suffix == ".xlsx":
            return _xlsx(rows)
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode()

    header = ["姓名", "公民身份号码"]
    with pytest.raises(TableError, match="超过 10 行的上限"):
        read_table(table([header] + [["王", str(n)] for n in range(20)]), "t" + suffix, Limits(rows=10))
    with pytest.raises(TableError, match="第2行超过 5 列的上限"):
        read_table(table([header, ["x"] * 6]), "t" + suffix, Limits(columns=5))
    long = "长" * 2_001
    with pytest.raises(TableError, match="第3行第2列的内容超过 2000 个字的上限") as refused:
        read_table(table([header, ["王", "1"], ["李", long]]), "t" + suffix)
    assert long not in str(refused.value)
    # The csv module's own field cap (128 KB) answers the same message, not its English one.
    if suffix == ".csv":
        with pytest.raises(TableError, match="内容超过 2000 个字的上限"):
            read_table(table([header, ["王", "长" * 200_000]]), "t.csv")
    assert len(read_table(table([header, ["王", "1"], ["", ""], ["李", "2"]]), "t" + suffix)) == 2


def test_an_over_long_cell_through_the_api_is_422_with_a_short_body(api):
    out = io.StringIO()
    csv.writer(out).writerows([PERSON_HEADER, ["长" * 100_000] + GOOD_PERSONS[0][1:]])
    r = _upload(api, "登记表.csv", out.getvalue().encode())
    body = chinese_problem(r, 413, 422)
    assert "2000 个字的上限" in body["detail"] and len(r.content) < 2_000


# ----- formula injection: stored as typed, exported as text

FORMULAS = ['=HYPERLINK("http://evil.example","点此")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_text_cells_beginning_like_a_formula_are_exported_as_text_never_as_formulas(sessions):
    from ledger.imports import ImportReport, Rejection
    from ledger.reports.export import import_report_csv, import_report_xlsx

    with sessions.begin() as s:  # stored as typed: the ledger keeps what the clerk entered
        person = intake.add_person(s, {**POOR, "name": "=HYPERLINK(1)"})
    with sessions() as s:
        assert s.get(Person, person.id).name == "=HYPERLINK(1)"
    report = ImportReport("persons", total=6, rejected=[Rejection(n, text, text) for n, text in enumerate(FORMULAS, 2)])
    ws = load_workbook(io.BytesIO(import_report_xlsx(report))).active
    written = [t for t in FORMULAS if "\r" not in t]  # XML reads a CR back as a line feed
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in written}
    assert set(cells) == set(written) and set(cells.values()) == {"s"}, cells
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    rows = list(csv.reader(io.StringIO(import_report_csv(report), newline="")))[1:]
    assert [r[1] for r in rows] == ["'" + text for text in FORMULAS]  # the apostrophe: shown as text
    assert rows[0][0] == "2"  # numbers stay numbers


# ----- strict booleans in JSON bodies


@pytest.mark.parametrize("lax", ["false", "1", 0, 1])
def test_lax_json_booleans_are_refused_naming_the_field(api, lax):
    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id
    consents = _count(api, ConsentRecord)
    body = chinese_problem(
        c.post(
            f"/persons/{person_id}/consents",
            json={"scope": "show_to_employers", "granted": lax},
            params={"purpose": "窗口求职登记"},
            headers=api["counter"],
        ),
        400,
    )
    assert body["errors"] == [{"field": "granted", "message": "应为 true 或 false"}]
    placement = {"person_id": person_id, "kind": "flexible", "start_date": str(clock.today()), "full_time": lax}
    body = chinese_problem(c.post("/placements", json=placement, headers=api["counter"]), 400)
    assert body["errors"] == [{"field": "full_time", "message": "应为 true 或 false"}]
    assert _count(api, ConsentRecord) == consents and _count(api, Placement) == 0
    # a real boolean still passes
    placement["full_time"] = False
    assert c.post("/placements", json=placement, headers=api["counter"]).status_code == 201


# ----- fields a body does not name, query parameters given twice


def test_a_misspelt_body_field_is_refused_naming_it_not_dropped(api):
    """``full_tme`` for ``full_time``: dropped silently, the placement would have been part-time."""
    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id
    placement = {"person_id": person_id, "kind": "flexible", "start_date": str(clock.today()), "full_tme": True}
    body = chinese_problem(c.post("/placements", json=placement, headers=api["counter"]), 400)
    assert body["errors"] == [{"field": "full_tme", "message": "没有字段 full_tme：请检查拼写（各字段见 /schema）"}]
    consent = {"scope": "show_to_employers", "granted": True, "note": "x"}
    url = f"/persons/{person_id}/consents"
    body = chinese_problem(c.post(url, json=consent, params={"purpose": "窗口求职登记"}, headers=api["counter"]), 400)
    assert body["errors"][0]["field"] == "note"
    assert _count(api, Placement) == 0 and _count(api, ConsentRecord) == 0
    # In a list body, the row is named too (the parser's own answer named only "data").
    row = {"id_number": POOR["id_number"], "month": "2026-11", "payer": "employer", "insurance": "pension"}
    rows = [{**row, "amount": "620.16", "source": "导出"}] * 2
    answer = c.post("/contributions", json=[*rows, {**rows[0], "payr": "x"}], headers=api["officer"])
    assert chinese_problem(answer, 400)["errors"][0]["field"] == "[2].payr"
    answer = c.post("/contributions", json=[*rows, {**rows[0], "source": 5}], headers=api["officer"])
    assert chinese_problem(answer, 400)["errors"] == [{"field": "[2].source", "message": "应为文字"}]
    # The OpenAPI document says so, for every request body.
    schemas = c.get("/schema/openapi.json").json()["components"]["schemas"]
    assert schemas["PlacementIn"]["additionalProperties"] is False
    assert schemas["PushIn"]["additionalProperties"] is False


def test_every_request_body_refuses_unnamed_fields_nested_ones_too(api):
    """Each route's body type, and every Struct inside it, is an ``api.schemas.Input``."""
    import msgspec
    from litestar.enums import RequestEncodingType

    from api.schemas import Input

    def structs(t, seen):
        info = msgspec.inspect.type_info(t) if not isinstance(t, msgspec.inspect.Type) else t
        if isinstance(info, msgspec.inspect.StructType):
            if info.cls in seen:
                return
            seen.add(info.cls)
            for f in info.fields:
                structs(f.type, seen)
        for inner in ("item_type", "value_type", "types"):
            child = getattr(info, inner, None)
            for c in child if isinstance(child, tuple) else ([child] if child is not None else []):
                structs(c, seen)

    bodies: set[type] = set()
    for route in api["client"].app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            multipart = getattr(data and data.kwarg_definition, "media_type", None) == RequestEncodingType.MULTI_PART
            if data is not None and data.annotation is not bytes and not multipart:  # a file upload is a form
                structs(data.annotation, bodies)
    assert len(bodies) >= 30
    assert [b.__name__ for b in bodies if not issubclass(b, Input)] == []


def test_a_json_key_given_twice_is_refused_not_read_as_the_last(api):
    """``{"granted": true, "granted": false}``: a parser keeps the last, and withdrew a consent a
    log or a reviewer read as given."""
    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id
    url = f"/persons/{person_id}/consents"
    twice = b'{"scope": "job_push", "granted": true, "granted": false}'
    headers = {**api["counter"], "Content-Type": "application/json"}
    body = chinese_problem(c.post(url, content=twice, params={"purpose": "窗口求职登记"}, headers=headers), 400)
    assert body["errors"] == [{"field": "granted", "message": "只能填写一次"}]
    nested = b'{"name": "x", "consents": {"job_push": true, "job_push": false}}'
    body = chinese_problem(c.post("/persons", content=nested, headers=headers), 400)
    assert body["errors"] == [{"field": "job_push", "message": "只能填写一次"}]
    assert _count(api, ConsentRecord) == 0


def test_a_query_parameter_given_twice_where_one_is_taken_is_refused(api):
    """Litestar keeps the last value: ``purpose`` twice would log one purpose while the address showed two."""
    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id
    twice = [("purpose", "窗口求职登记"), ("purpose", "认定审核")]
    body = chinese_problem(c.get(f"/persons/{person_id}", params=twice, headers=api["counter"]), 400)
    assert body["errors"] == [{"field": "purpose", "message": "只能填写一次"}]
    body = chinese_problem(
        c.get("/search/postings", params=[("q", "保洁"), ("q", "保安")], headers=api["counter"]), 400
    )
    assert body["errors"] == [{"field": "q", "message": "只能填写一次"}]
    from ledger.models import AuditEntry

    assert _count(api, AuditEntry) == 0
    # A parameter that takes several values still does.
    many = [("purpose", "窗口求职登记"), ("kind", "love"), ("kind", "gig")]
    assert c.get(f"/persons/{person_id}/matches", params=many, headers=api["counter"]).status_code != 400


# ----- control characters in paths


@pytest.mark.parametrize(
    "path", ["/ui/%00", "/ui/app%00.js", "/schema-assets/%00x", "/ui/a%01b", "/persons/%00", "/x%7f"]
)
def test_nul_and_control_characters_in_paths_answer_400_without_a_token(api, path):
    body = chinese_problem(api["client"].get(path), 400)
    assert "控制字符" in body["detail"] and "\x00" not in body["instance"]


# ----- plausible body dates


def test_a_placement_starts_from_2000_to_a_year_from_today(api, monkeypatch):
    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id

    def place(start, headers=None, **more):
        body = {"person_id": person_id, "kind": "flexible", "start_date": start, **more}
        return c.post("/placements", json=body, headers=headers or api["counter"])

    today = clock.today()
    for start in ("1900-01-01", "1999-12-31", "9999-12-31", str(today.replace(year=today.year + 1) + timedelta(1))):
        body = chinese_problem(place(start), 422)
        assert [e["field"] for e in body["errors"]] == ["start_date"] and "开始日期" in body["errors"][0]["message"]
    assert _count(api, Placement) == 0
    # The bounds move with jiuyuan.clock: on 2020-06-01 a start on 2021-06-01 is the latest.
    monkeypatch.setattr(clock, "today", lambda: date(2020, 6, 1))
    chinese_problem(place("2021-06-02"), 422)
    assert place("2021-06-01").status_code == 201


def test_only_an_officer_gives_a_reason_for_a_backdated_placement_and_it_is_audited(api):
    from ledger.models import AuditEntry

    c = api["client"]
    with api["sessions"].begin() as s:
        person_id = intake.add_person(s, POOR).id
    body = {"person_id": person_id, "kind": "flexible", "start_date": "2019-03-01"}
    reason = "2019年纸质台账补录，经科室负责人核对"
    counter = chinese_problem(
        c.post("/placements", json={**body, "backdate_reason": reason}, headers=api["counter"]), 422
    )
    assert counter["errors"][0]["field"] == "backdate_reason"
    recent = {**body, "start_date": str(clock.today()), "backdate_reason": reason}
    needless = chinese_problem(c.post("/placements", json=recent, headers=api["officer"]), 422)
    assert needless["errors"][0]["field"] == "backdate_reason"
    assert _count(api, Placement) == 0
    done = c.post("/placements", json={**body, "backdate_reason": reason}, headers=api["officer"])
    assert done.status_code == 201, done.text
    with api["sessions"]() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "placement_backdate")).one()
        assert (entry.subject_person_id, entry.purpose, entry.actor_role) == (person_id, reason, "officer")


def test_a_posting_whose_validity_ended_and_implausible_person_dates_are_refused(sessions):
    from jiuyuan.errors import InvalidInput

    today = clock.today()
    posting = {
        "ref": "GIG-1",
        "title": "保洁员",
        "kind": "ordinary",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "150",
        "region_code": "430121",
        "valid_from": str(today - timedelta(days=30)),
        "valid_until": str(today - timedelta(days=1)),
    }
    with pytest.raises(InvalidInput) as ended:
        intake.clean_posting(posting, today)  # as add_posting checks a new posting
    assert [(e.field, "有效期已过" in e.message) for e in ended.value.errors] == [("valid_until", True)]
    assert intake.clean_posting({**posting, "valid_until": str(today)}, today)["valid_until"] == today
    with pytest.raises(InvalidInput, match="有效期已过"), sessions.begin() as s:
        intake.add_posting(s, posting)  # every new posting, from the API or an import
    for key, day in (
        ("registered_unemployed_since", str(today + timedelta(days=1))),
        ("registered_unemployed_since", "1990-01-01"),  # before POOR was born
        ("poverty_registered_from", "1900-01-01"),
    ):
        with pytest.raises(InvalidInput) as refused:
            intake.clean_person({**POOR, key: day})
        assert [e.field for e in refused.value.errors] == [key], refused.value.errors


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"name": "a', "不是有效的 JSON"),
        (b'{"latitude": NaN}', "不是有效的 JSON"),
        (b"\xff\xfe", "不是有效的 JSON"),
        (b'{"a": 1e999}', "数字超出可处理的范围"),
    ],
    ids=["truncated", "nan", "not-utf8", "out-of-range"],
)
def test_a_body_that_is_no_json_is_answered_in_chinese_not_the_parsers_english(api, body, said):
    headers = api["counter"] | {"Content-Type": "application/json"}
    problem = chinese_problem(api["client"].post("/persons", content=body, headers=headers), 400)
    assert said in problem["detail"] and not re.search("[A-Za-z]{5,}", problem["detail"].replace("JSON", ""))


def test_a_method_a_route_does_not_take_is_answered_in_chinese_with_allow(api):
    r = api["client"].put("/persons", headers=api["counter"])
    problem = chinese_problem(r, 405)
    assert "Allow" in problem["detail"] and "POST" in r.headers["allow"]
