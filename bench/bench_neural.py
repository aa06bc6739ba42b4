"""Benchmark: biLM training against a bare torch LSTM stack, ELMo inference, BiLSTM epochs.

1. biLM training throughput (tokens/s): one full training step of textpipe's
   biLM (character CNN once per distinct type, forward and backward LSTM stacks
   with residuals, adaptive softmax, backward pass, clipping, Adam) against a
   bare ``torch.nn.LSTM`` stack of the same sizes (one per direction, each of
   ``lstm_layers`` layers with ``projection_dim`` inputs) doing forward + backward
   on random inputs of the same shapes (which need gradients, as token vectors do), over the same length-sorted batches of MR + TREC
   sentences. Sizes are those of ``pipelines/pretrain_bilm.yaml``. The steps are
   timed in a bare loop and through the shared fit loop (``Trainer``, as
   ``textpipe pretrain`` runs them); the ratio is the latter's. Interleaved
   rounds, best of each. Target: at least 0.6x.
2. ELMo inference: tokens/s embedding all MR texts with the ``elmo`` stage
   (mean+max pooling), float32 and int8 dynamic quantization, and their agreement
   (cosine between the two document vectors). Uses ``models/bilm-mr-trec`` when
   it exists, otherwise an untrained biLM of the same sizes (speed is the same).
3. BiLSTM classifier: seconds per training epoch on MR with the settings of
   ``pipelines/bilstm_random.yaml``.

The biLM's cost beyond the bare stack is per token (the character CNN, the
softmax, dropout, the optimizer), so the ratio rises with the LSTM's size:
``--lstm-size 1024`` times ELMo's proportions (cells 4x the projection).

Run: ``python bench/bench_neural.py [--threads 2] [--batches 12] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from textpipe.data import load_dataset
from textpipe.environment import library_versions, machine_facts
from textpipe.stages import Tokenize

ROOT = Path(__file__).resolve().parents[1]


def bilm_training(docs, args) -> None:
    from textpipe.neural.bilm import BiLM, BiLMConfig
    from textpipe.neural.pretrain import _epoch_batches, load_pretrain_config
    from textpipe.neural.training import StepOutput, Trainer
    from textpipe.neural.vocab import Vocabulary

    cfg = load_pretrain_config(ROOT / "pipelines" / "pretrain_bilm.yaml")
    m, t = cfg.model, cfg.training
    if args.lstm_size:  # e.g. ELMo's proportions: LSTM cells larger than the projections
        m.lstm_size = args.lstm_size
    vocab = Vocabulary.build(docs, min_count=cfg.corpus.min_count,
                             max_words=cfg.corpus.max_words)
    torch.manual_seed(0)
    model = BiLM(BiLMConfig(
        n_words=len(vocab), n_chars=vocab.n_chars, char_dim=m.char_dim,
        filters=[list(f) for f in m.filters], highway_layers=m.highway_layers,
        projection_dim=m.projection_dim, lstm_size=m.lstm_size, lstm_layers=m.lstm_layers,
        dropout=m.dropout, softmax=m.softmax, cutoffs=m.cutoffs,
        div_value=m.div_value)).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=t.learning_rate)
    proj = 0 if m.lstm_size == m.projection_dim else m.projection_dim
    # One stack per direction, as in the biLM: a bidirectional nn.LSTM would feed both
    # directions' states (2 x projection_dim) into its upper layers, a larger model.
    bare = [torch.nn.LSTM(m.projection_dim, m.lstm_size, num_layers=m.lstm_layers,
                          batch_first=True, proj_size=proj) for _ in range(2)]
    lengths = [len(d) for d in docs]
    index = _epoch_batches(len(docs), lengths, t.batch_size, seed=0, epoch=0)[:args.batches]
    batches = [[docs[i] for i in b] for b in index]
    n_tokens = sum(len(d) for b in batches for d in b)
    shapes = [(len(b), max(len(d) for d in b) + 2) for b in batches]
    print(f"biLM: {m.lstm_layers} x {m.lstm_size} LSTM per direction, {m.projection_dim}-d, "
          f"{len(vocab):,} words, adaptive softmax cutoffs {model.softmax.cutoffs}; "
          f"{len(batches)} batches of {t.batch_size} sentences, {n_tokens:,} tokens")

    def ours():
        for docs_ in batches:
            loss = model.loss(model.batch(docs_, vocab))
            optimizer.zero_grad(set_to_none=True)
            loss.total.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), t.clip_norm)
            optimizer.step()

    def step_loss(docs_):
        batch = model.batch(docs_, vocab)
        return StepOutput(model.loss(batch).total, tokens=batch.n_tokens)

    def loop():  # what `textpipe pretrain` runs: the same steps through the shared fit loop
        Trainer(model, optimizer, step_loss, lambda seed, epoch: batches, max_epochs=1,
                clip_norm=t.clip_norm).fit()

    def reference():
        for b, length in shapes:
            # Inputs that need gradients, as the biLM's token vectors do: the first layer's
            # input gradient is part of the work.
            outputs = [lstm(torch.randn(b, length, m.projection_dim, requires_grad=True))[0]
                       for lstm in bare]
            sum(out.sum() for out in outputs).backward()

    times = {"ours": [], "loop": [], "reference": []}
    ours()  # warm-up
    loop()
    reference()
    for _ in range(args.rounds):
        for name, func in (("reference", reference), ("ours", ours), ("loop", loop)):
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    best = {k: min(v) for k, v in times.items()}
    ratio = best["reference"] / best["loop"]
    print(f"bare nn.LSTM stack fwd+bwd: {n_tokens / best['reference']:,.0f} tokens/s")
    print(f"biLM training step:         {n_tokens / best['ours']:,.0f} tokens/s "
          f"(encoder + both LMs + softmax + backward + clip + Adam, a bare loop)")
    print(f"biLM through the fit loop:  {n_tokens / best['loop']:,.0f} tokens/s "
          f"(textpipe.neural.training.Trainer, as pretraining runs; "
          f"{best['ours'] / best['loop']:.2f}x the bare loop)")
    print(f"biLM / bare LSTM throughput: {ratio:.2f}x (target >= 0.6x)  "
          f"{'PASS' if ratio >= 0.6 else 'MISS'}")


def elmo_inference(docs, args) -> None:
    from textpipe.stages.elmo import Elmo

    folder = ROOT / "models" / "bilm-mr-trec"
    if not (folder / "weights.safetensors").is_file():
        from textpipe.neural.bilm import BiLM, BiLMConfig
        from textpipe.neural.io import save_bilm
        from textpipe.neural.pretrain import load_pretrain_config
        from textpipe.neural.vocab import Vocabulary
        import tempfile

        m = load_pretrain_config(ROOT / "pipelines" / "pretrain_bilm.yaml").model
        vocab = Vocabulary.build(docs, min_count=2, max_words=20000)
        model = BiLM(BiLMConfig(n_words=len(vocab), n_chars=vocab.n_chars, char_dim=m.char_dim,
                                filters=[list(f) for f in m.filters],
                                highway_layers=m.highway_layers,
                                projection_dim=m.projection_dim, lstm_size=m.lstm_size,
                                lstm_layers=m.lstm_layers, cutoffs=m.cutoffs,
                                div_value=m.div_value))
        folder = save_bilm(tempfile.mkdtemp(), model, vocab)
        print("ELMo: models/bilm-mr-trec not found; timing an untrained biLM of the same sizes")
    stage = Elmo(bilm=str(folder), pooling="meanmax", batch_size=64).fit(docs[:10])
    report = stage.quantization_report(docs)
    print(f"ELMo inference on all MR texts ({report['tokens']:,} tokens): "
          f"fp32 {report['fp32_tokens_per_second']:,.0f} tokens/s, "
          f"int8 {report['int8_tokens_per_second']:,.0f} tokens/s "
          f"(int8/fp32 speed {report['speedup']:.2f}x); agreement: mean cosine "
          f"{report['mean_cosine']:.4f}, min {report['min_cosine']:.4f}")


def bilstm_epoch(docs, labels) -> None:
    from textpipe.config import load_config

    cfg = load_config(ROOT / "pipelines" / "bilstm_random.yaml")
    params = {**cfg.steps[-1].params, "max_epochs": 1, "early_stopping": False}
    from textpipe.stages.bilstm import BiLSTMClassifier

    clf = BiLSTMClassifier(**params)
    start = time.perf_counter()
    clf.fit(docs, labels)
    total = time.perf_counter() - start
    epoch = clf.history_[0]["seconds"]
    n_tokens = sum(map(len, docs))
    print(f"BiLSTM (random embeddings, bilstm_random.yaml) on MR: {epoch:.1f} s per epoch "
          f"({n_tokens / epoch:,.0f} tokens/s), fit with set-up {total:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--batches", type=int, default=12, help="biLM batches timed per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lstm-size", type=int, default=None,
                        help="override the preset's lstm_size (cells projected to projection_dim)")
    parser.add_argument("--skip", nargs="*", default=(), choices=("bilm", "elmo", "bilstm"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    facts, versions = machine_facts(), library_versions()
    print(f"machine: {facts['platform']}, {facts['cpu_count']} CPUs, Python {facts['python']}, "
          f"torch {versions.get('torch')} ({torch.get_num_threads()} threads)")
    mr = load_dataset("mr")
    trec = load_dataset("trec")
    tokenize = Tokenize()
    mr_docs = tokenize.fit_transform(mr.texts)
    if "bilm" not in args.skip:
        bilm_training(mr_docs + tokenize.fit_transform(trec.texts), args)
    if "elmo" not in args.skip:
        elmo_inference(mr_docs, args)
    if "bilstm" not in args.skip:
        bilstm_epoch(mr_docs, mr.labels)


if __name__ == "__main__":
    main()
