"""textpipe: composable text-classification pipelines, from TF-IDF to BiLSTMs.

Stages are scikit-learn estimators that chain into ``sklearn.pipeline.Pipeline``;
YAML files describe pipelines and how to evaluate them.

``import textpipe`` is kept light: scikit-learn, spaCy, gensim and torch are
imported only when something needs them, so the names below load on first use.

Examples
--------
>>> import textpipe
>>> pipe = textpipe.load_pipeline({"steps": [{"tokenize": {}}, {"tfidf": {}}, {"logreg": {}}]})
>>> [name for name, _ in pipe.steps]
['tokenize', 'tfidf', 'logreg']
"""

from importlib import import_module

from ._version import __version__

_LAZY = {
    "load_pipeline": "textpipe.config",
    "load_config": "textpipe.config",
    "load_dataset": "textpipe.data",
    "Dataset": "textpipe.data",
    "evaluate": "textpipe.evaluation",
    "save_model": "textpipe.model",
    "load_model": "textpipe.model",
    "register_stage": "textpipe.registry",
    "get_stage": "textpipe.registry",
    "stage_names": "textpipe.registry",
    "TextStage": "textpipe.stages",
    "explain": "textpipe.explanations",
    "explanation_html": "textpipe.explanations",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'textpipe' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
