"""A tiny, randomly initialised BERT in a folder, and a guard that refuses network access.

Nothing here downloads anything: the model is built from a ``BertConfig`` and
written with ``save_pretrained``, its WordPiece vocabulary from the words of
``TEXTS`` and single letters, so any English-letter text tokenizes.
"""

from __future__ import annotations

import socket
import string
from contextlib import contextmanager
from pathlib import Path

TEXTS = [
    "a fine film with a great cast",
    "a dull film with a weak plot",
    "the cast is great and the plot is fine",
    "the plot is dull and the film is weak",
    "what a great film",
    "what a dull plot",
]

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_vocabulary() -> list[str]:
    """Special tokens, the words of TEXTS, single letters and digits, and their ## forms."""
    words = sorted({w for text in TEXTS for w in text.split()})
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    return SPECIAL + words + chars + ["##" + c for c in chars]


def build_tiny_bert(folder: Path, *, layers: int = 2, hidden: int = 16, seed: int = 0) -> Path:
    """Write a random BERT (``layers`` layers of width ``hidden``) and its tokenizer to ``folder``.

    The folder holds what a Hugging Face encoder folder holds: ``config.json``,
    ``model.safetensors``, ``tokenizer.json`` (with ``vocab.txt`` and the tokenizer
    configuration).
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(tiny_vocabulary()) + "\n", encoding="utf-8")
    # Built with `tokenizers` and handed over: BertTokenizerFast(vocab_file=...) of
    # transformers 5 ignores the file and saves a tokenizer.json of the 5 special tokens.
    tokenizer = BertTokenizerFast(tokenizer_object=_wordpiece(tiny_vocabulary()),
                                  do_lower_case=True)
    tokenizer.save_pretrained(folder)
    config = BertConfig(vocab_size=len(tiny_vocabulary()), hidden_size=hidden,
                        num_hidden_layers=layers, num_attention_heads=2,
                        intermediate_size=2 * hidden, max_position_embeddings=128)
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


def _wordpiece(vocabulary: list[str]):
    """A BERT-style WordPiece tokenizer (lower-casing, [CLS] … [SEP]) over ``vocabulary``."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    ids = {w: i for i, w in enumerate(vocabulary)}
    tokenizer = Tokenizer(models.WordPiece(ids, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])])
    return tokenizer


class NetworkAccessError(AssertionError):
    """Raised when code under test tries to open a network connection."""


@contextmanager
def no_network():
    """Make every attempt to open or resolve a network connection fail loudly.

    Unix-domain sockets (used by multiprocessing) stay allowed.
    """
    real_socket = socket.socket
    real_connect = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    class GuardedSocket(real_socket):
        def __init__(self, family=-1, *args, **kwargs):
            if family in (socket.AF_INET, socket.AF_INET6):
                raise NetworkAccessError("a network socket was opened")
            super().__init__(family, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise NetworkAccessError(f"a network connection was attempted: {args[:1]}")

    socket.socket = GuardedSocket
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    try:
        yield
    finally:
        socket.socket = real_socket
        socket.create_connection = real_connect
        socket.getaddrinfo = real_getaddrinfo
