"""Exceptions and the catalogue of error messages.

Every message a user can meet is written here, in one place, the way spaCy keeps
its ``Errors`` class: what went wrong, where, and what to do about it. Code raises
``SomeError(Errors.E0xx.format(...))`` so that wording stays consistent and can be
reviewed as a whole.

Examples
--------
>>> from textpipe.errors import ConfigError
>>> err = ConfigError("must be one of 'porter', 'snowball'", file="p.yaml", line=7,
...                   step="2 'stem'", param="algorithm")
>>> print(err)
p.yaml, line 7, step 2 'stem', parameter 'algorithm': must be one of 'porter', 'snowball'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TextpipeError(Exception):
    """Base class of every error textpipe raises on purpose."""


class ConfigError(TextpipeError, ValueError):
    """A pipeline or experiment configuration is invalid.

    The message is prefixed with where the problem is: the file, its line, the
    step and the parameter, whichever are known.
    """

    def __init__(self, message, *, file=None, line=None, step=None, param=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.step = step
        self.param = param
        super().__init__(self._render())

    @property
    def where(self) -> str:
        """The location as text, e.g. ``"p.yaml, line 7, step 'stem'"``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.step:
            parts.append(f"step {self.step}")
        if self.param:
            parts.append(f"parameter '{self.param}'")
        return ", ".join(parts)

    def _render(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DataError(TextpipeError, ValueError):
    """Input data cannot be read: a malformed row, an unknown format, a bad encoding.

    The message names the file and, where there is one, the line.
    """

    def __init__(self, message, *, file=None, line=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        where = ", ".join(
            p for p in (self.file, None if line is None else f"line {line}") if p
        )
        super().__init__(f"{where}: {message}" if where else message)


class InputError(TextpipeError, TypeError, ValueError):
    """A stage was given documents it cannot handle (None, bytes, numbers, wrong shape).

    It is both a ``TypeError`` and a ``ValueError`` so that callers written for
    either sklearn convention catch it.
    """


class MissingResourceError(TextpipeError, LookupError):
    """Data that a stage needs (e.g. WordNet) is not installed; says how to get it."""


class ModelError(TextpipeError, ValueError):
    """A saved model cannot be loaded: missing files, bad checksums, incompatible version."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""``.

    Examples
    --------
    >>> did_you_mean("stemm", ["stem", "tokenize"])
    " Did you mean 'stem'?"
    >>> did_you_mean("zzz", ["stem"])
    ''
    """
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""


def quoted_list(items: Iterable[object]) -> str:
    """Return items as ``'a', 'b', 'c'`` for messages.

    Examples
    --------
    >>> quoted_list(["a", "b"])
    "'a', 'b'"
    """
    return ", ".join(repr(i) if not isinstance(i, str) else f"'{i}'" for i in items)


class Errors:
    """Catalogue of message templates. Fill them with ``str.format``."""

    # Configuration files
    E001 = "cannot read the file: {reason}"
    E002 = "is not valid YAML: {reason}"
    E003 = "the top level must be a mapping of keys such as 'data', 'evaluation', 'steps'; got {kind}."
    E004 = "unknown stage '{stage}'.{hint} Run `textpipe stages` to list the {n} available stages."
    E005 = "'{stage}' has no parameter '{param}'.{hint} Its parameters are: {allowed}."
    E006 = "each step must be written '- stage_name: {{params}}' or '- stage_name'; got {got}."
    E007 = "{message}"
    E008 = "'{stage}' takes {wants} as input, but {source} {gets}.{fix}"
    E009 = "the last step '{stage}' must be a classifier (it produces {gets}).{fix}"
    E010 = "a pipeline needs at least one step."
    E011 = "unknown key '{key}'.{hint} Allowed keys here: {allowed}."
    E012 = "parameters of step '{stage}' must be a mapping (name: value); got {got}."
    E013 = "cannot create the stage: {reason}"

    # Documents given to stages
    E101 = (
        "stage '{stage}' expects a list of documents, but got a single {kind}. "
        "Wrap it in a list: [{example}]."
    )
    E102 = (
        "stage '{stage}' expects every document to be a str, but document {index} is {desc}. "
        "{fix}"
    )
    E103 = (
        "stage '{stage}' expects token lists (one list of str per document), but document "
        "{index} is {desc}. {fix}"
    )
    E104 = "stage '{stage}' expects an iterable of documents, but got {kind}."
    E105 = (
        "stage '{stage}' was fitted on no documents. Give it at least one document."
    )
    E106 = (
        "stage '{stage}' found no features in the training documents: every document is "
        "empty after the earlier steps{detail}. Loosen the filtering (stopwords, min_df, "
        "min_length) or check the data."
    )
    E107 = (
        "the training data has only one class ({label!r}); a classifier needs at least two. "
        "Check the label column, or use a stratified split."
    )
    E108 = "X has {n_x} documents but y has {n_y} labels; they must match."

    # Data
    E201 = "unknown dataset '{name}'.{hint} Bundled datasets: {allowed}. A path to a file or folder works too."
    E202 = "file or folder not found."
    E203 = "unknown data format '{fmt}'. Use one of: {allowed}."
    E204 = (
        "unknown text encoding '{encoding}'. Use 'auto' or a Python codec name such as "
        "'utf-8', 'cp1252' or 'latin-1'."
    )
    E205 = (
        "cannot decode byte 0x{byte:02x} (column {column}) as '{encoding}'. Use encoding "
        "'auto', or name the file's encoding, e.g. 'cp1252' or 'latin-1'."
    )
    E206 = "cannot decompress the gzip file: {reason}."
    E207 = (
        "expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a "
        "single field: {excerpt}."
    )
    E208 = "the file is empty; a {fmt} file needs a header row naming its columns, e.g. {example}."
    E209 = (
        "expected {expected} fields, as in the header, but the record has {got}: {excerpt}. "
        "Quote fields that contain the delimiter."
    )
    E210 = (
        "cannot parse the {fmt} record that starts on this line: {reason}. Check for an "
        "unbalanced double quote, or a quote inside an unquoted field."
    )
    E211 = (
        "the header has no column '{column}' for the {role}.{hint} Its columns are: "
        "{available}. Set {param} to one of them."
    )
    E212 = (
        "is not valid JSON ({reason}): {excerpt}. Each line must hold one JSON object, "
        'e.g. {{"text": "a fine film", "label": "pos"}}.'
    )
    E213 = "expected a JSON object, but the line holds {kind}: {excerpt}."
    E214 = (
        "the object has no field '{field}' for the {role}.{hint} Its fields are: "
        "{available}. Set {param} to one of them."
    )
    E215 = "the text must be a string, but it is {kind}: {excerpt}."
    E216 = (
        "the label must be a string or an integer, but it is {kind}: {excerpt}. A float "
        "label is accepted only if it is a whole number (1.0 is read as '1')."
    )
    E217 = "the {role} is empty; every example needs a non-empty text and label."
    E218 = (
        "holds no label folders. A folder dataset has one sub-folder per label, each "
        "holding one .txt file per document, e.g. reviews/pos/001.txt."
    )
    E219 = "label folder '{label}' holds no .txt files; write each document to a .txt file in it."
    E220 = "holds no examples."
    E221 = (
        "is a folder, but format '{fmt}' reads a single file. Use format 'folder' (one "
        "sub-folder per label), or give a file."
    )
    E222 = "is a file, but format 'folder' reads a folder with one sub-folder per label."
    E223 = "'{arg}' does not apply to the bundled dataset '{name}': {why}."
    E224 = "sample must be a positive integer or None; got {got}."
    E225 = "a dataset source must be a bundled dataset name or a path; got {got}."
    E226 = "{part} has {n_texts} texts but {n_labels} labels; they must match."
    E227 = "{part} must hold only str, but item {index} is {kind}."
    E228 = "test_texts and test_labels must both be given or both be None."

    # Text and token stages (normalize, tokenize, stopwords, stem, lemmatize, phrases)
    E301 = (
        "unknown spaCy language code '{language}'.{hint} spaCy {version} has: {allowed}. "
        "See https://spacy.io/usage/models#languages, or list them with "
        "`python -c \"import pkgutil, spacy.lang; print(sorted(m.name for m in "
        "pkgutil.iter_modules(spacy.lang.__path__)))\"`."
    )
    E302 = (
        "spaCy's '{language}' language needs a package that is not installed ({reason}). "
        "Install it, or choose another backend."
    )
    E303 = "is not a valid regular expression: {reason}."
    E304 = (
        "has {n} capturing group(s), so re.findall would return the groups instead of the "
        "tokens. Make the groups non-capturing: (?:...)."
    )
    E305 = "must be a pair (min_n, max_n) of ints with 1 <= min_n <= max_n; got {got!r}."
    E306 = "cannot read the word file '{path}': {reason}. Give a UTF-8 text file with one word per line."
    E307 = "must hold only str, but item {index} is {kind}."
    E308 = "unknown Snowball language '{language}'.{hint} NLTK's SnowballStemmer supports: {allowed}."
    E309 = (
        "spacy-lookups-data has no lemma lookup table for '{language}'.{hint} Languages with "
        "one: {allowed}. For English, backend 'wordnet' is another choice."
    )
    E310 = (
        "the 'spacy_lookup' backend needs the spacy-lookups-data package, which is not "
        "installed. Install it with `pip install spacy-lookups-data` (it holds the tables; "
        "nothing is downloaded at run time)."
    )
    E311 = (
        "the 'wordnet' backend needs the WordNet database, which was not found (looked in: "
        "{searched}). Get it in one of these ways, then run again:\n"
        "  - Debian/Ubuntu: `apt-get install wordnet-base`, then set the parameter "
        "wordnet_path: /usr/share/wordnet (textpipe also looks there by itself);\n"
        "  - copy an nltk_data folder holding corpora/wordnet (or corpora/wordnet.zip) from a "
        "machine that has it, and point wordnet_path at it, or set the NLTK_DATA environment "
        "variable to it;\n"
        "  - on a machine with internet: `python -m nltk.downloader -d /path/to/nltk_data "
        "wordnet`.\n"
        "Or use backend 'spacy_lookup', which needs no download."
    )
    E312 = "'{path}' does not hold a readable WordNet database: {reason}."
    E313 = (
        "threshold={threshold!r} is out of range for scoring='npmi', whose scores lie in "
        "[-1, 1]. Use a threshold such as 0.5, or leave it None for the default."
    )

    # Vectorizers and linear models
    E401 = (
        "stage '{stage}': ngram_range must be a pair (min_n, max_n) of ints with "
        "1 <= min_n <= max_n; got {got!r}."
    )
    E402 = (
        "stage '{stage}': max_df={max_df!r} keeps terms found in at most {high:g} of the "
        "{n_docs} documents, but min_df={min_df!r} asks for at least {low:g}; no term can "
        "satisfy both. Lower min_df or raise max_df."
    )
    E403 = (
        "stage '{stage}': no terms remain after pruning the {n_terms} terms of {n_docs} "
        "documents with min_df={min_df!r}, max_df={max_df!r}. Lower min_df or raise max_df."
    )
    E404 = (
        "Negative values in data passed to stage '{stage}' (min {min:g}); it expects "
        "non-negative features (counts, binary or tf-idf). Use 'count' or 'tfidf' features, "
        "or 'hashing' with alternate_sign=False."
    )

    # Word embeddings (GloVe, vector files, pooling)
    E501 = "the vector file is empty: it holds no vectors."
    E502 = (
        "expected {expected} numbers after the word (as on the first line, or as the header "
        "says), but the line has {got}: {excerpt}. Every line must hold a word and the same "
        "number of values."
    )
    E503 = (
        "a binary word2vec file starts with a header line 'COUNT DIM', but the first line is "
        "{excerpt}. A fastText model (.bin) is not a word2vec file: load its .vec text file "
        "instead."
    )
    E504 = "cannot read {field} as a number: {excerpt}."
    E505 = (
        "a word2vec file starts with a header line 'COUNT DIM', but the first line is "
        "{excerpt}. For a file without a header (GloVe), use format 'glove' or 'auto'."
    )
    E506 = (
        "the line is not valid {encoding} ({reason}): {excerpt}. Vector files are read as "
        "UTF-8; re-encode the file, or remove the line."
    )
    E507 = (
        "the header announces {count} vectors, but the file ends after {got}; it may be "
        "truncated. Copy it again, or pass limit={got}."
    )
    E508 = (
        "cannot read the binary word2vec file: {reason}. If it is a text file, pass "
        "binary=False."
    )
    E509 = "unknown vector file format '{fmt}'. Use one of: {allowed}."
    E510 = (
        "binary=True does not apply to format '{fmt}', which is not word2vec binary. Leave "
        "binary unset, or use format 'word2vec'."
    )
    E511 = (
        "document {doc} holds token id {id}, but there are {n} vectors (ids 0 to {n} - 1). "
        "Map out-of-vocabulary tokens to -1 to skip them."
    )


__all__ = [
    "ConfigError",
    "DataError",
    "Errors",
    "InputError",
    "MissingResourceError",
    "ModelError",
    "TextpipeError",
    "did_you_mean",
    "quoted_list",
]
