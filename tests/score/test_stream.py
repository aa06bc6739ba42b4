import numpy as np
import pytest

from textpipe.errors import UsageError
from textpipe.score import iter_chunks, predict, predict_proba


def test_predict_over_a_generator_equals_the_pipeline(pipeline, model_dir):
    texts = [f"good fun {i}" if i % 3 else f"dull bad {i}" for i in range(25)]
    labels = list(predict(model_dir, (t for t in texts), chunk_size=4))
    assert labels == pipeline.predict(texts).tolist()
    rows = list(predict_proba(pipeline, iter(texts), chunk_size=7))
    assert np.allclose(np.vstack(rows), pipeline.predict_proba(texts))


def test_predict_proba_in_two_workers(model_dir, pipeline):
    texts = [f"great {i}" for i in range(10)]
    rows = list(predict_proba(model_dir, texts, chunk_size=3, n_jobs=2))
    assert np.allclose(np.vstack(rows), pipeline.predict_proba(texts))


def test_chunks_are_read_lazily():
    def endless():
        i = 0
        while True:
            yield i
            i += 1

    assert next(iter_chunks(endless(), 3)) == [0, 1, 2]
    with pytest.raises(UsageError, match="chunk_size must be a positive integer"):
        next(iter_chunks([], 0))
