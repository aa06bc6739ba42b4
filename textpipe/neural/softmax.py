"""The word softmax of the biLM, shared by the forward and backward language models.

With a large vocabulary the softmax would cost more than the LSTMs at every
token, so above ``2,000`` words it is an adaptive softmax (Grave et al., 2017;
``torch.nn.AdaptiveLogSoftmaxWithLoss``): frequent words sit in a small head,
rarer ones in tail clusters of reduced dimension that are computed only for the
tokens whose target falls in them. Small vocabularies use a plain softmax.

Examples
--------
>>> import torch
>>> sm = WordSoftmax(dim=8, n_words=50)
>>> sm.kind
'full'
>>> nll = sm(torch.zeros(3, 8), torch.tensor([0, 1, 2]))  # per-token negative log-likelihood
>>> nll.shape, bool((nll > 0).all())
(torch.Size([3]), True)
>>> WordSoftmax(dim=64, n_words=30000).cutoffs
[2000, 10000]
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

ADAPTIVE_ABOVE = 2000
DEFAULT_CUTOFFS = (2000, 10000, 50000)


def default_cutoffs(n_words: int) -> list[int]:
    """Cluster boundaries for ``n_words``: those of 2,000, 10,000, 50,000 below it."""
    return [c for c in DEFAULT_CUTOFFS if c < n_words - 1000] or [min(ADAPTIVE_ABOVE, n_words - 1)]


class WordSoftmax(nn.Module):
    """Hidden states → per-token negative log-likelihood of the target words.

    Parameters
    ----------
    dim : int
        Size of the hidden states.
    n_words : int
        Output vocabulary size.
    kind : {"auto", "adaptive", "full"}, default="auto"
        ``auto``: adaptive above 2,000 words.
    cutoffs : list of int, optional
        Adaptive softmax cluster boundaries (word ids, by frequency).
    div_value : float, default=4.0
        Each tail cluster's dimension is the previous one's divided by this.
    """

    def __init__(self, dim: int, n_words: int, kind: str = "auto", cutoffs=None,
                 div_value: float = 4.0):
        super().__init__()
        if kind == "auto":
            kind = "adaptive" if n_words > ADAPTIVE_ABOVE else "full"
        self.kind = kind
        self.n_words = n_words
        if kind == "adaptive":
            self.cutoffs = list(cutoffs) if cutoffs else default_cutoffs(n_words)
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(dim, n_words, self.cutoffs,
                                                          div_value=div_value)
        else:
            self.cutoffs = []
            self.linear = nn.Linear(dim, n_words)

    def forward(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """(N, dim), (N,) → (N,) negative log-likelihoods."""
        if self.kind == "adaptive":
            return -self.adaptive(hidden, targets).output
        return F.cross_entropy(self.linear(hidden), targets, reduction="none")

    def log_prob(self, hidden: torch.Tensor) -> torch.Tensor:
        """(N, dim) → (N, n_words) log-probabilities over the whole vocabulary."""
        if self.kind == "adaptive":
            return self.adaptive.log_prob(hidden)
        return F.log_softmax(self.linear(hidden), dim=-1)
