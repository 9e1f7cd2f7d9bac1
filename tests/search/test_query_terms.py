"""Search-mode words, character bigrams and query-time synonym expansion (issue 18's failures)."""

from __future__ import annotations

import pytest

from indexer import text


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
