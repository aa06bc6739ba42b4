"""Benchmark: the word2vec stage against gensim's Word2Vec called directly.

Both train on the same token lists (MR, tokenized once by textpipe's regex
tokenizer) with the same settings, one worker thread, best of 5 rounds in which
the two take turns. The stage's overhead is what it adds around gensim:
splitting over-long documents, the vocabulary table, fitted attributes.
Target: at most 1.1x.

Run: ``python bench/bench_embeddings.py [--repeat 1]``
"""

from __future__ import annotations

import argparse
import time

from textpipe.data import load_dataset
from textpipe.environment import library_versions, machine_facts
from textpipe.stages import Tokenize, Word2Vec

SETTINGS = dict(dim=100, window=5, min_count=2, epochs=5, workers=1, random_state=1)


def best_of_interleaved(n, *funcs):
    """Best time of each function over ``n`` rounds, the functions taking turns in each round.

    Taking turns, rather than timing one function ``n`` times and then the other, keeps a
    change in the machine's load (other processes, CPU frequency) from landing on one side.
    """
    times = [[] for _ in funcs]
    for _ in range(n):
        for func, out in zip(funcs, times):
            start = time.perf_counter()
            func()
            out.append(time.perf_counter() - start)
    return [min(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="copies of MR to train on")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    texts = load_dataset("mr").texts * args.repeat
    tokens = Tokenize().fit_transform(texts)
    n_tokens = sum(map(len, tokens))
    facts, versions = machine_facts(), library_versions()
    print(f"machine: {facts['platform']}, {facts['cpu_count']} CPUs, Python {facts['python']}, "
          f"gensim {versions.get('gensim')}")
    print(f"data: MR x{args.repeat}: {len(tokens):,} documents, {n_tokens:,} tokens; "
          f"settings {SETTINGS}")

    from gensim.models import Word2Vec as GensimWord2Vec

    def gensim_direct():
        GensimWord2Vec(sentences=tokens, vector_size=SETTINGS["dim"], window=SETTINGS["window"],
                       min_count=SETTINGS["min_count"], epochs=SETTINGS["epochs"], workers=1,
                       sg=0, hs=0, negative=5, seed=1)

    def stage():
        Word2Vec(**SETTINGS).fit(tokens)

    reference, ours = best_of_interleaved(args.rounds, gensim_direct, stage)
    ratio = ours / reference
    print(f"gensim Word2Vec direct: {reference:.2f} s ({n_tokens * SETTINGS['epochs'] / reference:,.0f} tokens/s)")
    print(f"word2vec stage fit:     {ours:.2f} s")
    print(f"word2vec_stage / gensim_direct: {ratio:.2f}x (target <= 1.1x)  "
          f"{'PASS' if ratio <= 1.1 else 'MISS'}")


if __name__ == "__main__":
    main()
