"""The message for a parameter a stage does not have, with what it may have meant.

Most mistakes are typos, answered by the closest name (``ngram_rang`` →
``ngram_range``). Some are the name of the same idea in another family of
stages, where a suggestion alone would mislead: ``epochs`` and ``max_epochs``
do not mean the same thing.

- ``epochs`` (word2vec, fasttext, glove, and biLM pretraining): a fixed number
  of passes over the documents; every pass runs.
- ``max_epochs`` (bilstm, cnn, transformer_classifier): the most passes a
  neural classifier makes; with ``early_stopping`` (its default) it stops
  sooner, once the held-out loss stops improving, and keeps the best epoch.

Examples
--------
>>> unknown_parameter("cnn", "epochs", ["max_epochs", "early_stopping"]).code
'E737'
>>> unknown_parameter("tfidf", "ngram_rang", ["ngram_range"])
"'tfidf' has no parameter 'ngram_rang'. Did you mean 'ngram_range'? Its parameters are: 'ngram_range'."
"""

from __future__ import annotations

from typing import Iterable

from ..errors import Errors, Message, did_you_mean, quoted_list

__all__ = ["unknown_parameter"]

#: A parameter name of one family of stages → (its name in the other, the message explaining both).
OTHER_FAMILY = {
    "epochs": ("max_epochs", Errors.E737),
    "max_epochs": ("epochs", Errors.E738),
}


def unknown_parameter(stage: str, param: str, allowed: Iterable[str]) -> Message:
    """The message for ``param``, which ``stage`` (whose parameters are ``allowed``) lacks."""
    allowed = list(allowed)
    other, message = OTHER_FAMILY.get(str(param), (None, None))
    if other in allowed:
        return message.format(stage=stage, param=param, other=other)
    return Errors.E005.format(stage=stage, param=param, hint=did_you_mean(param, allowed),
                              allowed=quoted_list(allowed))
