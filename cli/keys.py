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
        "须指定管辖区划（--region 43/4301/430121），employer 用人单位须指定 --employer-uscc"
        "（尚未登记的单位也可签发，持令牌者先登记本单位），"
        "agency 人力资源服务机构须指定 --agency-uscc，admin 系统管理员。令牌只在签发时显示一次。"
        "demo 显示 jiuyuan demo 所建的演示密钥（每个角色一个，仅供演示）；revoke --demo 吊销全部演示密钥。",
    )
    p.add_argument("action", choices=("issue", "list", "revoke", "demo"))
    p.add_argument("--role", choices=[r.value for r in Role], help="角色（issue 必填）")
    p.add_argument("--name", help="持有人，如“长沙市零工市场 王敏”（issue 必填）")
    p.add_argument("--region", help="管辖区划代码（counter、officer）")
    p.add_argument("--employer-uscc", help="用人单位统一社会信用代码（employer）")
    p.add_argument("--agency-uscc", help="人力资源服务机构统一社会信用代码（agency）")
    p.add_argument("--days", type=non_negative, default=90, help="有效天数 (default 90)")
    p.add_argument("--key-id", help="要吊销的密钥编号（revoke）")
    p.add_argument("--demo", action="store_true", help="吊销全部演示密钥（revoke）")
    p.add_argument(
        "--uscc", action="store_true", help="demo --role employer/agency：显示该单位的统一社会信用代码而非令牌"
    )
    p.add_argument("--url", help="demo：同时显示的页面地址，如 http://127.0.0.1:8000/ui")
    p.set_defaults(func=cmd_keys)


def cmd_keys(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from demo.load import DEMO_KEY_PREFIX, demo_tokens, live_demo_keys
    from ledger import access, db
    from ledger.models import ApiKey

    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine).begin() as session:
            if args.action == "list":
                for k in session.scalars(select(ApiKey).order_by(ApiKey.id)):
                    state = "已吊销" if k.revoked_at else f"有效期至 {k.expires_at:%Y-%m-%d}"
                    scope = (
                        k.region_prefix
                        or (k.employer_uscc and f"待登记单位 {k.employer_uscc}")
                        or (k.employer_id and f"单位 {k.employer_id}")
                        or (k.agency_id and f"机构 {k.agency_id}")
                        or ""
                    )
                    print(f"{k.key_id}\t{k.role.value}\t{k.name}\t{scope}\t{state}")
                return 0
            if args.action == "demo":
                if args.uscc:
                    return _print_demo_uscc(session, args.role)
                return _print_demo(demo_tokens(session), args)
            if args.action == "revoke" and args.demo:
                revoked = live_demo_keys(session)
                for k in revoked:
                    access.revoke(session, k.key_id)
                print(f"已吊销演示密钥 {len(revoked)} 个")
                return 0
            if args.action == "issue" and (args.name or "").strip().startswith(DEMO_KEY_PREFIX):
                print(f"name: “{DEMO_KEY_PREFIX}”是演示密钥专用的前缀，请换一个持有人名称", file=sys.stderr)
                return 2
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
            if row.employer_uscc:
                print(f"统一社会信用代码 {row.employer_uscc} 的单位尚未登记：持此令牌登录页面后先“登记本单位”。")
            print(token)
            return 0
    finally:
        engine.dispose()


def _print_demo(tokens: dict, args: argparse.Namespace) -> int:
    """The demo tokens: with ``--role`` the bare token (for ``$(…)`` in the README's tour), else
    the page's address and one line per role, marked demo only."""
    from jiuyuan.vocab import Role

    if not tokens:
        print("台账中没有有效的演示密钥：请先运行 jiuyuan demo（make run 会运行它）", file=sys.stderr)
        return 1
    if args.role:
        token = tokens.get(Role(args.role))
        if token is None:
            print(f"没有 {args.role} 角色的演示密钥：请重新运行 jiuyuan demo", file=sys.stderr)
            return 1
        print(token)
        return 0
    server = get_settings().server
    print(f"页面地址：{args.url or f'http://{server.host}:{server.port}/ui'}")
    print("演示令牌（仅供演示，勿用于生产；生产前运行 jiuyuan keys revoke --demo）：")
    for role, token in tokens.items():
        print(f"  {role.value:<9}{token}  （{role.label}）")
    return 0


def _print_demo_uscc(session, role: str | None) -> int:
    """The USCC of the organisation a live demo employer or agency key acts for."""
    from demo.load import live_demo_keys
    from ledger.models import Employer, HrAgency

    key = next((k for k in live_demo_keys(session) if k.role.value == role), None)
    org = None
    if key is not None and key.employer_id is not None:
        org = session.get(Employer, key.employer_id)
    elif key is not None and key.agency_id is not None:
        org = session.get(HrAgency, key.agency_id)
    if org is None:
        print("--uscc 须与 --role employer 或 --role agency 同用，且须先运行 jiuyuan demo", file=sys.stderr)
        return 1
    print(org.uscc)
    return 0
