"""The tokens a pipeline sees, and where each one came from in the original text.

A pipeline's text steps (``normalize``), its ``tokenize`` step and its token steps
(``stopwords``, ``stem``, ``lemmatize``, ``phrases``) are run on one text, and every
final token is traced back to the tokenizer's tokens it came from, then to a
character span of the original text:

* the tokenizer's tokens are found in the original text in order, ignoring case;
  a token that is not there as such (a placeholder such as ``<url>``, a character
  n-gram) has no span and does not move the search on;
* a token step that keeps the number of tokens maps them one to one (stems,
  lemmas); one that drops tokens (stop words) is traced by running it on each
  token alone; one that joins tokens (``phrases``) by the joined text.

So a stemmed token (``terribl``) is shown as the word it came from (``terrible``).

Examples
--------
>>> from textpipe.explanations.align import locate
>>> locate(["it's", "a", "great", "film"], "It's a GREAT film!")
[(0, 4), (5, 6), (7, 12), (13, 17)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..registry import TEXT, TOKENS

#: Prefixes the subword tokenizers put on a piece inside a word.
_PIECE_MARKS = ("##", "▁", "Ġ")


@dataclass
class TracedTokens:
    """The tokens a pipeline's vectorizer (or next step) receives for one text.

    Attributes
    ----------
    tokens : list of str
        The final tokens, in order.
    spans : list of (int, int) or None
        Each token's character span in the original text, None where unknown.
    """

    tokens: list
    spans: list

    def word(self, text: str, index: int) -> str:
        """The original text of token ``index`` where its span is known, else the token."""
        span = self.spans[index]
        return self.tokens[index] if span is None else text[span[0]:span[1]]


def locate(tokens: list, text: str) -> list:
    """Character spans of ``tokens`` in ``text``, found in order; None for those not found.

    A token is accepted only where the text skipped to reach it holds no letter or
    digit, so that a token missing from the text cannot pull later ones out of place;
    right after tokens that were not found (a placeholder for a URL), the next one
    found is accepted wherever it is.

    Examples
    --------
    >>> locate(["visit", "<", "url", ">", "now"], "Visit http://x.org now")
    [(0, 5), None, None, None, (19, 22)]
    """
    folded = text.lower()
    if len(folded) != len(text):  # a few characters change length when lower-cased
        folded = text
    spans, cursor, lost = [], 0, False
    for token in tokens:
        needle = str(token)
        for mark in _PIECE_MARKS:
            if needle.startswith(mark) and len(needle) > len(mark):
                needle = needle[len(mark):]
                break
        needle = needle.lower() if folded is not text else needle
        at = folded.find(needle, cursor) if needle else -1
        if at < 0 or (not lost and any(ch.isalnum() for ch in text[cursor:at])):
            spans.append(None)
            lost = True
            continue
        spans.append((at, at + len(needle)))
        cursor, lost = at + len(needle), False
    return spans


def _sources_one_to_one(before: list, after: list) -> list | None:
    return [[i] for i in range(len(before))] if len(before) == len(after) else None


def _sources_per_token(stage, before: list, after: list) -> list | None:
    """Run the step on each token alone; right when it keeps or drops tokens one by one."""
    if not before:
        return []
    alone = stage.transform([[token] for token in before])
    flat = [(i, token) for i, out in enumerate(alone) for token in out]
    if [token for _, token in flat] != list(after):
        return None
    return [[i] for i, _ in flat]


def _sources_joined(stage, before: list, after: list) -> list:
    """Each output token matched to the input tokens it joins (``phrases``), else to none."""
    delimiter = str(getattr(stage, "delimiter", "_"))
    sources, i = [], 0
    for token in after:
        match = None
        for k in range(1, len(before) - i + 1):
            if delimiter.join(before[i:i + k]) == token:
                match = k
                break
            if len(delimiter.join(before[i:i + k])) > len(token):
                break
        if match is None:
            sources.append([])
            continue
        sources.append(list(range(i, i + match)))
        i += match
    return sources


def _merge(spans: list, indices: list):
    """The span covering the spans of ``indices``; None if any is unknown or none is given."""
    chosen = [spans[i] for i in indices]
    if not chosen or any(s is None for s in chosen):
        return None
    return (min(s[0] for s in chosen), max(s[1] for s in chosen))


def trace(text: str, text_steps: list, tokenizer, token_steps: list) -> TracedTokens:
    """Run the steps up to the last token step on ``text``; trace each token to its span.

    Parameters
    ----------
    text : str
        The original text.
    text_steps : list of estimators
        The fitted steps from text to text before the tokenizer, in order.
    tokenizer : estimator
        The fitted step from text to tokens.
    token_steps : list of estimators
        The fitted steps from tokens to tokens after it, in order.

    Returns
    -------
    TracedTokens

    Examples
    --------
    >>> from textpipe.stages.tokenize import Tokenize
    >>> from textpipe.stages.stem import Stem
    >>> traced = trace("Terrible acting", [], Tokenize().fit([""]), [Stem().fit([[]])])
    >>> traced.tokens, [traced.word("Terrible acting", i) for i in range(2)]
    (['terribl', 'act'], ['Terrible', 'acting'])
    """
    shown = text
    for step in text_steps:
        shown = step.transform([shown])[0]
    tokens = list(tokenizer.transform([shown])[0])
    spans = locate(tokens, text)
    for step in token_steps:
        after = list(step.transform([tokens])[0])
        sources = (_sources_one_to_one(tokens, after)
                   or _sources_per_token(step, tokens, after)
                   if after or not tokens else [])
        if sources is None:
            sources = _sources_joined(step, tokens, after)
        spans = [_merge(spans, indices) for indices in sources]
        tokens = after
    return TracedTokens(tokens, spans)


#: Tokenizer backends whose tokens are character n-grams, not words.
CHARACTER_BACKENDS = ("char_ngrams", "char_wb")
_WORD = re.compile(r"\S+")


def is_character_tokenizer(tokenizer) -> bool:
    """Whether a tokenizer gives character n-grams (``char_ngrams``, ``char_wb``)."""
    return getattr(tokenizer, "backend", None) in CHARACTER_BACKENDS


def _shown_words(text: str, text_steps: list) -> list:
    """The whitespace-separated words of ``text`` after the text steps, one by one."""
    shown = []
    for word in _WORD.finditer(text):
        piece = word.group()
        for step in text_steps:
            piece = step.transform([piece])[0]
        shown.append(piece)
    return shown


def _char_wb_shares(tokenizer, shown: list, tokens: list):
    shares, found = [], []
    for index, word in enumerate(shown):
        pieces = list(tokenizer.transform([word])[0])
        shares += [[(index, 1.0)]] * len(pieces)
        found += pieces
    return shares if found == list(tokens) else None


def _char_ngram_shares(tokenizer, shown: list, tokens: list):
    """Each n-gram of the words joined by one space, shared by its characters' words."""
    shown = [word.lower() for word in shown] if tokenizer.lowercase else shown
    joined = " ".join(shown)
    if len(joined.split()) != len(shown) or joined != " ".join(joined.split()):
        return None  # a text step made, removed or padded words
    owner = [index for index, word in enumerate(shown) for _ in word + " "][:len(joined)]
    low, high = (int(n) for n in tokenizer.ngram_range)
    shares, found = [], []
    for n in range(low, min(high, len(joined)) + 1):
        for i in range(len(joined) - n + 1):
            found.append(joined[i:i + n])
            letters = [owner[k] for k in range(i, i + n) if joined[k] != " "] or [owner[i]]
            shares.append([(word, 1.0 / len(letters)) for word in letters])
    return shares if found == list(tokens) else None


