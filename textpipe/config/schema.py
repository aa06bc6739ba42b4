"""The shape of a pipeline file: ``data``, ``evaluation`` and ``steps``.

The fixed sections are pydantic models (unknown keys rejected); ``steps`` are
checked against the stage registry by :mod:`textpipe.config.resolve`, since
which parameters a step takes depends on its stage.

A pipeline file::

    name: tfidf_logreg
    data:
      dataset: mr
    evaluation:
      method: cv
      folds: 10
      seed: 0
      metrics: [accuracy, macro_f1]
    steps:
      - tokenize: {backend: regex}
      - tfidf: {ngram_range: [1, 2], sublinear_tf: true}
      - logreg: {C: 4}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..errors import ConfigError, Errors, did_you_mean, quoted_list
from ..evaluation.metrics import METRICS
from .reader import Strict, bundled_dataset

DATA_FORMATS = ("lines", "csv", "tsv", "jsonl", "parquet", "folder")


def _known_metric(name: str) -> str:
    if name not in METRICS:
        raise ConfigError(Errors.E066.format(name=name, hint=did_you_mean(name, METRICS),
                                            allowed=quoted_list(METRICS)))
    return name


class DataConfig(Strict):
    """Where the documents and labels come from."""

    dataset: Optional[str] = Field(None, description="a bundled dataset name, e.g. 'mr' or 'trec'")
    path: Optional[str] = Field(None, description="a file or folder; relative to the YAML file")
    test_path: Optional[str] = Field(None, description="a separate test file of the same format")
    format: Optional[Literal["lines", "csv", "tsv", "jsonl", "parquet", "folder"]] = Field(
        None, description="detected from the extension when not given"
    )
    encoding: str = Field("auto", description="'auto' or a codec name such as 'latin-1'")
    text_column: str = Field("text", description="CSV/TSV column or JSONL field with the text")
    label_column: str = Field("label", description="CSV/TSV column or JSONL field with the label")
    sample: Optional[int] = Field(None, gt=0, description="a stratified subsample of this size")

    @field_validator("dataset")
    @classmethod
    def _bundled_name(cls, value: Optional[str]) -> Optional[str]:
        return value if value is None else bundled_dataset(value, own="'path:'")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.dataset is None) == (self.path is None):
            raise ConfigError(Errors.E070)
        if self.test_path is not None and self.path is None:
            raise ConfigError(Errors.E071)
        return self


class EvaluationConfig(Strict):
    """How the pipeline is scored."""

    method: Literal["auto", "cv", "split", "holdout"] = Field(
        "auto",
        description=(
            "cv: stratified k-fold; split: the data's own train/test split; "
            "holdout: a stratified test fraction; auto: split if the data has one, else cv"
        ),
    )
    folds: int = Field(10, ge=2, description="number of folds for cv")
    test_size: float = Field(0.2, gt=0, lt=1, description="test fraction for holdout")
    seed: int = Field(0, description="seeds the folds and every stage that has a random_state")
    metrics: list[Annotated[str, AfterValidator(_known_metric)]] = Field(
        default_factory=lambda: ["accuracy", "macro_f1"], description="metric names"
    )
    n_jobs: int = Field(1, description="folds fitted in parallel (-1: all cores)")

    @field_validator("n_jobs")
    @classmethod
    def _nonzero_n_jobs(cls, value: int) -> int:
        if value == 0:
            raise ConfigError(Errors.E719.format(got=value))
        return value

    @field_validator("metrics")
    @classmethod
    def _some_metric(cls, value: list[str]) -> list[str]:
        if not value:
            raise ConfigError(Errors.E067)
        return value


class PipelineFile(Strict):
    """A whole pipeline file. ``steps`` is kept raw here and resolved separately."""

    name: Optional[str] = None
    description: Optional[str] = None
    data: Optional[DataConfig] = None
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    steps: Any = None
