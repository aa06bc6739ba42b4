"""A transformer stage that records every document it encodes, even in worker processes.

Each call to encode appends one line (the number of documents) to the file named
by the environment variable ``TEXTPIPE_TEST_ENCODE_LOG``; worker processes
inherit the variable, so their encodings are counted too.
"""

from __future__ import annotations

import os

from textpipe.stages.transformer import TransformerFeatures

LOG_VARIABLE = "TEXTPIPE_TEST_ENCODE_LOG"


class CountingTransformer(TransformerFeatures):
    """TransformerFeatures that logs how many documents each encoding pass read."""

    def _encode(self, docs, per_layer: bool = False):
        path = os.environ.get(LOG_VARIABLE)
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {len(docs)}\n")
        return super()._encode(docs, per_layer)


def encoded(path) -> list[tuple[int, int]]:
    """(process id, documents) per encoding pass logged in ``path``."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [tuple(int(x) for x in line.split()) for line in fh if line.strip()]
