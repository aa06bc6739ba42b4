"""The network of the ``cnn`` classifier (:mod:`textpipe.stages.cnn`): Kim (2014).

Word ids → one or two embedding channels → for each filter width ``w``,
``feature_maps`` filters sliding over ``w`` consecutive word vectors → ReLU →
max over time → dropout on the concatenated maxima → a linear softmax layer.

Two channels (``multichannel``) are read side by side: a filter has weights for
each channel and sums both, which is one convolution over the concatenated
vectors. Each document is padded with ``w - 1`` zero vectors at both ends (a wide
convolution), so every word is seen at every position of a filter and documents
shorter than the widest filter, even empty ones, have windows to pool; windows
that reach into the padding of *other*, longer documents of the batch are
masked, so a document's output does not depend on its batch.

:meth:`KimCNN.apply_max_norm` rescales each row of the output layer's weights to
an l2 norm of at most ``max_norm`` (Kim's constraint); :meth:`KimCNN.constrain`
makes an optimizer apply it after every step.

Examples
--------
>>> import torch
>>> net = KimCNN([torch.nn.Embedding(10, 6, padding_idx=0)], (2, 3), 4, 0.5, 3)
>>> ids = torch.tensor([[2, 3, 4], [5, 0, 0]])
>>> net.eval()(ids, torch.tensor([3, 1])).shape
torch.Size([2, 3])
>>> torch.allclose(net(ids[1:, :1], torch.tensor([1])), net(ids, torch.tensor([3, 1]))[1:])
True
>>> _ = net.out.weight.data.mul_(100)
>>> bool(net.apply_max_norm(3.0).out.weight.norm(dim=1).max() <= 3.0 + 1e-5)
True
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["KimCNN"]


class KimCNN(nn.Module):
    """Embedding channels → convolutions of several widths → max over time → linear.

    Parameters
    ----------
    channels : list of torch.nn.Embedding
        One (``random``, ``static``, ``non-static``) or two (``multichannel``) tables of
        the same rows; row 0 is padding.
    widths : sequence of int
        Filter widths, in words.
    feature_maps : int
        Filters per width.
    dropout : float
        Dropout on the pooled features, before the output layer.
    n_classes : int
        Output units.
    """

    def __init__(self, channels, widths, feature_maps: int, dropout: float, n_classes: int):
        super().__init__()
        self.channels = nn.ModuleList(channels)
        dim = sum(c.embedding_dim for c in channels)
        self.widths = tuple(int(w) for w in widths)
        self.convs = nn.ModuleList(nn.Conv1d(dim, feature_maps, w, padding=w - 1)
                                   for w in self.widths)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(len(self.widths) * feature_maps, n_classes)

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The pooled feature vector of each document (batch × widths · feature_maps)."""
        if len(self.channels) == 1:
            x = self.channels[0](ids)
        else:
            x = torch.cat([c(ids) for c in self.channels], dim=-1)
        x = x.transpose(1, 2)  # batch × dim × time, as Conv1d reads it
        positions = torch.arange(ids.shape[1] + max(self.widths) - 1, device=ids.device)
        pooled = []
        for conv, w in zip(self.convs, self.widths):
            h = torch.relu(conv(x))  # batch × maps × (time + w - 1)
            if int(lengths.min()) < ids.shape[1]:
                # Windows past a document's own padding: 0 never beats a ReLU output.
                valid = positions[:h.shape[2]].unsqueeze(0) < (lengths + w - 1).unsqueeze(1)
                h = h * valid.unsqueeze(1)
            pooled.append(h.amax(dim=2))
        return torch.cat(pooled, dim=1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) of each document: ``ids`` batch × time, padded with 0."""
        return self.out(self.drop(self.features(ids, lengths)))

    @torch.no_grad()
    def apply_max_norm(self, max_norm: float | None) -> "KimCNN":
        """Rescale output-layer weight rows whose l2 norm exceeds ``max_norm`` (None: no-op)."""
        if max_norm is not None:
            weight = self.out.weight
            norms = weight.norm(dim=1, keepdim=True)
            weight.mul_(torch.clamp(max_norm / norms.clamp_min(1e-12), max=1.0))
        return self

    def constrain(self, optimizer: torch.optim.Optimizer, max_norm: float | None):
        """Make ``optimizer`` apply :meth:`apply_max_norm` right after each of its steps.

        Right after the step, before anything reads the weights (an evaluation, a copy of
        the best weights). Returns ``optimizer``.
        """
        if max_norm is not None:
            optimizer.register_step_post_hook(lambda *_: self.apply_max_norm(max_norm))
        return optimizer

