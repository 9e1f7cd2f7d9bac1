"""`jiuyuan report`: the dispatch table, the Jiaxing progress table and duty lists."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cli.args import iso_date, month_arg, region_prefix_arg
from jiuyuan import clock
from jiuyuan.errors import ReportRefused
from jiuyuan.settings import get_settings


def register(sub) -> None:
    p_report = sub.add_parser(
        "report",
        help="报表：调度表（000附件）、嘉兴进度表（003附件）、责任清单（002）",
        description="生成报表。dispatch：就业困难人员就业帮扶情况调度表（累计，按县市区并汇总到市、省）；"
        "jiaxing：困难群体就业精准帮扶行动进度表（月）；duties：帮扶责任清单。"
        "例：jiuyuan report dispatch --region 43 --as-of 2023-03-15 --format xlsx --out 调度表.xlsx",
    )
    p_report.add_argument("kind", choices=("dispatch", "jiaxing", "duties"), help="报表种类")
    p_report.add_argument("--region", type=region_prefix_arg, required=True, help="地区代码：省 43、市 4301、县 430121")
    p_report.add_argument("--as-of", type=iso_date, default=clock.today(), help="截至日期 YYYY-MM-DD (default: today)")
    p_report.add_argument(
        "--start", type=iso_date, default=date(2023, 2, 1), help="调度表累计起始日 (default 2023-02-01)"
    )
    p_report.add_argument("--month", type=month_arg, help="进度表月份 YYYY-MM (default: --as-of 所在月)")
    p_report.add_argument("--format", choices=("xlsx", "csv", "json"), default="csv", help="输出格式 (default csv)")
    p_report.add_argument("--out", help="输出文件（xlsx 必填）")
    p_report.add_argument("--actor", default="cli", help="生成责任清单的经办人（写入审计日志）")
    p_report.add_argument("--local", help="地方参数文件（责任清单判断退出情形用）")
    p_report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    import json

    from ledger import db
    from ledger.reports import dispatch, duties, export, jiaxing

    if args.format == "xlsx" and not args.out:
        print("xlsx 格式请用 --out 指定输出文件", file=sys.stderr)
        return 2
    if args.kind == "duties" and args.format == "xlsx":
        print("责任清单支持 csv 或 json 格式", file=sys.stderr)
        return 2
    if args.kind == "dispatch" and args.start > args.as_of:
        print("累计起始日不能晚于截至日期", file=sys.stderr)
        return 2
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            if args.kind == "dispatch":
                table = dispatch.build(session, args.region, args.as_of, args.start)
                payload = {
                    "xlsx": lambda: export.dispatch_xlsx(table),
                    "csv": lambda: export.dispatch_csv(table),
                    "json": lambda: json.dumps(
                        {
                            "region": table.region,
                            "start": str(table.start),
                            "as_of": str(table.as_of),
                            "columns": [label for _, label in dispatch.COLUMNS],
                            "rows": [r.__dict__ for r in table.rows],
                        },
                        ensure_ascii=False,
                    ),
                }
            elif args.kind == "jiaxing":
                month = args.month or f"{args.as_of:%Y-%m}"
                table = jiaxing.build(session, args.region, month)
                payload = {
                    "xlsx": lambda: export.jiaxing_xlsx(table),
                    "csv": lambda: export.jiaxing_csv(table),
                    "json": lambda: json.dumps(
                        {
                            "region": table.region,
                            "month": table.month,
                            "due_on": str(table.due_on),
                            "columns": list(jiaxing.COLUMNS),
                            "rows": [r.__dict__ for r in table.rows],
                        },
                        ensure_ascii=False,
                    ),
                }
            else:
                import scoring

                local = scoring.load_local(args.local) if args.local else scoring.EMPTY_LOCAL
                items = duties.build(session, args.region, args.as_of, args.actor, local=local)
                payload = {
                    "csv": lambda: export.duties_csv(items),
                    "json": lambda: json.dumps([i.__dict__ for i in items], ensure_ascii=False),
                }
            content = payload[args.format]()
    except ReportRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.out:
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(args.out, mode, **({} if mode == "wb" else {"encoding": "utf-8-sig", "newline": ""})) as fh:
            fh.write(content)
        print(f"已写入 {args.out}")
    else:
        print(content)
    return 0
