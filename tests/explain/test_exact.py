"""The exact split of a linear model's decision score adds up to its decision function."""

import numpy as np
import pytest

import textpipe
from textpipe.errors import UsageError

TEXTS = ["The acting was TERRIBLE, but the story is wonderful!",
         "great great great fun", "dull", "an unseen word only: zzyzx",
         "a great film with wonderful acting and a boring plot"]


def _decision(pipe, text, label):
    classes = list(pipe.classes_)
    scores = np.asarray(pipe.decision_function([text]), dtype=float)
    if scores.ndim == 1:
        return scores[0] if label == classes[1] else -scores[0]
    return scores[0, classes.index(label)]


def _check_adds_up(pipe, explanation):
    total = explanation.base + sum(t.contribution for t in explanation.tokens)
    expected = _decision(pipe, explanation.text, explanation.label)
    assert explanation.method == "exact"
    assert abs(total - expected) <= 1e-9
    assert abs(explanation.score - expected) <= 1e-9
    # The n-grams' parts add up to the same total, each value × weight.
    assert abs(explanation.base + sum(g.contribution for g in explanation.ngrams) - expected) <= 1e-9
    for gram in explanation.ngrams:
        assert gram.contribution == pytest.approx(gram.value * gram.weight, abs=1e-12)


def _fit(steps, data):
    return textpipe.load_pipeline({"steps": steps}).fit(*data)


TFIDF_BIGRAMS = ["normalize", "tokenize", "stopwords", "stem",
                 {"tfidf": {"ngram_range": [1, 2], "sublinear_tf": True}}]


@pytest.mark.parametrize("classifier", [{"logreg": {"C": 10}}, "linear_svm",
                                        {"nbsvm": {"beta": 0.25}}, {"sgd": {"random_state": 0}}])
def test_linear_split_adds_up_to_the_decision_function_for_each_class(classifier, binary_data):
    pipe = _fit(TFIDF_BIGRAMS[:-1] + [{"count": {"ngram_range": [1, 2], "binary": True}}]
                + [classifier] if "nbsvm" in str(classifier) else TFIDF_BIGRAMS + [classifier],
                binary_data)
    for text in TEXTS:
        for label in pipe.classes_:
            _check_adds_up(pipe, textpipe.explain(pipe, text, label=label))


@pytest.mark.parametrize("classifier", ["logreg", "linear_svm", "nbsvm"])
def test_multiclass_explains_the_predicted_class_and_any_class_asked(classifier,
                                                                     three_class_data):
    vectorizer = {"count": {"ngram_range": [1, 3], "binary": True}} if classifier == "nbsvm" \
        else {"tfidf": {"ngram_range": [1, 3]}}
    pipe = _fit(["tokenize", vectorizer, classifier], three_class_data)
    for text in TEXTS:
        explained = textpipe.explain(pipe, text)
        assert explained.label == explained.predicted == pipe.predict([text])[0]
        _check_adds_up(pipe, explained)
        _check_adds_up(pipe, textpipe.explain(pipe, text, label="mid"))


def test_bigram_contribution_is_shared_equally_by_its_two_tokens(binary_data):
    pipe = _fit(["tokenize", {"count": {"ngram_range": [2, 2]}}, "logreg"], binary_data)
    e = textpipe.explain(pipe, "great fun")
    (gram,) = e.ngrams
    assert gram.ngram == "great fun" and gram.positions == [[0, 1]]
    assert [t.contribution for t in e.tokens] == pytest.approx([gram.contribution / 2] * 2)


def test_repeated_ngram_is_shared_by_its_occurrences(binary_data):
    pipe = _fit(["tokenize", "count", "logreg"], binary_data)
    e = textpipe.explain(pipe, "great film great")
    great = [g for g in e.ngrams if g.ngram == "great"][0]
    assert great.value == 2 and great.positions == [[0], [2]]
    assert e.tokens[0].contribution == pytest.approx(great.contribution / 2)
    assert e.tokens[0].contribution == e.tokens[2].contribution


