"""The pretraining file: what ``textpipe pretrain`` reads, checked before any training.

A pretraining file (YAML, read safely; errors name the file and line)::

    name: bilm-mr-trec
    pretrain:
      output_dir: ../models/bilm-mr-trec  # the biLM folder written; relative to this file
      corpus:
        datasets: [mr, trec]             # bundled datasets' training texts
        files: []                        # text files, one document per line
        tokenize: {}                     # the `tokenize` stage's parameters: match your pipelines
      model: {projection_dim: 256, lstm_size: 256, lstm_layers: 2}
      training: {epochs: 10, batch_size: 128, seed: 0, threads: 2, max_minutes: 10}

It is read like every textpipe file (:mod:`textpipe.config.reader`); the
``tokenize`` parameters are checked by the same rules as a pipeline's
``tokenize`` step, and every corpus file must exist. Every key has a default,
so the resolved configuration is a complete record of what ran. Training
itself is :mod:`textpipe.neural.pretrain`.

Examples
--------
>>> cfg = PretrainConfig.model_validate({"output_dir": "out", "model": {"lstm_size": 512}})
>>> cfg.model.projection_dim, cfg.training.epochs
(256, 10)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..errors import ConfigError, Errors, raise_config_errors
from .reader import Strict, bundled_dataset, read_document, validate_model
from .resolve import step_problems

__all__ = ["CorpusConfig", "ModelConfig", "PretrainConfig", "PretrainFile", "TrainingConfig",
           "load_pretrain_config"]


class CorpusConfig(Strict):
    """The unlabeled text the biLM learns from."""

    datasets: list[str] = Field(default_factory=list,
                                description="bundled datasets whose texts are used, e.g. [mr, trec]")
    include_test: bool = Field(False, description="also a bundled dataset's test-split texts "
                               "(transductive: they are what pipelines are scored on)")
    files: list[str] = Field(default_factory=list,
                             description="text files, one document per line; relative to the YAML file")
    texts: list[str] = Field(default_factory=list, description="documents given inline (Python API)")
    tokenize: dict = Field(default_factory=dict,
                           description="parameters of the `tokenize` stage; match your pipelines'")
    max_length: int = Field(100, ge=2, description="longer documents are cut into pieces of this many tokens")
    heldout_fraction: float = Field(0.05, gt=0, lt=0.5,
                                    description="documents held out to measure perplexity")
    min_count: int = Field(2, ge=1, description="words rarer than this are predicted as <unk>")
    max_words: int = Field(20000, ge=10, description="size limit of the predicted vocabulary")
    max_characters: int = Field(50, ge=3, description="characters read per token, markers included")

    @field_validator("datasets")
    @classmethod
    def _bundled(cls, value: list[str]) -> list[str]:
        return [bundled_dataset(name, own="'files'") for name in value]


class ModelConfig(Strict):
    """Sizes of the biLM (see :class:`textpipe.neural.bilm.BiLMConfig`)."""

    char_dim: int = Field(16, ge=1, description="size of a character embedding")
    filters: list[tuple[int, int]] = Field(
        default_factory=lambda: [(1, 32), (2, 32), (3, 64), (4, 128), (5, 128)],
        description="character convolutions as [width, count] pairs")
    highway_layers: int = Field(1, ge=0)
    projection_dim: int = Field(256, ge=1, description="token vector and LSTM output size")
    lstm_size: int = Field(256, ge=1, description="LSTM cell size (projected to projection_dim if larger)")
    lstm_layers: int = Field(2, ge=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    activation: Literal["relu", "tanh"] = "relu"
    softmax: Literal["auto", "adaptive", "full"] = Field("auto", description="adaptive above 2,000 words")
    cutoffs: Optional[list[int]] = Field(None, description="adaptive softmax clusters; default by size")
    div_value: float = Field(4.0, ge=1, description="each adaptive softmax cluster's size is the "
                             "previous one's divided by this")

    @field_validator("filters")
    @classmethod
    def _filters(cls, value):
        if not value or any(w < 1 or n < 1 for w, n in value):
            raise ConfigError(Errors.E072)
        return value

    @model_validator(mode="after")
    def _cells_hold_the_projection(self):
        # Larger cells are projected down to projection_dim; smaller ones cannot be.
        if self.lstm_size < self.projection_dim:
            raise ConfigError(Errors.E073.format(lstm_size=self.lstm_size,
                                                projection_dim=self.projection_dim))
        return self


class TrainingConfig(Strict):
    """How the biLM is trained."""

    epochs: int = Field(10, ge=1)
    batch_size: int = Field(128, ge=1, description="sentences per batch")
    learning_rate: float = Field(0.002, gt=0, description="Adam's learning rate")
    clip_norm: float = Field(5.0, gt=0, description="gradient norm clipping")
    seed: int = 0
    threads: Optional[int] = Field(None, ge=1, description="torch threads (default: torch's own)")
    patience: int = Field(2, ge=1, description="evaluations without improvement before stopping")
    eval_every: Optional[int] = Field(None, ge=1, description="steps between held-out evaluations "
                                      "(default: once per epoch)")
    checkpoint_every: int = Field(200, ge=1, description="steps between checkpoints")
    max_minutes: Optional[float] = Field(None, gt=0, description="stop (resumably) after this long")


class PretrainConfig(Strict):
    """The ``pretrain:`` section of a pretraining file."""

    output_dir: str = Field(..., description="the biLM folder to write; relative to the YAML file")
    corpus: CorpusConfig = Field(default_factory=CorpusConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)


class PretrainFile(Strict):
    name: Optional[str] = None
    description: Optional[str] = None
    pretrain: PretrainConfig


def load_pretrain_config(path) -> PretrainConfig:
    """Read and validate a pretraining YAML file; paths become absolute.

    Raises
    ------
    ConfigError
        Naming the file and line of every problem.
    """
    raw, lines, file, base = read_document(Path(path), "pretrain")
    problems: list[ConfigError] = []
    parsed = validate_model(PretrainFile, raw, problems, lines=lines, file=file)
    if parsed is None:
        raise_config_errors(problems, file=file)
    config = parsed.pretrain
    config.output_dir = str(_relative_to(base, config.output_dir))
    config.corpus.files = [str(_relative_to(base, f)) for f in config.corpus.files]
    at = ("pretrain", "corpus")
    written = raw["pretrain"].get("corpus", {}).get("files", [])
    for i, (relative, corpus_file) in enumerate(zip(written, config.corpus.files)):
        if not Path(corpus_file).is_file():
            problems.append(ConfigError(
                Errors.E063.format(path=relative, looked=f" (looked for {corpus_file})", hint=""),
                file=file, line=lines.line_of(at + ("files", i))))
    problems += step_problems("tokenize", config.corpus.tokenize, loc=at + ("tokenize",),
                              lines=lines, file=file, where="corpus.tokenize")
    raise_config_errors(problems, file=file)
    return config


def _relative_to(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(base / path))
