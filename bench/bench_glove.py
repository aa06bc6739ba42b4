"""Benchmark GloVe's co-occurrence counting and training, and mean pooling, on MR.

Data: the MR movie-review sentences (rt-polarity, 10,662 sentences) repeated
``--repeat`` times (5: about 1.2M tokens), lower-cased and tokenized with a regex.
References measured in the same run, on a slice of the same data:

- co-occurrence: a plain Python loop over token pairs into a dict;
- training: ``fit_glove(batch_size=1)``, which is the reference ``glove.c``
  sequential AdaGrad loop (one entry at a time) in NumPy.

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_glove.py [--repeat 5 --epochs 3]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textpipe.embeddings.glove import build_vocabulary, cooccurrence_matrix, fit_glove  # noqa: E402
from textpipe.embeddings.pooling import pool  # noqa: E402

DATA = Path("/work/shared/datasets/rt-polarity.all")
TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]")


def load_mr(path: Path, repeat: int) -> list[list[str]]:
    raw = path.read_bytes()
    texts = [line.split(b" ", 1)[1].decode("latin-1") for line in raw.split(b"\n") if line.strip()]
    return [TOKEN.findall(text.lower()) for text in texts] * repeat


def naive_cooccurrence(docs, vocabulary, window):
    """Reference: one dict update per pair, both directions, 1/d weights."""
    counts = defaultdict(float)
    for doc in docs:
        ids = [vocabulary[t] for t in doc if t in vocabulary]
        for pos, center in enumerate(ids):
            for d in range(1, min(window, pos) + 1):
                context = ids[pos - d]
                counts[center, context] += 1.0 / d
                counts[context, center] += 1.0 / d
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}")
    docs = load_mr(args.data, args.repeat)
    n_tokens = sum(map(len, docs))
    print(f"data: {args.data.name} x{args.repeat}: {len(docs):,} documents, {n_tokens:,} tokens")

    start = time.perf_counter()
    words, _ = build_vocabulary(docs, min_count=args.min_count)
    vocab_s = time.perf_counter() - start
    vocabulary = {w: i for i, w in enumerate(words)}
    print(f"vocabulary: {len(words):,} words with min_count={args.min_count} "
          f"({vocab_s:.2f} s, {n_tokens / vocab_s / 1e6:.1f}M tokens/s)")

    times = []
    for _ in range(3):
        start = time.perf_counter()
        X = cooccurrence_matrix(docs, vocabulary, window=args.window)
        times.append(time.perf_counter() - start)
    cooc_s = min(times)
    sample = docs[: max(1, len(docs) // (20 * args.repeat))]
    sample_tokens = sum(map(len, sample))
    start = time.perf_counter()
    naive_cooccurrence(sample, vocabulary, args.window)
    naive_rate = sample_tokens / (time.perf_counter() - start)
    rate = n_tokens / cooc_s
    print(f"co-occurrence (window={args.window}, symmetric, 1/d): {cooc_s:.2f} s (best of 3), "
          f"{rate / 1e6:.2f}M tokens/s, {X.nnz:,} non-zeros; Python dict loop on "
          f"{sample_tokens:,} tokens: {naive_rate / 1e3:.0f}k tokens/s; "
          f"ratio x{rate / naive_rate:.0f}")

    stamps = [time.perf_counter()]
    result = fit_glove(X, dim=args.dim, epochs=args.epochs, seed=0,
                       callback=lambda epoch, loss: stamps.append(time.perf_counter()))
    epoch_s = np.diff(stamps)
    nnz_rate = X.nnz / epoch_s.mean()
    sub = X.tocoo()
    keep = np.random.default_rng(0).permutation(sub.nnz)[:20_000]
    subset = scipy.sparse.coo_matrix(
        (sub.data[keep], (sub.row[keep], sub.col[keep])), shape=X.shape
    )
    start = time.perf_counter()
    fit_glove(subset, dim=args.dim, epochs=1, seed=0, batch_size=1)
    sequential_rate = len(keep) / (time.perf_counter() - start)
    print(f"training (dim={args.dim}, batch_size=4096): "
          f"{', '.join(f'{s:.2f}' for s in epoch_s)} s per epoch, "
          f"{nnz_rate / 1e6:.2f}M non-zeros/s; "
          f"sequential batch_size=1 on 20,000 non-zeros: {sequential_rate / 1e3:.1f}k non-zeros/s; "
          f"ratio x{nnz_rate / sequential_rate:.0f}")
    print(f"loss per epoch: {', '.join(f'{loss:.4f}' for loss in result.losses)}")

    ids = [[vocabulary[t] for t in doc if t in vocabulary] for doc in docs]
    start = time.perf_counter()
    pool(ids, result.vectors, method="meanmax")
    pool_s = time.perf_counter() - start
    print(f"pooling meanmax: {pool_s:.2f} s, {len(docs) / pool_s / 1e3:.0f}k documents/s, "
          f"{n_tokens / pool_s / 1e6:.1f}M tokens/s")


if __name__ == "__main__":
    main()
