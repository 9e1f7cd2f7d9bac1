"""Import persons and postings from the tables offices keep: every row or none.

Columns carry the names offices use (公民身份号码, 岗位名称 …) or intake's field names. Cells
are brought to the form intake reads (labels to values, 2026/11/1 to 2026-11-01), then
intake's ``add_*`` validates and writes each row inside one savepoint. Every problem of
every row is reported by row number and column; if there is any, the savepoint is rolled
back and nothing is written. The caller owns the transaction and commits it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from jiuyuan import validation as v
from jiuyuan.errors import Duplicate, FieldError, InvalidInput
from jiuyuan.vocab import ConsentScope
from ledger import intake, intake_history
from ledger.import_columns import CONTRIBUTIONS, PERSONS, POSTINGS, Column, columns_markdown
from ledger.models import ConsentRecord, Contribution, Employer, Household, Person
from ledger.spreadsheet import NumberCell, Row, TableError, read_table

__all__ = [
    "ImportReport",
    "Rejection",
    "TableError",
    "Row",
    "columns_markdown",
    "import_contributions",
    "import_persons",
    "import_postings",
    "read_table",
]

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")  # how a CSV saved by Excel writes a long number
_NOUNS = {"persons": "人员", "postings": "岗位", "contributions": "社保缴费记录"}
_IGNORED = {"序号"}  # row counters offices add; nothing to import, nothing to warn about


@dataclass
class Rejection:
    row: int | None
    """The row number in the office's file (the header is row 1 of a plain table); None: the file as a whole."""
    column: str
    """The column as the file names it (its usual Chinese name when the file has no such column)."""
    message: str


@dataclass
class ImportReport:
    kind: str  # "persons", "postings" or "contributions"
    total: int  # data rows in the file
    imported: int = 0
    dry_run: bool = False
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    subjects: list[int] = field(default_factory=list)
    """The persons the imported rows are about (persons, contributions), for the caller's audit entries."""
    registered_elsewhere: list[int] = field(default_factory=list)
    """Persons already registered outside the caller's reach whose ID number a row repeated: the row
    is refused with ``NOT_REGISTRABLE`` and the caller audits the attempt on their trail."""

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})


@dataclass(frozen=True)
class _Spec:
    kind: str
    columns: tuple[Column, ...]
    key: str  # the natural key: twice in one file is refused
    add: Callable[[Session, Mapping[str, Any]], Any]
    # A column naming a row by its natural key, looked up to the id intake takes.
    lookup: tuple[str, Any, str, str] | None = None  # (field, key column, intake field, message)
    # A natural key made of several cells (reported on ``key``): "" when a part is missing or wrong.
    compound_key: Callable[[Mapping[str, Any]], str] | None = None
    # The key is unique only within the row the lookup names (a posting's ref within its employer).
    key_within_lookup: bool = False
    noun: str = ""  # what a row is, for the progress bar and the duplicate message
    first_row: int = 2  # the number of the first data row (a JSON batch counts from 1)


NOT_REGISTRABLE = "无法登记，请联系户籍地经办机构"
"""The answer to an ID number registered outside the caller's reach: the same as for any refused
row, so registering or checking is no oracle of who is registered where."""

Check = Callable[[Any], list[tuple[str, str]]]
"""Problems (field, message) the caller finds with a row once added, e.g. outside its jurisdiction."""


def import_persons(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    dry_run: bool = False,
    actor: str = "import",
    progress: bool = False,
    check: Check | None = None,
    reach: Callable[[Person], bool] | None = None,
) -> ImportReport:
    """Register every person of ``rows`` with the consents the file records, or none of them.
    ``reach`` says which registered persons the caller may be told of: a row repeating the ID
    number of another is refused with ``NOT_REGISTRABLE`` (see ``ImportReport.registered_elsewhere``)."""
    added: list[int] = []
    elsewhere: list[int] = []

    def add(session: Session, data: Mapping[str, Any]) -> Person:
        try:
            person = intake.add_person(session, data)
        except Duplicate:
            if reach is None:
                raise
            number = intake.clean_person(data)["id_number"]
            existing = session.scalar(select(Person).where(Person.id_number == number))
            if existing is None or reach(existing):
                raise Duplicate(
                    "id_number", f"该身份证号码已登记（人员编号 {existing.id if existing else '—'}）"
                ) from None
            elsewhere.append(existing.id)
            raise InvalidInput([FieldError("id_number", NOT_REGISTRABLE)]) from None
        added.append(person.id)
        return person

    def consents_and_derived(person: Person, extra: dict[str, Any]) -> list[tuple[str, str]]:
        problems = []
        if extra.get("sex") and extra["sex"] != person.sex:
            problems.append(("sex", f"性别与身份证号码不符（身份证号码为{'男' if person.sex == 'M' else '女'}性）"))
        if extra.get("birth_date") and extra["birth_date"] != person.birth_date:
            problems.append(("birth_date", f"出生日期与身份证号码不符（身份证号码为{person.birth_date}）"))
        for scope in ConsentScope:
            if f"consent_{scope.value}" in extra:
                session.add(
                    ConsentRecord(
                        person_id=person.id, scope=scope, granted=extra[f"consent_{scope.value}"], recorded_by=actor
                    )
                )
        return problems + (check(person) if check else [])

    spec = _Spec(
        "persons",
        PERSONS,
        "id_number",
        add,
        ("household_ref", Household.ref, "household_id", "未找到该户号的家庭，请先登记家庭"),
    )
    report = _run(session, rows, spec, dry_run, progress, consents_and_derived)
    report.subjects = added if report.imported else []
    report.registered_elsewhere = elsewhere
    return report


