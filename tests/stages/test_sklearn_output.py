"""Stages name their output (``get_feature_names_out``) and follow ``set_output``.

Every registered transformer is fitted small (the contract suite's parameters) and
checked: token stages pass their one column's name through, feature stages name
their columns, and under pandas output dense features become a DataFrame with
those names while token lists and sparse matrices stay as they are, as with
scikit-learn's own text vectorizers. Where pandas is not installed, a stand-in
for scikit-learn's pandas container (an array that records its column names)
checks the same thing.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._set_output import ADAPTERS_MANAGER

from tests.stages.test_sklearn_contract import LABELS, TINY, Resources, stage_data
from textpipe import registry
from textpipe.registry import FEATURES, get_stage
from textpipe.stages.tokenize import Tokenize
from textpipe.stages.vectorize import TfidfVectors

TRANSFORMERS = [name for name in registry._BUILTIN if not get_stage(name).is_classifier]
TORCH_STAGES = ("elmo", "transformer")
DOCS = ["a good film", "a bad film", "good acting", "bad plot", "a film", "good good"] * 2
Y = [1, 0, 1, 0, 0, 1] * 2


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    return Resources(tmp_path_factory)


class Frame(np.ndarray):
    """A stand-in DataFrame: the values, with the column names it was given."""

    columns: list


class FrameAdapter:
    """scikit-learn's container adapter protocol, building :class:`Frame`."""

    container_lib = "pandas"

    def create_container(self, X_output, X_original, columns, inplace=True):
        frame = np.asarray(X_output).view(Frame)
        frame.columns = list(columns() if callable(columns) else columns)
        return frame

    def is_supported_container(self, X):
        return isinstance(X, Frame)


@pytest.fixture(params=["stand-in", "pandas"])
def frames(request, monkeypatch):
    """The class that pandas output gives: pandas' DataFrame, or the stand-in."""
    if request.param == "pandas":
        return pytest.importorskip("pandas").DataFrame
    monkeypatch.setitem(ADAPTERS_MANAGER.adapters, "pandas", FrameAdapter())
    return Frame


def fitted(name, resources):
    if name in TORCH_STAGES:
        pytest.importorskip("torch")
    params = TINY[name](resources) if callable(TINY[name]) else TINY[name]
    spec = get_stage(name)
    X = stage_data(spec)
    return spec.create(**params).fit(X, LABELS), X


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_every_transformer_names_its_output(name, resources):
    est, X = fitted(name, resources)
    out = est.transform(X)
    names = est.get_feature_names_out()
    assert names.dtype == object and all(isinstance(n, str) for n in names)
    if get_stage(name).produces == FEATURES:
        assert len(names) == out.shape[1] and len(set(names)) == len(names)
    else:
        assert names.tolist() == [get_stage(name).produces]
        assert est.get_feature_names_out(["review"]).tolist() == ["review"]


@pytest.mark.parametrize("name", ["word2vec", "glove", "pretrained_vectors", "elmo",
                                  "transformer"])
def test_embedding_dimensions_are_named_stage_underscore_number(name, resources):
    est, _ = fitted(name, resources)
    assert est.get_feature_names_out()[:2].tolist() == [f"{name}_0", f"{name}_1"]


def test_a_pipeline_without_its_classifier_names_the_ngrams():
    pipe = make_pipeline(Tokenize(), TfidfVectors(), LogisticRegression()).fit(DOCS, Y)
    assert pipe[:-1].get_feature_names_out().tolist() == ["a", "acting", "bad", "film",
                                                          "good", "plot"]


def test_a_column_transformer_over_a_text_column_gives_feature_names():
    X = np.array([[doc, i] for i, doc in enumerate(DOCS)], dtype=object)
    ct = ColumnTransformer([("words", make_pipeline(Tokenize(), TfidfVectors()), 0)])
    assert ct.fit(X).get_feature_names_out()[:2].tolist() == ["words__a", "words__acting"]


def test_a_column_transformer_over_a_dataframe_text_column_gives_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"review": DOCS, "stars": range(len(DOCS))})
    ct = ColumnTransformer([("words", make_pipeline(Tokenize(), TfidfVectors()), "review")])
    ct.fit(df)
    assert ct.get_feature_names_out()[:2].tolist() == ["words__a", "words__acting"]


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_pandas_output_makes_dense_features_a_dataframe_and_leaves_the_rest(
    name, resources, frames
):
    est, X = fitted(name, resources)
    plain = est.transform(X)
    with sklearn.config_context(transform_output="pandas"):
        out = est.fit(X, LABELS).transform(X)
    if isinstance(plain, np.ndarray):
        assert isinstance(out, frames)
        assert list(out.columns) == est.get_feature_names_out().tolist()
        np.testing.assert_allclose(np.asarray(out), plain, rtol=1e-5, atol=1e-6)
    else:
        assert type(out) is type(plain)
        if sp.issparse(plain):
            assert (out != plain).nnz == 0


def test_set_output_pandas_on_a_sparse_pipeline_configures_and_predicts():
    pipe = make_pipeline(Tokenize(), TfidfVectors(), LogisticRegression())
    pipe.set_output(transform="pandas").fit(DOCS, Y)
    assert pipe.predict(DOCS).tolist() == Y
    assert sp.issparse(pipe[:-1].transform(DOCS))


def test_global_pandas_output_fits_a_sparse_pipeline_like_sklearns_vectorizer():
    with sklearn.config_context(transform_output="pandas"):
        pipe = make_pipeline(Tokenize(), TfidfVectors(), LogisticRegression()).fit(DOCS, Y)
        assert pipe.predict(DOCS).tolist() == Y


def test_set_output_pandas_gives_named_columns_from_an_embedding_pipeline(frames):
    pipe = make_pipeline(Tokenize(), get_stage("word2vec").create(**TINY["word2vec"]))
    out = pipe.set_output(transform="pandas").fit_transform(DOCS)
    assert isinstance(out, frames) and list(out.columns)[:2] == ["word2vec_0", "word2vec_1"]
    head = make_pipeline(Tokenize(), get_stage("word2vec").create(**TINY["word2vec"]),
                         LogisticRegression()).set_output(transform="pandas")
    assert len(head.fit(DOCS, Y).predict(DOCS)) == len(DOCS)


def test_pandas_output_keeps_the_index_of_a_series_of_texts():
    pd = pytest.importorskip("pandas")
    stage = get_stage("word2vec").create(**TINY["word2vec"]).set_output(transform="pandas")
    texts = pd.Series(Tokenize().fit_transform(DOCS), index=range(5, 17))
    assert stage.fit_transform(texts).index.tolist() == list(range(5, 17))
