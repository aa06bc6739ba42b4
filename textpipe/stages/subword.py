"""Subword tokenizers for the ``tokenize`` stage: BPE, WordPiece and Unigram, or a pretrained one.

The tokenizers are Hugging Face ``tokenizers`` objects (Rust), trained with
``train_from_iterator`` or read from a ``tokenizer.json``. A fitted stage keeps
only the tokenizer's JSON text (what ``Tokenizer.to_str`` writes), so it pickles
without a Rust object and a saved model does not depend on the file it was
loaded from.

Every backend gives its tokens in one readable convention, WordPiece's: the
first piece of a word is written as it is and every later piece of the same
word starts with ``##`` ("unbelievable" → ``un``, ``##believ``, ``##able``). A
word is what the pre-tokenizer splits off (a run of letters, a punctuation
mark). Model-specific markers (SentencePiece's ``▁``, byte-level BPE's ``Ġ``,
a model's own continuation prefix) are removed first, special tokens
(``[CLS]``, ``[SEP]``, padding) are never emitted, and a piece the vocabulary
does not know is written as its (normalised) text instead of ``[UNK]``.

Examples
--------
>>> from textpipe.stages.subword import train_tokenizer, Subwords
>>> spec = train_tokenizer(["low lower lowest"] * 5, backend="bpe", vocab_size=20,
...                        min_frequency=2, lowercase=True, unicode_normalization="nfkc",
...                        pre_tokenizer="bert", stage="tokenize")
>>> Subwords(spec, "tokenize", "bpe")(["Lower slower"])
[['lower', 's', '##l', '##ow', '##e', '##r']]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import ConfigError, Errors, InputError, MissingResourceError, ModelError

__all__ = ["TRAINED", "PRETRAINED", "SUBWORD_DEFAULTS", "Subwords", "load_tokenizer_file",
           "tokenizer_file", "train_tokenizer"]

#: Backends whose vocabulary is learnt from the training documents at ``fit``.
TRAINED = ("bpe", "wordpiece", "unigram")
#: The backend that reads a ``tokenizer.json``.
PRETRAINED = "pretrained"
#: What the trained backends use for a parameter left at None.
SUBWORD_DEFAULTS = {"vocab_size": 8000, "min_frequency": 2, "unicode_normalization": "nfkc",
                    "pre_tokenizer": "bert"}
NORMALIZATIONS = ("nfc", "nfd", "nfkc", "nfkd", "none")
PRE_TOKENIZERS = ("bert", "whitespace", "whitespace_split")
CONTINUATION = "##"
UNK = "[UNK]"


def import_tokenizers(stage: str, backend: str):
    """The ``tokenizers`` module, or a MissingResourceError saying how to install it."""
    try:
        import tokenizers
    except ImportError:
        raise MissingResourceError(Errors.E640.format(stage=stage, backend=backend)) from None
    return tokenizers


# -- training -----------------------------------------------------------------------
def _normalizer(tk, unicode_normalization: str, lowercase: bool):
    steps = []
    if unicode_normalization != "none":
        steps.append(getattr(tk.normalizers, unicode_normalization.upper())())
    if lowercase:
        steps.append(tk.normalizers.Lowercase())
    return tk.normalizers.Sequence(steps)


def _pre_tokenizer(tk, name: str, backend: str):
    """The words to split; Unigram's start with SentencePiece's "▁", so its pieces know where."""
    words = {"bert": tk.pre_tokenizers.BertPreTokenizer,
             "whitespace": tk.pre_tokenizers.Whitespace,
             "whitespace_split": tk.pre_tokenizers.WhitespaceSplit}[name]()
    if backend != "unigram":
        return words
    metaspace = tk.pre_tokenizers.Metaspace(prepend_scheme="always")
    return tk.pre_tokenizers.Sequence([words, metaspace])


def _model_and_trainer(tk, backend: str, vocab_size: int, min_frequency: int, specials: list):
    common = {"vocab_size": vocab_size, "special_tokens": specials, "show_progress": False}
    if backend == "bpe":
        return (tk.models.BPE(unk_token=UNK, continuing_subword_prefix=CONTINUATION),
                tk.trainers.BpeTrainer(min_frequency=min_frequency,
                                       continuing_subword_prefix=CONTINUATION, **common))
    if backend == "wordpiece":
        return (tk.models.WordPiece(unk_token=UNK),
                tk.trainers.WordPieceTrainer(min_frequency=min_frequency, **common))
    return tk.models.Unigram(), tk.trainers.UnigramTrainer(unk_token=UNK, **common)


def train_tokenizer(docs: list[str], *, backend: str, vocab_size: int, min_frequency: int,
                    lowercase: bool, unicode_normalization: str, pre_tokenizer: str,
                    stage: str) -> str:
    """Train a ``backend`` tokenizer on ``docs``; return its JSON text, the same for the same docs.

    ``tokenizers``' BPE and WordPiece trainers number their "##" pieces in
    hash-map order, which breaks ties between equally frequent merges
    differently from one run to the next (huggingface/tokenizers#1794); naming
    every "##" + character of the documents as a special token numbers them in
    a fixed order first. Unigram scores differ in
    their last digits between runs and are rounded to 8 decimals. Special tokens
    are then dropped from the added tokens, so "[UNK]" in a text is plain text.
    """
    tk = import_tokenizers(stage, backend)
    normalizer = _normalizer(tk, unicode_normalization, lowercase)
    specials = [UNK]
    chars = sorted(set().union(*map(set, map(normalizer.normalize_str, docs))))
    if backend == "unigram":  # whose trainer fails rather than exceed vocab_size
        vocab_size = max(vocab_size, len(chars) + 2)  # and "[UNK]", "▁"
    else:
        specials += [CONTINUATION + c for c in chars if not c.isspace()]
    model, trainer = _model_and_trainer(tk, backend, vocab_size, min_frequency, specials)
    tokenizer = tk.Tokenizer(model)
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = _pre_tokenizer(tk, pre_tokenizer, backend)
    try:
        tokenizer.train_from_iterator(docs, trainer, length=len(docs))
    except Exception as exc:  # not seen since unigram's vocab_size is raised to its alphabet
        raise InputError(Errors.E645.format(backend=backend, n=len(docs), reason=exc)) from None
    spec = json.loads(tokenizer.to_str())
    spec["added_tokens"] = []
    if backend == "unigram":
        spec["model"] = _canonical_unigram(spec["model"])
    return json.dumps(spec, ensure_ascii=False, sort_keys=True)


def _canonical_unigram(model: dict) -> dict:
    """Unigram pieces in a fixed order with fixed scores; the unknown piece first.

    The trainer adds the characters its pieces lack with the lowest score, then
    1e-4 above it, 2e-4 above, ..., in hash-map order: the single characters
    at those scores get the same scores in sorted order. Scores are rounded to
    8 decimals (their last digits vary).
    """
    pieces = {p: s for p, s in model["vocab"]}
    unk = model["vocab"][model["unk_id"]][0] if model.get("unk_id") is not None else None
    chars = [(s, p) for p, s in pieces.items() if len(p) == 1 and p != unk]
    lowest = min((s for s, _ in chars), default=0.0)
    tail: list[tuple[float, str]] = []
    for k in range(len(chars)):
        step = [(s, p) for s, p in chars if abs(s - (lowest + k * 1e-4)) < 1e-7]
        if not step:
            break
        tail += step
    pieces.update(zip(sorted(p for _, p in tail), sorted((s for s, _ in tail), reverse=True)))
    rest = sorted(((p, round(s, 8)) for p, s in pieces.items() if p != unk),
                  key=lambda ps: (-ps[1], ps[0]))
    head = [[unk, 0.0]] if unk is not None else []
    return {**model, "vocab": head + [list(ps) for ps in rest],
            "unk_id": 0 if unk is not None else None}


# -- pretrained -----------------------------------------------------------------------
def tokenizer_file(path: str | os.PathLike) -> tuple[Path, str]:
    """The tokenizer.json a path names (a file, or a folder holding one) and why it is unusable.

    The reason is "" when the file exists.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        file = path / "tokenizer.json"
        return file, "" if file.is_file() else " (the folder holds no tokenizer.json)"
    return path, "" if path.is_file() else " (no such file or folder)"


def load_tokenizer_file(path: str | os.PathLike, stage: str) -> str:
    """The JSON text of the tokenizer a path names, checked to load (ConfigError, ModelError)."""
    file, why = tokenizer_file(path)
    if why:
        raise ConfigError(Errors.E643.format(path=file, why=why), step=f"'{stage}'",
                          param="tokenizer")
    tk = import_tokenizers(stage, PRETRAINED)
    try:
        text = file.read_text(encoding="utf-8")
        tk.Tokenizer.from_str(text)
    except Exception as exc:  # unreadable, not UTF-8, not JSON, not a tokenizer
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(Errors.E644.format(path=file, reason=reason)) from None
    return text


# -- tokenizing -----------------------------------------------------------------------
def _component_types(spec: dict) -> dict[str, dict]:
    """The normalizer, pre-tokenizer and decoder components of a tokenizer.json, by type."""
    found: dict[str, dict] = {}
    stack = [spec.get("normalizer"), spec.get("pre_tokenizer"), spec.get("decoder")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.setdefault(str(item.get("type")), item)
            stack += [v for v in item.values() if isinstance(v, (dict, list))]
        elif isinstance(item, list):
            stack += item
    return found


class Subwords:
    """A tokenizer.json turned into a function: documents → lists of subword strings.

    See the module docstring for the output convention.
    """

    def __init__(self, spec: str, stage: str, backend: str):
        tk = import_tokenizers(stage, backend)
        self.spec = spec
        self.tokenizer = tk.Tokenizer.from_str(spec)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        config = json.loads(spec)
        model = config.get("model") or {}
        self.prefix = model.get("continuing_subword_prefix") or ""
        self.suffix = model.get("end_of_word_suffix") or ""
        if model.get("type") == "Unigram":
            self.unk_id = model.get("unk_id")
        else:
            self.unk_id = self.tokenizer.token_to_id(model.get("unk_token") or UNK)
        self.special_ids = {i for i, added in self.tokenizer.get_added_tokens_decoder().items()
                            if added.special and i != self.unk_id}
        components = _component_types(config)
        self.byte_level = "ByteLevel" in components
        # SentencePiece's word-start mark: set by a Metaspace step, or by an older
        # tokenizer.json's normalizer that prepends it to the text
        self.metaspace = ((components.get("Metaspace") or {}).get("replacement")
                          or (components.get("Prepend") or {}).get("prepend") or "")
        normalizer = self.tokenizer.normalizer
        self.normalize = normalizer.normalize_str if normalizer is not None else str

    def __call__(self, docs: list[str]) -> list[list[str]]:
        try:
            encodings = self.tokenizer.encode_batch(docs, add_special_tokens=False)
        except Exception as exc:  # e.g. a Unigram model without an unknown piece
            raise ModelError(Errors.E646.format(reason=exc)) from None
        return [self._pieces(doc, enc) for doc, enc in zip(docs, encodings)]

    def _text(self, doc: str, token: str, token_id: int, span: tuple) -> tuple[str, bool]:
        """A piece's text without model markers, and whether a marker says it starts a word."""
        if token_id == self.unk_id or self.byte_level:
            text = self.normalize(doc[span[0]:span[1]])
            return (text.replace(self.metaspace, " ") if self.metaspace else text).strip(), False
        marked = bool(self.metaspace) and token.startswith(self.metaspace)
        if marked:
            token = token[len(self.metaspace):]
        if self.prefix and token.startswith(self.prefix) and len(token) > len(self.prefix):
            token = token[len(self.prefix):]
        if self.suffix and token.endswith(self.suffix) and len(token) > len(self.suffix):
            token = token[:-len(self.suffix)]
        return token, marked

    def _pieces(self, doc: str, enc) -> list[str]:
        pieces: list[str] = []
        starts_word, last_word, last_end, last_span = True, None, -1, None
        for token, token_id, word, span, special in zip(
                enc.tokens, enc.ids, enc.word_ids, enc.offsets, enc.special_tokens_mask):
            if special or token_id in self.special_ids:
                starts_word = True
                continue
            if self.byte_level and span == last_span:
                continue  # another byte of the same character
            last_span = span
            text, marked = self._text(doc, token, token_id, span)
            starts_word = starts_word or marked or word != last_word or span[0] > last_end
            last_word, last_end = word, span[1]
            if text:
                pieces.append(text if starts_word else CONTINUATION + text)
                starts_word = False
        return pieces
