"""xlsx laid out like the annexes (merged header cells, Chinese headers, units row) and CSV.

No cell this module writes is ever a formula (issue 17, formula injection): a name typed as
``=HYPERLINK(…)`` is stored as typed, but exported as text. In xlsx every text cell is a string
cell (``data_type`` ``s``), which Excel never evaluates; in CSV, which has no types, a text cell
that begins with ``= + - @``, a tab or a carriage return gets a leading apostrophe, the convention
Excel and WPS show as "text" (OWASP's advice for CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ledger.imports import ImportReport
from ledger.reports import dispatch, jiaxing
from ledger.reports.duties import LISTS, DutyItem

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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
    wb, ws = _sheet(
        "调度表",
        dispatch.TITLE,
        f"市州或县市区名称：{table.rows[-1].name.removesuffix('合计')}　"
        f"统计期间：{table.start} 至 {table.as_of}　{dispatch.UNITS}",
        last,
    )
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
    wb, ws = _sheet(
        "进度表",
        jiaxing.TITLE,
        f"单位：{table.rows[-1].name.removesuffix('合计')}　时间：{table.month}　（人）　报送截止：{table.due_on}",
        last,
    )
    ws.merge_cells("A3:A4")
    ws["A3"] = "项目"
    ws.merge_cells("B3:B4")
    ws["B3"] = jiaxing.COLUMNS[0]
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=2 + len(jiaxing.OUTCOMES))
    ws.cell(row=3, column=3, value="帮扶成效")
    for k, label in enumerate(jiaxing.OUTCOMES, start=3):
        ws.cell(row=4, column=k, value=label)
    for k, label in enumerate(jiaxing.COLUMNS[1 + len(jiaxing.OUTCOMES) :], start=3 + len(jiaxing.OUTCOMES)):
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


class _TextWriter:
    """``csv.writer`` whose text cells can never open as formulas (see the module's note)."""

    def __init__(self, out: io.StringIO):
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([_as_text(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def _as_text(value):
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def dispatch_csv(table: dispatch.DispatchTable) -> str:
    out = io.StringIO()
    writer = _TextWriter(out)
    writer.writerow(["地区代码", "地区", *(f"{n}.{label}" for n, label in dispatch.COLUMNS)])
    for row in table.rows:
        writer.writerow([row.region, row.name, *row.values])
    return out.getvalue()


def jiaxing_csv(table: jiaxing.ProgressTable) -> str:
    out = io.StringIO()
    writer = _TextWriter(out)
    writer.writerow(["地区代码", "地区", *jiaxing.COLUMNS])
    for row in table.rows:
        writer.writerow([row.region, row.name, *row.values])
    return out.getvalue()


def duties_csv(items: list[DutyItem]) -> str:
    out = io.StringIO()
    writer = _TextWriter(out)
    writer.writerow(["清单", "人员编号", "姓名（脱敏）", "认定地区", "事项", "依据"])
    for item in items:
        d = asdict(item)
        writer.writerow([LISTS[d["list"]], d["person_id"], d["masked_name"], d["region"], d["detail"], d["clause"]])
    return out.getvalue()


_IMPORT_HEADER = ("行号", "列名", "类别", "说明")


def _import_lines(report: ImportReport) -> list[tuple]:
    """Rejections first (row None: the whole file, shown as 表头), then warnings."""
    return [("表头" if r.row is None else r.row, r.column, "拒绝", r.message) for r in report.rejected] + [
        ("", "", "提示", w) for w in report.warnings
    ]


def import_summary(report: ImportReport) -> str:
    what = "人员" if report.kind == "persons" else "岗位"
    if report.rejected:
        where = f"{report.rejected_rows} 行有问题" if report.rejected[0].row is not None else "表头或文件有问题"
        return f"{what}导入未通过：共 {report.total} 行，{where}，未写入任何数据；请改正后重新导入"
    if report.dry_run:
        return f"{what}检查通过：共 {report.total} 行，均可导入（仅检查，未写入）"
    return f"{what}导入完成：共 {report.total} 行，已导入 {report.imported} 行"


def import_report_xlsx(report: ImportReport) -> bytes:
    wb, ws = _sheet(
        "导入结果",
        f"{'人员' if report.kind == 'persons' else '岗位'}导入检查结果",
        import_summary(report),
        len(_IMPORT_HEADER),
    )
    ws.append(_IMPORT_HEADER)
    for line in _import_lines(report):
        ws.append(line)
    _box(ws, 3, ws.max_row, len(_IMPORT_HEADER))
    for letter, width in zip("ABCD", (8, 24, 8, 70), strict=True):
        ws.column_dimensions[letter].width = width
    return _save(wb)


def import_report_csv(report: ImportReport) -> str:
    out = io.StringIO()
    writer = _TextWriter(out)
    writer.writerow(_IMPORT_HEADER)
    writer.writerows(_import_lines(report))
    return out.getvalue()


def _save(wb: Workbook) -> bytes:
    # openpyxl makes any text starting with "=" a formula cell; this module writes no formula.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
