"""Fine-tuning a pretrained transformer encoder as a classifier: network and training parts.

The network is the encoder followed by a small head (:class:`ClassifierHead`):
pooling (the first token, ``cls``, or the ``mean`` of the real tokens) →
dropout → one linear layer. :func:`parameter_groups` gives AdamW its groups with
layer-wise learning rates (ULMFiT's discriminative rates, Howard & Ruder 2018):
the head and anything above the last layer get ``lr``, layer ``l`` of ``top``
gets ``lr × decay^(top − l)``, the embeddings ``lr × decay^top``; biases and
LayerNorm weights get no weight decay. (The warm-up and linear decay of the rates is
the shared loop's :func:`textpipe.neural.training.warmup_linear_decay`.)

Documents are turned into word-piece ids once (:class:`SubwordTokenizer`, which
pickles as the tokenizer's JSON) and batched by similar length
(:func:`textpipe.neural.training.length_batches`), padded per batch (:func:`collate`).

Examples
--------
>>> layer_rates(1.0, 0.5, 2)  # embeddings, layer 1, layer 2, head
[0.25, 0.5, 1.0, 1.0]
"""

from __future__ import annotations

import re

import torch
from torch import nn

__all__ = ["ClassifierHead", "FinetuneNet", "SubwordTokenizer", "collate",
           "encoder_levels", "layer_rates", "parameter_groups"]

#: Parameter names of the numbered layers of Hugging Face encoders (BERT, RoBERTa, DistilBERT...).
_LAYER = re.compile(r"(?:^|\.)(?:layer|layers|h|block)\.(\d+)\.")


class ClassifierHead(nn.Module):
    """Pooling over the encoder's last hidden states, dropout, then a linear layer.

    Examples
    --------
    >>> head = ClassifierHead(4, 3, pooling="mean", dropout=0.0)
    >>> states, mask = torch.ones(2, 5, 4), torch.tensor([[1, 1, 0, 0, 0], [1] * 5])
    >>> head(states, mask).shape
    torch.Size([2, 3])
    """

    def __init__(self, hidden_size: int, n_classes: int, *, pooling: str = "mean",
                 dropout: float = 0.1):
        super().__init__()
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(hidden_size, n_classes)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pooling == "cls":
            pooled = states[:, 0]
        else:
            weights = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.linear(self.dropout(pooled))


class FinetuneNet(nn.Module):
    """A Hugging Face encoder and a :class:`ClassifierHead`; ``forward`` gives logits.

    It pickles as its encoder's configuration, the head's settings and its
    ``state_dict`` (so ``textpipe.model.save_model`` writes every weight to
    safetensors) and is rebuilt from them, without the original model folder.
    """

    def __init__(self, encoder: nn.Module, head: ClassifierHead):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(states, mask)

    def __reduce__(self):
        head = {"hidden_size": self.head.linear.in_features,
                "n_classes": self.head.linear.out_features,
                "pooling": self.head.pooling, "dropout": self.head.dropout.p}
        state = {k: v.detach() for k, v in self.state_dict().items()}
        return _rebuild_net, (self.encoder.config.to_dict(), head, state)


def _rebuild_net(config: dict, head: dict, state: dict) -> FinetuneNet:
    """The network :meth:`FinetuneNet.__reduce__` described (encoder built from its config)."""
    from transformers import AutoConfig, AutoModel

    config = dict(config)
    encoder = AutoModel.from_config(AutoConfig.for_model(config.pop("model_type"), **config))
    net = FinetuneNet(encoder, ClassifierHead(**head))
    net.load_state_dict(state)
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


