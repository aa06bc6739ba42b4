"""Compare reports explain the best pipeline's first confident errors, with the fold's own model."""

import json

import numpy as np
import pytest

import textpipe
from textpipe.compare import load_experiment, run_experiment, summarize
from textpipe.compare.explained import compact, explain_errors
from textpipe.compare.mistakes import html_section, markdown_section
from textpipe.compare.report import write_outputs
from textpipe.data import Dataset
from textpipe.errors import ConfigError

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
NOISY = ["film", "acting", "and", "a", "the plot"]
LINEAR = {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}


def toy(texts=None):
    """30 documents; the noisy ones carry both labels, so some are always wrong."""
    texts = texts or (POS + NEG + NOISY * 2) * 2
    labels = (["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5) * 2
    return Dataset(texts, labels, name="toy")


def experiment(pipelines=(LINEAR,), explain=2, examples=5):
    return load_experiment({
        "evaluation": {"method": "cv", "folds": 2, "seed": 0},
        "pipelines": list(pipelines),
        "report": {"errors": {"examples": examples, "explain": explain}}})


def run(exp, data=None):
    runs = run_experiment(exp, [data or toy()], n_jobs=1, measure_memory=False)
    return runs[0], summarize(exp, runs).datasets[0]


def test_the_first_n_errors_get_an_exact_explanation_and_the_others_none():
    _, results = run(experiment(explain=2))
    analysis = results.error_analysis
    listed = analysis["most_confident_errors"]
    assert len(listed) == 5
    assert all("explained" in d for d in listed[:2]) and not any("explained" in d
                                                                 for d in listed[2:])
    for doc in listed[:2]:
        assert doc["explained"]["method"] == "exact"
        assert doc["explained"]["label"] == doc["predicted"] != doc["true"]
        assert doc["explanation"].startswith("exact · ")
    info = analysis["explanations"]
    assert (info["requested"], info["explained"], info["method"]) == (2, 2, "exact")
    assert info["refits"] == len({d["fold"] for d in listed[:2]})
    assert info["seconds"] > 0 and info["notes"] == []
    json.dumps(results.to_dict())  # results.json stays plain JSON


def test_the_explanation_is_that_of_the_model_fitted_on_the_documents_fold():
    exp = experiment(explain=3)
    dataset_run, results = run(exp)
    plan = dataset_run.plan
    for doc in results.error_analysis["most_confident_errors"][:3]:
        fold = plan.folds[doc["fold"]]
        assert doc["document"] in set(fold.test)  # explained with the model that tested it
        model = textpipe.load_pipeline({"steps": LINEAR["steps"]})
        model.set_params(linear_svm__random_state=0)
        model.fit([plan.texts[i] for i in fold.train], plan.labels[fold.train])
        text = plan.texts[doc["document"]]
        assert model.predict([text])[0] == doc["predicted"]
        assert model.decision_function([text])[0] * (1 if doc["predicted"] == "pos" else -1) \
            == pytest.approx(doc["confidence"])
        expected = compact(textpipe.explain(model, text, label=doc["predicted"]))
        assert doc["explained"] == expected  # the same fit, so the very same numbers


def test_a_neural_best_pipeline_is_explained_by_occlusion():
    cnn = {"name": "cnn", "steps": ["tokenize", {"cnn": {
        "embedding_dim": 8, "feature_maps": 4, "max_epochs": 3, "dropout": 0.0,
        "early_stopping": False, "n_threads": 1}}]}
    _, results = run(experiment([cnn], explain=1))
    analysis = results.error_analysis
    doc = analysis["most_confident_errors"][0]
    assert doc["explained"]["method"] == "occlusion"
    assert doc["explained"]["score_name"] == "probability"
    assert doc["explained"]["score"] == pytest.approx(doc["confidence"], rel=1e-5)
    assert analysis["explanations"]["method"] == "occlusion"
    assert 'class="textpipe-explanation"' in html_section(results)


def test_explain_0_turns_it_off():
    _, results = run(experiment(explain=0))
    analysis = results.error_analysis
    assert analysis["explanations"] is None and results.explained_errors == []
    assert not any("explained" in d or "explanation" in d
                   for d in analysis["most_confident_errors"])
    assert "textpipe-explanation" not in html_section(results)
    assert "explanation" not in "\n".join(markdown_section(results))


@pytest.mark.parametrize("value", [-1, 1.5, "three", 101])
def test_explain_must_be_a_whole_number_from_0_to_100(value):
    with pytest.raises(ConfigError, match="explain"):
        experiment(explain=value)


def test_a_refit_that_scores_differently_is_not_explained_and_a_note_says_so():
    exp = experiment(explain=1)
    dataset_run, results = run(exp)
    analysis = results.error_analysis
    for doc in analysis["most_confident_errors"]:
        doc.pop("explained", None), doc.pop("explanation", None)
    recorded = analysis["most_confident_errors"][0]
    recorded["confidence"] += 0.5  # as if the model had fitted differently the first time
    assert explain_errors(exp, dataset_run, analysis) == [None]
    assert "explained" not in recorded
    info = analysis["explanations"]
    assert info["explained"] == 0 and info["method"] is None
    assert "does not fit the same way twice" in info["notes"][0]
    assert "does not fit the same way twice" in "\n".join(markdown_section(results))


def test_texts_and_tokens_are_escaped_in_html_and_markdown(tmp_path):
    texts = [t.replace("film", "<b>film</b> & co") for t in (POS + NEG + NOISY * 2) * 2]
    _, results = run(experiment(explain=3, examples=3), toy(texts))
    fragment = html_section(results)
    assert fragment.count('class="textpipe-explanation"') == 3
    assert "<b>film" not in fragment and "&lt;b&gt;" in fragment
    markdown = "\n".join(markdown_section(results))
    assert "<b>" not in markdown
    assert "The explanation column explains its first 3 errors" in markdown and "exact · toward" in markdown
    # the HTML table leaves the one-line form to Markdown: the fragments are below it
    assert "<th style='text-align:left'>explanation</th>" not in fragment
