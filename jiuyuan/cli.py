"""The ``jiuyuan`` command: database, demo data and the API server."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from jiuyuan.settings import get_settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数：{text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数：{value}")
    return value


def cmd_db(args: argparse.Namespace) -> int:
    from ledger import db

    url = args.database_url or get_settings().db.url
    if args.action == "upgrade":
        db.upgrade(url, args.revision or "head")
    else:
        db.downgrade(url, args.revision or "base")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ledger import db
    from ledger.demo.generate import generate
    from ledger.demo.load import load

    url = args.database_url or get_settings().db.url
    db.upgrade(url)
    started = time.perf_counter()
    data = generate(args.seed, args.postings, args.persons, args.as_of, progress=not args.quiet)
    generated = time.perf_counter()
    engine = db.make_engine(url)
    with db.session_factory(engine).begin() as session:
        counts = load(session, data, progress=not args.quiet)
    engine.dispose()
    done = time.perf_counter()
    written = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"演示数据 seed={args.seed} as-of={args.as_of}: 生成 {generated - started:.1f}s, "
          f"写入 {done - generated:.1f}s; 新写入 {written}")
    if not any(counts.values()):
        print("数据库中已有这些演示数据，未重复写入。")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    import msgspec

    import scoring
    from scoring import whatif
    from scoring.decision import Report, encoder
    from scoring.facts import Case
    from scoring.params import EMPTY_LOCAL, ParameterError
    from scoring.text import summary

    if args.schema:
        schema = msgspec.json.schema_components([Case, Report])
        print(encoder.encode({"case": schema[0][0], "report": schema[0][1], "$defs": schema[1]}).decode())
        return 0
    if args.file is None:
        print("请指定事实文件 FILE.json（或使用 --schema）", file=sys.stderr)
        return 2
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"无法读取 {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        local = scoring.load_local(args.local) if args.local else EMPTY_LOCAL
        cases = scoring.decode_cases(raw) if raw.lstrip().startswith(b"[") else [scoring.decode_case(raw)]
        if args.what_if:
            changes = [whatif.Change.parse(c, args.as_of) for c in args.what_if]
            print(encoder.encode(whatif.compare(cases, args.as_of, local, changes)).decode())
            return 0
        reports = [scoring.evaluate(c, args.as_of, local=local) for c in cases]
    except scoring.FactsError as exc:
        for error in exc.errors:
            print(f"事实有误：{error.field}: {error.message}", file=sys.stderr)
        return 2
    except (ParameterError, ValueError) as exc:
        print(f"无法测算：{exc}", file=sys.stderr)
        return 2
    if args.format == "text":
        print("\n\n".join(summary(r) for r in reports))
    else:
        print(scoring.to_json(reports if len(reports) > 1 else reports[0]).decode())
    return 0


def _region_prefix(text: str) -> str:
    from jiuyuan import validation

    try:
        return validation.region_prefix(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month(text: str) -> str:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM：{text!r}") from None
    if not 2000 <= first.year <= 2099:
        raise argparse.ArgumentTypeError(f"月份应在2000年至2099年之间：{text!r}")
    return text


def _dimension(text: str) -> int:
    value = _positive(text)
    if not 8 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"向量维度应在8到1024之间：{value}")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    import json

    from ledger import db
    from ledger.reports import ReportRefused, dispatch, duties, export, jiaxing

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
                payload = {"xlsx": lambda: export.dispatch_xlsx(table), "csv": lambda: export.dispatch_csv(table),
                           "json": lambda: json.dumps({"region": table.region, "start": str(table.start),
                                                       "as_of": str(table.as_of),
                                                       "columns": [label for _, label in dispatch.COLUMNS],
                                                       "rows": [r.__dict__ for r in table.rows]}, ensure_ascii=False)}
            elif args.kind == "jiaxing":
                month = args.month or f"{args.as_of:%Y-%m}"
                table = jiaxing.build(session, args.region, month)
                payload = {"xlsx": lambda: export.jiaxing_xlsx(table), "csv": lambda: export.jiaxing_csv(table),
                           "json": lambda: json.dumps({"region": table.region, "month": table.month,
                                                       "due_on": str(table.due_on), "columns": list(jiaxing.COLUMNS),
                                                       "rows": [r.__dict__ for r in table.rows]}, ensure_ascii=False)}
            else:
                import scoring

                local = scoring.load_local(args.local) if args.local else scoring.EMPTY_LOCAL
                items = duties.build(session, args.region, args.as_of, args.actor, local=local)
                payload = {"csv": lambda: export.duties_csv(items),
                           "json": lambda: json.dumps([i.__dict__ for i in items], ensure_ascii=False)}
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


def cmd_index(args: argparse.Namespace) -> int:
    import json

    from indexer import build, model
    from ledger import db

    path = Path(args.path) if args.path else build.index_dir()
    if args.action == "stats":
        if not (path / "meta.json").exists():
            print(f"索引不存在：{path}（先运行 jiuyuan index rebuild）", file=sys.stderr)
            return 2
        print(json.dumps(build.stats(path), ensure_ascii=False, indent=1))
        return 0
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine)() as session:
            if args.action == "train-model":
                out = Path(args.model) if args.model else model.model_dir()
                if out.exists() and not args.force:
                    print(f"向量模型已存在：{out}（--force 重新训练）")
                    return 0
                texts = build.training_texts(session)
                if not texts:
                    print("台账中没有岗位，无法训练：请先导入岗位或运行 jiuyuan demo", file=sys.stderr)
                    return 2
                started = time.perf_counter()
                model.train(texts, out, dim=args.dim, progress=not args.quiet)
                print(f"向量模型已保存：{out}（{len(texts)} 条岗位，{time.perf_counter() - started:.1f}s）")
                return 0
            try:
                encoder = model.load(Path(args.model) if args.model else None)
            except FileNotFoundError as exc:
                print(str(exc), file=sys.stderr)
                return 2
            if args.action == "update" and (path / "meta.json").exists():
                report = build.update(session, encoder, path, args.as_of, progress=not args.quiet)
            elif args.action == "sync" and (path / "meta.json").exists():
                report = build.sync(session, encoder, path, args.as_of, progress=not args.quiet)
            else:
                report = build.rebuild(session, encoder, path, args.as_of, progress=not args.quiet)
            # Profiles are rebuilt every time: a withdrawn consent must leave the index at once.
            people = build.rebuild_profiles(session, encoder, path / "profiles", progress=not args.quiet)
            print(f"人员画像索引 {path / 'profiles'}：{people}")
            print(f"岗位索引 {path}：{report}")
            return 0
    finally:
        engine.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    import os

    if args.database_url:  # the app factory reads its settings from the environment
        os.environ["JIUYUAN_DATABASE_URL"] = args.database_url
        get_settings.cache_clear()
    settings = get_settings()
    uvicorn.run("api.app:create_app", factory=True, host=args.host or settings.server.host,
                port=args.port or settings.server.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiuyuan",
        description="就援：就业援助岗位匹配与补贴资格测算 (job matching and subsidy scoring for "
                    "public employment assistance). 数据库地址取自 JIUYUAN_DATABASE_URL，默认 var/jiuyuan.db。",
    )
    parser.add_argument("--database-url", help="SQLAlchemy 数据库地址，覆盖 JIUYUAN_DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p_db = sub.add_parser("db", help="数据库迁移 (Alembic): upgrade 升级 / downgrade 回退",
                          description="运行台账数据库迁移。例：jiuyuan db upgrade；jiuyuan db downgrade base")
    p_db.add_argument("action", choices=("upgrade", "downgrade"), help="upgrade 升级到 head；downgrade 回退到 base")
    p_db.add_argument("revision", nargs="?", help="目标版本（默认 upgrade→head，downgrade→base）")
    p_db.set_defaults(func=cmd_db)

    p_demo = sub.add_parser(
        "demo", help="生成并写入演示数据（确定性、可重复运行）",
        description="生成确定性的中文演示数据（岗位、用人单位、人员、家庭、认定、分级、安置）并写入台账。"
                    "同一 seed 与 as-of 生成完全相同的数据；重复运行不会重复写入。",
    )
    p_demo.add_argument("--postings", type=_positive, default=2000, help="岗位数 (default 2000)")
    p_demo.add_argument("--persons", type=_positive, default=1000, help="人员数 (default 1000)")
    p_demo.add_argument("--seed", type=int, default=20230201, help="随机种子 (default 20230201)")
    p_demo.add_argument("--as-of", type=_date, default=date.today(),
                        help="数据围绕的“今天”，YYYY-MM-DD (default: today)")
    p_demo.add_argument("--quiet", action="store_true", help="不显示进度条")
    p_demo.set_defaults(func=cmd_demo)

    p_score = sub.add_parser(
        "score", help="补贴资格测算：读取事实 JSON，输出决定（JSON 或中文摘要）",
        description="按政策文件测算一个或多个案件（JSON 对象或数组）的补贴资格。"
                    "例：jiuyuan score case.json --as-of 2025-09-01 --format text；"
                    "假设分析：jiuyuan score cases.json --local local.yaml --what-if minimum_wage.monthly=2200@43",
    )
    p_score.add_argument("file", nargs="?", help="事实文件（JSON；- 表示标准输入）")
    p_score.add_argument("--as-of", type=_date, default=date.today(), help="测算日期 YYYY-MM-DD (default: today)")
    p_score.add_argument("--local", help="地方参数文件（YAML，须写明数值来源）")
    p_score.add_argument("--format", choices=("json", "text"), default="json", help="输出格式：json（默认）或 text（中文摘要）")
    p_score.add_argument("--what-if", action="append", metavar="名称=值@地区[:日期]",
                         help="假设某地方参数取新值，输出各补贴合计的差额（可重复）")
    p_score.add_argument("--schema", action="store_true", help="输出事实与报告的 JSON Schema")
    p_score.set_defaults(func=cmd_score)

    p_report = sub.add_parser(
        "report", help="报表：调度表（000附件）、嘉兴进度表（003附件）、责任清单（002）",
        description="生成报表。dispatch：就业困难人员就业帮扶情况调度表（累计，按县市区并汇总到市、省）；"
                    "jiaxing：困难群体就业精准帮扶行动进度表（月）；duties：帮扶责任清单。"
                    "例：jiuyuan report dispatch --region 43 --as-of 2023-03-15 --format xlsx --out 调度表.xlsx",
    )
    p_report.add_argument("kind", choices=("dispatch", "jiaxing", "duties"), help="报表种类")
    p_report.add_argument("--region", type=_region_prefix, required=True, help="地区代码：省 43、市 4301、县 430121")
    p_report.add_argument("--as-of", type=_date, default=date.today(), help="截至日期 YYYY-MM-DD (default: today)")
    p_report.add_argument("--start", type=_date, default=date(2023, 2, 1), help="调度表累计起始日 (default 2023-02-01)")
    p_report.add_argument("--month", type=_month, help="进度表月份 YYYY-MM (default: --as-of 所在月)")
    p_report.add_argument("--format", choices=("xlsx", "csv", "json"), default="csv", help="输出格式 (default csv)")
    p_report.add_argument("--out", help="输出文件（xlsx 必填）")
    p_report.add_argument("--actor", default="cli", help="生成责任清单的经办人（写入审计日志）")
    p_report.add_argument("--local", help="地方参数文件（责任清单判断退出情形用）")
    p_report.set_defaults(func=cmd_report)

    p_index = sub.add_parser(
        "index", help="检索索引：train-model 训练向量模型 / rebuild 重建 / update 增量更新 / sync 按变更同步 / stats 统计",
        description="岗位检索索引（嵌入式，保存在 var/index）。train-model 用台账中的岗位训练中文静态向量模型；"
                    "rebuild 重建索引；update 加入新岗位、移出过期或已招满的岗位；"
                    "sync 按岗位变更记录（change feed）增量同步；stats 输出索引规模。",
    )
    p_index.add_argument("action", choices=("train-model", "rebuild", "update", "sync", "stats"))
    p_index.add_argument("--path", help="索引目录 (default var/index 或 JIUYUAN_INDEX_DIR)")
    p_index.add_argument("--model", help="向量模型目录 (default var/models/jiuyuan-static-zh 或 JIUYUAN_EMBEDDING_MODEL)")
    p_index.add_argument("--dim", type=_dimension, default=128, help="训练时的向量维度，8–1024 (default 128)")
    p_index.add_argument("--force", action="store_true", help="模型已存在时也重新训练")
    p_index.add_argument("--as-of", type=_date, default=date.today(), help="以该日判断岗位是否有效 (default: today)")
    p_index.add_argument("--quiet", action="store_true", help="不显示进度条")
    p_index.set_defaults(func=cmd_index)

    p_serve = sub.add_parser("serve", help="启动 API 服务（OpenAPI 文档在 /schema）",
                             description="启动 Litestar API。文档：http://HOST:PORT/schema")
    p_serve.add_argument("--host", help="监听地址 (default 127.0.0.1 或 JIUYUAN_HOST)")
    p_serve.add_argument("--port", type=int, help="端口 (default 8000 或 JIUYUAN_PORT)")
    p_serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
