"""textpipe.explain's arguments, and the HTML fragment the reports can show."""

import re

import pytest

import textpipe
from textpipe.errors import InputError, UsageError
from textpipe.model import save_model


@pytest.fixture(scope="module")
def pipe(binary_data):
    return textpipe.load_pipeline({"steps": ["tokenize", "tfidf", "logreg"]}).fit(*binary_data)


def test_a_string_gives_one_explanation_and_a_list_a_list(pipe):
    assert isinstance(textpipe.explain(pipe, "great fun"), textpipe.explanations.Explanation)
    many = textpipe.explain(pipe, ["great fun", "dull plot"])
    assert [e.text for e in many] == ["great fun", "dull plot"]
    assert [e.predicted for e in many] == ["pos", "neg"]


def test_a_model_folder_and_a_loaded_model_are_explained_alike(pipe, tmp_path):
    folder = save_model(pipe, tmp_path / "m")
    by_folder = textpipe.explain(str(folder), "great fun")
    by_model = textpipe.explain(textpipe.load_model(folder), "great fun")
    assert by_folder.to_dict() == by_model.to_dict() == textpipe.explain(pipe, "great fun").to_dict()


@pytest.mark.parametrize("texts, error, code", [([], UsageError, "E930"), (["  \n"], InputError, "E931"),
                                                (["ok", None], InputError, "E933"),
                                                ([b"bytes"], InputError, "E933")])
def test_bad_texts_are_refused_naming_the_text(pipe, texts, error, code):
    with pytest.raises(error, match=code):
        textpipe.explain(pipe, texts)


def test_bad_arguments_are_refused(pipe):
    with pytest.raises(InputError, match="E937"):
        textpipe.explain(object(), "x")
    with pytest.raises(UsageError, match="E938"):
        textpipe.explain(pipe, "x", method="exactly")
    with pytest.raises(UsageError, match="max_tokens"):
        textpipe.explain(pipe, "x", max_tokens=0)


def test_html_fragment_shades_each_way_and_escapes_the_text(pipe):
    e = textpipe.explain(pipe, 'great <script>alert("x")</script> dull', label="pos")
    fragment = textpipe.explanation_html(e)
    assert "<script" not in fragment and "&lt;" in fragment and "&quot;" in fragment
    assert fragment.startswith('<div class="textpipe-explanation"') and fragment.endswith("</div>")
    shades = dict(re.findall(r'title="([a-z]+): [^"]*" style="background: rgba\((\d+),', fragment))
    assert shades["great"] == "22" and shades["dull"] == "214"  # green toward, red against
    assert "toward &#x27;pos&#x27;" in fragment and "against &#x27;pos&#x27;" in fragment
    assert "<table" not in textpipe.explanation_html(e, top=0)
