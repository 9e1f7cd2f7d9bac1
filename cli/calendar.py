"""`jiuyuan calendar`: which years' holiday arrangements are loaded, and recounting provisional dates."""

from __future__ import annotations

import argparse

from jiuyuan import clock
from jiuyuan.settings import get_settings


def register(sub) -> None:
    p = sub.add_parser(
        "calendar",
        help="工作日日历：status 查看国务院放假安排载入情况 / rederive 重算暂定的认定办结日期",
        description="认定各环节的办结日期（002 §2）按国务院办公厅节假日安排计算工作日。尚未载入某年安排时按法定节假日"
        "推算并标为“暂定”。把新一年的通知补充到节假日安排文件后，运行 jiuyuan calendar rederive "
        "重算台账中暂定的日期并列出变动的环节。",
    )
    p.add_argument(
        "action", choices=("status", "rederive"), help="status 显示各来源覆盖的年份；rederive 重算暂定日期并列出变动"
    )
    p.add_argument("--dry-run", action="store_true", help="rederive 只列出变动，不写入台账")
    p.set_defaults(func=cmd_calendar)


def cmd_calendar(args: argparse.Namespace) -> int:
    from scoring.workdays import working_calendar

    settings = get_settings()
    calendar = working_calendar()
    if args.action == "status":
        print(f"节假日安排文件：{settings.calendar.arrangements_file}")
        years = calendar.package_years
        print(f"chinesecalendar 程序包：{years.start}–{years.stop - 1} 年")
        for year, arrangement in sorted(calendar.arrangements.items()):
            print(f"{year} 年：{arrangement.notice}，{arrangement.published_on.isoformat()} 发布")
        print(f"官方安排载入至 {calendar.official_through().isoformat()}")
        warning = calendar.coverage_warning(clock.today())
        if warning:
            print(f"提醒：{warning}")
        return 0

    from ledger import db
    from ledger.calendar import rederive
    from scoring import load_policies

    engine = db.make_engine(args.database_url or settings.db.url)
    try:
        with db.session_factory(engine)() as session:
            counted, moved = rederive(session, calendar, load_policies())
            if args.dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        engine.dispose()
    print(f"重算暂定办结日期 {counted} 个，变动 {len(moved)} 个" + ("（试算，未写入）" if args.dry_run else ""))
    for m in moved:
        still = "（仍为暂定）" if m.still_provisional else ""
        print(
            f"认定申请 {m.recognition_id}　人员 {m.person_id}　{m.step}　{m.started_on} 起："
            f"{m.old_due} → {m.new_due}{still}"
        )
    return 0
