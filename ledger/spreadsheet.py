"""Reading the tables offices keep: CSV (UTF-8 with or without BOM, or GB18030/GBK) and xlsx.

Every cell comes back as text, as intake reads a form: xlsx dates as ``YYYY-MM-DD``, whole
numbers without ``.0``. A cell that Excel stored as a number is a :class:`NumberCell`, so
that an ID number typed into a number column (Excel keeps 15 significant digits, an ID has
18) can be refused instead of read with its last digits lost.

Every upload is bounded before and while it is read (issue 17, "spreadsheet amplification"): an
xlsx is a zip whose parts can decompress a thousandfold, so the sizes its directory declares are
checked before openpyxl opens it (``zipfile`` never yields more than a part declares), and rows,
columns and cell length are counted while the rows stream, so a file past a limit is refused at
that row instead of being parsed to the end. Each refusal names the limit in Chinese.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MB = 1024 * 1024


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    """What one uploaded table may hold. Input bounds, not policy figures: a county's monthly
    file is a few thousand rows, and the largest form field (an address) is 200 characters."""

    rows: int = 50_000
    """Rows of the file, title and header rows included."""
    columns: int = 200
    """Filled columns of a row (trailing empty cells do not count)."""
    cell: int = 2_000
    """Characters of one cell."""
    unpacked: int = 128 * MB
    """An xlsx's parts together, as its zip directory declares them."""
    sheet: int = 64 * MB
    """One worksheet part (streamed by openpyxl's read-only mode)."""
    part: int = 16 * MB
    """Any other part; sharedStrings.xml among them, which openpyxl reads whole into memory."""
    ratio: int = 100
    """Unpacked to packed size of a part over 1 MB; XML from Excel packs 5 to 30 times."""
    parts: int = 1_000


LIMITS = Limits()


class NumberCell(str):
    """The text of a cell the spreadsheet stored as a number."""


class Row(dict):
    """One data row, column name → cell text, with the row number the office sees in its file."""

    def __init__(self, number: int, cells: Iterable[tuple[str, str]]):
        super().__init__(cells)
        self.number = number


def read_table(source: str | Path | bytes, filename: str | None = None, limits: Limits = LIMITS) -> list[Row]:
    """The data rows of a .csv or .xlsx file (the first sheet), keyed by the header row.

    The header row is the first row with at least two filled cells, so a title line above
    the table is skipped; wholly empty rows are skipped but keep their place in the numbering.
    A file past one of ``limits`` raises :class:`TableError` naming it.
    """
    name = filename or str(source)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = "旧版 .xls 文件请在 Excel 中另存为 .xlsx 或 CSV" if suffix == ".xls" else "只能导入 .csv 或 .xlsx 文件"
        raise TableError(f"{hint}：{Path(name).name}")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    grid = _csv_grid(data, limits) if suffix == ".csv" else _xlsx_grid(data, limits)
    return _rows(_bounded(grid, limits))


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030, checked a megabyte at a time, so that the file is
    then read as a stream and never held whole as text (a str of CSV can be 4 bytes a character)."""
    # Excel on a Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        view = memoryview(data)
        try:
            for start in range(0, len(data), MB):
                decoder.decode(view[start : start + MB])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise TableError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV")


def _csv_grid(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
    reader = csv.reader(text)
    number = 0
    try:
        # Numbered by record, as Excel numbers rows, even when a quoted cell spans lines.
        for number, cells in enumerate(reader, start=1):
            yield number, [c.strip() for c in cells]
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's own cap (128 KB) is past ours
            raise TableError(_too_long(number + 1, None, limits)) from None
        raise TableError(
            f"CSV 文件第{reader.line_num}行格式有误（引号或分隔符不成对），请在 Excel 中另存后重试"
        ) from None


def _size(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n // 1024} KB"


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an xlsx whose zip directory declares more than ``limits`` allow, before any part
    is decompressed (a 100 KB file can hold a 100 MB shared string)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError("无法读取 xlsx 文件：文件已损坏或不是 Excel 工作簿") from None
    if len(parts) > limits.parts:
        raise TableError(f"xlsx 文件包含的部件超过 {limits.parts} 个，不像是 Excel 工作簿，请另存为 CSV 后重试")
    total = 0
    for part in parts:
        total += part.file_size
        sheet = part.filename.startswith("xl/worksheets/")
        cap = limits.sheet if sheet else limits.part
        if part.file_size > cap:
            what = "工作表" if sheet else ("共享字符串" if part.filename.endswith("sharedStrings.xml") else "部件")
            raise TableError(f"xlsx 文件的{what}解压后超过 {_size(cap)} 的上限，请删除多余内容或分成多个文件导入")
        if part.file_size > MB and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise TableError(
                f"xlsx 文件的压缩比超过 {limits.ratio} 倍（含有异常大的重复内容），请检查文件或另存为 CSV 后重试"
            )
    if total > limits.unpacked:
        raise TableError(f"xlsx 文件解压后超过 {_size(limits.unpacked)} 的上限，请分成多个文件导入")


def _xlsx_grid(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    _check_zip(data, limits)
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


def excerpt(text: str, length: int = 20) -> str:
    """A short excerpt of ``text``, for a message that quotes what the file holds."""
    return text if len(text) <= length else text[:length] + "…"


def _too_long(number: int, column: int | None, limits: Limits) -> str:
    where = f"第{number}行" + (f"第{column}列" if column else "")
    return f"{where}的内容超过 {limits.cell} 个字的上限，请检查该单元格"


def _bounded(grid: Iterable[tuple[int, list[str]]], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """The rows of ``grid`` while they keep within ``limits``; the first row past one stops the
    read there (the rest of the file is never parsed)."""
    for number, cells in grid:
        if number > limits.rows:
            raise TableError(f"文件超过 {limits.rows} 行的上限，请分成多个文件导入")
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.columns:
            raise TableError(f"第{number}行超过 {limits.columns} 列的上限，请删除多余的列")
        for column, cell in enumerate(cells, start=1):
            if len(cell) > limits.cell:
                raise TableError(_too_long(number, column, limits))
        yield number, cells


def _rows(grid: Iterable[tuple[int, list[str]]]) -> list[Row]:
    header: list[str] | None = None
    rows: list[Row] = []
    for number, cells in grid:
        if header is None:
            if sum(1 for c in cells if c) >= 2:
                header = [str(c).strip() for c in cells]
                repeated = sorted({h for h in header if h and header.count(h) > 1})
                if repeated:
                    raise TableError(f"表头中“{excerpt(repeated[0])}”出现了不止一次，请只保留一列")
            continue
        if any(cells):
            cells = cells + [""] * (len(header) - len(cells))  # a short row leaves the last columns empty
            rows.append(Row(number, ((h, c) for h, c in zip(header, cells, strict=False) if h)))
    if header is None:
        raise TableError("文件中没有找到表头行（至少两个填写了列名的单元格）")
    return rows
