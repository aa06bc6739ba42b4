"""Arbitrary Unicode, empty and long texts never crash an explanation."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import textpipe
from textpipe.errors import InputError


@pytest.fixture(scope="module")
def pipelines(binary_data):
    exact = textpipe.load_pipeline({"steps": [
        "normalize", "tokenize", "stopwords", "stem", {"tfidf": {"ngram_range": [1, 2]}},
        "logreg"]}).fit(*binary_data)
    occlusion = textpipe.load_pipeline({"steps": [
        {"union": {"branches": {"a": ["tokenize", "count"],
                                "b": [{"tokenize": {"backend": "char_wb"}}, "tfidf"]}}},
        "logreg"]}).fit(*binary_data)
    return exact, occlusion


SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=st.text(max_size=80))
def test_any_unicode_text_is_explained_or_refused_as_empty(pipelines, text):
    for pipe in pipelines:
        if not text.strip():
            with pytest.raises(InputError, match="E931"):
                textpipe.explain(pipe, text)
            continue
        e = textpipe.explain(pipe, text)
        if e.method == "exact":
            assert abs(e.base + sum(t.contribution for t in e.tokens) - e.score) < 1e-9
        for t in e.tokens:
            if t.start is not None:
                assert 0 <= t.start <= t.end <= len(text)
        pieces, _ = e.segments()
        assert "".join(p for p, _ in pieces) == text or not any(
            t.start is not None for t in e.tokens)


@SETTINGS
@given(words=st.lists(st.sampled_from(["great", "dull", "Ünïcode", "🙂", "a", "plot", ",",
                                       "ﬁlm", "İstanbul", "##x"]), min_size=200, max_size=400))
def test_long_texts_are_capped_under_occlusion(pipelines, words):
    text = " ".join(words)
    exact, occlusion = pipelines
    assert textpipe.explain(exact, text).method == "exact"
    e = textpipe.explain(occlusion, text, max_tokens=50)
    assert sum(t.contribution is not None for t in e.tokens) == 50
    assert any("first 50" in note for note in e.notes)
