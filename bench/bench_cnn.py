"""Benchmark: the ``cnn`` classifier's training against a bare torch CNN of the same shape.

Ours is a whole ``CNNClassifier.fit`` of one epoch (early stopping off) with the
settings of ``pipelines/cnn_rand.yaml``: vocabulary, word ids, the network, the
shared training loop, the max-norm constraint after every step, masking of padded
windows. The reference is a plain ``nn.Module`` (embedding, the same convolutions,
ReLU, max over time, dropout, linear) trained with Adam in a bare loop over the
*same* mini-batches (the stage's first-epoch batches); its vocabulary, word ids and
network are built inside the clock too, and each batch is padded in the loop, as the
stage does. Same data, same threads. The first round is cold (ours first, with
nothing run before it in this process); later rounds alternate the two, and the best
of each is reported as well. Target: ours at least 0.8x the reference's documents/s.

A cold fit also pays once per process for what its first call loads (about 1.5 s on
2 cores: ``torch.use_deterministic_algorithms``, which the stage asks for, imports
torch's compiler configuration the first time); over a whole epoch of MR that is a
small share, over a few hundred documents it dominates.

Run: ``python bench/bench_cnn.py [--threads 2] [--docs N] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from textpipe.config import load_config
from textpipe.data import load_dataset
from textpipe.environment import library_versions, machine_facts
from textpipe.neural.lookup import random_table, training_words, vocabulary_of, word_ids
from textpipe.neural.training import length_batches
from textpipe.stages import Tokenize
from textpipe.stages.cnn import CNNClassifier

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.8


class BareCNN(torch.nn.Module):
    """Embedding → Conv1d per width → ReLU → max over time → dropout → linear; no masking."""

    def __init__(self, n_rows, dim, widths, maps, dropout, n_classes):
        super().__init__()
        self.embedding = torch.nn.Embedding.from_pretrained(random_table(n_rows - 2, dim),
                                                            freeze=False, padding_idx=0)
        self.convs = torch.nn.ModuleList(torch.nn.Conv1d(dim, maps, w, padding=w - 1)
                                         for w in widths)
        self.drop = torch.nn.Dropout(dropout)
        self.out = torch.nn.Linear(len(widths) * maps, n_classes)

    def forward(self, ids):
        x = self.embedding(ids).transpose(1, 2)
        z = torch.cat([torch.relu(conv(x)).amax(dim=2) for conv in self.convs], dim=1)
        return self.out(self.drop(z))


def run_ours(params, docs, labels) -> float:
    start = time.perf_counter()
    CNNClassifier(**params).fit(docs, labels)
    return time.perf_counter() - start


def run_bare(params, docs, target, batches) -> float:
    start = time.perf_counter()
    torch.manual_seed(0)
    vocabulary = vocabulary_of(training_words(docs, params["min_count"]))
    ids = word_ids(docs, vocabulary)
    net = BareCNN(len(vocabulary) + 2, params["embedding_dim"], params["widths"],
                  params["feature_maps"], params["dropout"], 2).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=params["learning_rate"])
    y = torch.as_tensor(target)
    for batch in batches:
        padded = torch.nn.utils.rnn.pad_sequence([ids[i] for i in batch], batch_first=True)
        loss = torch.nn.functional.cross_entropy(net(padded), y[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads (both models)")
    parser.add_argument("--docs", type=int, default=None,
                        help="MR documents, a seeded sample (default: all 10,662)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, the first cold")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    facts, versions = machine_facts(), library_versions()
    print(f"machine: {facts['platform']}, {facts['cpu_count']} CPUs, Python {facts['python']}, "
          f"torch {versions.get('torch')} ({torch.get_num_threads()} threads)")
    mr = load_dataset("mr")
    pick = np.random.default_rng(0).permutation(len(mr.texts))[:args.docs]  # MR is sorted
    tokens = Tokenize().fit_transform(mr.texts)
    docs = [tokens[i] for i in pick]
    labels = np.asarray(mr.labels)[pick]
    params = {**load_config(ROOT / "pipelines" / "cnn_rand.yaml").steps[-1].params,
              "max_epochs": 1, "early_stopping": False, "n_threads": args.threads,
              "random_state": 0, "verbose": 0}
    params = CNNClassifier(**params).get_params()
    target = np.unique(labels, return_inverse=True)[1]
    lengths = np.asarray([len(d) for d in docs])
    batches = length_batches(np.arange(len(docs)), lengths, params["batch_size"],
                             np.random.default_rng([0, 0]))
    print(f"MR, {len(docs):,} documents drawn at random ({lengths.sum():,} tokens), one epoch of "
          f"{len(batches)} batches of {params['batch_size']}; widths {list(params['widths'])} x "
          f"{params['feature_maps']} maps, {params['embedding_dim']}-d random embeddings")
    times = {"bare": [], "cnn": []}
    for _ in range(args.rounds):
        times["cnn"].append(run_ours(params, docs, labels))  # first: ours runs coldest
        times["bare"].append(run_bare(params, docs, target, batches))
    for label, pick in (("cold, first", 0), ("best of %d" % args.rounds, None)):
        bare = times["bare"][0] if pick == 0 else min(times["bare"])
        ours = times["cnn"][0] if pick == 0 else min(times["cnn"])
        ratio = bare / ours
        print(f"[{label}] bare torch CNN: {len(docs) / bare:,.0f} docs/s ({bare:.2f} s);  "
              f"cnn stage fit: {len(docs) / ours:,.0f} docs/s ({ours:.2f} s)")
        print(f"cnn / bare torch training throughput: {ratio:.2f}x (target >= {TARGET}x)  "
              f"{'PASS' if ratio >= TARGET else 'MISS'}  [{label}]")


if __name__ == "__main__":
    main()
