"""Search-mode words, character bigrams and query-time synonym expansion (issue 18's failures)."""

from __future__ import annotations

import unicodedata

import pytest

from bench import judged
from indexer import homophones, text


@pytest.mark.parametrize(("posted", "part"), [("电焊工", "电焊"), ("养猪场", "养猪"), ("照顾老人", "老人")])
def test_search_mode_indexes_the_words_inside_a_word(posted, part):
    assert part in text.words(posted)


def test_bigrams_pair_han_characters_and_keep_numbers_whole():
    assert text.bigrams("日结200一天") == ["日结", "200", "一天"]
    assert text.bigrams("猪") == ["猪"]


def test_typed_words_outweigh_their_synonyms():
    terms = text.query_terms("扫地")["words"]
    assert terms["扫地"] == 1.0
    assert 0 < terms["保洁"] < 1.0


def test_supermarket_is_not_a_shopping_mall():
    assert "商场" not in text.query_terms("超市上班")["words"]
    assert "超市" not in text.query_terms("商场上班")["words"]


def test_forklift_driver_does_not_expand_to_repair_or_sales():
    terms = text.query_terms("叉车司机")["words"]
    assert "叉车工" in terms
    assert not {"叉车维修", "叉车销售", "维修", "销售"} & set(terms)


def test_driving_expands_to_drivers_and_cooking_to_chefs_weakly():
    assert text.query_terms("会开车")["words"]["司机"] == 0.5
    assert text.query_terms("做饭")["words"]["厨师"] < text.SYNONYM_WEIGHT


def test_stop_words_add_no_terms():
    assert text.query_terms("想找个活") == {"words": {}, "bigrams": {}}


def test_the_joined_fields_and_key_words_are_the_token_lists_as_indexed():
    """Both backends index ``joined`` (each field's tokens joined a clause at a time) and the
    duplicate key reads ``key_words``: over every judged posting they are the token lists
    joined, and the tokens but numbers, as a set."""
    from bench import judged

    for posting in judged.load().postings:
        tokens = text.fields(posting.text)
        assert text.joined(posting.text) == {field: " ".join(tokens[field]) for field in text.FIELDS}
        assert text.key_words(posting.text) == {t for t in text.tokens(posting.text) if not t.isdigit()}
    assert text.joined("，。") == {"words": "", "bigrams": ""}


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("燒烤師傅", "烧烤师傅"),
        ("會計", "会计"),
        ("Ａ２貨車司機", "a2货车司机"),
        ("ＣＮＣ操机", "cnc操机"),
        ("乾洗店", "干洗店"),
    ],
)
def test_traditional_and_full_width_text_is_read_as_simplified_half_width(written, plain):
    """The blind set's 燒烤師傅 and 會計 found nothing: no token matched, the model knew no character."""
    assert text.words(written) == text.words(plain)
    assert text.bigrams(written) == text.bigrams(plain)
    assert text.query_terms(written) == text.query_terms(plain)


def _whole_text_fold(written: str) -> str:
    """``text.fold`` as it was before the full-width marks were replaced first: NFKC of the whole text."""
    return text.simplified(unicodedata.normalize("NFKC", written.translate(text._BEFORE_NFKC))).lower()


def test_folding_is_nfkc_of_the_whole_text_on_every_judged_text_and_the_hard_cases():
    """The fast path (full-width marks replaced, the rest normalised only where it is not normal)
    gives what normalising the whole text gives."""
    texts = [
        "３０℃以下，Ａ２貨車司機（夜班）！月薪５０００～８０００％？",
        "ｅ\u0301，ﬁ；\u3000全角空格：①②",  # a combining accent, a ligature, circled digits
        "cafe\u0301；乾洗店：會計（兼職）",
        "",
    ]
    for folder in (judged.JUDGED, judged.UNSEEN, judged.BLIND):
        data = judged.load(folder)
        texts += [p.text for p in data.postings] + list(data.queries.values())
    for written in texts:
        assert text.fold(written) == _whole_text_fold(written), written


def test_simplified_text_is_left_as_it_is():
    for plain in ("著名企业", "乾隆", "干部", "后厨", "发工资", "面试", "头发", "里程"):
        assert text.simplified(plain) == plain


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("档车工", "挡车工"),
        ("幼儿园保玉员", "保育员"),
        ("代价司机", "代驾司机"),
        ("保结", "保洁"),
        ("修电平车", "修电瓶车"),
    ],
)
def test_a_character_of_the_same_sound_adds_the_job_word_meant_below_the_typed_words(typed, meant):
    terms = text.query_terms(typed)["words"]
    assert terms[meant] == homophones.WEIGHT
    assert all(weight <= homophones.WEIGHT for word, weight in terms.items() if word not in text.words(typed))


@pytest.mark.parametrize(
    "typed",
    # each once offered a job word (an attack helper's list): 住宿 is a word (注塑), 机场 (鸡场),
    # 包吃住|长期 are two (猪场 from 住长), 钟点工 and 点工 are job words themselves (电工)
    ["钟点工", "点工", "电工", "保洁", "兼职", "找个保安的活", "包住宿", "机场", "包吃住长期", "司机长沙", "夫妻工",
     "本地保洁", "加班家政", "保安兼职", "长期收银员", "导购急招", "代驾五十岁", "代价"],
)  # fmt: skip
def test_no_homophone_is_offered_for_words_typed_as_meant(typed):
    assert text.meant(typed) == []


def test_no_homophone_is_offered_for_a_posting_text_or_counted_in_facets():
    long = "档车工，纺织厂长期招聘，包吃住，月薪五千以上，工作稳定，欢迎来电咨询，名额有限"
    assert text.meant("档车工") and text.meant(long) == []  # more than TYPED Han characters
    assert "挡车工" not in text.facet_terms("档车工")
