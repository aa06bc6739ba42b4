"""Occlusion: the change in a class's probability when each token is removed."""

import numpy as np
import pytest

import textpipe

PLANTED = "zorblax"


@pytest.fixture(scope="module")
def planted_data(binary_data):
    """The planted word appears in positive documents only, in neutral company."""
    texts, labels = binary_data
    extra = [f"a film about {PLANTED} and a plot" for _ in range(4)]
    other = ["a film about trains and a plot" for _ in range(4)]
    return texts + extra + other, labels + ["pos"] * 4 + ["neg"] * 4


def test_union_of_tfidf_and_word2vec_gives_the_planted_word_the_right_sign(planted_data):
    pipe = textpipe.load_pipeline({"steps": [
        {"union": {"branches": {
            "words": ["tokenize", "tfidf"],
            "vectors": ["tokenize", {"word2vec": {"dim": 8, "min_count": 1, "epochs": 5,
                                                  "random_state": 0}}]}}},
        "logreg"]}).fit(*planted_data)
    e = textpipe.explain(pipe, f"the plot of {PLANTED} is a film")
    assert e.method == "occlusion" and e.label == "pos"
    values = {t.text: t.contribution for t in e.tokens}
    assert values[PLANTED] > 0
    assert values[PLANTED] == max(values.values())
    # Whitespace words of the text, with their spans.
    assert [t.text for t in e.tokens] == e.text.split()
    assert all(e.text[t.start:t.end] == t.text for t in e.tokens)
    against = textpipe.explain(pipe, f"the plot of {PLANTED} is a film", label="neg")
    assert {t.text: t.contribution for t in against.tokens}[PLANTED] < 0


def test_contribution_is_the_drop_in_probability_without_the_token(planted_data):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "stopwords", "count",
                                             "multinomial_nb"]}).fit(*planted_data)
    text = f"The {PLANTED} film"
    e = textpipe.explain(pipe, text)
    assert e.method == "occlusion" and "exact method does not apply" in e.notes[0]
    assert [t.token for t in e.tokens] == [PLANTED, "film"]  # 'the' is a stop word
    full = pipe.predict_proba([text])[0, list(pipe.classes_).index(e.label)]
    without = pipe.predict_proba(["The film"])[0, list(pipe.classes_).index(e.label)]
    assert e.score == pytest.approx(full)
    assert e.tokens[0].contribution == pytest.approx(full - without)
    assert e.probabilities[e.label] == pytest.approx(full)


def test_occluded_variants_go_to_the_model_in_one_call(planted_data, monkeypatch):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    pipe.fit(*planted_data)
    calls = []
    sub = pipe[1:]
    original = type(sub).predict_proba
    monkeypatch.setattr(type(sub), "predict_proba",
                        lambda self, X: calls.append(len(X)) or original(self, X))
    textpipe.explain(pipe, "one two three four five", method="occlusion")
    assert calls == [6]


def test_max_tokens_caps_the_work_and_says_so(planted_data):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    pipe.fit(*planted_data)
    e = textpipe.explain(pipe, " ".join(["film"] * 30), max_tokens=10)
    assert [t.contribution is None for t in e.tokens] == [False] * 10 + [True] * 20
    assert any("first 10 of 30" in note for note in e.notes)


def test_classifier_without_probabilities_is_explained_by_its_decision_score(planted_data):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "linear_svm"]})
    pipe.fit(*planted_data)
    e = textpipe.explain(pipe, f"a {PLANTED} film", method="occlusion")
    assert e.score_name == "decision score"
    score = pipe.decision_function([f"a {PLANTED} film"])[0]
    assert e.score == pytest.approx(score if e.label == pipe.classes_[1] else -score)
    assert np.isfinite([t.contribution for t in e.tokens]).all()


def test_neural_classifier_over_tokens_is_explained_by_removing_its_tokens(binary_data):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", {"cnn": {
        "max_epochs": 2, "embedding_dim": 8, "feature_maps": 4, "min_count": 1,
        "widths": [1, 2], "early_stopping": False, "n_threads": 1, "random_state": 0}}]})
    pipe.fit(*binary_data)
    text = "A great, dull film"
    e = textpipe.explain(pipe, text)
    assert e.method == "occlusion" and e.score_name == "probability"
    assert [t.token for t in e.tokens] == ["a", "great", ",", "dull", "film"]
    assert [t.text for t in e.tokens] == ["A", "great", ",", "dull", "film"]
    full = pipe.predict_proba([text])[0, list(pipe.classes_).index(e.label)]
    assert e.score == pytest.approx(full, abs=1e-6)
    assert np.isfinite([t.contribution for t in e.tokens]).all()
