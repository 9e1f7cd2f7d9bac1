"""Training the embedding model: a sentence-transformers ``StaticEmbedding`` over a Chinese
vocabulary, built and trained here from the postings themselves and the domain lexicon.
Serving never imports this module (it imports torch): :mod:`indexer.encoder` loads and encodes.

Why: the one ready-made model a registry package carries here (all-MiniLM-L6-v2) maps most
Chinese characters to [UNK]. A static model (one vector per token, averaged) encodes
thousands of texts a second on two cores and can be retrained on a deployment's own
postings with one command (``jiuyuan index train-model``).

Tokenisation without jieba inside the model: the vocabulary holds the characters and the
words (lexicon words and jieba's words from the corpus), and a WordPiece model with no
continuation prefix matches the longest vocabulary word first — forward maximum matching,
the classic Chinese segmentation — so the tokenizer is plain ``tokenizers`` JSON that
``SentenceTransformer(path)`` loads back without any code of ours.

The model path is configuration (``Settings.search.model_dir``, ``JIUYUAN_EMBEDDING_MODEL``):
pointing it at any sentence-transformers directory (a local bge-small-zh copy, say) swaps the model.
"""

from __future__ import annotations

import json
import random
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
from sentence_transformers.sentence_transformer.modules import StaticEmbedding
from tokenizers import Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordPiece
from tqdm import tqdm

from indexer import occupations, text

SPECIAL = ["[UNK]", "[PAD]"]


@lru_cache(maxsize=1)
def dictionary_characters() -> frozenset[str]:
    """Every single-character entry of jieba's dictionary: the characters Chinese text uses.

    WordPiece turns a whole pre-token into [UNK] when one character is unknown, so every
    character must be in the vocabulary, also those the training corpus never shows."""
    path = Path(jieba.__file__).parent / "dict.txt"
    with path.open(encoding="utf-8") as fh:
        return frozenset(line.split(" ", 1)[0] for line in fh if len(line.split(" ", 1)[0]) == 1)


