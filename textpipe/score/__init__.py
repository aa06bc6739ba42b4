"""Score documents with a saved model: whole files, or any stream of texts.

The package, by concern:

* :mod:`~textpipe.score.readers`: text, CSV/TSV, JSONL and Parquet input, cut into
  chunks, with every bad row captured (line, reason, excerpt);
* :mod:`~textpipe.score.writers`: JSONL, CSV and Parquet output;
* :mod:`~textpipe.score.backends`: chunks scored in order, here, in joblib workers
  or on a Dask cluster;
* :mod:`~textpipe.score.journal`: chunk-by-chunk atomic commits, for resuming;
* :mod:`~textpipe.score.job`: :func:`score_file`, the loop that ties them together
  (``textpipe score``);
* :mod:`~textpipe.score.stream`: :func:`predict` and :func:`predict_proba` over any
  iterable of texts.

Loading a model folder unpickles it: only score with models you trust.

Examples
--------
>>> import textpipe
>>> from textpipe.score import predict
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good fun", "bad dull"], ["pos", "neg"])
>>> list(predict(pipe, iter(["fun", "dull"])))
['pos', 'neg']
"""

from .job import ScoreSummary, score_file
from .readers import INPUT_FORMATS
from .stream import iter_chunks, predict, predict_proba
from .writers import OUTPUT_FORMATS

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "ScoreSummary", "iter_chunks", "predict",
           "predict_proba", "score_file"]
