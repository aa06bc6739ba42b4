"""Benchmark: start-up costs: ``import textpipe``, and loading a bundled dataset.

``import textpipe`` must stay fast (target: under half a second) because the
command line imports it for every call, including ``--help``: torch, spaCy,
gensim, scikit-learn and NLTK are imported only when a stage needs them. Each
measurement is a fresh interpreter (nothing cached in ``sys.modules``), timed
from inside it, so interpreter start-up is not counted. Loading MR (decompress,
decode Latin-1 with its 0x85 bytes, split into 10,662 examples) is timed the
same way, since every run on the bundled data pays for it (target: well under
a second).

Run: ``python bench/bench_startup.py [--rounds 7]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CODE = """
import json, sys, time
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
heavy = [m for m in ("torch", "spacy", "gensim", "sklearn", "nltk") if m in sys.modules]
print(json.dumps({{"elapsed": elapsed, "heavy": heavy}}))
"""


def measure(statement: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CODE.format(statement=statement)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ours = [measure("import textpipe") for _ in range(args.rounds)]
    best = min(r["elapsed"] for r in ours)
    heavy = sorted({m for r in ours for m in r["heavy"]})
    mr = min(measure("from textpipe.data import load_dataset; load_dataset('mr')")["elapsed"]
             for _ in range(args.rounds))
    print(f"python {sys.version.split()[0]}; best of {args.rounds} fresh interpreters")
    print(f"import textpipe: {best * 1000:.0f} ms (target < 500 ms)  "
          f"{'PASS' if best < 0.5 else 'MISS'}")
    print(f"heavy libraries loaded by the import: {', '.join(heavy) or 'none'}  "
          f"{'PASS' if not heavy else 'MISS'}")
    print(f"load_dataset('mr'), import included: {mr * 1000:.0f} ms (target < 500 ms)  "
          f"{'PASS' if mr < 0.5 else 'MISS'}")


if __name__ == "__main__":
    main()