class SubwordTokenizer:
    """A ``tokenizers`` tokenizer that truncates to ``max_length`` word pieces and pickles as JSON.

    Examples
    --------
    >>> from tokenizers import Tokenizer, models, pre_tokenizers
    >>> raw = Tokenizer(models.WordLevel({"[UNK]": 0, "hi": 1}, unk_token="[UNK]"))
    >>> raw.pre_tokenizer = pre_tokenizers.Whitespace()
    >>> SubwordTokenizer(raw.to_str()).encode(["hi you hi", ""], max_length=2)
    [[1, 0], []]
    """

    def __init__(self, json_text: str):
        self.json_text = json_text
        self._tokenizer = None

    def __reduce__(self):
        return SubwordTokenizer, (self.json_text,)

    def encode(self, texts: list[str], max_length: int) -> list[list[int]]:
        """Word-piece ids of each text, special tokens included, at most ``max_length``."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_str(self.json_text)
            self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length)
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]


def collate(ids: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad id lists to the longest one: (ids, attention mask), both ``long``.

    Examples
    --------
    >>> ids, mask = collate([[5, 6, 7], [8]], pad_id=0)
    >>> ids.tolist(), mask.tolist()
    ([[5, 6, 7], [8, 0, 0]], [[1, 1, 1], [1, 0, 0]])
    """
    width = max(max((len(x) for x in ids), default=1), 1)
    out = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, x in enumerate(ids):
        out[row, :len(x)] = torch.as_tensor(x, dtype=torch.long)
        mask[row, :len(x)] = 1
    return out, mask


def layer_rates(learning_rate: float, decay: float, n_layers: int) -> list[float]:
    """Learning rate of each level: embeddings (0), layers 1..n_layers, then the head."""
    return [learning_rate * decay ** (n_layers - level) for level in range(n_layers + 1)] + [
        learning_rate]


def encoder_levels(encoder: nn.Module) -> tuple[dict[str, int], int]:
    """Level of each encoder parameter (0: embeddings, l: layer l) and the number of layers.

    Parameters that are neither embeddings nor in a numbered layer (a pooler, a
    final LayerNorm) are above the last layer: level ``n_layers + 1``, with the head.
    """
    numbered = {}
    for name, _ in encoder.named_parameters():
        match = _LAYER.search(name)
        if match:
            numbered[name] = int(match.group(1)) + 1
    n_layers = max(numbered.values(), default=0)
    levels = {}
    for name, _ in encoder.named_parameters():
        if name in numbered:
            levels[name] = numbered[name]
        elif "embed" in name.split(".")[0] or name.startswith(("embeddings.", "wte.", "wpe.")):
            levels[name] = 0
        else:
            levels[name] = n_layers + 1
    return levels, n_layers


def _no_decay(net: nn.Module) -> set[int]:
    """Parameters without weight decay: every bias and every normalisation layer's weights."""
    exempt = set()
    for module in net.modules():
        is_norm = isinstance(module, (nn.LayerNorm, nn.GroupNorm)) or "norm" in type(
            module).__name__.lower()
        for name, p in module.named_parameters(recurse=False):
            if is_norm or name == "bias" or p.dim() < 2:
                exempt.add(id(p))
    return exempt


def parameter_groups(net: FinetuneNet, learning_rate: float, decay: float,
                     weight_decay: float) -> list[dict]:
    """AdamW's parameter groups: one per (level, decayed or not), lowest level first.

    Each group is a dict with ``params``, ``lr``, ``weight_decay``, ``level`` and
    ``name`` (``embeddings``, ``layer 1`` … ``layer N``, ``head``), so the rates
    can be read back from the optimizer.
    """
    levels, n_layers = encoder_levels(net.encoder)
    rates = layer_rates(learning_rate, decay, n_layers)
    top = n_layers + 1
    exempt = _no_decay(net)
    by_level: dict[tuple[int, bool], list] = {}
    for name, p in net.encoder.named_parameters():
        by_level.setdefault((levels[name], id(p) in exempt), []).append(p)
    for p in net.head.parameters():
        by_level.setdefault((top, id(p) in exempt), []).append(p)
    names = ["embeddings", *(f"layer {i}" for i in range(1, top)), "head"]
    return [{"params": params, "lr": rates[level], "level": level, "name": names[level],
             "weight_decay": 0.0 if exempt_group else weight_decay}
            for (level, exempt_group), params in sorted(by_level.items())]
