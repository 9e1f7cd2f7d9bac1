"""Chinese text → search terms, one list per text field, and a query's weighted terms.

Two fields are indexed on every backend (the embedded index and OpenSearch's whitespace-analysed
fields get the same pre-segmented tokens):

- ``words``: jieba in search mode with the domain lexicon — each word plus the dictionary words
  inside it, so 电焊工 also yields 电焊 and 养猪场 yields 养猪 — stop words dropped, nothing folded;
- ``bigrams``: overlapping character pairs, which match what segmentation cuts differently
  (缝衣服 / 车缝衣服) and words no dictionary holds.

Synonyms are expanded at query time (``query_terms``), weighted below the words typed, as
OpenSearch's ``synonym_graph`` filter does at search time: a posting is stored as written, so
changing the lexicon needs no re-index. ``tokens`` (the lexicon's groups folded to one word) is
kept only for the duplicate key and OpenSearch's legacy ``tokens`` field.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import jieba
import opencc
import yaml

from indexer import homophones

_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_HAN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
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
        "的活",
        "干活",
        "岗位",
        "招聘",
        "招",
        "人",
        "一份",
        "需",
        "需要",
        "可以",
        "什么",
        "哪里",
        "附近",
    ]
)
FIELDS = ("words", "bigrams")
SYNONYM_WEIGHT = 0.5
"""A synonym's weight beside a typed word's 1.0 (measured: docs/search.md)."""


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load(resources.files("indexer.data").joinpath("lexicon.yaml").read_text(encoding="utf-8"))


def lexicon_words() -> set[str]:
    """Every word the lexicon names (synonyms, related words both ways, terms)."""
    lex = lexicon()
    related = {w for entry in lex.get("related", []) for w in (*entry["from"], *entry["to"])}
    return {w for group in lex["synonyms"] for w in group} | related | set(lex["terms"])


@lru_cache(maxsize=1)
def canonical() -> dict[str, str]:
    """word → the first word of its synonym group (the duplicate key folds by it)."""
    return {word: group[0] for group in lexicon()["synonyms"] for word in group}


@lru_cache(maxsize=1)
def expansions() -> dict[str, dict[str, float]]:
    """word → {word it adds to a query: weight}, from the synonym groups and related entries."""
    table: dict[str, dict[str, float]] = {}
    for group in lexicon()["synonyms"]:
        for word in group:
            table.setdefault(word, {}).update({w: SYNONYM_WEIGHT for w in group if w != word})
    for entry in lexicon().get("related", []):
        for word in entry["from"]:
            added = table.setdefault(word, {})
            for target in entry["to"]:
                if target != word:
                    added[target] = max(added.get(target, 0.0), float(entry["weight"]))
    return table


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    # A private jieba instance: its dictionary additions do not leak into other users of jieba.
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for word in sorted(lexicon_words(), key=len, reverse=True):
        tk.add_word(word, freq=200_000)
    return tk


_CONVERTERS = threading.local()


def simplified(text: str) -> str:
    """Traditional characters as simplified (OpenCC's t2s, phrase-aware: 乾洗 → 干洗, 乾隆 stays):
    a board, a walk-in's phone or a Hong Kong input method may write 燒烤師傅 or 會計. One
    converter a thread (the build encodes in one while it analyses in another)."""
    converter = getattr(_CONVERTERS, "t2s", None)
    if converter is None:
        converter = _CONVERTERS.t2s = opencc.OpenCC("t2s")
    return converter.convert(text)


ANALYSER = "fold-1"
"""The analyser's version: changed whenever the tokens a text gives change (``fold``,
segmentation). An index saved with another is indexed again from its stored documents when
loaded (``indexer.storage``), so an old 會計 no longer hides from a query read as 会计."""
_BEFORE_NFKC = str.maketrans({"℃": "度", "℉": "华氏度"})
"""NFKC would make 40℃ "40°c", a token c that C照 also gives."""


def fold(text: str) -> str:
    """A text as every analyser reads it: NFKC (full-width ＣＮＣ, Ａ２ as cnc, a2), simplified
    characters, lower case."""
    text = text or ""
    if "℃" in text or "℉" in text:
        text = text.translate(_BEFORE_NFKC)
    return simplified(_nfkc(text)).lower()


_FULL_WIDTH = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，：；（）！？％／～\u3000")
"""The full-width marks nearly every Chinese text has, each NFKC's one ASCII character (nothing
composes with it): replaced first, most texts are then already normal, and normalising a text
costs 20 times the check."""


def _nfkc(text: str) -> str:
    for wide, narrow in _FULL_WIDTH:
        text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def segment(text: str) -> list[str]:
    """Words as jieba cuts them with the lexicon (accurate mode), punctuation and spaces dropped."""
    return [w for w in _tokenizer().lcut(fold(text)) if _KEEP.search(w)]


_CLAUSE = re.compile(r"[。；;，,、！!？?：:（）()·/\s]+")


@lru_cache(maxsize=4096)
def _clauses(text: str) -> tuple[str, ...]:
    # jieba never joins words across punctuation; clauses repeat across postings, so each is
    # cached; a text is split once for its fields and its duplicate key (a batch apart at most).
    return tuple(c for c in _CLAUSE.split(fold(text)) if c)


def _each(clauses: tuple[str, ...], cut) -> list[str]:
    """The tokens ``cut`` gives each clause, in order."""
    return [t for clause in clauses for t in cut(clause)]


def words(text: str) -> list[str]:
    """The ``words`` field: search-mode words (each word and the dictionary words inside it)."""
    return _each(_clauses(text), _words)


def bigrams(text: str) -> list[str]:
    """The ``bigrams`` field: character pairs within each run of Han characters (a lone
    character stands for itself); Latin letters and digits as whole runs."""
    return _each(_clauses(text), _bigrams)


def fields(text: str) -> dict[str, list[str]]:
    clauses = _clauses(text)  # split once for both fields
    return {"words": _each(clauses, _words), "bigrams": _each(clauses, _bigrams)}


def joined(text: str) -> dict[str, str]:
    """``fields`` with each field's tokens joined by spaces, as both backends index them (a
    whitespace tokenizer splits them again). Joined a clause at a time, once per clause, so a
    posting costs a join of its few clauses, not of its many tokens."""
    clauses = _clauses(text)
    return {"words": _join(clauses, _joined_words), "bigrams": _join(clauses, _joined_bigrams)}


def _join(clauses: tuple[str, ...], joined_clause) -> str:
    return " ".join(filter(None, map(joined_clause, clauses)))


@lru_cache(maxsize=65536)
def _joined_words(clause: str) -> str:
    return " ".join(_words(clause))


@lru_cache(maxsize=65536)
def _joined_bigrams(clause: str) -> str:
    return " ".join(_bigrams(clause))


@lru_cache(maxsize=65536)
def _cut(clause: str) -> tuple[str, ...]:
    """A clause as jieba cuts it (accurate mode): the words field and the duplicate key both
    start from it, so indexing a posting cuts each clause once, not once for each."""
    return tuple(_tokenizer().lcut(clause))


def _with_inner_words(words: tuple[str, ...]) -> Iterator[str]:
    """jieba's search mode from its accurate cut, as ``Tokenizer.cut_for_search`` does it: each
    word after the dictionary words of two and of three characters inside it."""
    known = _tokenizer().FREQ
    for word in words:
        if len(word) > 2:
            yield from (word[i : i + 2] for i in range(len(word) - 1) if known.get(word[i : i + 2]))
        if len(word) > 3:
            yield from (word[i : i + 3] for i in range(len(word) - 2) if known.get(word[i : i + 3]))
        yield word


@lru_cache(maxsize=65536)
def _words(clause: str) -> tuple[str, ...]:
    return tuple(w for w in _with_inner_words(_cut(clause)) if _KEEP.search(w) and w not in STOPWORDS)


@lru_cache(maxsize=65536)
def _bigrams(clause: str) -> tuple[str, ...]:
    out: list[str] = []
    for run in _HAN.findall(clause):
        if not "\u4e00" <= run[0] <= "\u9fff" or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tuple(out)


@lru_cache(maxsize=1)
def sounds() -> homophones.Sounds:
    """The job words a mistyped query may have meant: the lexicon's and the occupation table's."""
    from indexer import occupations  # it reads text with ``fold``: imported when first needed

    table = occupations.table().by_title.values()
    return homophones.Sounds(lexicon_words() | {w for o in table for w in (o.title, *o.aliases)})


CACHED = 64
"""The longest text whose terms are kept once worked out (``_query_terms``): what people type,
and a seeker's wishes in matching. A posting's text, the query of a people search, is worked
out each time (4,096 of those would hold some 100 MB)."""


def query_terms(text: str) -> dict[str, dict[str, float]]:
    """A query's terms per field with their weights: the words typed 1.0, the job words a
    mistyped character may have meant (``homophones``) below them, the lexicon's expansions of
    both below (their weight, never above the word expanded), and the bigrams of all alike.
    Stop words are left out of both fields, so 想找个活 adds nothing to either. Each call gets
    its own dicts."""
    return {field: dict(weighted) for field, weighted in _terms_of(text, True).items()}


def facet_terms(text: str) -> list[str]:
    """The terms an occupation facet counts postings by: the words typed and their synonyms, not
    the bigrams (打扫卫生's 卫生 would count every 卫生间 a waterproofer seals) nor a guess at a
    mistyped word (a term to search by, not a count to show)."""
    return sorted(word for word, _ in _terms_of(text, False)["words"])


KNOWN = 100
"""How often a word must occur in jieba's dictionary (its counts run to millions) to be taken as
typed on purpose: 住宿 562, 机场 7,741, 代价 1,286 are; 保结 (3, an old legal word) is a slip
for 保洁."""


def _known(word: str) -> bool:
    """A common word of jieba's dictionary (住宿, 机场): typed as meant, not a homophone's slip."""
    return _tokenizer().FREQ.get(word, 0) >= KNOWN


def meant(text: str) -> list[str]:
    """The job words a query's mistyped characters may have meant (``homophones``)."""
    return sounds().meant(fold(text), _cut, _known)


def _terms(text: str, with_homophones: bool) -> dict[str, tuple[tuple[str, float], ...]]:
    weighted: dict[str, float] = {w: 1.0 for w in words(text)}
    if with_homophones:
        for word in meant(text):
            weighted.setdefault(word, homophones.WEIGHT)
    for word, base in list(weighted.items()):
        for extra, weight in expansions().get(word, {}).items():
            weighted[extra] = max(weighted.get(extra, 0.0), min(weight, base))
    pairs: dict[str, float] = {}
    for word, weight in weighted.items():
        if word in STOPWORDS:
            continue
        for pair in _bigrams(word):
            pairs[pair] = max(pairs.get(pair, 0.0), weight)
    return {"words": tuple(weighted.items()), "bigrams": tuple(pairs.items())}


# A search asks twice (the vector's lean and BM25), matching asks with wishes many people share,
# and the homophones' pinyin is the costly part: short texts' terms are kept.
_query_terms = lru_cache(maxsize=4096)(_terms)


def _terms_of(text: str, with_homophones: bool) -> dict[str, tuple[tuple[str, float], ...]]:
    return _query_terms(text, with_homophones) if len(text) <= CACHED else _terms(text, with_homophones)


def tokens(text: str) -> list[str]:
    """Accurate-mode words with stop words dropped and synonyms folded to their group's first
    word: the duplicate key's words (the same job posted twice with 清洁 or 保洁)."""
    return _each(_clauses(text), _tokens)


def key_words(text: str) -> frozenset[str]:
    """The duplicate key's words of a text: its ``tokens`` but numbers, as a set (their order
    and count do not make another posting); a clause's set is kept, clauses repeat."""
    return frozenset().union(*map(_key_words, _clauses(text)))


@lru_cache(maxsize=65536)
def _key_words(clause: str) -> frozenset[str]:
    return frozenset(t for t in _tokens(clause) if not t.isdigit())


@lru_cache(maxsize=65536)
def _tokens(clause: str) -> tuple[str, ...]:
    table = canonical()
    return tuple(table.get(w, w) for w in _cut(clause) if _KEEP.search(w) and w not in STOPWORDS)
