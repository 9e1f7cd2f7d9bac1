"""`jiuyuan score`: the policy engine from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.args import iso_date
from jiuyuan import clock


def register(sub) -> None:
    p_score = sub.add_parser(
        "score",
        help="补贴资格测算：读取事实 JSON，输出决定（JSON 或中文摘要）",
        description="按政策文件测算一个或多个案件（JSON 对象或数组）的补贴资格。"
        "例：jiuyuan score case.json --as-of 2025-09-01 --format text；"
        "假设分析：jiuyuan score cases.json --local local.yaml --what-if minimum_wage.monthly=2200@43",
    )
    p_score.add_argument("file", nargs="?", help="事实文件（JSON；- 表示标准输入）")
    p_score.add_argument("--as-of", type=iso_date, default=clock.today(), help="测算日期 YYYY-MM-DD (default: today)")
    p_score.add_argument("--local", help="地方参数文件（YAML，须写明数值来源）")
    p_score.add_argument(
        "--format", choices=("json", "text"), default="json", help="输出格式：json（默认）或 text（中文摘要）"
    )
    p_score.add_argument(
        "--what-if",
        action="append",
        metavar="名称=值@地区[:日期]",
        help="假设某地方参数取新值，输出各补贴合计的差额（可重复）",
    )
    p_score.add_argument("--schema", action="store_true", help="输出事实与报告的 JSON Schema")
    p_score.set_defaults(func=cmd_score)


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
