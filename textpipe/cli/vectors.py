"""``textpipe vectors``: look inside word vectors, from a saved model or a vector file."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..errors import DataError, Errors, ModelError
from ..model import METADATA_FILE, MODEL_FILES, load_model
from ..parameters import check_option
from ..paths import Input, Output, atomic_file, check_paths
from . import app
from .console import console, styled
from .help import Typer

vectors_app = Typer(help="Inspect word vectors: neighbours, analogies, export.",
                          no_args_is_help=True)
app.add_typer(vectors_app, name="vectors")

SOURCE_HELP = "A model folder saved by `textpipe run --save`, or a vector file."
STEP_HELP = "The embedding step to use when the model has several."


def open_word_vectors(source: Path, step: str | None = None):
    """Return a fitted embedding stage from a saved model folder or a vector file."""
    # Imported here: the stages import scikit-learn, which `textpipe --help` need not load.
    from ..stages.embed import PretrainedVectors, WordVectorStage

    if source.is_dir():
        pipeline = load_model(source).pipeline
        found = [(name, est) for name, est in pipeline.steps
                 if isinstance(est, WordVectorStage) and (step is None or name == step)]
        if not found:
            names = ", ".join(name for name, _ in pipeline.steps)
            named = f" named {step!r}" if step else ""
            raise ModelError(Errors.E928.format(path=source, named=named, steps=names))
        return found[0][1]
    if step is not None:
        raise ModelError(Errors.E925)
    # Fitting needs no document to load a file: one empty document will do.
    return PretrainedVectors(path=str(source)).fit([[]])


def _similarity_table(title: str, pairs) -> Table:
    table = Table(title=title, title_justify="left", min_width=len(title))
    table.add_column("word")
    table.add_column("cosine", justify="right")
    for word, score in pairs:
        table.add_row(word, f"{score:.3f}")
    return table


def _check_words(stage, source: Path, words) -> None:
    """Fail, naming the source, on the first word that has no vector."""
    for word in words:
        try:
            stage.word_vector(word)
        except KeyError:
            raise DataError(Errors.E924.format(word=word, n=len(stage.vocabulary_)),
                            file=source) from None


@vectors_app.command("neighbors")
def neighbors(
    source: Path = typer.Argument(..., help=SOURCE_HELP, exists=True),
    words: List[str] = typer.Argument(..., help="Words to look up."),
    n: int = typer.Option(10, "-n", help="Neighbours per word."),
    step: Optional[str] = typer.Option(None, "--step", help=STEP_HELP),
):
    """Nearest neighbours of each word by cosine similarity."""
    check_option(n, "-n")
    stage = open_word_vectors(source, step)
    _check_words(stage, source, words)
    for word in words:
        pairs = stage.most_similar(word, topn=n)
        console.print(_similarity_table(f"nearest to '{word}'", pairs))


@vectors_app.command("analogy")
def analogy(
    source: Path = typer.Argument(..., help=SOURCE_HELP, exists=True),
    a: str = typer.Argument(..., help="a in a : b :: c : ?"),
    b: str = typer.Argument(..., help="b in a : b :: c : ?"),
    c: str = typer.Argument(..., help="c in a : b :: c : ?"),
    n: int = typer.Option(5, "-n", help="Answers to show."),
    step: Optional[str] = typer.Option(None, "--step", help=STEP_HELP),
):
    """Solve a : b :: c : ? (vector b − a + c, 3CosAdd)."""
    check_option(n, "-n")
    stage = open_word_vectors(source, step)
    _check_words(stage, source, (a, b, c))
    pairs = stage.most_similar([b, c], [a], topn=n)
    console.print(_similarity_table(f"{a} : {b} :: {c} : ?", pairs))


@vectors_app.command("export")
def export(
    source: Path = typer.Argument(..., help="A model folder saved by `textpipe run --save`.",
                                  exists=True),
    output: Path = typer.Argument(..., help="Vector file to write (word2vec text format)."),
    step: Optional[str] = typer.Option(None, "--step", help=STEP_HELP),
    header: bool = typer.Option(True, "--header/--no-header",
                                help="Write the 'count dim' line (off: GloVe format)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing OUTPUT file."),
):
    """Write a model's trained word vectors to a text file that any tool can read."""
    read = ([source / name for name in (*MODEL_FILES, METADATA_FILE)] if source.is_dir()
            else [source])
    check_paths(outputs=[Output(output, "OUTPUT", what="the vectors", overwrite=overwrite,
                                example="vectors.txt")],
                inputs=[Input(path, "SOURCE") for path in read])
    stage = open_word_vectors(source, step)
    words = list(stage.vocabulary_)
    vectors = stage.vectors_
    with atomic_file(output, "OUTPUT") as fh:
        if header:
            fh.write(f"{len(words)} {vectors.shape[1]}\n".encode("utf-8"))
        for word, row in zip(words, vectors):
            fh.write((word + " " + " ".join(f"{v:.6g}" for v in row) + "\n").encode("utf-8"))
    console.print(styled("Wrote {} vectors of dimension {} to [bold]{}[/].", len(words),
                         vectors.shape[1], output))
