"""`jiuyuan train-ranker`: learn the re-ranker from the ledger's push outcomes and compare it
with the rule ranker on held-out persons; it is used only where it wins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.args import iso_date, non_negative
from jiuyuan import clock
from jiuyuan.settings import SearchSettings, get_settings


def register(sub) -> None:
    p = sub.add_parser(
        "train-ranker",
        help="用推送结果训练岗位排序模型，与规则排序比较（nDCG@10、AUC），胜出才采用",
        description="读取台账中的推送记录（推送→投递→录用→在岗满6个月），训练逻辑回归排序模型，"
        "在留出的30%人员上与规则排序比较 nDCG@10 和录用 AUC；只有胜出时才被匹配使用。"
        "--simulate N 先为演示台账中的 N 人模拟推送结果（演示用，见 demo/outcomes.py）。",
    )
    p.add_argument(
        "--simulate",
        type=non_negative,
        default=0,
        metavar="N",
        help="先为 N 名演示人员模拟推送结果（已模拟过则跳过）(default 0: 只读已有记录)",
    )
    p.add_argument("--out", help="模型文件 (default var/models/ranker.json 或 JIUYUAN_RANKER)")
    p.add_argument("--as-of", type=iso_date, default=clock.today(), help="以该日判断是否在岗满6个月 (default: today)")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_train_ranker)


def cmd_train_ranker(args: argparse.Namespace) -> int:
    from demo import outcomes
    from indexer import backends, build
    from indexer import encoder as encoders
    from ledger import db
    from matcher import ranker

    settings = SearchSettings()

    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine)() as session:
            if args.simulate:
                try:
                    encoder, index = encoders.load(settings.model_dir), backends.open_backend(settings)
                except FileNotFoundError as exc:
                    print(f"{exc}（先运行 jiuyuan index train-model 和 jiuyuan index rebuild）", file=sys.stderr)
                    return 2
                documents = {d.id: d for d in build.searchable(session, args.as_of)}
                made = outcomes.simulate(
                    session, index, encoder, documents, args.as_of, persons=args.simulate, progress=not args.quiet
                )
                print(f"模拟推送 {made['pushes']} 次，投递 {made['applied']} 次，录用 {made['hired']} 人次")
            rows = ranker.outcomes(session, args.as_of)
        try:
            learned = ranker.train(rows, args.as_of)
        except ranker.NotEnoughOutcomes as exc:
            print(str(exc), file=sys.stderr)
            return 2
    finally:
        engine.dispose()
    path = learned.save(Path(args.out) if args.out else settings.ranker_path)
    print(report(learned))
    print(f"已保存：{path}")
    return 0


def report(learned) -> str:
    held = learned.metrics["held_out"]
    lines = [
        f"排序模型 {learned.version}：留出 {held['persons']} 人、{held['pushes']} 次推送",
        f"{'':8}{'nDCG@10':>10}{'录用AUC':>10}",
    ]
    for name in ("rules", "learned"):
        m = learned.metrics[name]
        lines.append(f"{'规则排序' if name == 'rules' else '学习排序':8}{m['ndcg@10']:>10.4f}{m['auc_hired']:>10.4f}")
    lines.append("系数：" + "，".join(f"{k}={v:+.3f}" for k, v in learned.coefficients.items()))
    stay = learned.stay_model
    if stay:
        lines.append(
            f"在岗满6个月概率模型：留出 {stay['held_out']} 次录用，Brier {stay['brier']}"
            f"（只用基准率 {stay['brier_base_rate']}）；校准 "
            + "，".join(f"预测{c['predicted']:.2f}→实际{c['observed']:.2f}" for c in stay["calibration"])
        )
    else:
        lines.append("在岗满6个月概率模型：录用结果太少，或在留出人员上不优于只用基准率，不采用（不显示在岗概率）")
    lines.append(learned.reason)
    return "\n".join(lines)
