"""The networks of the ``bilstm`` classifier (:mod:`textpipe.stages.bilstm`).

A :class:`Net` reads token vectors from a *source* (a word-id lookup, precomputed
ELMo layers with a learned scalar mix, or a biLM being fine-tuned), runs a
bidirectional LSTM and pools its outputs into a linear softmax layer.

Examples
--------
>>> import torch
>>> net = Net(Lookup(torch.nn.Embedding(10, 4, padding_idx=0)), 4, 3, 1, "attention", 0.0, 2)
>>> net(torch.tensor([[2, 3, 0], [4, 0, 0]]), torch.tensor([2, 1])).shape
torch.Size([2, 2])
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .elmo import pool_tokens

__all__ = ["Concat", "FinetunedElmo", "FrozenElmo", "Lookup", "Net"]


class Lookup(nn.Module):
    """Word ids → vectors."""

    def __init__(self, embedding):
        super().__init__()
        self.embedding = embedding

    def forward(self, ids):
        return self.embedding(ids)


class FrozenElmo(nn.Module):
    """Precomputed ELMo layers (batch, L + 1, time, dim) → the learned scalar mix."""

    def __init__(self, mix):
        super().__init__()
        self.mix = mix

    def forward(self, layers):
        return self.mix(layers, dim=1)


class FinetunedElmo(nn.Module):
    """Tokens → the biLM's layers (with gradients) → the learned scalar mix."""

    def __init__(self, bilm, vocab, mix):
        super().__init__()
        self.bilm = bilm.eval()
        self.vocab = vocab
        self.mix = mix

    def forward(self, docs):
        batch = self.bilm.batch(docs, self.vocab, targets=False)
        layers = torch.stack(self.bilm.layer_states(batch), dim=1)[:, :, 1:-1]
        if layers.shape[2] == 0:
            layers = layers.new_zeros(layers.shape[0], layers.shape[1], 1, layers.shape[3])
        return self.mix(layers, dim=1)

    def train(self, mode: bool = True):
        super().train(mode)
        self.bilm.eval()  # the biLM's own dropout stays off; the classifier has its own
        return self


class Concat(nn.Module):
    """Sources side by side: each reads its part of a tuple input; their vectors concatenated.

    Examples
    --------
    >>> words = Lookup(nn.Embedding(5, 2))
    >>> both = Concat(words, Lookup(nn.Embedding(5, 3)))
    >>> ids = torch.tensor([[1, 2]])
    >>> both((ids, ids)).shape
    torch.Size([1, 2, 5])
    """

    def __init__(self, *sources):
        super().__init__()
        self.sources = nn.ModuleList(sources)

    def forward(self, inputs):
        return torch.cat([source(x) for source, x in zip(self.sources, inputs)], dim=-1)


class Net(nn.Module):
    """Token vectors → dropout → BiLSTM → pooling → dropout → linear."""

    def __init__(self, source, input_dim, hidden_size, num_layers, pooling, dropout,
                 n_classes):
        super().__init__()
        self.source = source
        self.lstm = nn.LSTM(input_dim, hidden_size, num_layers, batch_first=True,
                            bidirectional=True, dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.pooling = pooling
        if pooling == "attention":
            self.attention = nn.Sequential(nn.Linear(2 * hidden_size, hidden_size),
                                           nn.Tanh(), nn.Linear(hidden_size, 1, bias=False))
        self.out = nn.Linear(2 * hidden_size, n_classes)

    def forward(self, inputs, lengths):
        x = self.drop(self.source(inputs))
        steps = lengths.clamp_min(1)
        packed = pack_padded_sequence(x, steps, batch_first=True, enforce_sorted=False)
        out, (h, _) = self.lstm(packed)
        if self.pooling == "last":
            z = torch.cat([h[-2], h[-1]], dim=-1)
        else:
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            if self.pooling == "attention":
                mask = torch.arange(out.shape[1]).unsqueeze(0) < steps.unsqueeze(1)
                scores = self.attention(out).squeeze(-1).masked_fill(~mask, float("-inf"))
                z = (torch.softmax(scores, dim=1).unsqueeze(-1) * out).sum(1)
            else:
                z = pool_tokens(out, steps, self.pooling)
        return self.out(self.drop(z))
