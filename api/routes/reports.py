"""Reports for officers, each for places within their jurisdiction: the dispatch table and the
Jiaxing progress table (aggregates, no personal data), and the duty lists (masked names; every
person listed is an audited read). The reports are ``services.reports``'s; these handlers lay
them out as JSON, CSV or xlsx."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import Purpose, purpose_of
from jiuyuan.vocab import Role
from ledger.reports import dispatch, duties, export, jiaxing
from services.reports import Reports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RegionParam = Annotated[str, QueryParameter(max_length=12, description="地区代码：省 43、市 4301、县 430121")]
FormatParam = Annotated[Literal["json", "csv", "xlsx"], QueryParameter(description="json、csv 或 xlsx")]


def _file(content: bytes | str, fmt: str, name: str) -> Response:
    media = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}[fmt]
    body = content.encode("utf-8-sig") if isinstance(content, str) else content
    return Response(
        body, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}.{fmt}"}
    )


class ReportsController(Controller):
    """Officers only."""

    path = "/"
    tags = ["reports"]
    guards = [allow(Role.OFFICER)]
    dependencies = {"reports": service(Reports)}

    @get(
        "/reports/dispatch",
        operation_id="dispatchTable",
        sync_to_thread=True,
        summary="就业困难人员就业帮扶情况调度表（000 附件）",
        responses=problem_responses(400, 401, 403, 422, 500, 503),
    )
    def dispatch_table(
        self,
        reports: NamedDependency[Reports],
        region: RegionParam,
        as_of: Annotated[date, QueryParameter(description="截至日期 YYYY-MM-DD")],
        start: Annotated[date, QueryParameter(description="累计起始日")] = dispatch.DEFAULT_START,
        format: FormatParam = "json",
    ) -> Response:
        """Cumulative counts per county from ``start`` to ``as_of``, rolled up to city and province.

        Returns:
            JSON, CSV or xlsx laid out like the annex; 422 problem details when a logic rule fails.
        """
        table = reports.dispatch(region, as_of, start)
        if format == "json":
            return Response(
                {
                    "region": table.region,
                    "start": table.start,
                    "as_of": table.as_of,
                    "due_dates": table.due_dates,
                    "columns": [label for _, label in dispatch.COLUMNS],
                    "rows": [
                        {"region": r.region, "name": r.name, "level": r.level, "values": r.values} for r in table.rows
                    ],
                }
            )
        content = export.dispatch_xlsx(table) if format == "xlsx" else export.dispatch_csv(table)
        return _file(content, format, f"dispatch-{table.region}-{table.as_of}")

    @get(
        "/reports/jiaxing-progress",
        operation_id="jiaxingProgressTable",
        sync_to_thread=True,
        summary="困难群体就业精准帮扶行动进度表（003 附件，月报）",
        responses=problem_responses(400, 401, 403, 422, 500, 503),
    )
    def jiaxing_table(
        self,
        reports: NamedDependency[Reports],
        region: RegionParam,
        month: Annotated[str, QueryParameter(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM（2000–2099）")],
        format: FormatParam = "json",
    ) -> Response:
        """The month's progress per county and in total; due on the 25th of the following month.

        Returns:
            JSON, CSV or xlsx; 422 problem details when the columns do not add up.
        """
        table = reports.jiaxing(region, month)
        if format == "json":
            return Response(
                {
                    "region": table.region,
                    "month": table.month,
                    "due_on": table.due_on,
                    "columns": list(jiaxing.COLUMNS),
                    "rows": [{"region": r.region, "name": r.name, "values": r.values} for r in table.rows],
                }
            )
        content = export.jiaxing_xlsx(table) if format == "xlsx" else export.jiaxing_csv(table)
        return _file(content, format, f"jiaxing-{table.region}-{table.month}")

    @get(
        "/reports/duties",
        operation_id="dutyLists",
        sync_to_thread=True,
        summary="就业援助责任清单（002 §1、§2、§4、§5；姓名脱敏）",
        responses=problem_responses(400, 401, 403, 422, 500, 503),
    )
    def duty_lists(
        self,
        reports: NamedDependency[Reports],
        region: RegionParam,
        as_of: Annotated[date, QueryParameter(description="截至日期 YYYY-MM-DD")],
        purpose: Purpose,
        format: Annotated[Literal["json", "csv"], QueryParameter(description="json 或 csv")] = "json",
    ) -> Response:
        """What is due for each recognised person: the monthly follow-up, tier-2 pushes, tier-3 monthly
        service, zero-employment families, overdue recognition steps, exits (with the procedure), those
        who no longer meet the conditions, public-welfare posts ending.

        Returns:
            The items with masked names; each person listed is written to the audit log.
        """
        items = reports.duties(region, as_of, purpose_of(purpose))
        if format == "csv":
            return _file(export.duties_csv(items), "csv", f"duties-{region}-{as_of}")
        return Response(
            {
                "region": region,
                "as_of": as_of,
                "lists": duties.LISTS,
                "items": [
                    {
                        "list": i.list,
                        "list_label": duties.LISTS[i.list],
                        "person_id": i.person_id,
                        "masked_name": i.masked_name,
                        "region": i.region,
                        "detail": i.detail,
                        "clause": i.clause,
                    }
                    for i in items
                ],
            }
        )


ROUTES = [ReportsController]
