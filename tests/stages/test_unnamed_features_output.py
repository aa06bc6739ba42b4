"""A stage of one's own that produces features without naming them still works under pandas output."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from textpipe.stages.base import TextStage

pd = pytest.importorskip("pandas")
DOCS = ["a good film", "bad", "a fine and good film", "dull"] * 3
Y = [1, 0, 1, 0] * 3


class Widths(TextStage):
    """Two numbers per document, columns not named (like a plugin written before naming)."""

    produces = "features"

    def _transform(self, docs):
        return np.array([[len(d), len(d.split())] for d in docs], dtype=float)


class RecordedWidths(Widths):
    def _fit(self, docs, y=None):
        self.n_features_out_ = 2


@pytest.mark.parametrize("cls", [Widths, RecordedWidths])
def test_unnamed_dense_features_become_stage_numbered_columns(cls):
    with sklearn.config_context(transform_output="pandas"):
        pipe = make_pipeline(cls(), LogisticRegression()).fit(DOCS, Y)
        out = pipe[0].transform(DOCS)
        assert pipe.predict(DOCS).shape == (12,)
    assert isinstance(out, pd.DataFrame)
    name = pipe[0].stage_name
    assert list(out.columns) == [f"{name}_0", f"{name}_1"]


def test_a_recorded_width_names_the_columns_without_transforming():
    stage = RecordedWidths().fit(DOCS)
    name = stage.stage_name
    assert stage.get_feature_names_out().tolist() == [f"{name}_0", f"{name}_1"]
