"""The finance office's payment list for a run (xlsx): the approved lines, one a row, and the
totals by scheme, county and month on a second sheet.

Every text cell is written as text, never as a formula: a payee name or a reason that begins
with "=" (typed by someone, or imported) must not run in the finance office's Excel.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from jiuyuan import regions
from ledger.models import ClaimLine, PaymentRun
from ledger.payments import NAMES

PAYEE_KINDS = {"employer": "用人单位", "person": "个人", "agency": "人力资源服务机构"}
COLUMNS = (
    "明细编号",
    "收款方类型",
    "收款方编号",
    "收款方",
    "账户名",
    "本次应付（元）",
    "应享金额（元）",
    "补贴项目",
    "政策依据",
    "所属月份",
    "县（市区）",
    "更正说明",
)
MONEY = "#,##0.00"


def _county(code: str) -> str:
    return regions.full_name(code) or code


def _row(ws: Any, values: Iterable[Any]) -> None:
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, even when it starts with "="
        elif isinstance(cell.value, Decimal):
            cell.number_format = MONEY


def payments_xlsx(run: PaymentRun, lines: list[ClaimLine]) -> bytes:
    """The approved ``lines`` of ``run`` as the finance office's list; figures are ``payable``
    (what approving the line moves: a correction of a line already paid shows the difference)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "发放明细"
    _row(ws, [f"{run.month} 就业补贴发放明细（发放批次 {run.id}，{run.region or '全部地区'}）"])
    ws["A1"].font = Font(size=14, bold=True)
    _row(ws, COLUMNS)
    totals: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        _row(
            ws,
            [
                str(line.id),
                PAYEE_KINDS[line.payee_kind],
                "" if line.payee_id is None else str(line.payee_id),
                line.payee_name,
                line.payee_name,  # the account holder: the payee's name as the ledger holds it
                line.payable,
                line.amount,
                NAMES.get(line.scheme_code, line.scheme_code),
                line.legal_basis,
                line.month,
                _county(line.region_code),
                line.correction_reason or "",
            ],
        )
        total = totals[(line.scheme_code, line.region_code, line.month)]
        total[0] += 1
        total[1] += line.payable
    _row(ws, ["合计", "", "", "", "", sum((t[1] for t in totals.values()), Decimal("0.00"))])
    for column, width in zip("ABCDEFGHIJKL", (10, 10, 10, 28, 28, 14, 14, 26, 22, 10, 24, 40), strict=True):
        ws.column_dimensions[column].width = width
    _totals(wb.create_sheet("合计"), totals)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _totals(ws: Any, totals: dict[tuple[str, str, str], list[Decimal]]) -> None:
    """By scheme, county and month, each with its subtotal, and the grand total."""
    _row(ws, ["补贴项目", "县（市区）", "所属月份", "笔数", "金额（元）"])
    for (scheme, county, month), (n, amount) in sorted(totals.items()):
        _row(ws, [NAMES.get(scheme, scheme), _county(county), month, int(n), amount])
    for title, index in (("按补贴项目", 0), ("按县（市区）", 1), ("按月份", 2)):
        by: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for key, (n, amount) in totals.items():
            by[key[index]][0] += n
            by[key[index]][1] += amount
        ws.append([])
        _row(ws, [title, "", "", "笔数", "金额（元）"])
        for key, (n, amount) in sorted(by.items()):
            label = NAMES.get(key, key) if index == 0 else _county(key) if index == 1 else key
            _row(ws, [label, "", "", int(n), amount])
    ws.append([])
    _row(
        ws,
        [
            "总计",
            "",
            "",
            int(sum((t[0] for t in totals.values()), Decimal(0))),
            sum((t[1] for t in totals.values()), Decimal("0.00")),
        ],
    )
    for column, width in zip("ABCDE", (28, 24, 10, 8, 16), strict=True):
        ws.column_dimensions[column].width = width