def character_ngram_words(text: str, text_steps: list, tokenizer, token_steps: list,
                          tokens: list):
    """For character n-gram tokens: each token's share of each word, and the words' spans.

    Returns ``(shares, spans)``: ``shares[i]`` lists ``(word, fraction)`` pairs, the
    whitespace-separated words of ``text`` that token ``i`` covers and the part of it
    each gets (by its characters); None where the tokens cannot be traced to words
    (not character n-grams, token steps after the tokenizer, words made or removed).
    """
    if not is_character_tokenizer(tokenizer) or token_steps:
        return None
    shown = _shown_words(text, text_steps)
    if tokenizer.backend == "char_wb":
        shares = _char_wb_shares(tokenizer, shown, tokens)
    else:
        shares = _char_ngram_shares(tokenizer, shown, tokens)
    if shares is None:
        return None
    return shares, [w.span() for w in _WORD.finditer(text)]


def kind(step, side: str):
    """What a step consumes (``side="consumes"``) or produces, from its declaration."""
    value = getattr(type(step), side, None)
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) if value else ()


def token_prefix(steps: list):
    """Split a pipeline's steps at its tokenizer: ``(text_steps, tokenizer, token_steps, rest)``.

    None when the pipeline does not start with text steps, then one step from text to
    tokens (at the top level, not inside a union).
    """
    for at, step in enumerate(steps):
        if TOKENS in kind(step, "produces") and TEXT in kind(step, "consumes"):
            break
        if kind(step, "produces") != (TEXT,):
            return None
    else:
        return None
    end = at + 1
    while end < len(steps) - 1 and kind(steps[end], "produces") == (TOKENS,) \
            and TOKENS in kind(steps[end], "consumes"):
        end += 1
    return steps[:at], steps[at], steps[at + 1:end], end


__all__ = ["CHARACTER_BACKENDS", "TracedTokens", "character_ngram_words",
           "is_character_tokenizer", "kind", "locate", "token_prefix", "trace"]