def test_nbsvm_weights_hold_its_ratios_and_features_are_binarized(binary_data):
    pipe = _fit(["tokenize", {"count": {"ngram_range": [1, 2]}}, "nbsvm"], binary_data)
    e = textpipe.explain(pipe, "great great film", label="pos")
    clf = pipe[-1]
    great = [g for g in e.ngrams if g.ngram == "great"][0]
    j = pipe[-2].vocabulary_["great"]
    assert great.value == 1.0  # binarized, though it occurs twice
    assert great.weight == pytest.approx(clf.coef_[0, j])
    assert great.ratio == pytest.approx(clf.ratios_[0, j])
    neg = textpipe.explain(pipe, "great great film", label="neg")
    assert [g.ratio for g in neg.ngrams if g.ngram == "great"] == pytest.approx([-great.ratio])


def test_stemmed_tokens_show_the_original_words_and_their_spans(binary_data):
    pipe = _fit(TFIDF_BIGRAMS + ["logreg"], binary_data)
    text = "The acting was TERRIBLE, but the story is wonderful!"
    e = textpipe.explain(pipe, text)
    by_token = {t.token: t for t in e.tokens}
    assert by_token["terribl"].text == "TERRIBLE"
    assert text[by_token["wonder"].start:by_token["wonder"].end] == "wonderful"
    assert "the" not in by_token  # a stop word never reaches the model


def test_planted_words_push_the_right_way(binary_data):
    pipe = _fit(TFIDF_BIGRAMS + ["logreg"], binary_data)
    e = textpipe.explain(pipe, "wonderful but boring", label="pos")
    by_text = {t.text: t.contribution for t in e.tokens}
    assert by_text["wonderful"] > 0 > by_text["boring"]


def test_calibrated_classifier_falls_back_to_occlusion_and_says_so(binary_data):
    pipe = _fit(["tokenize", "tfidf", {"calibrate": {"classifier": "linear_svm", "cv": 2}}],
                binary_data)
    e = textpipe.explain(pipe, "a great film")
    assert e.method == "occlusion" and e.score_name == "probability"
    assert any("occlusion" in note for note in e.notes)
    with pytest.raises(UsageError, match="E934"):
        textpipe.explain(pipe, "a great film", method="exact")


def test_unknown_label_is_refused_with_the_classes(binary_data):
    pipe = _fit(["tokenize", "count", "logreg"], binary_data)
    with pytest.raises(UsageError, match=r"'poss'.*'neg', 'pos'.*Did you mean 'pos'.*E932"):
        textpipe.explain(pipe, "fun", label="poss")


@pytest.mark.parametrize("backend", ["char_wb", "char_ngrams"])
def test_character_ngrams_are_added_up_per_word_exactly(backend, binary_data):
    pipe = _fit(["normalize", {"tokenize": {"backend": backend, "ngram_range": [1, 4]}},
                 {"tfidf": {"ngram_range": [1, 2]}}, "logreg"], binary_data)
    text = "A great film,  DULL plot"
    e = textpipe.explain(pipe, text, label="pos")
    _check_adds_up(pipe, e)
    assert [t.text for t in e.tokens] == text.split()
    assert all(text[t.start:t.end] == t.text for t in e.tokens)
    by_word = {t.text: t.contribution for t in e.tokens}
    assert by_word["great"] > 0 > by_word["DULL"]
    assert any("per word" in note for note in e.notes)


def test_joined_phrases_are_traced_to_the_words_they_join():
    docs = ["new york is great fun"] * 10 + ["new york is dull and slow"] * 10
    pipe = _fit(["tokenize", "stopwords", {"phrases": {"min_count": 2, "threshold": 0.1}},
                 {"tfidf": {"ngram_range": [1, 2]}}, "logreg"],
                (docs, ["pos"] * 10 + ["neg"] * 10))
    text = "I love New York, it is great fun"
    e = textpipe.explain(pipe, text, label="pos")
    _check_adds_up(pipe, e)
    spans = {t.token: (t.text, t.start, t.end) for t in e.tokens}
    assert spans["new_york"] == ("New York", 7, 15)
    assert spans["great_fun"] == ("great fun", 23, 32)
