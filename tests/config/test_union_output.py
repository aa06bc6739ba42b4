"""A ``union`` step under scikit-learn's pandas output: named columns, sparse left sparse."""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn

from textpipe.config import load_config

pd = pytest.importorskip("pandas")

TEXTS = ["good fun film", "bad dull film", "fun fun good", "dull bad plot"] * 3
LABELS = [1, 0, 1, 0] * 3
W2V = {"dim": 4, "min_count": 1, "epochs": 1, "random_state": 0}
DENSE = {"union": {"branches": {
    "skip": ["tokenize", {"word2vec": {**W2V, "architecture": "skipgram"}}],
    "cbow": ["tokenize", {"word2vec": {**W2V, "pooling": "max"}}]},
    "weights": {"skip": 1.0, "cbow": 2.0}}}
MIXED = {"union": {"branches": {"words": ["tokenize", "tfidf"],
                                "vectors": ["tokenize", {"word2vec": W2V}]}}}


@pytest.mark.default_sklearn_output("compares the default container with pandas output")
def test_set_output_pandas_on_a_yaml_union_gives_branch_prefixed_columns():
    plain = load_config({"steps": [DENSE, "logreg"]}).build().fit(TEXTS, LABELS)
    pipe = load_config({"steps": [DENSE, "logreg"]}).build().set_output(transform="pandas")
    pipe.fit(TEXTS, LABELS)
    out = pipe[0].transform(TEXTS[:2])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"skip__word2vec_{i}" for i in range(4)] + [
        f"cbow__word2vec_{i}" for i in range(4)]
    assert isinstance(plain[0].transform(TEXTS[:2]), np.ndarray)
    np.testing.assert_allclose(out.to_numpy(), plain[0].transform(TEXTS[:2]), rtol=1e-6)
    assert pipe.predict(TEXTS).tolist() == plain.predict(TEXTS).tolist()


def test_global_pandas_output_keeps_a_union_with_sparse_features_sparse():
    pipe = load_config({"steps": [MIXED, "logreg"]}).build()
    with sklearn.config_context(transform_output="pandas"):
        pipe.fit(TEXTS, LABELS)
        out = pipe[0].transform(TEXTS[:2])
        names = pipe[0].get_feature_names_out().tolist()
        assert pipe.predict(TEXTS[:4]).shape == (4,)
    assert sp.issparse(out) and out.shape[1] == len(names)
    assert "words__good" in names and names[-1] == "vectors__word2vec_3"


def test_set_output_pandas_reaches_each_branch_of_the_union():
    pipe = load_config({"steps": [DENSE, "logreg"]}).build().set_output(transform="pandas")
    branch = pipe[0].named_transformers["skip"]
    assert isinstance(branch.fit(TEXTS).transform(TEXTS[:1]), pd.DataFrame)
