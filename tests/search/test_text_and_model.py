"""Segmentation with the domain lexicon, and the static model built here and loaded back."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from indexer import occupations, text
from indexer.encoder import EXPANSION_WEIGHT, StaticEncoder, load, query_vector
from indexer.training import build_vocabulary, make_tokenizer, training_pairs


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("想找个保洁工作", ["保洁"]),
        ("清洁工", ["保洁"]),
        ("送外卖的骑手", ["外卖骑手", "外卖骑手"]),
        ("会开叉车，有叉车证", ["叉车司机", "叉车证"]),
        ("看门", ["保安"]),
        ("带孩子", ["育婴员"]),
    ],
)
def test_duplicate_key_words_fold_synonyms_to_one_canonical_word(query, expected):
    assert text.tokens(query) == expected


def test_two_character_words_survive_segmentation():
    # FTS5's trigram tokenizer would miss these; segmentation keeps them.
    assert "保洁" in text.segment("河道保洁和小区保洁")


def test_the_words_field_is_jiebas_search_mode_from_one_accurate_cut():
    """A clause is cut once (``text._cut``) for both the words field and the duplicate key; the
    search-mode words are derived from that cut as jieba's ``cut_for_search`` derives them: the
    same words, in the same order, over every clause of the judged postings and queries."""
    from bench import judged

    data = judged.load()
    tokenizer = text._tokenizer()
    clauses = {c for t in [*(d.text for d in data.postings), *data.queries.values()] for c in text._clauses(t)}
    assert len(clauses) > 1000
    for clause in clauses:
        jieba_search = [w for w in tokenizer.lcut_for_search(clause) if text._KEEP.search(w)]
        assert list(text._words(clause)) == [w for w in jieba_search if w not in text.STOPWORDS], clause
        assert text.segment(clause) == [w for w in tokenizer.lcut(clause) if text._KEEP.search(w)]


def test_maximum_matching_tokenizer_keeps_words_and_never_loses_characters():
    vocabulary = build_vocabulary(["养老护理员照顾老人", "保洁员打扫卫生"], min_count=1)
    tokenizer = make_tokenizer(vocabulary)
    encoded = tokenizer.encode("养老护理员需护理证")
    assert encoded.tokens[0] == "养老护理员"
    assert "[UNK]" not in encoded.tokens  # every character is in the vocabulary


def test_the_model_is_saved_and_loaded_with_the_real_api(model_path):
    modules = json.loads((model_path / "modules.json").read_text())
    assert any("StaticEmbedding" in m["type"] for m in modules)
    plain = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    assert plain.encode(["保洁员"]).shape == (1, 64)


def test_the_numpy_encoder_gives_the_vectors_sentence_transformers_gives(model_path, docs):
    """Serving encodes with numpy (a lookup and a mean); the vectors are the library's to 1e-5,
    for postings, queries, empty text and characters the vocabulary lacks beside known ones — a
    text of unknown characters only is zeros here (the next test), the [UNK] row there."""
    encoder = load(model_path)
    assert isinstance(encoder, StaticEncoder) and encoder.dimension == 64
    texts = [d.text for d in docs[:300]] + ["", "保洁", "离家近的保洁活", "ＡＢＣ 月薪3000 😀", "𠀋𠀋"]
    plain = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    expected = plain.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    ours = encoder.encode(texts)
    assert np.abs(ours[:-1] - expected[:-1]).max() < 1e-5
    assert not ours[-1].any() and np.linalg.norm(expected[-1]) > 0.5
    assert ours.dtype == np.float32


def test_model2vec_weights_in_a_static_folder_are_read_as_sentence_transformers_reads_them(model_path, tmp_path):
    """A static folder whose weights are model2vec's (embeddings, a token mapping, per-token
    weights): folded into one row per token, as StaticEmbedding.load does."""
    import shutil

    from safetensors.numpy import load_file, save_file

    folder = tmp_path / "m2v"
    shutil.copytree(model_path, folder)
    table = load_file(str(model_path / "model.safetensors"))["embedding.weight"]
    rows = len(table)
    mapping = np.arange(rows, dtype=np.int64)[::-1].copy()  # rows stored reversed: token i reads row rows-1-i
    weights = np.linspace(0.5, 1.5, rows).astype(np.float32)
    save_file(
        {"embeddings": table[mapping].copy(), "mapping": mapping, "weights": weights}, str(folder / "model.safetensors")
    )
    texts = ["保洁员", "照顾老人的护理工作", ""]
    expected = SentenceTransformer(str(folder), device="cpu", local_files_only=True).encode(
        texts, normalize_embeddings=True, convert_to_numpy=True
    )
    assert np.abs(load(folder).encode(texts) - expected).max() < 1e-5


def test_another_sentence_transformers_model_is_served_through_the_library(model_path, tmp_path):
    """A folder that is not a single static embedding (here: static + a Normalize module) still
    loads, through sentence-transformers (torch only then)."""
    import shutil

    from indexer.encoder import SentenceTransformerEncoder

    folder = tmp_path / "normalised"
    shutil.copytree(model_path, folder)
    modules = json.loads((folder / "modules.json").read_text())
    modules.append(
        {"idx": 1, "name": "1", "path": "1_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"}
    )
    (folder / "1_Normalize").mkdir()
    (folder / "modules.json").write_text(json.dumps(modules))
    other = load(folder)
    assert isinstance(other, SentenceTransformerEncoder) and other.dimension == 64
    assert np.abs(other.encode(["保洁员"]) - load(model_path).encode(["保洁员"])).max() < 1e-5


def test_synonyms_and_duties_land_near_their_job(model):
    jobs = ["保洁员", "叉车工", "养老护理员", "外卖配送员", "保安员", "育婴员"]
    queries = ["打扫卫生", "开叉车", "照顾老人", "送外卖", "看门", "带孩子"]
    sims = model.encode(queries) @ model.encode(jobs).T
    assert (sims.argmax(axis=1) == np.arange(len(jobs))).all(), np.round(sims, 2)


def test_traditional_characters_are_encoded_as_their_simplified_text(model_path):
    """The model's vocabulary is simplified: 燒烤師傅 was all [UNK] (so zeros), now it is 烧烤师傅."""
    encoder = load(model_path)
    written, plain = encoder.encode(["燒烤師傅 會計", "烧烤师傅 会计"])
    assert written.any() and np.abs(written - plain).max() < 1e-6


