"""Pushes (matching issue): recorded once per person and post, counted for the tier-2 duty."""

from __future__ import annotations

from datetime import date

import pytest

from jiuyuan.errors import Duplicate, InvalidInput
from ledger import intake
from matcher.pushes import history, push

TODAY = date(2026, 11, 22)
PERSON = {"id_number": "430102198507150011", "name": "王伟", "hukou_region_code": "430102", "urban_rural": "urban"}


def _posting(ref: str) -> dict:
    return {
        "ref": ref,
        "title": f"保洁员{ref}",
        "kind": "gig",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "120",
        "region_code": "430102",
        "valid_from": "2026-11-01",
        "valid_until": "2026-12-31",
    }


def test_a_post_is_pushed_once_and_the_history_counts(sessions):
    with sessions.begin() as s:
        person = intake.add_person(s, PERSON)
        posts = [intake.add_posting(s, _posting(f"R{i}")) for i in range(3)]
        for p in posts:
            push(s, person.id, p.id, "sms", "窗口-张")
    with pytest.raises(Duplicate, match="不重复推送"), sessions.begin() as s:
        push(s, person.id, posts[0].id, "phone", "窗口-李")
    with sessions() as s:
        records = history(s, person.id)
    assert [r.posting_id for r in records] == [p.id for p in posts]
    assert {r.channel.value for r in records} == {"sms"}


def test_a_push_to_nobody_or_by_an_unknown_channel_is_refused(sessions):
    with sessions.begin() as s:
        person = intake.add_person(s, PERSON)
    with pytest.raises(InvalidInput) as err, sessions.begin() as s:
        push(s, person.id, 99999, "pigeon", "x")
    assert [e.field for e in err.value.errors] == ["posting_id", "channel"]
