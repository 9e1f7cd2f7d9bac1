"""`jiuyuan index`: train the embedding model, build and keep the search index."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from jiuyuan import clock
from cli.args import iso_date, dimension_arg
from jiuyuan.settings import get_settings


def register(sub) -> None:
    p_index = sub.add_parser(
        "index", help="检索索引：train-model 训练向量模型 / rebuild 重建 / update 增量更新 / sync 按变更同步 / stats 统计",
        description="岗位检索索引（嵌入式，保存在 var/index）。train-model 用台账中的岗位训练中文静态向量模型；"
                    "rebuild 重建索引；update 加入新岗位、移出过期或已招满的岗位；"
                    "sync 按岗位变更记录（change feed）增量同步；stats 输出索引规模。",
    )
    p_index.add_argument("action", choices=("train-model", "rebuild", "update", "sync", "stats"))
    p_index.add_argument("--path", help="索引目录 (default var/index 或 JIUYUAN_INDEX_DIR)")
    p_index.add_argument("--model", help="向量模型目录 (default var/models/jiuyuan-static-zh 或 JIUYUAN_EMBEDDING_MODEL)")
    p_index.add_argument("--dim", type=dimension_arg, default=128, help="训练时的向量维度，8–1024 (default 128)")
    p_index.add_argument("--force", action="store_true", help="模型已存在时也重新训练")
    p_index.add_argument("--as-of", type=iso_date, default=clock.today(), help="以该日判断岗位是否有效 (default: today)")
    p_index.add_argument("--quiet", action="store_true", help="不显示进度条")
    p_index.set_defaults(func=cmd_index)


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
