"""`jiuyuan pay run`: a monthly payment run from the command line (issue 16), as an officer's
``POST /payment-runs`` does it, with a progress bar over the persons read."""

from __future__ import annotations

import argparse
import sys

from cli.args import month_arg, region_prefix_arg
from jiuyuan import clock
from jiuyuan.settings import get_settings


def register(sub) -> None:
    p = sub.add_parser(
        "pay",
        help="按月发放：run 计算某月各项按月补贴并写入发放明细（可重复运行）",
        description="按月发放（直补快办）：对辖区内有安置记录的人员，按台账事实计算该月的灵活就业社会保险补贴、"
        "企业吸纳就业社会保险补贴、公益性岗位补贴和公益性岗位社会保险补贴，每项每月写一条发放明细，"
        "由经办人员审批后交财务。重复运行不重复写入；事实变化时写更正明细并说明原因。"
        "例：jiuyuan pay run --month 2026-11 --region 430121",
    )
    p.add_argument("action", choices=("run",), help="run 运行一个月的发放批次")
    p.add_argument("--month", type=month_arg, required=True, help="发放月份 YYYY-MM（不晚于本月）")
    p.add_argument("--region", type=region_prefix_arg, help="地区代码：省 43、市 4301、县 430121（默认：全部地区）")
    p.add_argument("--actor", default="cli", help="运行人（写入发放批次和审计日志）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_pay)


def cmd_pay(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from jiuyuan.errors import JiuyuanError
    from jiuyuan.vocab import Role
    from ledger import db
    from ledger.access import Principal
    from ledger.payments import month_start
    from services.payments import Payments

    # The command line runs on the server with the ledger's own rights: everywhere, narrowed by --region.
    who = Principal(key_id="cli", name=args.actor, role=Role.ADMIN)
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            payments = Payments(session, who)
            today = clock.today()
            month_start(args.month, today)  # a future month is refused before anything is read
            with tqdm(
                total=payments.count(args.region), desc=f"{args.month} 发放", unit="人", disable=args.quiet
            ) as bar:
                run = payments.run(args.month, args.region, today, progress=bar.update)
            summary = (
                f"发放批次 {run.id}：{run.month}，{run.region or '全部地区'}，按 {run.as_of} 的台账事实计算；"
                f"人员 {run.persons}，写入明细 {run.written}（其中更正 {run.corrections}），未变 {run.unchanged}"
            )
    except JiuyuanError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(summary)
    return 0
