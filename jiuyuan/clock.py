"""The one "today" of the service: the date in Beijing, where the offices count their days.

The host's own date differs before 08:00 Beijing time on a UTC machine; every route, duty and
due date reads this instead. Call it as ``clock.today()`` so a test can move the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()