def test_a_text_of_unknown_tokens_only_has_no_direction(model_path):
    """The [UNK] row is trained (postings hold symbols the vocabulary lacks), so 😀🧹 pointed
    somewhere; a text with one known token keeps the mean with its unknown ones, as before."""
    encoder = load(model_path)
    vectors = encoder.encode(["😀🧹", "*?:()", "保洁😀", ""])
    assert not vectors[0].any() and not vectors[1].any() and not vectors[3].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)
    assert float(vectors[2] @ encoder.encode(["保洁"])[0]) < 1.0 - 1e-6  # the unknown token still dilutes


def test_the_model_learns_every_everyday_word_of_the_occupation_table():
    pairs = set(training_pairs([], random.Random(0)))
    for occupation in occupations.table().by_title.values():
        for alias in occupation.aliases:
            assert (alias, occupation.title) in pairs
    assert ("看孩子", "育婴员") in pairs


def test_a_search_vector_leans_towards_the_lexicons_expansions_of_its_words(model_path):
    encoder = load(model_path)
    added = {w: x for w, x in text.query_terms("看孩子")["words"].items() if x < 1.0}  # 育婴员, 育儿嫂 …
    assert "育婴员" in added
    weights = np.array(list(added.values()), np.float32)[:, None]
    towards = (encoder.encode(list(added)) * weights).sum(axis=0) / weights.sum()
    plain, leaning = encoder.encode(["看孩子"])[0], query_vector(encoder, "看孩子")
    expected = plain + EXPANSION_WEIGHT * towards
    assert np.allclose(leaning, expected / np.linalg.norm(expected), atol=1e-6)
    cosine = lambda a, b: float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b))  # noqa: E731
    assert cosine(leaning, towards) > cosine(plain, towards)
    assert np.array_equal(query_vector(encoder, "岗位说明书"), encoder.encode(["岗位说明书"])[0])  # nothing to add
    assert not query_vector(encoder, "😀🧹").any()


def test_a_search_vector_is_worked_out_once_per_model_and_text(model_path):
    """Matching asks with wishes many people share: the second ask is the first's vector, read
    only (a search that changed it would change every later one); another model works out its own."""
    first, second = load(model_path), load(model_path)
    vector = query_vector(first, "看孩子")
    assert query_vector(first, "看孩子") is vector and not vector.flags.writeable
    with pytest.raises(ValueError):
        vector *= 2
    other = query_vector(second, "看孩子")
    assert other is not vector and np.array_equal(other, vector)
    long_text = "招聘保洁员，" * 20  # past text.CACHED: worked out each time, not kept
    assert query_vector(first, long_text) is not query_vector(first, long_text)


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="向量模型不存在"):
        load(tmp_path / "nowhere")


def test_a_token_id_past_the_weights_is_refused_not_read(model_path):
    """A tokenizer and weights that do not match (a model folder half overwritten) fail loudly:
    the sparse product would otherwise read past the table."""
    whole = load(model_path)
    cut = StaticEncoder(whole.tokenizer, whole.weights[:5], whole.path)
    with pytest.raises(ValueError, match="分词表与权重不一致"):
        cut.encode(["保洁员 养老护理员"])
