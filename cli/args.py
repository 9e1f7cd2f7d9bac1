"""Argument types with Chinese messages, shared by the subcommands."""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数：{text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数：{value}")
    return value


def positive_int(text: str) -> int:
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("应为正整数：0")
    return value


def region_prefix_arg(text: str) -> str:
    from jiuyuan import validation

    try:
        return validation.region_prefix(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def month_arg(text: str) -> str:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM：{text!r}") from None
    if not 2000 <= first.year <= 2099:
        raise argparse.ArgumentTypeError(f"月份应在2000年至2099年之间：{text!r}")
    return text


def dimension_arg(text: str) -> int:
    value = non_negative(text)
    if not 8 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"向量维度应在8到1024之间：{value}")
    return value
