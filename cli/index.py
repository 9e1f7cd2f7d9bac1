"""`jiuyuan index`: train the embedding model, build and keep the search index."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from cli.args import dimension_arg, iso_date
from jiuyuan import clock
from jiuyuan.settings import SearchSettings, get_settings


def register(sub) -> None:
    p_index = sub.add_parser(
        "index",
        help="检索索引：train-model 训练向量模型 / rebuild 重建 / update 增量更新 / sync 按变更同步 / stats 统计",
        description="岗位检索索引（默认嵌入式，保存在 var/index；JIUYUAN_SEARCH_BACKEND=opensearch 时写入 OpenSearch）。"
        "train-model 用台账中的岗位训练中文静态向量模型；rebuild 重建索引；update 加入新岗位、移出过期或已招满的岗位；"
        "sync 按岗位变更记录（change feed）增量同步；stats 输出索引规模。人员画像索引总在 var/index/profiles。",
    )
    p_index.add_argument("action", choices=("train-model", "rebuild", "update", "sync", "stats"))
    p_index.add_argument("--path", help="索引目录 (default var/index 或 JIUYUAN_INDEX_DIR)")
    p_index.add_argument(
        "--backend",
        choices=("embedded", "opensearch"),
        help="岗位索引写到哪里 (default JIUYUAN_SEARCH_BACKEND，未设置为 embedded)；opensearch 需要 OPENSEARCH_URL",
    )
    p_index.add_argument(
        "--model", help="向量模型目录 (default var/models/jiuyuan-static-zh 或 JIUYUAN_EMBEDDING_MODEL)"
    )
    p_index.add_argument("--dim", type=dimension_arg, default=128, help="训练时的向量维度，8–1024 (default 128)")
    p_index.add_argument("--force", action="store_true", help="模型已存在时也重新训练")
    p_index.add_argument(
        "--as-of", type=iso_date, default=clock.today(), help="以该日判断岗位是否有效 (default: today)"
    )
    p_index.add_argument("--quiet", action="store_true", help="不显示进度条")
    p_index.set_defaults(func=cmd_index)


def search_settings(args: argparse.Namespace) -> SearchSettings:
    """The search settings (read from the environment now), with the folders given on the command line."""
    settings = SearchSettings()
    if args.backend:
        settings = replace(settings, backend=args.backend)  # checked again: opensearch needs a URL
    if args.path:
        settings = replace(settings, index_dir=Path(args.path))
    if args.model:
        settings = replace(settings, model_dir=Path(args.model))
    return settings


def cmd_index(args: argparse.Namespace) -> int:
    import json

    from indexer import backends, build
    from indexer import encoder as encoders
    from ledger import db

    try:
        settings = search_settings(args)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.action == "stats":
        try:
            index = backends.open_backend(settings)
        except FileNotFoundError:
            print(f"索引不存在：{settings.index_dir}（先运行 jiuyuan index rebuild）", file=sys.stderr)
            return 2
        print(json.dumps(build.stats(index), ensure_ascii=False, indent=1))
        return 0
    engine = db.make_engine(args.database_url or get_settings().db.url)
    try:
        with db.session_factory(engine)() as session:
            if args.action == "train-model":
                from indexer import training

                out = settings.model_dir
                if out.exists() and not args.force:
                    print(f"向量模型已存在：{out}（--force 重新训练）")
                    return 0
                texts = build.training_texts(session)
                if not texts:
                    print("台账中没有岗位，无法训练：请先导入岗位或运行 jiuyuan demo", file=sys.stderr)
                    return 2
                started = time.perf_counter()
                training.train(texts, out, dim=args.dim, progress=not args.quiet)
                print(f"向量模型已保存：{out}（{len(texts)} 条岗位，{time.perf_counter() - started:.1f}s）")
                return 0
            try:
                encoder = encoders.load(settings.model_dir)
            except FileNotFoundError as exc:
                print(str(exc), file=sys.stderr)
                return 2
            with _only_writer(settings):
                return _build(args, settings, session, encoder)
    finally:
        engine.dispose()


@contextmanager
def _only_writer(settings: SearchSettings) -> Iterator[None]:
    """The indexes' writer lock (``indexer.follow``): the API's live follower holds it a moment
    per write; a rebuild holds it throughout, and the follower applies what came meanwhile after."""
    from indexer.follow import writer_lock

    with writer_lock(settings, wait=False) as free:
        if free:
            yield
            return
    print("API 的实时索引正在写入，等待其完成……", file=sys.stderr)
    with writer_lock(settings):
        yield


def _build(args: argparse.Namespace, settings: SearchSettings, session, encoder) -> int:
    from indexer import backends, build

    progress = not args.quiet
    incremental = args.action in ("update", "sync")
    try:
        index = backends.open_backend(settings) if incremental else None
    except FileNotFoundError:
        index = None  # nothing to update yet: build it
    if index is not None and index.dimension != encoder.dimension:
        index = None  # another model: every vector changes
    if index is not None and args.action == "update":
        report = build.update(session, encoder, index, args.as_of, progress=progress)
    elif index is not None:
        report = build.sync(session, encoder, index, args.as_of, progress=progress)
    else:
        fresh = backends.fresh_backend(settings, encoder.dimension)
        report = build.rebuild(session, encoder, fresh, args.as_of, progress=progress)
    # Profiles are rebuilt every time: a withdrawn consent must leave the index at once.
    people = build.rebuild_profiles(session, encoder, backends.profiles_dir(settings), progress=progress)
    where = settings.opensearch_index if settings.backend == "opensearch" else settings.index_dir
    print(f"人员画像索引 {backends.profiles_dir(settings)}：{people}")
    print(f"岗位索引 {where}：{report}")
    return 0