def import_postings(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    dry_run: bool = False,
    progress: bool = False,
    check: Check | None = None,
) -> ImportReport:
    """Add every posting of ``rows`` (each recorded in the change feed), or none of them."""
    spec = _Spec(
        "postings",
        POSTINGS,
        "ref",
        intake.add_posting,
        ("employer_uscc", Employer.uscc, "employer_id", "该用人单位尚未登记，请先登记用人单位"),
        key_within_lookup=True,
    )
    return _run(session, rows, spec, dry_run, progress, lambda posting, _extra: check(posting) if check else [])


def import_contributions(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    dry_run: bool = False,
    actor: str = "import",
    reach: Callable[[Person], bool] | None = None,
    first_row: int = 2,
) -> ImportReport:
    """Record every social-insurance contribution of ``rows`` (a month of one insurance by one
    payer) in the placement its month falls in, or none of them. ``source`` is used where a row
    names none; ``reach`` says which persons the caller may touch (others read as not registered);
    ``first_row`` numbers the rows (2: a file under its header; 1: a JSON batch)."""

    persons: set[int] = set()

    def add(session: Session, data: Mapping[str, Any]) -> Contribution:
        row = intake_history.add_contribution(session, {**data, "source": data.get("source") or source}, actor, reach)
        persons.add(row.person_id)
        return row

    def same_name(contribution: Contribution, extra: dict[str, Any]) -> list[tuple[str, str]]:
        person = session.get(Person, contribution.person_id)
        given = re.sub(r"\s", "", str(extra.get("name") or ""))
        if person is not None and given and given != person.name:
            return [("name", f"姓名与台账不符（该身份证号码登记的姓名为{person.name}）")]
        return []

    spec = _Spec(
        "contributions",
        CONTRIBUTIONS,
        "month",
        add,
        compound_key=intake_history.contribution_key,
        noun="（同一人、同一月份、同一缴费主体和险种）",
        first_row=first_row,
    )
    report = _run(session, rows, spec, dry_run, False, same_name)
    report.subjects = sorted(persons) if report.ok else []
    return report


def _run(session, rows, spec: _Spec, dry_run: bool, progress: bool, after=None) -> ImportReport:
    report = ImportReport(spec.kind, len(rows), dry_run=dry_run)
    if not rows:
        report.rejected.append(Rejection(None, "", "文件中没有数据行"))
        return report
    columns = _map_headers(rows, spec.columns, report)
    if not report.ok:
        return report
    label = {c.field: c.names[0] for c in spec.columns}
    if spec.first_row == 2:  # a file: its own headers name the columns (a JSON batch: the usual Chinese names)
        label |= {c.field: h for h, c in columns.items()}
    in_file = {c.field for c in columns.values()}
    known = _lookup(session, spec.lookup, rows, columns) if spec.lookup else {}
    first_seen: dict[str, int] = {}
    with session.begin_nested() as savepoint:
        for index, raw in enumerate(
            tqdm(
                rows,
                desc=f"导入{_NOUNS.get(spec.kind, spec.kind)}",
                unit="行",
                disable=not progress or len(rows) < 500,
                leave=False,
            )
        ):
            number = raw.number if isinstance(raw, Row) else index + spec.first_row
            data, extra, problems = _cells(raw, columns)
            if spec.compound_key:
                key = spec.compound_key(data)
            else:
                key = re.sub(r"\s", "", str(data.get(spec.key, ""))).upper()
            if key and spec.key_within_lookup and spec.lookup:
                key = re.sub(r"\s", "", str(extra.get(spec.lookup[0]) or "")).upper() + "/" + key
            if key in first_seen:
                problems.append((spec.key, f"与第{first_seen[key]}行重复{spec.noun}"))
            elif key:
                first_seen[key] = number
            if spec.lookup and spec.lookup[0] in extra:
                problems += _resolve(spec.lookup, extra.pop(spec.lookup[0]), known, data)
            flagged = {f for f, _ in problems}
            try:
                obj = spec.add(session, data)
            except (InvalidInput, Duplicate) as exc:
                problems += [(e.field, e.message) for e in exc.errors if e.field not in flagged]
            else:
                problems += after(obj, extra) if after else []
            seen_messages: set[str] = set()
            for name, message in problems:
                # A field filled in from another column (所在地 from 户籍地) repeats that column's error.
                if name not in in_file and message in seen_messages:
                    continue
                seen_messages.add(message)
                report.rejected.append(Rejection(number, label.get(name, name), message))
        if report.rejected or dry_run:
            savepoint.rollback()
        else:
            report.imported = len(rows)
    return report


