"""Stem: NLTK's Snowball, Porter and Lancaster stemmers, run once per vocabulary type."""

import os
import pickle
import subprocess
import sys
from itertools import chain
from pathlib import Path

import pytest
from nltk.stem import LancasterStemmer, PorterStemmer, SnowballStemmer
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import ConfigError
from textpipe.stages import stem as stem_module
from textpipe.stages.stem import SNOWBALL_LANGUAGES, Stem, snowball_languages

WORDS = ["running", "runs", "generously", "Cats", "argued", "happiness", "", "😀", "naïve", "a"]


@pytest.mark.parametrize(
    "params, stemmer",
    [({}, SnowballStemmer("english")),
     ({"algorithm": "porter"}, PorterStemmer()),
     ({"algorithm": "lancaster"}, LancasterStemmer()),
     ({"language": "german"}, SnowballStemmer("german")),
     ({"language": "russian"}, SnowballStemmer("russian"))],
)
def test_stems_are_nltks(params, stemmer):
    docs = [WORDS, ["кошки", "häuser", "running"]]
    assert Stem(**params).fit_transform(docs) == [[stemmer.stem(w) for w in d] for d in docs]


def test_every_snowball_language_works_by_iso_code_and_by_full_name():
    for code, name in SNOWBALL_LANGUAGES.items():
        assert name in snowball_languages()
        assert len(Stem(language=code).fit_transform([["words", "test"]])[0]) == 2
        assert len(Stem(language=name).fit_transform([["words", "test"]])[0]) == 2


def test_unknown_snowball_language_lists_them_with_a_suggestion():
    with pytest.raises(ConfigError) as info:
        Stem(language="englsh").fit([[]])
    message = str(info.value)
    assert "parameter 'language'" in message
    assert "Did you mean 'english'?" in message
    assert "ar, da, de, en" in message


def test_porter_and_lancaster_stem_english():
    assert Stem(algorithm="porter", language="en").fit_transform([["cats"]]) == [["cat"]]
    assert Stem(algorithm="lancaster", language="english").fit_transform([["cats"]]) == [["cat"]]
    with pytest.raises(ConfigError, match="English only"):
        Stem(algorithm="porter", language="klingon").fit([[]])


def test_each_type_is_stemmed_once_in_a_memo_shared_by_equal_stemmers(monkeypatch):
    monkeypatch.setattr(stem_module, "_SHARED_MEMOS", {})
    a = Stem().fit([[]])
    a.transform([["walking", "walking", "talks"]])
    b = Stem().fit([[]])
    assert b._stem is a._stem and set(b._stem) == {"walking", "talks"}
    assert Stem(algorithm="porter").fit([[]])._stem is not a._stem
    assert Stem(language="german").fit([[]])._stem is not a._stem


def test_memo_is_restarted_when_it_grows_too_big(monkeypatch):
    monkeypatch.setattr(stem_module, "_SHARED_MEMOS", {})
    monkeypatch.setattr(stem_module, "_MAX_TYPES", 3)
    est = Stem().fit([[]])
    est.transform([["a", "b", "c", "d"]])
    assert len(Stem().fit([[]])._stem) == 0


def test_output_keeps_one_stem_per_token_and_empty_documents():
    docs = [["the", "cats", "cats"], [], ("dogs",)]
    assert Stem().fit_transform(docs) == [["the", "cat", "cat"], [], ["dog"]]


def test_pickled_stage_is_small_and_works():
    est = Stem().fit([[]])
    est.transform([[f"word{i}" for i in range(1000)]])
    data = pickle.dumps(est)
    assert len(data) < 1000
    assert pickle.loads(data).transform([["running"]]) == [["run"]]


def test_unknown_algorithm_is_rejected_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'algorithm' parameter"):
        Stem(algorithm="krovetz").fit([[]])


def test_stemming_leaves_nltk_unimported_and_importable():
    # A fresh process: the stemmer is loaded without NLTK's package __init__,
    # leaves no trace in sys.modules, and NLTK imports normally afterwards.
    code = (
        "import sys\n"
        "from textpipe.stages.stem import Stem\n"
        "words = [['running', 'generously', 'realization']]\n"
        "ours = [Stem(algorithm=a).fit_transform(words) for a in ('snowball', 'porter', 'lancaster')]\n"
        "assert not [m for m in sys.modules if m == 'nltk' or m.startswith('nltk.')]\n"
        "import nltk.stem\n"
        "theirs = [[[s.stem(w) for w in words[0]]] for s in (\n"
        "    nltk.stem.SnowballStemmer('english'), nltk.stem.PorterStemmer(),\n"
        "    nltk.stem.LancasterStemmer())]\n"
        "assert ours == theirs, (ours, theirs)\n"
        "assert nltk.stem.snowball.SnowballStemmer is nltk.stem.SnowballStemmer\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_snowball_english_equals_nltk_on_every_word_of_the_movie_reviews():
    import textpipe
    from textpipe.stages.tokenize import Tokenize

    vocabulary = sorted(set(chain.from_iterable(
        Tokenize().fit_transform(textpipe.load_dataset("mr").texts))))
    assert len(vocabulary) > 15_000
    nltk_stem = SnowballStemmer("english").stem
    ours = stem_module._lean_nltk_import("snowball").SnowballStemmer("english").stem
    assert [ours(w) for w in vocabulary] == [nltk_stem(w) for w in vocabulary]


def test_the_lean_import_falls_back_to_nltk_when_it_fails(monkeypatch):
    import nltk.stem.porter

    monkeypatch.setattr(stem_module, "_LEAN_MODULES", {})
    monkeypatch.delitem(sys.modules, "nltk")  # as if NLTK were not imported yet
    monkeypatch.setattr(stem_module.importlib.util, "find_spec", lambda name: None)
    assert stem_module._lean_nltk_import("porter") is nltk.stem.porter
    assert "nltk" not in sys.modules  # the failed attempt left nothing behind
