"""Word and character vocabularies of a biLM, stored as JSON.

The biLM reads a token through its characters, so any string gets a
representation; the word vocabulary only decides what the language-model
softmax predicts (words outside it are predicted as ``<unk>``). Words are
ordered by decreasing frequency, which the adaptive softmax relies on: its
head holds the frequent words.

Examples
--------
>>> vocab = Vocabulary.build([["a", "fine", "film"], ["a", "dull", "film"]], min_count=2)
>>> vocab.words
['<S>', '</S>', '<unk>', 'a', 'film']
>>> vocab.word_id("dull") == vocab.word_id("<unk>")
True
>>> vocab.char_ids("film")  # begin-of-word, f, i, l, m, end-of-word
[2, 9, 10, 11, 12, 3]
>>> Vocabulary.from_dict(vocab.to_dict()).words == vocab.words
True
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError, Errors, ModelError

BOS, EOS, UNK = "<S>", "</S>", "<unk>"
SPECIAL_WORDS = (BOS, EOS, UNK)
# Character ids with a fixed meaning; corpus characters start after them.
PAD_CHAR, UNK_CHAR, BOW_CHAR, EOW_CHAR, BOS_CHAR, EOS_CHAR = range(6)
N_SPECIAL_CHARS = 6
FORMAT = "textpipe-bilm-vocab"


class Vocabulary:
    """The words a biLM predicts and the characters it reads.

    Parameters
    ----------
    words : list of str
        Output vocabulary, starting with ``<S>``, ``</S>``, ``<unk>``, then by
        decreasing frequency.
    chars : list of str
        Characters with their own embedding (ids from 6 on); others map to an
        unknown-character id.
    max_characters : int, default=50
        Characters read per token, begin- and end-of-word markers included;
        longer tokens are cut.
    counts : list of int, optional
        Training-corpus frequency of each word (0 for the special words).
    """

    def __init__(self, words: list[str], chars: list[str], max_characters: int = 50,
                 counts: list[int] | None = None):
        if list(words[:3]) != list(SPECIAL_WORDS):
            raise ModelError(Errors.E612.format(special=list(SPECIAL_WORDS), got=list(words[:3])))
        if max_characters < 3:
            raise ConfigError(Errors.E613.format(got=max_characters), param="max_characters")
        self.words = list(words)
        self.chars = list(chars)
        self.max_characters = int(max_characters)
        self.counts = list(counts) if counts is not None else [0] * len(words)
        self._word_index = {w: i for i, w in enumerate(self.words)}
        self._char_index = {c: i + N_SPECIAL_CHARS for i, c in enumerate(self.chars)}
        self._char_memo: dict[str, list[int]] = {}

    # -- building -----------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[list[str]], *, min_count: int = 2,
              max_words: int | None = None, max_characters: int = 50,
              min_char_count: int = 1, max_chars: int = 1000) -> "Vocabulary":
        """Count words and characters in token lists and keep the frequent ones."""
        words: Counter = Counter()
        for doc in docs:
            words.update(doc)
        chars: Counter = Counter()
        for word, n in words.items():
            for ch in word:
                chars[ch] += n
        kept = [(w, n) for w, n in words.items() if n >= min_count and w not in SPECIAL_WORDS]
        kept.sort(key=lambda item: (-item[1], item[0]))
        if max_words is not None:
            kept = kept[:max(0, max_words - len(SPECIAL_WORDS))]
        char_list = [c for c, n in sorted(chars.items(), key=lambda i: (-i[1], i[0]))
                     if n >= min_char_count][:max_chars]
        char_list.sort()
        return cls(list(SPECIAL_WORDS) + [w for w, _ in kept], char_list, max_characters,
                   [0] * len(SPECIAL_WORDS) + [n for _, n in kept])

    # -- lookups ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.words)

    @property
    def n_chars(self) -> int:
        """Size of the character embedding table (special ids included)."""
        return N_SPECIAL_CHARS + len(self.chars)

    def word_id(self, word: str) -> int:
        """Row of ``word`` in the softmax; ``<unk>``'s for words outside the vocabulary."""
        return self._word_index.get(word, 2)

    def char_ids(self, word: str) -> list[int]:
        """Character ids of a token, with begin/end-of-word markers (memoised per type)."""
        ids = self._char_memo.get(word)
        if ids is None:
            if word == BOS:
                ids = [BOW_CHAR, BOS_CHAR, EOW_CHAR]
            elif word == EOS:
                ids = [BOW_CHAR, EOS_CHAR, EOW_CHAR]
            else:
                index = self._char_index
                body = [index.get(ch, UNK_CHAR) for ch in word[:self.max_characters - 2]]
                ids = [BOW_CHAR, *body, EOW_CHAR]
            self._char_memo[word] = ids
        return ids

    # -- JSON ---------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain data for ``vocab.json``."""
        return {"format": FORMAT, "version": 1, "max_characters": self.max_characters,
                "chars": self.chars, "words": self.words, "counts": self.counts}

    @classmethod
    def from_dict(cls, data: dict) -> "Vocabulary":
        """Inverse of :meth:`to_dict`."""
        if data.get("format") != FORMAT:
            raise ModelError(Errors.E610.format(file="the vocabulary", got=data.get("format"),
                                                expected=FORMAT))
        return cls(data["words"], data["chars"], data["max_characters"], data.get("counts"))

    def save(self, path: str | Path) -> None:
        """Write the vocabulary as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False) + "\n",
                              encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Vocabulary":
        """Read a vocabulary written by :meth:`save`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_char_memo"] = {}
        return state

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (f"Vocabulary({len(self.words)} words, {len(self.chars)} characters, "
                f"max_characters={self.max_characters})")
