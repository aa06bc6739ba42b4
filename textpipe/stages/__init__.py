"""All textpipe stages, each a scikit-learn estimator.

Classes are imported on first access, so importing this package is cheap.

Examples
--------
>>> from textpipe.stages import Stem
>>> Stem(algorithm="porter").fit_transform([["running", "cats"]])
[['run', 'cat']]
"""

from importlib import import_module

_CLASSES = {
    "TextStage": "base",
    "Normalize": "normalize",
    "Tokenize": "tokenize",
    "Stopwords": "stopwords",
    "Stem": "stem",
    "Lemmatize": "lemmatize",
    "Phrases": "phrases",
    "CountVectors": "vectorize",
    "TfidfVectors": "vectorize",
    "HashingVectors": "vectorize",
    "NBSVM": "nbsvm",
    "Word2Vec": "embed",
    "FastText": "embed",
    "GloVe": "embed",
    "PretrainedVectors": "embed",
    "Elmo": "elmo",
    "BiLSTMClassifier": "bilstm",
}

__all__ = list(_CLASSES)


def __getattr__(name):
    if name in _CLASSES:
        value = getattr(import_module(f"{__name__}.{_CLASSES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
