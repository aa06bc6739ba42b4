"""How fast textpipe's preprocessing stages are, against the tools they replace.

Cold figures come first, as a user's single run sees them: each measurement
is a fresh Python process that imports what it needs and runs
``fit_transform`` once (the texts are read before the clock starts); the
contenders take turns, and the best of ``--repeat`` rounds is kept:

- ``tokenize(regex) → stopwords → stem(snowball) → tfidf`` against
  scikit-learn's ``TfidfVectorizer().fit_transform`` (target: at most 1.25
  times as long);
- the same chain with ``n_jobs=2`` on its token stages against the same
  single-threaded ``TfidfVectorizer`` (target: at most 0.8 times as long).

For information, the chain's imports alone (scikit-learn's pipeline and the
four stages, no work) are timed the same way: no cold chain can be faster.

With ``n_jobs=2`` on Linux the workers are forked from the running process
(nothing is imported again); this process transforms the first half of the
documents while one worker transforms the second.

Then warm figures, in this one process, best of ``--repeat`` runs each
(``--cold-only`` skips them):

(a) ``tokenize → stopwords → stem → tfidf`` (a textpipe ``Pipeline``) against
    scikit-learn's ``TfidfVectorizer().fit_transform`` on the raw texts
    (target: at most 1.5 times as long);
(b) ``tokenize(spacy) → lemmatize(spacy_lookup)`` against raw spaCy doing the
    same (``spacy.blank`` + the lookup lemmatizer, then ``token.lemma_``), both
    timed from building the pipeline to the lemmas (target: at most 1.15 times
    as long); the two must give the same lemmas;
(c) both textpipe pipelines against the naive NLTK way:
    ``TreebankWordTokenizer().tokenize`` per document, then
    ``PorterStemmer().stem`` per token, without caching (target: at least 10
    times faster). The naive way is timed on one copy of the corpus and scaled
    by the number of copies.

Each warm run builds fresh pipelines. Two things are nevertheless cached per
process, as in real use (cross-validation folds, grid searches): the stems of
``Stem`` (a pure function of the word, shared by equal stemmers) and spaCy's
lemma lookup table once read. The best of several runs therefore sees them
warm; the first run of each textpipe pipeline, when nothing is cached yet, is
printed too.

Usage::

    PYTHONPATH=. python bench/bench_preprocessing.py [--copies 5] [--repeat 3] [--strict]
        [--cold-only]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MR_FILE = Path("/work/shared/datasets/rt-polarity.all")


def load_mr() -> list[str]:
    """The 10,662 MR sentences (textpipe's bundled copy; the raw file as a fallback)."""
    try:
        import textpipe

        return list(textpipe.load_dataset("mr").texts)
    except (ImportError, AttributeError):  # pragma: no cover - before textpipe.data existed
        raw = MR_FILE.read_bytes()  # Latin-1 with 0x85 inside lines: split on b"\n" only
        lines = [line for line in raw.split(b"\n") if line.strip()]
        return [line.split(b" ", 1)[1].decode("latin-1") for line in lines]


def best_of(repeat: int, func):
    """Run ``func`` ``repeat`` times; return (fastest seconds, first run's seconds, last result)."""
    runs = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = func()
        runs.append(time.perf_counter() - start)
    return min(runs), runs[0], result


def versions() -> str:
    out = []
    for dist in ("textpipe", "scikit-learn", "spacy", "spacy-lookups-data", "nltk", "gensim",
                 "numpy", "scipy"):
        try:
            out.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            if dist == "textpipe":
                from textpipe import __version__

                out.append(f"textpipe {__version__} (source tree)")
    return ", ".join(out)


def verdict(name: str, ratio: float, target: float, at_most: bool) -> tuple[str, bool]:
    ok = ratio <= target if at_most else ratio >= target
    sign = "<=" if at_most else ">="
    return f"{name}: {ratio:.2f}x (target {sign} {target:g}x)  {'PASS' if ok else 'MISS'}", ok


# -- the contenders -------------------------------------------------------------------
def textpipe_tfidf_chain(texts, n_jobs=None):
    from sklearn.pipeline import Pipeline

    from textpipe.stages.stem import Stem
    from textpipe.stages.stopwords import Stopwords
    from textpipe.stages.tokenize import Tokenize
    from textpipe.stages.vectorize import TfidfVectors

    pipe = Pipeline([
        ("tokenize", Tokenize(backend="regex", n_jobs=n_jobs)),
        ("stopwords", Stopwords(source="sklearn", n_jobs=n_jobs)),
        ("stem", Stem(algorithm="snowball", language="english", n_jobs=n_jobs)),
        ("tfidf", TfidfVectors()),
    ])
    return pipe.fit_transform(texts)


def sklearn_tfidf(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer().fit_transform(texts)


def textpipe_spacy_chain(texts):
    from sklearn.pipeline import Pipeline

    from textpipe.stages.lemmatize import Lemmatize
    from textpipe.stages.tokenize import Tokenize

    pipe = Pipeline([
        # spaCy's lemmatizer looks up each token as written, so compare like with like
        ("tokenize", Tokenize(backend="spacy", language="en", lowercase=False)),
        ("lemmatize", Lemmatize(backend="spacy_lookup", language="en")),
    ])
    return pipe.fit_transform(texts)


def raw_spacy_lemmas(texts):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return [[t.lemma_ for t in doc] for doc in nlp.pipe(texts)]


def naive_nltk(texts):
    from nltk.stem import PorterStemmer
    from nltk.tokenize import TreebankWordTokenizer

    tokenizer, stemmer = TreebankWordTokenizer(), PorterStemmer()
    return [[stemmer.stem(t) for t in tokenizer.tokenize(doc)] for doc in texts]


def chain_imports(texts):
    """Only what ``textpipe_tfidf_chain`` imports: the floor of any cold chain."""
    import sklearn.pipeline  # noqa: F401

    import textpipe.stages.stem  # noqa: F401
    import textpipe.stages.stopwords  # noqa: F401
    import textpipe.stages.tokenize  # noqa: F401
    import textpipe.stages.vectorize  # noqa: F401


# -- cold runs: each measurement a fresh process, imports included -------------------
COLD = {
    "sklearn_tfidf": lambda texts: sklearn_tfidf(texts),
    "tfidf_chain": lambda texts: textpipe_tfidf_chain(texts),
    "tfidf_chain_n2": lambda texts: textpipe_tfidf_chain(texts, n_jobs=2),
    "chain_imports": chain_imports,
}


def cold_child(name: str, data: str) -> None:
    """In a fresh process: read the texts, then time imports + ``fit_transform``; print seconds."""
    import json

    texts = json.loads(Path(data).read_text(encoding="utf-8"))
    start = time.perf_counter()
    COLD[name](texts)
    print(f"{time.perf_counter() - start:.6f}")


def cold_times(texts: list[str], repeat: int) -> dict[str, float]:
    """Best of ``repeat`` fresh-process runs of each contender, taking turns."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "texts.json"
        data.write_text(json.dumps(texts), encoding="utf-8")
        runs: dict[str, list[float]] = {name: [] for name in COLD}
        for _ in range(repeat):
            for name in COLD:
                out = subprocess.run(
                    [sys.executable, __file__, "--cold-child", name, "--data", str(data)],
                    check=True, capture_output=True, text=True).stdout
                runs[name].append(float(out.split()[-1]))
    return {name: min(seconds) for name, seconds in runs.items()}


def print_cold(texts: list[str], repeat: int) -> list[tuple[str, bool]]:
    cold = cold_times(texts, repeat)
    print(f"cold: each run a fresh process, imports included; best of {repeat}, taking turns")
    for name, seconds in cold.items():
        print(f"{name:>14}: {seconds:7.2f} s  (cold)")
    ref = cold["sklearn_tfidf"]
    print(f"(for information: the chain's imports alone take {cold['chain_imports'] / ref:.2f}x "
          "sklearn_tfidf)")
    lines = [
        verdict("cold tfidf_chain / sklearn_tfidf", cold["tfidf_chain"] / ref, 1.25, True),
        verdict("cold tfidf_chain n_jobs=2 / sklearn_tfidf", cold["tfidf_chain_n2"] / ref,
                0.8, True),
    ]
    for line, _ in lines:
        print(line)
    print()
    return lines


def check_n_jobs(texts: list[str]) -> bool:
    """Check (before spaCy loads torch, which rules out forking) that n_jobs=2 changes nothing."""
    from textpipe.stages import stem
    from textpipe.stages.base import fork_is_safe

    how = "forked" if fork_is_safe() else "started by loky"
    one, two = textpipe_tfidf_chain(texts), textpipe_tfidf_chain(texts, n_jobs=2)
    same = (one != two).nnz == 0 and one.shape == two.shape
    stem._SHARED_MEMOS.clear()  # the warm figures' first runs start with nothing cached
    print(f"tfidf_chain with n_jobs=2 (workers {how}) gives the same matrix as n_jobs=1: {same}")
    print()
    return same


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=5, help="MR repeated this many times")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--cold-only", action="store_true", help="skip the warm figures")
    parser.add_argument("--cold-child", choices=sorted(COLD), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_child:
        cold_child(args.cold_child, args.data)
        return 0

    one_copy = load_mr()
    texts = one_copy * args.copies
    n_tokens = sum(len(t.split()) for t in texts)
    print(f"data: MR sentence polarity x{args.copies}: {len(texts):,} documents, "
          f"{n_tokens:,} whitespace tokens, {sum(map(len, texts)) / 1e6:.1f}M characters")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"libraries: {versions()}")
    print()
    cold_lines = print_cold(texts, args.repeat)
    same_n2 = check_n_jobs(texts)
    if args.cold_only:
        return 0 if same_n2 and all(ok for _, ok in cold_lines) or not args.strict else 1

    print(f"warm: in this process, best of {args.repeat} runs each, in seconds; "
          "fresh pipelines every run")

    # Import everything first, so that first runs measure empty caches, not imports.
    import nltk.stem  # noqa: F401
    import nltk.stem.snowball  # noqa: F401
    import nltk.tokenize  # noqa: F401
    import sklearn.pipeline  # noqa: F401
    import spacy  # noqa: F401
    import spacy.lookups  # noqa: F401

    import textpipe.stages.lemmatize  # noqa: F401
    import textpipe.stages.stem  # noqa: F401
    import textpipe.stages.stopwords  # noqa: F401
    import textpipe.stages.tokenize  # noqa: F401
    import textpipe.stages.vectorize  # noqa: F401

    times, first = {}, {}
    times["sklearn_tfidf"], _, _ = best_of(args.repeat, lambda: sklearn_tfidf(texts))
    times["tfidf_chain"], first["tfidf_chain"], _ = best_of(
        args.repeat, lambda: textpipe_tfidf_chain(texts))
    times["raw_spacy"], _, spacy_out = best_of(args.repeat, lambda: raw_spacy_lemmas(texts))
    times["spacy_chain"], first["spacy_chain"], ours = best_of(
        args.repeat, lambda: textpipe_spacy_chain(texts))
    naive_one, _, _ = best_of(args.repeat, lambda: naive_nltk(one_copy))
    times["naive_nltk"] = naive_one * args.copies

    for name, seconds in times.items():
        note = ""
        if name in first:
            note = f"  (first run: {first[name]:.2f} s)"
        elif name == "naive_nltk":
            note = f"  (one copy: {naive_one:.2f} s, x{args.copies})"
        print(f"{name:>14}: {seconds:7.2f} s{note}")
    print()

    # textpipe drops spaCy's whitespace tokens; otherwise the lemmas must be identical
    same = ours == [[t for t in doc if t.strip()] for doc in spacy_out]
    print(f"spacy_chain gives the same lemmas as raw spaCy: {same}")
    same = same and same_n2

    t = times
    lines = [
        verdict("warm tfidf_chain / sklearn_tfidf", t["tfidf_chain"] / t["sklearn_tfidf"], 1.5, True),
        verdict("spacy_chain / raw_spacy", t["spacy_chain"] / t["raw_spacy"], 1.15, True),
        verdict("naive_nltk / tfidf_chain", t["naive_nltk"] / t["tfidf_chain"], 10, False),
        verdict("naive_nltk / spacy_chain", t["naive_nltk"] / t["spacy_chain"], 10, False),
    ]
    for line, _ in lines:
        print(line)
    print()
    print("first runs, nothing cached yet (for information):")
    print(f"  tfidf_chain / sklearn_tfidf: {first['tfidf_chain'] / times['sklearn_tfidf']:.2f}x, "
          f"naive_nltk / tfidf_chain: {times['naive_nltk'] / first['tfidf_chain']:.2f}x")
    print(f"  spacy_chain / raw_spacy: {first['spacy_chain'] / times['raw_spacy']:.2f}x, "
          f"naive_nltk / spacy_chain: {times['naive_nltk'] / first['spacy_chain']:.2f}x")
    all_ok = same and all(ok for _, ok in lines + cold_lines)
    return 0 if all_ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
