"""xlsx laid out like the annexes (merged header cells, Chinese headers, units row) and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ledger.reports import dispatch, jiaxing
from ledger.reports.duties import LISTS, DutyItem

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _box(ws, first_row: int, last_row: int, last_col: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=last_col):
        for cell in row:
            cell.border = _BOX
            cell.alignment = _CENTER


def _sheet(sheet_title: str, title: str, subtitle: str, last: int):
    """A workbook whose sheet opens with the annex's title and its unit line, each across the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    for row, value in ((1, title), (2, subtitle)):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        ws.cell(row=row, column=1, value=value)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = _CENTER
    return wb, ws


def dispatch_xlsx(table: dispatch.DispatchTable) -> bytes:
    last = len(dispatch.COLUMNS) + 1
    wb, ws = _sheet("调度表", dispatch.TITLE,
                    f"市州或县市区名称：{table.rows[-1].name.removesuffix('合计')}　"
                    f"统计期间：{table.start} 至 {table.as_of}　{dispatch.UNITS}", last)
    # Header rows 3–4: "线上线下" spans columns 5 and 6 with their own headers below; the rest span both rows.
    ws.merge_cells("A3:A4")
    ws["A3"] = "地区"
    for number, label in dispatch.COLUMNS:
        col = number + 1
        if number in (5, 6):
            ws.cell(row=4, column=col, value=label)
        else:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
            ws.cell(row=3, column=col, value=label)
    ws.merge_cells(start_row=3, start_column=6, end_row=3, end_column=7)
    ws.cell(row=3, column=6, value="线上线下")
    ws.cell(row=5, column=1, value="栏次")
    for number, _ in dispatch.COLUMNS:
        ws.cell(row=5, column=number + 1, value=number)
    for i, row in enumerate(table.rows, start=6):
        ws.cell(row=i, column=1, value=row.name)
        for j, value in enumerate(row.values, start=2):
            ws.cell(row=i, column=j, value=value)
        if row.level != "county":
            for j in range(1, last + 1):
                ws.cell(row=i, column=j).font = Font(bold=True)
    end = 5 + len(table.rows)
    _box(ws, 3, end, last)
    for k, note in enumerate(dispatch.NOTES, start=end + 2):
        ws.cell(row=k, column=1, value=note)
    ws.column_dimensions["A"].width = 30
    for col in range(2, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[4].height = 75
    return _save(wb)


def jiaxing_xlsx(table: jiaxing.ProgressTable) -> bytes:
    last = len(jiaxing.COLUMNS) + 1
    wb, ws = _sheet("进度表", jiaxing.TITLE,
                    f"单位：{table.rows[-1].name.removesuffix('合计')}　时间：{table.month}　（人）　报送截止：{table.due_on}",
                    last)
    ws.merge_cells("A3:A4")
    ws["A3"] = "项目"
    ws.merge_cells("B3:B4")
    ws["B3"] = jiaxing.COLUMNS[0]
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=2 + len(jiaxing.OUTCOMES))
    ws.cell(row=3, column=3, value="帮扶成效")
    for k, label in enumerate(jiaxing.OUTCOMES, start=3):
        ws.cell(row=4, column=k, value=label)
    for k, label in enumerate(jiaxing.COLUMNS[1 + len(jiaxing.OUTCOMES):], start=3 + len(jiaxing.OUTCOMES)):
        ws.merge_cells(start_row=3, start_column=k, end_row=4, end_column=k)
        ws.cell(row=3, column=k, value=label)
    for i, row in enumerate(table.rows, start=5):
        ws.cell(row=i, column=1, value=row.name)
        for j, value in enumerate(row.values, start=2):
            ws.cell(row=i, column=j, value=value)
    _box(ws, 3, 4 + len(table.rows), last)
    ws.column_dimensions["A"].width = 28
    for col in range(2, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 13
    ws.row_dimensions[4].height = 60
    return _save(wb)


def dispatch_csv(table: dispatch.DispatchTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["地区代码", "地区", *(f"{n}.{label}" for n, label in dispatch.COLUMNS)])
    for row in table.rows:
        writer.writerow([row.region, row.name, *row.values])
    return out.getvalue()


def jiaxing_csv(table: jiaxing.ProgressTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["地区代码", "地区", *jiaxing.COLUMNS])
    for row in table.rows:
        writer.writerow([row.region, row.name, *row.values])
    return out.getvalue()


def duties_csv(items: list[DutyItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["清单", "人员编号", "姓名（脱敏）", "认定地区", "事项", "依据"])
    for item in items:
        d = asdict(item)
        writer.writerow([LISTS[d["list"]], d["person_id"], d["masked_name"], d["region"], d["detail"], d["clause"]])
    return out.getvalue()


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
