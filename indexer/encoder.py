"""The embedding model at serving time: load it and encode texts, without the training stack.

A model is a sentence-transformers folder (``jiuyuan index train-model`` writes one; the path
is ``Settings.search.model_dir``, ``JIUYUAN_EMBEDDING_MODEL``). Ours is a single
``StaticEmbedding``: one vector per vocabulary entry, and a text's embedding is the mean of its
tokens' vectors, L2-normalised. That needs a lookup table and a mean, so ``StaticEncoder`` does
it with numpy and one scipy sparse product a batch over the saved files (``tokenizer.json`` with the ``tokenizers`` library,
``model.safetensors`` with ``safetensors.numpy``) and gives the vectors
``SentenceTransformer(path).encode(..., normalize_embeddings=True)`` gives (tested to 1e-5) —
but for a text of unknown tokens only (emoji, symbols), which gets zeros here, not the trained
[UNK] row: a query that says nothing the model knows takes no part in a search (``protocol``).
Importing this module imports neither torch nor sentence-transformers: an API worker stays
small and starts fast.

Any other sentence-transformers folder (a local bge-small-zh copy, say) still works: ``load``
falls back to ``SentenceTransformer`` for it, and only then imports torch.

Training (vocabulary, tokenizer, loss, optimiser) lives in :mod:`indexer.training`.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from scipy.sparse import csr_matrix

from indexer import text as analysis

STATIC = "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"
_STATIC_ALIASES = (
    STATIC,
    "sentence_transformers.models.StaticEmbedding",
    "sentence_transformers.models.StaticEmbedding.StaticEmbedding",
)
MISSING = "向量模型不存在：{path}。请先运行 jiuyuan index train-model（或 make run）。"


@runtime_checkable
class Encoder(Protocol):
    """Texts in, one L2-normalised float32 row per text out (shape ``(len(texts), dimension)``)."""

    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class StaticEncoder:
    """A ``StaticEmbedding`` model in numpy: tokenize, look the ids up, average, normalise."""

    def __init__(self, tokenizer, weights: np.ndarray, path: Path | None = None):
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.dimension = int(self.weights.shape[1])
        self.path = path
        self.unknown = tokenizer.token_to_id("[UNK]")

    @classmethod
    def load(cls, path: Path) -> StaticEncoder:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tensors = load_file(str(path / "model.safetensors"))
        if "embedding.weight" in tensors:
            weights = tensors["embedding.weight"]
        else:  # a model2vec folder: embeddings, an optional token mapping and per-token weights
            weights = tensors["embeddings"]
            if "mapping" in tensors:
                weights = weights[tensors["mapping"].astype(np.int64)]
            if "weights" in tensors:
                weights = weights.astype(np.float32) * tensors["weights"][:, None]
        return cls(tokenizer, weights, path)

    def encode(self, texts: Sequence[str], batch_size: int = 4096) -> np.ndarray:
        # As the analyser reads them (NFKC first: ⾞ is 車 before it is 车); the model's vocabulary is simplified.
        texts = [analysis.fold(t) for t in texts]
        out = np.zeros((len(texts), self.dimension), np.float32)
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(texts[start : start + batch_size], add_special_tokens=False)
            ids = [e.ids for e in batch]
            lengths = np.fromiter(map(len, ids), np.int64, len(ids))
            flat = np.fromiter(chain.from_iterable(ids), np.int64, int(lengths.sum()))
            if flat.size and int(flat.max()) >= len(self.weights):  # the sparse product reads unchecked
                raise ValueError(
                    f"向量模型 {self.path} 的分词表与权重不一致：请重新训练（jiuyuan index train-model）。"
                )
            # The mean of each text's token vectors as one sparse product (a row per text, 1/n at
            # each of its n tokens): what EmbeddingBag(mode="mean") computes, without gathering
            # every token's vector first (that copy was most of the encoding time).
            indptr = np.zeros(len(ids) + 1, np.int64)
            np.cumsum(lengths, out=indptr[1:])
            shares = np.repeat((1 / np.maximum(lengths, 1)).astype(np.float32), lengths)
            bag = csr_matrix((shares, flat, indptr), shape=(len(ids), len(self.weights)))
            out[start : start + len(ids)] = bag @ self.weights
            if self.unknown is not None:  # nothing but unknown tokens (😀🧹, *?:): no direction at all
                text_of = np.repeat(np.arange(len(ids)), lengths)
                known = np.bincount(text_of[flat != self.unknown], minlength=len(ids))
                out[start : start + len(ids)][known == 0] = 0.0
        return _normalised(out)


EXPANSION_WEIGHT = 0.5
"""How far a search's vector moves towards the lexicon's expansions of its words (against 1 for
the text typed). BM25 searches the expansions (``text.query_terms``); the vector now looks there
too. Measured on both judged sets, 0 / 0.5 / 1 (docs/search.md)."""


def query_vector(encoder: Encoder, query: str) -> np.ndarray:
    """The vector a search asks with: the text's own, moved towards the mean of the lexicon's
    expansions of its words (each at its lexicon weight), renormalised — 看孩子 towards 育婴员,
    育儿嫂. A text the model knows nothing of stays zero (``protocol.usable_vector``).

    Kept per encoder for texts of up to ``analysis.CACHED`` characters (read-only): matching asks
    with wishes many people share, a counter with the same few words all day, and the two
    encodings were a tenth of a matching call."""
    if len(query) > analysis.CACHED:
        return compute_query_vector(encoder, query)
    with _CACHES_LOCK:
        cached = _CACHES.get(encoder)
        if cached is None:
            cached = _CACHES[encoder] = _cached_for(weakref.ref(encoder))
    return cached(query)


QUERY_VECTORS_KEPT = 4096
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a retrained model's go with it
_CACHES_LOCK = threading.Lock()


def _cached_for(encoder_ref: weakref.ref):
    @lru_cache(maxsize=QUERY_VECTORS_KEPT)
    def vector(query: str) -> np.ndarray:
        found = compute_query_vector(encoder_ref(), query)
        found.flags.writeable = False  # shared by every search that asks with this text
        return found

    return vector


def compute_query_vector(encoder: Encoder, query: str) -> np.ndarray:
    """``query_vector`` worked out afresh (what a first ask costs: the benchmark times this)."""
    typed = encoder.encode([query])[0]
    extra = {w: weight for w, weight in analysis.query_terms(query)["words"].items() if weight < 1.0}
    if not extra or not typed.any():
        return typed
    weights = np.fromiter(extra.values(), np.float32, len(extra))[:, None]
    moved = typed + EXPANSION_WEIGHT * (encoder.encode(list(extra)) * weights).sum(axis=0) / weights.sum()
    return (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)


class SentenceTransformerEncoder:
    """Any other sentence-transformers model, through the library itself (imports torch)."""

    def __init__(self, path: Path):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dimension = int(self.model.get_embedding_dimension())
        self.path = path

    def encode(self, texts: Sequence[str], batch_size: int = 512) -> np.ndarray:
        return self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def is_static(path: Path) -> bool:
    """Whether the folder holds a single ``StaticEmbedding`` module (what ``StaticEncoder`` reads)."""
    modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    return (
        len(modules) == 1
        and modules[0].get("type") in _STATIC_ALIASES
        and (path / modules[0].get("path", "") / "tokenizer.json").exists()
    )


def load(path: Path) -> Encoder:
    """The model at ``path``: numpy for a static model, sentence-transformers for any other.

    Raises ``FileNotFoundError`` (its message tells the clerk's administrator what to run) when
    there is no model there."""
    path = Path(path)
    if not (path / "modules.json").exists():
        raise FileNotFoundError(MISSING.format(path=path))
    if is_static(path):
        module = json.loads((path / "modules.json").read_text(encoding="utf-8"))[0].get("path", "")
        return StaticEncoder.load(path / module)
    return SentenceTransformerEncoder(path)


def folder_key(path: Path) -> tuple[str, int] | None:
    """What changes when a model is retrained into ``path``: the latest modification time of the
    folder and the files in it (a retrain over an existing folder rewrites files in place)."""
    try:
        times = [path.stat().st_mtime_ns, *(p.stat().st_mtime_ns for p in path.iterdir() if p.is_file())]
    except FileNotFoundError:
        return None
    return str(path), max(times)
