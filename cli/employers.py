"""`jiuyuan employers`: register an employer by its USCC, or find one by USCC or name, as counter
staff do with ``POST /employers`` and ``GET /employers``."""

from __future__ import annotations

import argparse
import sys

from jiuyuan.settings import get_settings


def register(sub) -> None:
    p = sub.add_parser(
        "employers",
        help="用人单位：add 登记（统一社会信用代码校验）/ find 按代码或名称查找",
        description="登记或查找用人单位。登记时校验统一社会信用代码（GB 32100），已登记的代码不会重复登记，"
        "并指明已登记的单位。例：jiuyuan employers add --uscc 91430121MA4L0XXXXX --name 长沙县星沙物业管理有限公司 "
        "--region 430121 --address 长沙县星沙街道开元东路1号 --phone 0731-84012345；"
        "jiuyuan employers find 星沙物业；jiuyuan employers find --uscc 91430121MA4L0XXXXX",
    )
    p.add_argument("action", choices=("add", "find"), help="add 登记一家单位；find 查找")
    p.add_argument("words", nargs="?", help="find：单位名称的一部分")
    p.add_argument("--uscc", help="统一社会信用代码（add 必填；find 按代码精确查找）")
    p.add_argument("--name", help="单位名称（add 必填）")
    p.add_argument("--region", help="单位所在县区的6位行政区划代码（add 必填），如 430121")
    p.add_argument("--address", help="单位地址（原文保存）")
    p.add_argument("--phone", help="联系电话")
    p.add_argument("--actor", default="cli", help="登记人（写入日志）")
    p.set_defaults(func=cmd_employers)


def cmd_employers(args: argparse.Namespace) -> int:
    from jiuyuan.errors import JiuyuanError
    from jiuyuan.vocab import Role
    from ledger import db
    from ledger.access import Principal
    from services.employers import Employers

    # The command line runs on the server with the ledger's own rights (an administrator's reach).
    who = Principal(key_id="cli", name=args.actor, role=Role.ADMIN)
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            employers = Employers(session, who)
            if args.action == "add":
                row = employers.register(
                    {
                        "uscc": args.uscc,
                        "name": args.name,
                        "region_code": args.region,
                        "address": args.address,
                        "contact_phone": args.phone,
                    }
                )
                print(f"已登记用人单位 {row.id}：{row.name}（{row.uscc}，{row.region_code}）")
                return 0
            found = employers.find(args.uscc, args.words)
            if not found:
                print("没有找到这家单位：请核对代码或换个名称关键词，未登记的单位用 jiuyuan employers add 登记")
                return 1
            for e in found:
                print(f"{e.id}\t{e.uscc}\t{e.name}\t{e.region_code}\t{e.address or ''}\t{e.contact_phone or ''}")
            return 0
    except JiuyuanError as exc:
        print(exc.detail, file=sys.stderr)
        for e in exc.errors:
            print(f"{e.field}: {e.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
