"""ELMo representations from a pretrained biLM: the scalar mix and batched embedding.

ELMo (Peters et al., 2018) represents token k as ``γ · Σ_j s_j · h_{k,j}``:
a weighted sum of the biLM's layers ``j = 0 … L`` (the token layer and each
LSTM layer, forward and backward states side by side), with ``s = softmax(w)``
and a scale ``γ``. As in AllenNLP, the pretrained biLM and the scalar mix are
separate objects: the biLM is fixed, the mix belongs to the task.

Examples
--------
>>> import torch
>>> mix = ScalarMix(3, weights=[0.0, 0.0, 1.0], trainable=False)  # the top layer only
>>> layers = torch.arange(6.0).reshape(3, 1, 2)
>>> mix(layers).tolist()
[[4.0, 5.0]]
>>> x = torch.tensor([[[1.0], [3.0], [0.0]]])          # one document, 2 tokens + padding
>>> pool_tokens(x, torch.tensor([2]), "meanmax").tolist()
[[2.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from torch import nn

from ..errors import ConfigError, Errors
from .bilm import BiLM
from .vocab import Vocabulary

POOLINGS = ("mean", "max", "meanmax")


class ScalarMix(nn.Module):
    """``γ · Σ_j softmax(w)_j · layer_j`` over ELMo's layers.

    Parameters
    ----------
    n_layers : int
        Number of layers mixed (``L + 1``).
    weights : sequence of float, optional
        Initial (or fixed) mixing weights ``s_j``, non-negative; normalised to
        sum to 1. Default: equal weights (the layers' average).
    gamma : float, default=1.0
        Scale of the mixed vector.
    trainable : bool, default=True
        Whether ``w`` and ``γ`` are learned.
    mean, std : tensor of shape (n_layers, dim), optional
        Per-layer, per-dimension statistics (see :func:`layer_statistics`): each
        layer is standardised with them before mixing, so that layers of very
        different scales (the character CNN's unbounded token layer, the LSTMs'
        bounded states) mix on equal terms.
    """

    def __init__(self, n_layers: int, weights: Sequence[float] | None = None,
                 gamma: float = 1.0, trainable: bool = True, mean=None, std=None):
        super().__init__()
        if (mean is None) != (std is None):
            raise ConfigError(Errors.E614, param="mean" if mean is None else "std")
        self.register_buffer("mean", None if mean is None else torch.as_tensor(mean).float())
        self.register_buffer("std", None if std is None else torch.as_tensor(std).float())
        s = torch.ones(n_layers) if weights is None else torch.as_tensor(weights,
                                                                          dtype=torch.float32)
        s = s / s.sum()
        # log(0) = -inf would make a fixed zero weight; clamp so a learned one can recover.
        logits = torch.log(s.clamp_min(1e-30 if not trainable else 1e-4))
        self.logits = nn.Parameter(logits, requires_grad=trainable)
        self.gamma = nn.Parameter(torch.tensor(float(gamma)), requires_grad=trainable)

    @property
    def weights(self) -> torch.Tensor:
        """The normalised weights ``s_j``."""
        return torch.softmax(self.logits, dim=0)

    def forward(self, layers: torch.Tensor, dim: int = 0) -> torch.Tensor:
        """Mix ``layers`` stacked along ``dim`` (their last dimension is the feature one)."""
        shape = [1] * layers.dim()
        shape[dim] = -1
        if self.mean is not None:
            stats = [1] * layers.dim()
            stats[dim], stats[-1] = self.mean.shape
            layers = (layers - self.mean.view(stats)) / self.std.view(stats)
        return self.gamma * (self.weights.view(shape) * layers).sum(dim)


def layer_statistics(bilm: BiLM, vocab: Vocabulary, docs: Sequence[Sequence[str]],
                     batch_size: int = 64, max_docs: int = 2000, seed: int = 0):
    """Mean and standard deviation of every layer's dimensions over the tokens of ``docs``.

    Computed on at most ``max_docs`` documents drawn with ``seed``. Returns two
    (n_layers, dim) tensors; a standard deviation is never below 1e-4.
    """
    import numpy as np

    docs = [d for d in docs if len(d)]
    if len(docs) > max_docs:
        keep = np.sort(np.random.default_rng(seed).permutation(len(docs))[:max_docs])
        docs = [docs[i] for i in keep]
    total = total_sq = None
    n = 0
    for _, layers, lengths in layer_batches(bilm, vocab, docs, batch_size):
        x = layers.double()  # padding is zero: sums are unaffected
        s, sq = x.sum(dim=(0, 2)), (x * x).sum(dim=(0, 2))
        total = s if total is None else total + s
        total_sq = sq if total_sq is None else total_sq + sq
        n += int(lengths.sum())
    mean = total / max(n, 1)
    std = (total_sq / max(n, 1) - mean * mean).clamp_min(0).sqrt().clamp_min(1e-4)
    return mean.float(), std.float()


def pool_tokens(x: torch.Tensor, lengths: torch.Tensor, method: str) -> torch.Tensor:
    """Pool (batch, time, dim) token vectors within each length; empty documents give zeros."""
    steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
    mask = (steps < lengths.unsqueeze(1)).unsqueeze(-1)
    parts = []
    if method in ("mean", "meanmax"):
        total = (x * mask).sum(1)
        parts.append(total / lengths.clamp_min(1).unsqueeze(1).to(x.dtype))
    if method in ("max", "meanmax"):
        if x.shape[1] == 0:  # a batch of empty documents only: amax over nothing
            masked = x.new_zeros(x.shape[0], x.shape[2])
        else:
            masked = x.masked_fill(~mask, float("-inf")).amax(1)
        parts.append(torch.where(lengths.unsqueeze(1) > 0, masked, torch.zeros_like(masked)))
    return torch.cat(parts, dim=-1) if len(parts) > 1 else parts[0]


def length_sorted_batches(docs: Sequence[Sequence[str]], batch_size: int) -> list[list[int]]:
    """Document indices in batches of similar length (longest first), for little padding."""
    order = sorted(range(len(docs)), key=lambda i: -len(docs[i]))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def layer_batches(bilm: BiLM, vocab: Vocabulary, docs: Sequence[Sequence[str]],
                  batch_size: int = 64) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
    """Run the biLM over ``docs`` in length-sorted batches, without gradients.

    Yields ``(indices, layers, lengths)``: the documents' positions in ``docs``,
    their ELMo layers as a (batch, L + 1, time, dim) tensor with ``<S>`` and
    ``</S>`` removed, and their token counts.
    """
    bilm.eval()
    for index in length_sorted_batches(docs, batch_size):
        # The grad mode is entered and left around each batch, never held across a yield:
        # the caller's code between batches runs in its own mode (it may train a mix).
        with torch.no_grad():
            batch = bilm.batch([docs[i] for i in index], vocab, targets=False)
            layers = torch.stack(bilm.layer_states(batch), dim=1)[:, :, 1:-1]
            lengths = batch.lengths - 2  # a shorter document's </S> is zeroed with the padding
            layers = _zero_padding(layers, lengths)
        yield index, layers, lengths


def _zero_padding(layers: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    steps = torch.arange(layers.shape[2]).view(1, 1, -1, 1)
    return layers * (steps < lengths.view(-1, 1, 1, 1))
