"""Chinese text → tokens: jieba with the domain lexicon, one canonical token per synonym group.

The same tokens feed BM25 on every backend (the embedded index and the text field sent to
OpenSearch), so a query finds the same postings on both.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import jieba
import yaml

_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "我",
        "你",
        "他",
        "她",
        "要",
        "想",
        "找",
        "找个",
        "个",
        "一",
        "些",
        "能",
        "会",
        "去",
        "做",
        "的话",
        "工作",
        "上班",
        "活",
        "岗位",
        "招聘",
        "招",
        "人",
        "一份",
        "需",
        "需要",
    ]
)


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load(resources.files("indexer.data").joinpath("lexicon.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def canonical() -> dict[str, str]:
    """word → the first word of its synonym group."""
    return {word: group[0] for group in lexicon()["synonyms"] for word in group}


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    # A private jieba instance: its dictionary additions do not leak into other users of jieba.
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    words = {w for group in lexicon()["synonyms"] for w in group} | set(lexicon()["terms"])
    for word in sorted(words, key=len, reverse=True):
        tk.add_word(word, freq=200_000)
    return tk


def segment(text: str) -> list[str]:
    """Words as jieba cuts them with the lexicon, punctuation and spaces dropped."""
    return [w for w in _tokenizer().lcut((text or "").lower()) if _KEEP.search(w)]


_CLAUSE = re.compile(r"[。；;，,、！!？?\s]+")


def tokens(text: str) -> list[str]:
    """BM25 tokens: segmented, stop words dropped, synonyms folded to their canonical word.

    jieba never joins words across punctuation, so the text is cut into clauses first and each
    clause is segmented once and cached: titles, duties and employer names repeat across postings."""
    return [t for clause in _CLAUSE.split(text or "") if clause for t in _tokens(clause)]


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached: titles, duties and query phrases repeat across postings and searches.
    table = canonical()
    return tuple(table.get(w, w) for w in segment(text) if w not in STOPWORDS)
