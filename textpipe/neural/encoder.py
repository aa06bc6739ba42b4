"""The character-CNN token encoder of the biLM (Kim et al., 2016; Peters et al., 2018).

A token is read as characters: each character id is embedded, convolutions of
several widths slide over the word, each filter keeps its maximum over the word
(max-pooling), highway layers mix the pooled features, and a linear projection
gives the token vector that the LSTMs read. Because tokens are read through
their characters, every string, seen in training or not, gets a vector.

The encoder is applied once per distinct token type of a batch (see
:func:`textpipe.neural.bilm.make_batch`), not once per token.

Examples
--------
>>> import torch
>>> enc = CharCNNEncoder(n_chars=20, char_dim=4, filters=((1, 8), (2, 8)), highway_layers=1,
...                      output_dim=6)
>>> enc(torch.tensor([[2, 7, 8, 3, 0, 0]])).shape
torch.Size([1, 6])
"""

from __future__ import annotations

import torch
from torch import nn

_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


class Highway(nn.Module):
    """``g * x + (1 - g) * relu(W x)`` with a learned gate ``g`` (biased to carry ``x``)."""

    def __init__(self, dim: int):
        super().__init__()
        self.linear = nn.Linear(dim, 2 * dim)
        with torch.no_grad():  # start close to the identity, as AllenNLP does
            self.linear.bias[dim:].fill_(1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        transform, gate = self.linear(x).chunk(2, dim=-1)
        gate = torch.sigmoid(gate)
        return gate * x + (1 - gate) * torch.relu(transform)


class CharCNNEncoder(nn.Module):
    """Character ids of token types → token vectors.

    Parameters
    ----------
    n_chars : int
        Size of the character table (id 0 is padding).
    char_dim : int
        Size of a character embedding.
    filters : sequence of (width, count)
        Convolutions over the characters; the pooled features are their counts summed.
    highway_layers : int
        Highway layers after pooling.
    output_dim : int
        Size of the token vectors.
    activation : {"relu", "tanh"}
        Applied to each filter's maximum.
    """

    def __init__(self, n_chars: int, char_dim: int, filters, highway_layers: int,
                 output_dim: int, activation: str = "relu"):
        super().__init__()
        self.char_embedding = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(char_dim, int(n), int(w)) for w, n in filters)
        n_features = sum(int(n) for _, n in filters)
        self.highways = nn.ModuleList(Highway(n_features) for _ in range(highway_layers))
        self.projection = nn.Linear(n_features, output_dim)
        self.activation = activation
        self.max_width = max(int(w) for w, _ in filters)

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        """``char_ids``: (types, width) → (types, output_dim).

        ``width`` must exceed the longest word by at least the widest filter
        (:func:`~textpipe.neural.bilm.make_batch` pads so), so that a word's
        vector does not depend on the other words of its batch.
        """
        x = self.char_embedding(char_ids).transpose(1, 2)  # (types, char_dim, width)
        act = _ACTIVATIONS[self.activation]
        x = torch.cat([act(conv(x).amax(dim=2)) for conv in self.convs], dim=1)
        for highway in self.highways:
            x = highway(x)
        return self.projection(x)
