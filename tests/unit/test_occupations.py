"""Occupations (issue 18, "Ground job titles in the national occupational classification"): a
clerk's word maps to a standard title, a posting's title to its occupation (the role, not the
object or the employer), and the table agrees with the hand labels of the judged postings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from indexer import occupations, text
from jiuyuan.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("title", "occupation"),
    [
        ("小区保洁员 60岁以内 做六休一", "保洁员"),
        ("保安公司招会计", "会计"),  # the employer's trade is not the job
        ("叉车维修工", "机修钳工"),  # role versus object
        ("急招叉车司机", "叉车司机"),
        ("电焊工学徒", "焊工"),
        ("养猪场饲养员", "家畜饲养员"),
        ("超市理货员", "理货员"),
        ("烹饪学校招生 学厨师包分配", "营销员"),  # a school's ad, not a cook's job
        ("急招日结搬运工 200一天 当天结", "装卸搬运工"),
        ("残疾人托养服务员", "养老护理员"),  # care, not a waiter: 托养服务员 before 服务员
    ],
)
def test_a_posting_title_names_its_role(title, occupation):
    assert occupations.of_posting(title) == occupation


def test_a_title_naming_no_occupation_is_read_by_its_description():
    assert occupations.of_posting("急招 日结 当天结", "小区楼道扫地拖地") == "保洁员"
    assert occupations.of_posting("急招 日结", "") == ""


def test_a_clerks_words_map_to_standard_titles():
    table = occupations.table()
    assert [o.title for o in table.named("想找扫地的活")] == ["保洁员"]
    assert [o.title for o in table.named("照顾老人或者带小孩")] == ["养老护理员", "育婴员"]
    assert [o.title for o in table.named("电焊工")] == ["焊工"]  # once, not 电焊 and 焊工
    assert table.named("周末有空") == []
    assert table.by_title["保洁员"].group_name == "社会生产服务和生活服务人员"


def test_a_filter_takes_standard_titles_and_says_which_one_a_word_meant():
    table = occupations.table()
    assert table.check("保洁员") == "保洁员"
    with pytest.raises(InvalidInput) as caught:
        table.check("扫地")
    assert caught.value.errors[0].field == "occupation" and "“保洁员”" in caught.value.errors[0].message
    with pytest.raises(InvalidInput, match="GET /occupations"):
        table.check("宇航员")


def test_the_table_has_one_title_per_alias_and_covers_every_demo_occupation():
    rows = yaml.safe_load((ROOT / "indexer" / "data" / "occupations.yaml").read_text(encoding="utf-8"))
    aliases = [a for r in rows["occupations"] for a in r["aliases"]]
    assert len(aliases) == len(set(aliases)) and len(rows["occupations"]) >= 80
    assert all(r["group"] in occupations.GROUPS for r in rows["occupations"])
    demo = yaml.safe_load((ROOT / "demo" / "occupations.yaml").read_text(encoding="utf-8"))["families"]
    assert [f["title"] for f in demo if not occupations.of_posting(f["title"])] == []


def test_postings_agree_with_the_judged_sets_hand_labels():
    """The judged postings carry a hand label each (indexer/data/bench/postings.jsonl); the title
    and description should map where the label maps. 85 % agree today (347 of 408): the rest are
    labels the table reads otherwise (托育中心保育员 is a 保育员, labelled 育婴员) or weekend odd
    jobs no standard title covers. The floor keeps the table from drifting."""
    rows = [json.loads(line) for line in (ROOT / "indexer" / "data" / "bench" / "postings.jsonl").open()]
    agree = sum(
        occupations.of_posting(r["occupation"]) == occupations.of_posting(r["title"], r["description"]) for r in rows
    )
    assert agree / len(rows) >= 0.83


def test_a_facet_counts_by_words_and_synonyms_not_character_pairs():
    """扫地 expands to 打扫卫生 among its synonyms, whose bigram 卫生 is in every 卫生间: a
    waterproofer's post must not be counted as a match of 扫地 (found by a new user's try)."""
    waterproofing = "卫生间涂膜防水。地下室堵漏"
    assert "打扫卫生" in text.facet_terms("扫地") and "卫生" not in text.facet_terms("扫地")
    assert not set(text.facet_terms("扫地")) & set(text.fields(waterproofing)["words"])
    assert set(text.facet_terms("扫地")) & set(text.fields("小区楼道扫地拖地")["words"])
    assert text.facet_terms("想找个活") == []


def test_a_title_in_traditional_characters_is_the_standard_title():
    assert occupations.table().check("會計") == "会计"
