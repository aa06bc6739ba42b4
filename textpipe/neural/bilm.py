"""The ELMo-style bidirectional language model (Peters et al., 2018).

Architecture::

    characters ──char-CNN + highway + projection──▶ token vectors x_k   (layer 0)
    x ──▶ forward LSTM 1 ──▶ forward LSTM 2 (+ residual) ──▶ ... ──▶ softmax: predict t_{k+1}
    x ──▶ backward LSTM 1 ──▶ backward LSTM 2 (+ residual) ──▶ ... ──▶ softmax: predict t_{k-1}

The two language models share the token encoder and the softmax and are
trained jointly, their losses summed. Every sentence is wrapped in ``<S>`` and
``</S>``. Padding always comes after a sentence's last token: the backward LM
reads each sentence reversed *within its own length*, so a plain
``torch.nn.LSTM`` over the padded batch never lets padding, or anything to the
right of position k, reach the forward state at k (and likewise leftwards for
the backward LM).

ELMo's layers for a sentence of n tokens are ``L + 1`` tensors of shape
``(n, 2 * projection_dim)``: the token vectors (duplicated, to match the
width of the LSTM layers) and, for each LSTM layer, forward and backward states
side by side (:meth:`BiLM.layer_states`).

Examples
--------
>>> import torch
>>> from textpipe.neural.vocab import Vocabulary
>>> docs = [["a", "fine", "film"], ["a", "dull", "film"]]
>>> vocab = Vocabulary.build(docs, min_count=1)
>>> config = BiLMConfig.small(vocab, projection_dim=8, lstm_size=8)
>>> model = BiLM(config).eval()
>>> batch = make_batch(docs, vocab)
>>> layers = model.layer_states(batch)
>>> len(layers), tuple(layers[0].shape)  # token layer + 2 LSTM layers; <S> and </S> included
(3, (2, 5, 16))
>>> float(model.loss(batch).total.detach()) > 0
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ..errors import Errors, ModelError
from .encoder import CharCNNEncoder
from .softmax import WordSoftmax
from .vocab import BOS, EOS, Vocabulary


@dataclass
class BiLMConfig:
    """Sizes of a biLM; stored as ``config.json`` next to its weights."""

    n_words: int
    n_chars: int
    char_dim: int = 16
    filters: list = field(default_factory=lambda: [[1, 32], [2, 32], [3, 64], [4, 128],
                                                   [5, 256]])
    highway_layers: int = 1
    projection_dim: int = 256
    lstm_size: int = 256
    lstm_layers: int = 2
    dropout: float = 0.1
    max_characters: int = 50
    activation: str = "relu"
    softmax: str = "auto"
    cutoffs: list | None = None
    div_value: float = 4.0

    @classmethod
    def small(cls, vocab: Vocabulary, **sizes) -> "BiLMConfig":
        """A configuration for ``vocab`` with test-sized defaults, overridden by ``sizes``."""
        base = dict(char_dim=8, filters=[[1, 16], [2, 16], [3, 16]], highway_layers=1,
                    projection_dim=16, lstm_size=16, lstm_layers=2, dropout=0.0)
        base.update(sizes)
        return cls(n_words=len(vocab), n_chars=vocab.n_chars,
                   max_characters=vocab.max_characters, **base)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BiLMConfig":
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ModelError(Errors.E611.format(keys=sorted(unknown)))
        return cls(**data)

    @property
    def output_dim(self) -> int:
        """Width of each ELMo layer: forward and backward side by side."""
        return 2 * self.projection_dim


class Batch(NamedTuple):
    """Sentences ready for the biLM.

    ``chars`` holds the character ids of each distinct type of the batch (in
    groups of similar length, rows numbered across groups); ``types`` indexes
    those rows per position; ``lengths`` count ``<S>`` and
    ``</S>``; ``words`` are the softmax targets (word ids), or None.
    """

    chars: list            # of (n_types_in_group, width) long tensors, by type length
    types: torch.Tensor    # (batch, max_len) long, padded with 0
    lengths: torch.Tensor  # (batch,) long
    words: torch.Tensor | None  # (batch, max_len) long, or None

    @property
    def n_tokens(self) -> int:
        """Tokens of the sentences, without ``<S>`` and ``</S>``."""
        return int(self.lengths.sum()) - 2 * len(self.lengths)


def make_batch(docs, vocab: Vocabulary, *, targets: bool = True, min_width: int = 5,
               groups: int = 4) -> Batch:
    """Turn token lists into a :class:`Batch`; each gets ``<S>`` … ``</S>`` around it.

    Distinct types are ordered by length and split into up to ``groups``
    character matrices, each padded only to its longest type plus
    ``min_width`` (pass the widest filter): little padding is computed, and no
    word's vector depends on its neighbours.
    """
    seen: dict[str, None] = {}
    for doc in docs:
        seen[BOS] = seen[EOS] = None
        seen.update(dict.fromkeys(doc))
    order = sorted(seen, key=lambda t: len(vocab.char_ids(t)))
    rows = {t: i for i, t in enumerate(order)}
    chars = []
    size = -(-len(order) // groups)
    for start in range(0, len(order), size):
        char_lists = [vocab.char_ids(t) for t in order[start:start + size]]
        block = torch.zeros(len(char_lists), len(char_lists[-1]) + min_width, dtype=torch.long)
        for i, ids in enumerate(char_lists):
            block[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        chars.append(block)
    type_rows = [[rows[t] for t in (BOS, *doc, EOS)] for doc in docs]
    lengths = torch.tensor([len(s) for s in type_rows], dtype=torch.long)
    types = torch.zeros(len(docs), int(lengths.max()), dtype=torch.long)
    for i, seq in enumerate(type_rows):
        types[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
    words = None
    if targets:
        word_of_row = torch.tensor([vocab.word_id(t) for t in order], dtype=torch.long)
        words = word_of_row[types]
    return Batch(chars, types, lengths, words)


def reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of ``x`` (batch, time, ...) within its length; padding stays put.

    Examples
    --------
    >>> reverse_within_lengths(torch.tensor([[1, 2, 3], [4, 5, 0]]), torch.tensor([3, 2]))
    tensor([[3, 2, 1],
            [5, 4, 0]])
    """
    steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
    lengths = lengths.to(x.device).unsqueeze(1)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    if x.dim() > 2:
        index = index.unsqueeze(-1).expand(*index.shape, *x.shape[2:])
    return x.gather(1, index)


