"""Reading the tables offices keep: CSV (UTF-8 with or without BOM, or GB18030/GBK) and xlsx.

Every cell comes back as text, as intake reads a form: xlsx dates as ``YYYY-MM-DD``, whole
numbers without ``.0``. A cell that Excel stored as a number is a :class:`NumberCell`, so
that an ID number typed into a number column (Excel keeps 15 significant digits, an ID has
18) can be refused instead of read with its last digits lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in Chinese."""


class NumberCell(str):
    """The text of a cell the spreadsheet stored as a number."""


class Row(dict):
    """One data row, column name → cell text, with the row number the office sees in its file."""

    def __init__(self, number: int, cells: Iterable[tuple[str, str]]):
        super().__init__(cells)
        self.number = number


def read_table(source: str | Path | bytes, filename: str | None = None) -> list[Row]:
    """The data rows of a .csv or .xlsx file (the first sheet), keyed by the header row.

    The header row is the first row with at least two filled cells, so a title line above
    the table is skipped; wholly empty rows are skipped but keep their place in the numbering.
    """
    name = filename or str(source)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = "旧版 .xls 文件请在 Excel 中另存为 .xlsx 或 CSV" if suffix == ".xls" else "只能导入 .csv 或 .xlsx 文件"
        raise TableError(f"{hint}：{Path(name).name}")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return _rows(_csv_grid(data) if suffix == ".csv" else _xlsx_grid(data))


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on a Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TableError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV") from None


def _csv_grid(data: bytes) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        # Numbered by record, as Excel numbers rows, even when a quoted cell spans lines.
        for number, cells in enumerate(reader, start=1):
            yield number, [c.strip() for c in cells]
    except csv.Error as exc:
        raise TableError(f"CSV 文件第{reader.line_num}行格式有误：{exc}") from None


def _xlsx_grid(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise TableError("无法读取 xlsx 文件：文件已损坏或不是 Excel 工作簿") from None
    try:
        ws = wb.worksheets[0]
        # Files written by other tools often state a wrong size; read what is there instead.
        ws.reset_dimensions()
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        wb.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return NumberCell(value)
    if isinstance(value, float):
        # 15 significant digits: what Excel itself shows, without binary noise (0.1 + 0.2).
        return NumberCell(int(value) if value.is_integer() else f"{value:.15g}")
    return str(value).strip()


def _rows(grid: Iterable[tuple[int, list[str]]]) -> list[Row]:
    header: list[str] | None = None
    rows: list[Row] = []
    for number, cells in grid:
        if header is None:
            if sum(1 for c in cells if c) >= 2:
                header = [str(c).strip() for c in cells]
                repeated = sorted({h for h in header if h and header.count(h) > 1})
                if repeated:
                    raise TableError(f"表头中“{repeated[0]}”出现了不止一次，请只保留一列")
            continue
        if any(cells):
            cells = cells + [""] * (len(header) - len(cells))  # a short row leaves the last columns empty
            rows.append(Row(number, ((h, c) for h, c in zip(header, cells, strict=False) if h)))
    if header is None:
        raise TableError("文件中没有找到表头行（至少两个填写了列名的单元格）")
    return rows
