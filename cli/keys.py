"""`jiuyuan keys`: an administrator issues, lists and revokes API keys."""

from __future__ import annotations

import argparse
import sys

from cli.args import non_negative
from jiuyuan.errors import InvalidInput
from jiuyuan.settings import get_settings
from jiuyuan.vocab import Role


def register(sub) -> None:
    p = sub.add_parser(
        "keys",
        help="API 访问密钥：issue 签发 / list 列出 / revoke 吊销",
        description="签发、列出、吊销 API 访问密钥。每个密钥一个角色：counter 零工市场窗口人员与 officer 经办人员"
        "须指定管辖区划（--region 43/4301/430121），employer 用人单位须指定 --employer-uscc，"
        "agency 人力资源服务机构须指定 --agency-uscc，admin 系统管理员。令牌只在签发时显示一次。",
    )
    p.add_argument("action", choices=("issue", "list", "revoke"))
    p.add_argument("--role", choices=[r.value for r in Role], help="角色（issue 必填）")
    p.add_argument("--name", help="持有人，如“长沙市零工市场 王敏”（issue 必填）")
    p.add_argument("--region", help="管辖区划代码（counter、officer）")
    p.add_argument("--employer-uscc", help="用人单位统一社会信用代码（employer）")
    p.add_argument("--agency-uscc", help="人力资源服务机构统一社会信用代码（agency）")
    p.add_argument("--days", type=non_negative, default=90, help="有效天数 (default 90)")
    p.add_argument("--key-id", help="要吊销的密钥编号（revoke）")
    p.set_defaults(func=cmd_keys)


def cmd_keys(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ledger import access, db
    from ledger.models import ApiKey

    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            if args.action == "list":
                for k in session.scalars(select(ApiKey).order_by(ApiKey.id)):
                    state = "已吊销" if k.revoked_at else f"有效期至 {k.expires_at:%Y-%m-%d}"
                    print(f"{k.key_id}\t{k.role.value}\t{k.name}\t{k.region_prefix or ''}\t{state}")
                return 0
            try:
                if args.action == "revoke":
                    row = access.revoke(session, args.key_id or "")
                    print(f"已吊销 {row.key_id}（{row.name}）")
                    return 0
                if not args.role or not args.name:
                    print("issue 须指定 --role 和 --name", file=sys.stderr)
                    return 2
                token, row = access.issue(
                    session,
                    Role(args.role),
                    args.name,
                    days=args.days,
                    employer_uscc=args.employer_uscc,
                    agency_uscc=args.agency_uscc,
                    region=args.region,
                )
            except InvalidInput as exc:
                for e in exc.errors:
                    print(f"{e.field}: {e.message}", file=sys.stderr)
                return 2
            print(f"已签发 {row.key_id}（{row.role.label}，{row.name}，有效期至 {row.expires_at:%Y-%m-%d}）")
            print(token)
            return 0
    finally:
        engine.dispose()
