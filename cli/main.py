"""The ``jiuyuan`` command: database, demo data, imports, scoring, reports, the search index and the API server."""

from __future__ import annotations

import argparse
import copy
import sys
import time

from cli import calendar, employers, imports, index, keys, pay, ranker, report, score
from cli.args import iso_date, non_negative, positive_int
from jiuyuan import clock
from jiuyuan.settings import get_settings


def cmd_db(args: argparse.Namespace) -> int:
    from ledger import db

    url = args.database_url or get_settings().db.url
    if args.action == "upgrade":
        db.upgrade(url, args.revision or "head")
    else:
        db.downgrade(url, args.revision or "base")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from demo.generate import generate
    from demo.load import load, load_demo_keys
    from ledger import db

    url = args.database_url or get_settings().db.url
    db.upgrade(url)
    started = time.perf_counter()
    data = generate(args.seed, args.postings, args.persons, args.as_of, progress=not args.quiet)
    generated = time.perf_counter()
    engine = db.make_engine(url)
    with db.session_factory(engine).begin() as session:
        counts = load(session, data, progress=not args.quiet)
        tokens = load_demo_keys(session)
    engine.dispose()
    done = time.perf_counter()
    written = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(
        f"演示数据 seed={args.seed} as-of={args.as_of}: 生成 {generated - started:.1f}s, "
        f"写入 {done - generated:.1f}s; 新写入 {written}"
    )
    if not any(counts.values()):
        print("数据库中已有这些演示数据，未重复写入。")
    print(
        f"演示密钥 {len(tokens)} 个（仅供演示，生产环境须吊销：jiuyuan keys revoke --demo）；查看令牌：jiuyuan keys demo"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    if args.database_url:  # the app factory reads its settings from the environment
        os.environ["JIUYUAN_DATABASE_URL"] = args.database_url
        get_settings.cache_clear()
    settings = get_settings()
    from ledger import db

    if not db.at_head(settings.db.url):  # every worker would fail on its first query, and its follower at each poll
        print(
            "台账数据库尚未迁移到当前版本：请先运行 jiuyuan db upgrade（演示：make run 会建好一切）",
            file=sys.stderr,
        )
        return 1
    if args.production and not _no_demo_keys(settings.db.url):
        return 2
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host or settings.server.host,
        port=args.port or settings.server.port,
        workers=args.workers,
        log_level="info",
        log_config=serve_log_config(),
    )
    return 0


def serve_log_config() -> dict:
    """uvicorn's logging, with the service's own ``jiuyuan`` loggers on its console handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["jiuyuan"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # The libraries' own warnings (SQLAlchemy's pool, asyncio, the OpenSearch client) on the same console.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


def _no_demo_keys(url: str) -> bool:
    """``serve --production``: no live demo key may open the ledger (they are printed by
    ``make run`` and derivable by anyone holding a copy of a demo ledger)."""
    from demo.load import live_demo_keys
    from ledger import db

    engine = db.make_engine(url)
    try:
        with db.session_factory(engine).begin() as session:
            live = [f"{k.key_id}（{k.name}）" for k in live_demo_keys(session)]
    finally:
        engine.dispose()
    if live:
        print(
            f"拒绝以生产模式启动：台账中有 {len(live)} 个演示密钥仍然有效（{'、'.join(live)}）。"
            "请先运行 jiuyuan keys revoke --demo 吊销它们，再启动服务。",
            file=sys.stderr,
        )
    return not live


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiuyuan",
        description="就援：就业援助岗位匹配与补贴资格测算 (job matching and subsidy scoring for "
        "public employment assistance). 数据库地址取自 JIUYUAN_DATABASE_URL，默认 var/jiuyuan.db。",
    )
    parser.add_argument("--database-url", help="SQLAlchemy 数据库地址，覆盖 JIUYUAN_DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p_db = sub.add_parser(
        "db",
        help="数据库迁移 (Alembic): upgrade 升级 / downgrade 回退",
        description="运行台账数据库迁移。例：jiuyuan db upgrade；jiuyuan db downgrade base",
    )
    p_db.add_argument("action", choices=("upgrade", "downgrade"), help="upgrade 升级到 head；downgrade 回退到 base")
    p_db.add_argument("revision", nargs="?", help="目标版本（默认 upgrade→head，downgrade→base）")
    p_db.set_defaults(func=cmd_db)

    p_demo = sub.add_parser(
        "demo",
        help="生成并写入演示数据（确定性、可重复运行）",
        description="生成确定性的中文演示数据（岗位、用人单位、人员、家庭、认定、分级、安置）并写入台账。"
        "同一 seed 与 as-of 生成完全相同的数据；重复运行不会重复写入。",
    )
    p_demo.add_argument("--postings", type=non_negative, default=2000, help="岗位数 (default 2000)")
    p_demo.add_argument("--persons", type=non_negative, default=1000, help="人员数 (default 1000)")
    p_demo.add_argument("--seed", type=int, default=20230201, help="随机种子 (default 20230201)")
    p_demo.add_argument(
        "--as-of", type=iso_date, default=clock.today(), help="数据围绕的“今天”，YYYY-MM-DD (default: today)"
    )
    p_demo.add_argument("--quiet", action="store_true", help="不显示进度条")
    p_demo.set_defaults(func=cmd_demo)

    for command in (score, report, index, ranker, imports, keys, calendar, pay, employers):
        command.register(sub)

    p_serve = sub.add_parser(
        "serve",
        help="启动 API 服务（OpenAPI 文档在 /schema）",
        description="启动 Litestar API。文档：http://HOST:PORT/schema",
    )
    p_serve.add_argument("--host", help="监听地址 (default 127.0.0.1 或 JIUYUAN_HOST)")
    p_serve.add_argument("--port", type=int, help="端口 (default 8000 或 JIUYUAN_PORT)")
    p_serve.add_argument(
        "--workers", type=positive_int, default=1, help="工作进程数（default 1；生产环境每个 CPU 核一个）"
    )
    p_serve.add_argument(
        "--production", action="store_true", help="生产模式：台账中仍有有效的演示密钥（jiuyuan demo 所建）时拒绝启动"
    )
    p_serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (OperationalError, ProgrammingError) as exc:
        # A ledger not migrated yet, or a database that does not answer: say so, not a traceback.
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        print(
            f"无法读写台账数据库（{reason}）：请检查 JIUYUAN_DATABASE_URL 或 --database-url，"
            "新数据库请先运行 jiuyuan db upgrade",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