class LMLoss(NamedTuple):
    """Summed negative log-likelihoods of both directions and the number of predictions."""

    forward: torch.Tensor
    backward: torch.Tensor
    n_predictions: int

    @property
    def total(self) -> torch.Tensor:
        """Mean NLL per prediction over both directions (what training minimises)."""
        return (self.forward + self.backward) / max(2 * self.n_predictions, 1)


class BiLM(nn.Module):
    """Forward and backward LSTM language models over a shared character-CNN encoder.

    Parameters
    ----------
    config : BiLMConfig
        Sizes of every part.
    """

    def __init__(self, config: BiLMConfig):
        super().__init__()
        self.config = config
        c = config
        self.encoder = CharCNNEncoder(c.n_chars, c.char_dim, c.filters, c.highway_layers,
                                      c.projection_dim, c.activation)
        proj = 0 if c.lstm_size == c.projection_dim else c.projection_dim

        def stack():
            return nn.ModuleList(
                nn.LSTM(c.projection_dim, c.lstm_size, batch_first=True, proj_size=proj)
                for _ in range(c.lstm_layers))

        self.forward_lstms = stack()
        self.backward_lstms = stack()
        self.dropout = nn.Dropout(c.dropout)
        self.softmax = WordSoftmax(c.projection_dim, c.n_words, c.softmax, c.cutoffs,
                                   c.div_value)

    @property
    def n_layers(self) -> int:
        """ELMo layers: the token layer and one per LSTM layer."""
        return self.config.lstm_layers + 1

    def token_vectors(self, batch: Batch) -> torch.Tensor:
        """(batch, time, projection_dim): the encoder run once per distinct type."""
        return torch.cat([self.encoder(block) for block in batch.chars])[batch.types]

    def directional_states(self, batch: Batch):
        """Token vectors, per-layer (forward, backward) states, and the top pair after dropout.

        The backward states are in *reversed* time order (as the backward LSTM
        read them); :meth:`layer_states` puts them back.
        """
        x = self.token_vectors(batch)
        fwd = self.dropout(x)
        bwd = reverse_within_lengths(fwd, batch.lengths)
        layers = []
        for j, (lstm_f, lstm_b) in enumerate(zip(self.forward_lstms, self.backward_lstms)):
            out_f, _ = lstm_f(fwd)
            out_b, _ = lstm_b(bwd)
            if j > 0:  # residual connections between LSTM layers
                out_f = out_f + fwd
                out_b = out_b + bwd
            layers.append((out_f, out_b))
            fwd, bwd = self.dropout(out_f), self.dropout(out_b)
        return x, layers, (fwd, bwd)

    def batch(self, docs, vocab: Vocabulary, targets: bool = True) -> Batch:
        """:func:`make_batch` with the padding this model's widest filter needs."""
        return make_batch(docs, vocab, targets=targets, min_width=self.encoder.max_width)

    def layer_states(self, batch: Batch) -> list[torch.Tensor]:
        """ELMo's ``L + 1`` layers, each (batch, time, 2 * projection_dim), ``<S>``/``</S>`` included."""
        x, layers, _ = self.directional_states(batch)
        out = [torch.cat([x, x], dim=-1)]
        for f, b in layers:
            out.append(torch.cat([f, reverse_within_lengths(b, batch.lengths)], dim=-1))
        return out

    def loss(self, batch: Batch) -> LMLoss:
        """Negative log-likelihood of the next word (forward) and previous word (backward)."""
        _, _, (top_f, top_b) = self.directional_states(batch)
        words_f = batch.words
        words_b = reverse_within_lengths(batch.words, batch.lengths)
        steps = torch.arange(batch.types.shape[1] - 1).unsqueeze(0)
        mask = steps < (batch.lengths - 1).unsqueeze(1)  # position k predicts k + 1
        hidden = torch.cat([top_f[:, :-1][mask], top_b[:, :-1][mask]])
        targets = torch.cat([words_f[:, 1:][mask], words_b[:, 1:][mask]])
        nll = self.softmax(hidden, targets)
        n = int(mask.sum())
        return LMLoss(nll[:n].sum(), nll[n:].sum(), n)