def _normal(header: str) -> str:
    """Header cells as typed: 公民身份\\n号码, *姓名, 工资下限（元）all name their column."""
    name = re.sub(r"\s", "", str(header)).strip("*＊")
    return re.sub(r"[（(][^）)]*[）)]$", "", name)


def _map_headers(rows, columns: tuple[Column, ...], report: ImportReport) -> dict[str, Column]:
    by_name = {n: c for c in columns for n in (c.field, *c.names)}
    headers = list(dict.fromkeys(h for row in rows for h in row))
    mapped: dict[str, Column] = {}
    for header in headers:
        column = by_name.get(_normal(header))
        if column is None:
            if _normal(header) not in _IGNORED:
                report.warnings.append(f"未识别的列“{header}”，已忽略")
        elif column in mapped.values():
            other = next(h for h, c in mapped.items() if c is column)
            report.rejected.append(Rejection(None, header, f"与“{other}”是同一列，请只保留一列"))
        else:
            mapped[header] = column
    for column in columns:
        if column.required and column not in mapped.values():
            also = f"（也可写作：{'、'.join(column.names[1:])}）" if len(column.names) > 1 else ""
            report.rejected.append(Rejection(None, column.names[0], f"缺少必填列“{column.names[0]}”{also}"))
    return mapped


def _cells(raw: Mapping[str, Any], columns: dict[str, Column]):
    """The row as intake's fields, the import's own fields, and what is wrong before intake looks."""
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for header, column in columns.items():
        value = raw.get(header)
        stored_as_number = isinstance(value, int | float | NumberCell) or _SCIENTIFIC.fullmatch(str(value))
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue  # an empty cell is a field not given: intake's defaults and "请填写" apply
        if column.identifier and stored_as_number:
            problems.append(
                (
                    column.field,
                    f"{column.names[0]}在表格中存成了数字，Excel 只保留15位有效数字，"
                    f"末几位已丢失；请把该列设置为“文本”格式，重新填写后再导入",
                )
            )
        if isinstance(value, str):
            value = _translate(column, value)
        if column.extra:
            try:
                extra[column.field] = column.parse(value) if column.parse else value
            except ValueError as exc:
                problems.append((column.field, str(exc)))
        else:
            data[column.field] = value
    return data, extra, problems


def _translate(column: Column, value: str) -> Any:
    if column.many:
        return [
            column.choices.get(item.strip(), item.strip()) for item in re.split(r"[,，、;；]", value) if item.strip()
        ]
    if column.choices:
        return column.choices.get(value, value)
    if column.date and (m := _DATE.fullmatch(value)):
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return value


def _lookup(session: Session, lookup, rows, columns: dict[str, Column]) -> dict[str, int]:
    """Ids of every key the file names, asked in chunks (SQLite caps the parameters of one query)."""
    field_name, key_column, _, _ = lookup
    headers = [h for h, c in columns.items() if c.field == field_name]
    keys = sorted({str(row.get(h) or "").strip() for row in rows for h in headers} - {""})
    found: dict[str, int] = {}
    for start in range(0, len(keys), 900):
        found.update(
            session.execute(
                select(key_column, key_column.class_.id).where(key_column.in_(keys[start : start + 900]))
            ).all()
        )
    return found


def _resolve(lookup, value, known: dict[str, int], data: dict[str, Any]) -> list[tuple[str, str]]:
    field_name, key_column, target, message = lookup
    key = str(value).strip()
    if key in known:
        data[target] = known[key]
        return []
    if key_column is Employer.uscc:
        try:
            v.social_credit_code(key)
        except ValueError as exc:
            return [(field_name, str(exc))]
    return [(field_name, message)]