@lru_cache(maxsize=1)
def dictionary_words() -> dict[str, list[str]]:
    """character → jieba dictionary words of 2–4 characters holding it, most frequent first."""
    path = Path(jieba.__file__).parent / "dict.txt"
    found: dict[str, list[tuple[int, str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split(" ")
            if 2 <= len(word) <= 4 and int(freq) >= 50:
                for ch in set(word):
                    found.setdefault(ch, []).append((-int(freq), word))
    return {ch: [w for _, w in sorted(words)[:3]] for ch, words in found.items()}


def repo_postings() -> list[tuple[str, str]]:
    """The (title, duties) of the postings the repository carries (the judged benchmark's,
    written as gig boards write them): every set-up model learns their words too."""
    text_ = resources.files("indexer.data").joinpath("bench", "postings.jsonl").read_text(encoding="utf-8")
    return [(r["title"], r["description"]) for r in map(json.loads, text_.splitlines()) if r]


def build_vocabulary(corpus: Iterable[str], min_count: int = 2) -> list[str]:
    """All characters, lexicon words, and jieba words seen at least ``min_count`` times."""
    words: Counter[str] = Counter()
    # ASCII too (NFKC folds full-width letters and digits to it): "月薪3000" must not be [UNK].
    chars: set[str] = set(dictionary_characters()) | set(string.ascii_lowercase + string.digits)
    for doc in corpus:
        chars.update(ch for ch in doc.lower() if not ch.isspace())
        words.update(w for w in text.segment(doc) if len(w) > 1)
    lexicon = text.lexicon()
    lexicon_words = {w for group in lexicon["synonyms"] for w in group} | set(lexicon["terms"])
    frequent = {w for w, n in words.items() if n >= min_count}
    return SPECIAL + sorted(chars | lexicon_words | frequent)


def make_tokenizer(vocabulary: Sequence[str]) -> Tokenizer:
    vocab = {token: i for i, token in enumerate(vocabulary)}
    tokenizer = Tokenizer(
        WordPiece(vocab, unk_token="[UNK]", continuing_subword_prefix="", max_input_chars_per_word=10_000)
    )
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    # Splitting where the script changes (Han | Latin | digits | emoji…) keeps one unknown
    # symbol from turning a whole Chinese phrase into [UNK].
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Punctuation(),
            pre_tokenizers.UnicodeScripts(),
            pre_tokenizers.Digits(individual_digits=False),
        ]
    )
    return tokenizer


def training_pairs(postings: Sequence[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """(anchor, positive) pairs: title ↔ duties, title ↔ a synonym of it, lexicon synonyms, and the
    occupation table's everyday words ↔ their standard title and each other."""
    pairs: list[tuple[str, str]] = []
    table = text.canonical()
    groups: dict[str, list[str]] = {}
    for group in text.lexicon()["synonyms"]:
        groups[group[0]] = group
        for word in group[1:]:
            pairs.append((group[0], word))
            pairs.append((word, rng.choice(group)))
    for entry in text.lexicon().get("related", []):
        for word in entry["from"]:
            pairs.append((word, rng.choice(entry["to"])))
    # The occupation table's everyday words for each standard title (看孩子, 育儿嫂 → 育婴员).
    for occupation in occupations.table().by_title.values():
        for alias in occupation.aliases:
            pairs.append((alias, occupation.title))
            pairs.append((alias, rng.choice(occupation.aliases)))
    for title, description in postings:
        pairs.append((title, description))
        parts = [p for p in description.replace("。", "；").split("；") if p]
        if parts:
            pairs.append((rng.choice(parts), title))
        # A query is often one or two words ("养鸡", "疏通下水道"): one word of the posting
        # (search-mode words, stop words out) ↔ the whole posting.
        named = [w for w in text.words(f"{title}。{description}") if len(w) > 1]
        if named:
            pairs.append((rng.choice(named), f"{title}。{description}"))
        for word in text.segment(title):
            group = groups.get(table.get(word, ""))
            if group:
                pairs.append((rng.choice(group), title))
    rng.shuffle(pairs)
    return pairs


def train(
    postings: Sequence[tuple[str, str]],
    out: Path,
    *,
    dim: int = 128,
    epochs: int = 1,
    batch_size: int = 128,
    seed: int = 0,
    progress: bool = True,
) -> SentenceTransformer:
    """Build the vocabulary and tokenizer, train with in-batch negatives, save to ``out``."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    postings = [*postings, *repo_postings()]
    corpus = [f"{t}。{d}" for t, d in postings]
    tokenizer = make_tokenizer(build_vocabulary(corpus))
    static = StaticEmbedding(tokenizer, embedding_dim=dim)
    pairs = training_pairs(postings, rng)
    seen = {i for enc in tokenizer.encode_batch([t for pair in pairs for t in pair]) for i in enc.ids}
    # A character no posting shows learns from the dictionary words that hold it (焊 from 电焊,
    # 焊接), so a query of words never posted still gets a direction, never a zero vector.
    vocab = tokenizer.get_vocab()
    for ch, words in dictionary_words().items():
        if ch in vocab and vocab[ch] not in seen:
            pairs.extend((ch, w) for w in words)
    rng.shuffle(pairs)
    # Tokens still never shown start (and stay) at zero: they dilute a mean instead of pulling
    # it in a random direction.
    seen = {i for enc in tokenizer.encode_batch([t for pair in pairs for t in pair]) for i in enc.ids}
    with torch.no_grad():
        weight = static.embedding.weight
        weight.normal_(std=0.1)
        unseen = torch.ones(weight.shape[0], dtype=torch.bool)
        unseen[list(seen)] = False
        weight[unseen] = 0.0
    model = SentenceTransformer(modules=[static], device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    model.train()
    for _ in range(epochs):
        batches = range(0, len(pairs) - batch_size + 1, batch_size)
        for start in tqdm(batches, desc="训练向量模型", unit="批", disable=not progress, leave=False):
            batch = pairs[start : start + batch_size]
            # Duplicate anchors in one batch would be each other's false negatives.
            anchors: set[str] = set()
            batch = [p for p in batch if not (p[0] in anchors or anchors.add(p[0]))]
            features = [model.preprocess([a for a, _ in batch]), model.preprocess([b for _, b in batch])]
            value = loss(features, labels=None)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        # Stop words ("想找个…的活", "工作") say nothing about the job: a zero row leaves them out
        # of a mean's direction, as BM25 leaves them out of its terms.
        stop = [vocab[w] for w in text.STOPWORDS if w in vocab]
        static.embedding.weight[stop] = 0.0
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return model
