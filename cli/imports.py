"""`jiuyuan import`: persons and postings from the CSV and xlsx files offices keep, all rows or none."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from jiuyuan.settings import get_settings

_KINDS = {"persons": "人员", "postings": "岗位"}


def register(sub) -> None:
    from ledger.import_columns import PERSONS, POSTINGS

    p_import = sub.add_parser(
        "import",
        help="从 CSV / xlsx 导入人员或岗位（全部通过才写入）",
        description="导入办事窗口保存的人员或岗位表格 (import persons or postings from CSV/xlsx)。"
        "先逐行检查，任何一行有问题则一行也不写入，并列出每一处问题的行号、列名和原因。"
        "例：jiuyuan import persons 人员.xlsx --check；jiuyuan import postings 岗位.csv --report 结果.xlsx",
    )
    kinds = p_import.add_subparsers(dest="kind", required=True, metavar="persons|postings")
    for kind, columns in (("persons", PERSONS), ("postings", POSTINGS)):
        p = kinds.add_parser(
            kind,
            help=f"导入{_KINDS[kind]} (import {kind})",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            description=f"从表格导入{_KINDS[kind]}。CSV 可为 UTF-8（带或不带 BOM）或 GBK 编码；xlsx 读第一个工作表，"
            f"表头为第一行至少填了两个列名的行。All rows are checked; any rejected row means nothing "
            f"is written (exit 1).",
            epilog=_columns_help(columns),
        )
        p.add_argument("file", help="CSV 或 xlsx 文件 (the file to import)")
        p.add_argument("--check", action="store_true", help="只检查、不写入 (dry run)")
        p.add_argument("--report", metavar="OUT.xlsx|OUT.csv", help="把逐行检查结果写入 xlsx 或 csv 文件")
        p.add_argument("--quiet", action="store_true", help="不显示进度条")
        if kind == "persons":
            p.add_argument("--actor", default="import", help="记录个人信息授权的经办人 (default: import)")
        p.set_defaults(func=cmd_import)


def _columns_help(columns) -> str:
    lines = ["可用的列（* 为必填；列名也可写作括号中的名称或英文字段名）:"]
    for c in columns:
        also = f"（{'、'.join(c.names[1:])}）" if len(c.names) > 1 else ""
        note = f"：{c.note}" if c.note else ""
        lines.append(f"  {'*' if c.required else ' '} {c.names[0]}{also} [{c.field}]{note}")
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    from ledger import db, imports
    from ledger.reports import export

    report_path = Path(args.report) if args.report else None
    if report_path and report_path.suffix.lower() not in (".xlsx", ".csv"):
        print("--report 只能写 .xlsx 或 .csv 文件", file=sys.stderr)
        return 2
    try:
        rows = imports.read_table(Path(args.file))
    except OSError as exc:
        print(f"无法读取 {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except imports.TableError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            if args.kind == "persons":
                report = imports.import_persons(
                    session, rows, dry_run=args.check, actor=args.actor, progress=not args.quiet
                )
            else:
                report = imports.import_postings(session, rows, dry_run=args.check, progress=not args.quiet)
    finally:
        engine.dispose()
    if report_path:
        if report_path.suffix.lower() == ".xlsx":
            report_path.write_bytes(export.import_report_xlsx(report))
        else:
            report_path.write_text(export.import_report_csv(report), encoding="utf-8-sig", newline="")
    for warning in report.warnings:
        print(f"提示：{warning}")
    if report.rejected:
        print(
            _table(
                ("行号", "列名", "原因"),
                [("表头" if r.row is None else str(r.row), r.column, r.message) for r in report.rejected],
            )
        )
    print(export.import_summary(report))
    if report_path:
        print(f"检查结果已写入 {report_path}")
    return 0 if report.ok else 1


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    """Columns padded by display width, so Chinese text lines up in a terminal."""
    widths = [max(_width(row[i]) for row in (header, *lines)) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in (header, *lines)
    )
