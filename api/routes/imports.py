"""Uploading a spreadsheet of persons, postings or social-insurance contributions (CSV or xlsx, as offices keep them): every row
is checked, and either all are imported or none, with a per-row report of what was refused
(``services.imports``)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import problem, problem_responses
from jiuyuan.vocab import Role
from ledger.spreadsheet import TableError
from services.imports import Imports

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


class ImportsController(Controller):
    """Counter staff and officers."""

    path = "/"
    tags = ["imports"]
    guards = [allow(Role.COUNTER, Role.OFFICER)]
    dependencies = {"imports": service(Imports)}

    @post(
        "/imports/{kind:str}",
        operation_id="importSpreadsheet",
        sync_to_thread=True,
        status_code=201,
        request_max_body_size=MAX_BYTES,
        responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
        summary="上传人员、岗位或社保缴费表格（CSV/xlsx）：全部导入或全部不导入，逐行说明原因",
    )
    def import_spreadsheet(
        self,
        request: Request,
        imports: NamedDependency[Imports],
        kind: FromPath[Literal["persons", "postings", "contributions"]],
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
        check: Annotated[bool, QueryParameter(description="只检查不导入")] = False,
    ) -> Response[ImportOut]:
        """Import every row or none. Rows outside the caller's jurisdiction are refused like any bad row.

        ``contributions``: the social-insurance office's monthly export (公民身份号码, 费款所属期 or
        缴费月份, 缴费主体 单位/个人, 险种, 缴费金额, optional 数据来源), each row stored in the
        placement its month falls in; the persons' subsidy decisions are scored again.

        Returns:
            201 with the report when imported (200 for a check); 422 problem details listing each
            refused row (row number as the office's file numbers it, column, reason).
        """
        try:
            report = imports.run(kind, data.file.file.read(), data.file.filename, check)
        except TableError as exc:
            return problem(request, 422, "unreadable-file", str(exc))
        if not report.ok:  # nothing was written: the import's savepoint is rolled back
            return problem(
                request,
                422,
                "import-rejected",
                f"{report.rejected_rows} 行有误，整个文件未导入（共 {report.total} 行）。",
                errors=[{"field": r.column, "message": r.message, "row": r.row} for r in report.rejected],
            )
        body = ImportOut(
            report.kind,
            report.total,
            report.imported,
            report.dry_run,
            [RejectionOut(r.row, r.column, r.message) for r in report.rejected],
            report.warnings,
        )
        return Response(body, status_code=200 if check else 201)


ROUTES = [ImportsController]
