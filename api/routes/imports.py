"""Uploading a spreadsheet of persons or postings (CSV or xlsx, as offices keep them): every row
is checked, and either all are imported or none, with a per-row report of what was refused."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from sqlalchemy.orm import Session

from api.auth import allow
from api.errors import problem, problem_responses
from jiuyuan.vocab import Role
from ledger import audit, imports
from ledger.access import Principal
from ledger.spreadsheet import TableError

MAX_BYTES = 20 * 1024 * 1024


class RejectionOut(msgspec.Struct):
    row: int | None
    column: str
    message: str


class ImportOut(msgspec.Struct):
    kind: str
    total: int
    imported: int
    dry_run: bool
    rejected: list[RejectionOut]
    warnings: list[str]


class Upload(msgspec.Struct):
    file: UploadFile


def _outside(who: Principal, *regions: str | None) -> list[tuple[str, str]]:
    if any(who.covers(r) for r in regions if r):
        return []
    return [("region", f"不在您的管辖范围（{who.region_prefix}）内")]


@post("/imports/{kind:str}", operation_id="importSpreadsheet", tags=["imports"], guards=[allow(Role.COUNTER, Role.OFFICER)],
      sync_to_thread=True, status_code=201, request_max_body_size=MAX_BYTES,
      responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
      summary="上传人员或岗位表格（CSV/xlsx）：全部导入或全部不导入，逐行说明原因")
def import_spreadsheet(
    request: Request, db_session: NamedDependency[Session], kind: FromPath[Literal["persons", "postings"]],
    data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    check: Annotated[bool, QueryParameter(description="只检查不导入")] = False,
) -> Response[ImportOut]:
    """Import every row or none. Rows outside the caller's jurisdiction are refused like any bad row.

    Returns:
        201 with the report when imported (200 for a check); 422 problem details listing each
        refused row (row number as the office's file numbers it, column, reason).
    """
    who: Principal = request.user
    try:
        rows = imports.read_table(data.file.file.read(), data.file.filename)
    except TableError as exc:
        return problem(request, 422, "unreadable-file", str(exc))
    if kind == "persons":
        report = imports.import_persons(
            db_session, rows, dry_run=check, actor=who.actor,
            check=lambda p: _outside(who, p.residence_region_code, p.hukou_region_code))
    else:
        report = imports.import_postings(db_session, rows, dry_run=check,
                                         check=lambda p: _outside(who, p.region_code))
    if not report.ok:
        db_session.rollback()
        return problem(request, 422, "import-rejected",
                       f"{report.rejected_rows} 行有误，整个文件未导入（共 {report.total} 行）。",
                       errors=[{"field": r.column, "message": r.message, "row": r.row} for r in report.rejected])
    if not check:
        audit.record(db_session, who, f"import_{kind}", None, [kind], f"表格导入 {data.file.filename} {report.total} 行")
        db_session.commit()
    body = ImportOut(report.kind, report.total, report.imported, report.dry_run,
                     [RejectionOut(r.row, r.column, r.message) for r in report.rejected], report.warnings)
    return Response(body, status_code=200 if check else 201)


ROUTES = [import_spreadsheet]
