"""Clean raw text before tokenizing: Unicode form, case, accents, URLs, e-mails, numbers.

Examples
--------
>>> from textpipe.stages.normalize import Normalize
>>> Normalize().fit_transform(["Mail ME at Bob@Example.com,  see https://x.org/a!"])
['mail me at <email>, see <url>!']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import ClassVar


from ..registry import TEXT
from ..sklearn_compat import StrOptions
from .base import N_JOBS_CONSTRAINT, TextStage

__all__ = ["Normalize"]

# Each pattern may start a match only where the thing it names starts (a
# look-behind rules out the middle of a word), so a long run of word characters
# is scanned once, not once per position: no quadratic time on 1 MB documents.
_PATTERNS = {
    # "http://", "https://", "ftp://" or "www." up to the next space; trailing
    # punctuation ("see http://x.org.") is left out of the URL.
    "url": r"""(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>"]*[^\s<>"'.,;:!?)\]}]""",
    "email": r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "mention": r"(?<!\w)@\w+",
    "number": r"(?<![\w.,])\d+(?:[.,]\d+)*(?!\w)",
}
# Alternatives are tried left to right at each position and the leftmost match
# wins, so an e-mail is found from its first character and is never cut by the
# mention rule ("bob@x.org" is not "bob" + "@x"), and a URL holding an "@" or
# digits is taken whole.
_RULE_ORDER = ("url", "email", "mention", "number")


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """``str.translate`` table deleting every character with a combining class."""
    return {cp: None for cp in range(0x300, 0x110000) if unicodedata.combining(chr(cp))}


class Normalize(TextStage):
    """Normalise raw text: Unicode form, lower case, accents, placeholders, whitespace.

    The steps run in this order on each document: Unicode normalisation,
    lower-casing, accent stripping, replacing URLs / e-mails / mentions /
    numbers, collapsing whitespace. With the defaults, normalising twice gives
    the same text as normalising once.

    Parameters
    ----------
    lowercase : bool, default=True
        Lower-case the text (``str.lower``).
    unicode_form : {"NFKC", "NFC", "NFKD", "NFD"} or None, default="NFKC"
        Unicode normalisation form; NFKC also folds compatibility characters
        (full-width letters, ligatures such as "ﬁ"). None leaves the text as it is.
    strip_accents : bool, default=False
        Remove combining marks after canonical decomposition ("café" → "cafe"),
        like scikit-learn's ``strip_accents="unicode"``. The result is recomposed
        to ``unicode_form`` (NFC when that is None).
    urls : str or None, default="<url>"
        Replace URLs (``http://``, ``https://``, ``ftp://``, ``www.``) with this
        placeholder; ``""`` removes them, None leaves them.
    emails : str or None, default="<email>"
        Replace e-mail addresses with this placeholder; ``""`` removes them,
        None leaves them.
    numbers : str or None, default=None
        Replace stand-alone numbers ("42", "3.14", "1,000", not "mp3") with this
        placeholder; ``""`` removes them, None leaves them.
    mentions : str or None, default=None
        Replace @-mentions ("@bob") with this placeholder; ``""`` removes them,
        None leaves them. An e-mail address is never taken for a mention.
    collapse_whitespace : bool, default=True
        Replace every run of whitespace (any Unicode space or line break,
        including U+0085 and U+2028) with one space and strip both ends.
    n_jobs : int or None, default=None
        Processes that transform the documents, in chunks; None means 1 and -1
        all cores. The output is the same and in the same order; inputs of fewer
        than 5,000 documents are always transformed in-process.

    Attributes
    ----------
    fitted_ : bool
        True once fitted; the stage learns nothing from the data.

    Notes
    -----
    Placeholders are inserted after lower-casing, as given: ``urls="<URL>"``
    stays upper case.

    Examples
    --------
    >>> from textpipe.stages.normalize import Normalize
    >>> norm = Normalize(numbers="<num>", mentions="@user", strip_accents=True)
    >>> norm.fit_transform(["@Zoë paid 1,500 € at www.café.fr\\u2028 ＡＢＣ"])
    ['@user paid <num> € at <url> abc']
    >>> Normalize(lowercase=False, urls=None).fit_transform(["Go to\\thttp://x.org  NOW"])
    ['Go to http://x.org NOW']
    """

    consumes: ClassVar[str] = TEXT
    produces: ClassVar[str] = TEXT
    #: A document's output depends on the parameters only: computed once for all folds.
    learns_from_training_data: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict] = {
        "lowercase": ["boolean"],
        "unicode_form": [StrOptions({"NFC", "NFKC", "NFD", "NFKD"}), None],
        "strip_accents": ["boolean"],
        "urls": [str, None],
        "emails": [str, None],
        "numbers": [str, None],
        "mentions": [str, None],
        "collapse_whitespace": ["boolean"],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        lowercase=True,
        unicode_form="NFKC",
        strip_accents=False,
        urls="<url>",
        emails="<email>",
        numbers=None,
        mentions=None,
        collapse_whitespace=True,
        n_jobs=None,
    ):
        self.n_jobs = n_jobs
        self.lowercase = lowercase
        self.unicode_form = unicode_form
        self.strip_accents = strip_accents
        self.urls = urls
        self.emails = emails
        self.numbers = numbers
        self.mentions = mentions
        self.collapse_whitespace = collapse_whitespace

    def _fit(self, docs, y=None) -> None:
        replacements = {
            "url": self.urls,
            "email": self.emails,
            "mention": self.mentions,
            "number": self.numbers,
        }
        self.replacements_ = {k: v for k, v in replacements.items() if v is not None}
        if self.replacements_:
            self.pattern_ = re.compile(
                "|".join(
                    f"(?P<{name}>{_PATTERNS[name]})"
                    for name in _RULE_ORDER
                    if name in self.replacements_
                ),
                re.IGNORECASE,
            )
        else:
            self.pattern_ = None

    def _replace(self, match: re.Match) -> str:
        return self.replacements_[match.lastgroup]

    def _transform(self, docs: list[str]) -> list[str]:
        form = self.unicode_form
        normalize = unicodedata.normalize
        is_normalized = unicodedata.is_normalized
        sub = self.pattern_.sub if self.pattern_ is not None else None
        replace = self._replace
        marks = _combining_marks() if self.strip_accents else None
        out = []
        for text in docs:
            if form is not None:
                text = normalize(form, text)
            if self.lowercase:
                text = text.lower()
                # lower-casing can un-normalise ("İ".lower() is "i" + U+0307)
                if form is not None and not is_normalized(form, text):
                    text = normalize(form, text)
            if marks is not None and not text.isascii():
                text = normalize(form or "NFC", normalize("NFD", text).translate(marks))
            if sub is not None:
                text = sub(replace, text)
            if self.collapse_whitespace:
                text = " ".join(text.split())
            out.append(text)
        return out
