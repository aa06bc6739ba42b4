"""Experiment files: the data, one evaluation protocol, and the pipelines to compare.

An experiment lists pipelines (files, or steps written inline) and/or grids
over a base pipeline. Every pipeline it yields is resolved with
:func:`textpipe.config.resolve`, exactly as a pipeline file is, so it is
validated by the same rules and its errors name the file, line, step and
parameter. Everything is checked, and all problems reported together, before
anything runs.

An experiment file::

    name: stemming
    data: {dataset: mr}                    # or a list of data blocks
    evaluation: {method: cv, folds: 5, seed: 0, metrics: [accuracy, macro_f1]}
    pipelines:                             # optional: files or inline steps
      - file: tfidf_logreg.yaml
      - name: nbsvm
        steps: [tokenize, {count: {binary: true}}, nbsvm]
      - file: minilm_logreg.yaml
        optional: true                     # skipped if its model is not installed
    grid:                                  # optional: one grid or a list of grids
      base: [tokenize, stem, tfidf, logreg]     # or a pipeline file
      params:
        stem: [none, stem]                 # a whole step: 'none' leaves it out
        stem.algorithm: [porter, snowball]
        tfidf.ngram_range: [[1, 1], [1, 2]]
      max_variants: 10000                  # optional: the most combinations allowed
    report: {top_features: 20, alpha: 0.05}

Grid keys name a step of the base pipeline by its name there (``tfidf``,
``stem_2`` for a stage used twice). ``step.param`` varies one parameter of
whatever stage fills that step; ``step`` alone swaps the whole step for each
alternative (``none``, a stage name, or ``{stage: {param: value}}``); the
base's own stage named without parameters is the base's step as written there,
parameters included. In a base with a ``union`` step,
``union.BRANCH.STEP.PARAM`` varies a parameter of a step inside one of its
branches (see :mod:`textpipe.compare.union_keys`). Where a
varied parameter does not apply (its step left out, or a stage without that
parameter), the combination goes without it, and combinations that give
identical pipelines are merged. Each variant is named after what differs,
e.g. ``stem.algorithm=porter, tfidf.ngram_range=(1,2)``.

Combinations are counted before any is built (the product of the number of
values of each key): a grid of more than its ``max_variants`` (default
10,000) is refused, with the count, and so are several grids whose total
exceeds the largest ``max_variants`` among them.

Examples
--------
>>> exp = load_experiment({
...     "data": {"dataset": "mr"},
...     "evaluation": {"method": "cv", "folds": 5},
...     "grid": {"base": ["tokenize", "stem", "tfidf", "logreg"],
...              "params": {"stem": ["none", "stem"],
...                         "stem.algorithm": ["porter", "snowball"],
...                         "logreg": ["logreg", "linear_svm"]}}})
>>> [c.name for c in exp.candidates]
['no stem, logreg', 'no stem, linear_svm', 'stem=porter, logreg', 'stem=porter, linear_svm', 'stem=snowball, logreg', 'stem=snowball, linear_svm']
>>> exp.candidates[2].config.steps[1].params
{'algorithm': 'porter', 'language': 'en', 'n_jobs': None}
>>> load_experiment({"grid": {"base": ["tokenize", "tfidf", "logreg"],
...                           "params": {"tfidf.ngram_rang": [[1, 2]]}}})
Traceback (most recent call last):
...
textpipe.errors.ConfigError: 'tfidf' has no parameter 'ngram_rang'. Did you mean 'ngram_range'? Its parameters are: ...
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Optional

import numpy as np
from pydantic import Field, model_validator

from ..config import DataConfig, EvaluationConfig, LineMap, PipelineConfig, to_plain
from ..config.param_names import unknown_parameter
from ..config.reader import Strict, read_document, split_step, validate_model
from ..config.resolve import missing_data_files, resolve
from ..config.schema import PipelineFile
from ..errors import ConfigError, Errors, did_you_mean, quoted_list, raise_config_errors
from ..evaluation.protocol import Plan
from ..registry import get_stage
from .learning import read_train_sizes
from .mistakes import ErrorsConfig, check_pair
from .tree import pipeline_key
from .union_keys import BranchParam, branch_param, is_union

__all__ = ["Candidate", "Experiment", "ReportConfig", "Skipped", "load_experiment"]


class EffectsConfig(Strict):
    """How the effect of each grid choice is measured (``report: {effects: ...}``)."""

    reference: dict[str, Any] = Field(
        default_factory=dict,
        description="per grid key, the value the others are compared with (default: the "
                    "first value listed in the grid)")


class ReportConfig(Strict):
    """What the report shows."""

    top_features: int = Field(
        20, ge=0, description="most informative features per class of linear models (0: none)"
    )
    alpha: float = Field(
        0.05, gt=0, lt=1, description="significance level of the paired tests against the best"
    )
    effects: EffectsConfig = Field(default_factory=EffectsConfig,
                                   description="the effect of each grid choice")
    errors: ErrorsConfig = Field(
        default_factory=ErrorsConfig, description="error analysis: confident errors, a pair's "
        "disagreements (see textpipe.compare.mistakes)")


class _PipelineEntry(Strict):
    name: Optional[str] = None
    description: Optional[str] = None
    file: Optional[str] = None
    steps: Any = None
    optional: bool = Field(
        False, description="skip the pipeline, with a note, if a resource it names is missing")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.file is None) == (self.steps is None):
            raise ConfigError(Errors.E704)
        return self


#: The most combinations a grid may have unless its ``max_variants:`` says otherwise.
MAX_VARIANTS = 10_000


class _GridEntry(Strict):
    name: Optional[str] = None
    base: Any = None
    params: dict[str, Any] = Field(default_factory=dict)
    max_variants: int = Field(MAX_VARIANTS, ge=1, strict=True)

    @model_validator(mode="after")
    def _has_base(self):
        if self.base is None:
            raise ConfigError(Errors.E713)
        return self


class _ExperimentFile(Strict):
    name: Optional[str] = None
    description: Optional[str] = None
    data: Any = None
    evaluation: Any = None
    pipelines: Any = None
    grid: Any = None
    report: Any = None


@dataclass
class Candidate:
    """One pipeline of an experiment.

    Attributes
    ----------
    name : str
        Unique within the experiment; for grid variants, what differs.
    config : PipelineConfig
        The resolved pipeline (the experiment's evaluation and seed).
    origin : str
        Where it comes from, e.g. ``"pipelines[1] (tfidf.yaml)"`` or ``"grid"``.
    choices : dict
        For grid variants, the grid keys and the values chosen (as labels).
    """

    name: str
    config: PipelineConfig
    origin: str
    choices: dict = field(default_factory=dict)


@dataclass
class Skipped:
    """An optional pipeline left out because a resource it names is missing.

    Attributes
    ----------
    name : str
        The pipeline's name, as it would have had in the comparison.
    origin : str
        Where it is listed, e.g. ``"pipelines[3] (elmo.yaml)"``.
    reason : str
        What is missing, where, and how to get it.

    Examples
    --------
    >>> Skipped("elmo", "pipelines[3] (elmo.yaml)", "no biLM").describe()
    "skipped the optional pipeline 'elmo', pipelines[3] (elmo.yaml): no biLM"
    """

    name: str
    origin: str
    reason: str

    def describe(self) -> str:
        """One line saying which pipeline was skipped and why."""
        return f"skipped the optional pipeline '{self.name}', {self.origin}: {self.reason}"

    def to_dict(self) -> dict:
        return {"name": self.name, "origin": self.origin, "reason": self.reason}


@dataclass
class Experiment:
    """A validated experiment: datasets, one protocol, and the pipelines to compare.

    Attributes
    ----------
    candidates : list of Candidate
        Every pipeline, listed ones first, then the grid variants.
    data : list of DataConfig
        The datasets to compare on (empty if the file names none; pass
        paths to :meth:`load_datasets` then).
    evaluation : EvaluationConfig
        The protocol every pipeline is scored by.
    report : ReportConfig
    notes : list of str
        What expansion did that a reader may want to know (merged or skipped
        grid combinations, ignored sections of pipeline files).
    skipped : list of Skipped
        The ``optional: true`` pipelines left out because a resource they name
        (a model package, a model or biLM folder) is missing.
    """

    candidates: list
    evaluation: EvaluationConfig
    data: list = field(default_factory=list)
    report: ReportConfig = field(default_factory=ReportConfig)
    name: str | None = None
    description: str | None = None
    source: str | None = None
    base_dir: Path = field(default_factory=Path.cwd)
    notes: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    train_sizes: Any = None  # learning.TrainSizes: evaluation.train_sizes, if given

    @property
    def title(self) -> str:
        """The experiment's name, or its file's stem."""
        return self.name or (Path(self.source).stem if self.source else "experiment")

    def describe_protocol(self) -> str:
        """The protocol in the words of ``Plan.describe``, before any data is loaded.

        Examples
        --------
        >>> exp = load_experiment({"evaluation": {"method": "auto", "folds": 5},
        ...                        "pipelines": [{"steps": ["tokenize", "count", "logreg"]}]})
        >>> exp.describe_protocol()
        "the data's own train/test split if it has one, else 5-fold stratified cross-validation"
        """
        ev = self.evaluation

        def words(method):  # a Plan's description needs only its method and number of folds
            folds = [None] * (ev.folds if method == "cv" else 1)
            return Plan(method, [], np.empty(0, dtype=object), folds).describe()

        if ev.method == "auto":
            return f"{words('split')} if it has one, else {words('cv')}"
        return words(ev.method)

    def load_datasets(self, paths=None, format=None, columns=None) -> list:
        """Load the experiment's datasets, or the files given instead.

        Parameters
        ----------
        paths : list of str or Path, optional
            Replace the experiment's data (``--data``), relative to the current
            folder. With a single data block in the file, its column names,
            encoding and sample size still apply.
        format : str, optional
            The data format, when the extension does not tell.
        columns : dict, optional
            ``text_column``/``label_column`` for every dataset, instead of those
            of its data block; ``None`` values are ignored.

        Returns
        -------
        list of Dataset
        """
        def holder(data):
            return PipelineConfig(steps=[], evaluation=self.evaluation, data=data,
                                  source=self.source, base_dir=self.base_dir)

        if paths:
            template = self.data[0] if len(self.data) == 1 else None
            return [holder(template).load_data(path, format=format, columns=columns)
                    for path in paths]
        if not self.data:
            raise ConfigError(Errors.E074.format(what="experiment",
                                                 more=", or a list of data blocks"),
                              file=self.source)
        return [holder(data).load_data(columns=columns) for data in self.data]

    def to_dict(self) -> dict:
        """The resolved experiment, every pipeline complete, as plain data."""
        return to_plain({
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "data": [d.model_dump() for d in self.data],
            "evaluation": {**self.evaluation.model_dump(),
                           **({"train_sizes": list(self.train_sizes.sizes)}
                              if self.train_sizes else {})},
            "report": self.report.model_dump(),
            "pipelines": [
                {"name": c.name, "origin": c.origin, "choices": c.choices,
                 "steps": c.config.to_dict()["steps"]}
                for c in self.candidates
            ],
        })


# -- reading -----------------------------------------------------------------------


def load_experiment(source, *, check_data: bool = True) -> Experiment:
    """Read, validate and expand an experiment file.

    Parameters
    ----------
    source : str, Path or mapping
        An experiment YAML file, or its content as a dict (relative paths
        then resolve against the current folder).
    check_data : bool, default=True
        Whether the data files the experiment names must exist (False when
        other data is given instead, as ``--data`` does).

    Returns
    -------
    Experiment

    Raises
    ------
    ConfigError
        Every problem found, each naming the file, line, step and parameter.
    """
    return _Reader(*read_document(source, "experiment"), check_data=check_data).read()


class _Problems:
    """Problems found so far; each reported once, however many variants meet it."""

    def __init__(self):
        self.items: list[ConfigError] = []
        self._seen: set = set()

    def add(self, error: ConfigError, suffix: str = "") -> None:
        for err in getattr(error, "errors", None) or [error]:
            key = (err.file, err.line, err.param, err.message)
            if key in self._seen:
                continue
            self._seen.add(key)
            if suffix:
                err = ConfigError(err.message + suffix, file=err.file, line=err.line,
                                  step=err.step, param=err.param,
                                  missing_resource=err.missing_resource)
            self.items.append(err)

    def raise_if_any(self, file) -> None:
        self.items.sort(key=lambda e: (e.file != file, e.file or "", e.line or 0))
        raise_config_errors(self.items, file=file)


class _Relocated(LineMap):
    """Line numbers of a pipeline written somewhere inside a bigger file.

    ``resolve`` asks for locations such as ``("steps", 2, "stem")``; this maps
    the ``"steps"`` part to where the steps really are (e.g.
    ``("pipelines", 3, "steps")``) in the file's line map.
    """

    def __init__(self, lines: LineMap, steps_at: tuple, fallback: tuple = ()):
        super().__init__()
        self.lines, self.steps_at, self.fallback = lines, steps_at, fallback

    def line_of(self, loc):
        loc = tuple(loc)
        if loc[:1] == ("steps",):
            return self.lines.line_of(self.steps_at + loc[1:])
        return self.lines.line_of(self.fallback)


class _VariantLines(LineMap):
    """Line numbers of a grid variant: each step and parameter where it was written."""

    def __init__(self, step_lines: list[Callable[[tuple], Optional[int]]], fallback):
        super().__init__()
        self.step_lines, self.fallback = step_lines, fallback

    def line_of(self, loc):
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int) \
                and loc[1] < len(self.step_lines):
            return self.step_lines[loc[1]](loc[2:])
        return self.fallback


_REMOVE = object()


class _GridPlan(NamedTuple):
    """A grid checked and counted, ready to expand."""

    grid: _GridEntry
    loc: tuple
    base: PipelineConfig
    base_steps: list
    base_name: str
    base_step_lines: Callable
    axes: list
    bad_keys: bool
    count: int


def value_label(value) -> str:
    """A short label for a parameter value in a variant name.

    Examples
    --------
    >>> value_label((1, 2)), value_label("porter"), value_label(None), value_label(True)
    ('(1,2)', 'porter', 'null', 'true')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(value_label(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return ",".join(f"{k}={value_label(v)}" for k, v in value.items())
    return str(value)


def _step_label(stage: str, params: dict) -> str:
    return f"{stage}({value_label(params)})" if params else stage


class _Reader:
    def __init__(self, raw, lines: LineMap, file, base_dir: Path, *, check_data: bool = True):
        self.raw, self.lines, self.file, self.base_dir = raw, lines, file, base_dir
        self.check_data = check_data
        self.problems = _Problems()
        self.notes: list[str] = []
        self.skipped: list[Skipped] = []

    def problem(self, message, loc=(), *, file=None, lines=None, step=None, param=None):
        lines = lines or self.lines
        self.problems.add(ConfigError(message, file=file or self.file, line=lines.line_of(loc),
                                      step=step, param=param))

    def validate(self, model, value, loc, *, lines=None, file=None):
        """``model`` validated from ``value``, or None after recording its problems.

        ``lines`` and ``file`` are those of another file the value comes from.
        """
        problems: list[ConfigError] = []
        found = validate_model(model, value, problems, at=loc, lines=lines or self.lines,
                               file=file or self.file)
        for problem in problems:
            self.problems.add(problem)
        return found

    # -- the whole file ----------------------------------------------------------------
    def read(self) -> Experiment:
        raw = self.raw
        top = self.validate(_ExperimentFile, raw, ())
        evaluation, train_sizes = read_train_sizes(raw.get("evaluation"), self.problem,
                                                   self.lines.line_of)
        evaluation = self.validate(EvaluationConfig, evaluation, ("evaluation",))
        report = self.validate(ReportConfig, raw.get("report"), ("report",))
        data = self.read_data(raw.get("data"))
        if evaluation is None:  # reported; carry on with the defaults to find more problems
            evaluation = EvaluationConfig()
        self.eval_raw = evaluation.model_dump()

        candidates: list[Candidate] = []
        if raw.get("pipelines") is None and raw.get("grid") is None:
            hint = "" if top is None else " For example:\n  grid: {base: [tokenize, tfidf, " \
                "logreg], params: {tfidf.ngram_range: [[1, 1], [1, 2]]}}"
            self.problem(Errors.E702.format(hint=hint))
        candidates += self.read_pipelines(raw.get("pipelines"))
        candidates += self.read_grids(raw.get("grid"))
        if self.skipped and not candidates:
            self.problem(Errors.E680.format(
                skipped="; ".join(s.describe() for s in self.skipped)), ("pipelines",))
        self.check_names(candidates)
        if report is not None:
            self.check_effect_reference(report.effects, candidates)
        for message, loc in check_pair(report, [c.name for c in candidates],
                                       [s.name for s in self.skipped]):
            self.problem(message, loc)
        self.problems.raise_if_any(self.file)
        return Experiment(
            candidates=candidates, evaluation=evaluation, data=data, report=report,
            name=top.name, description=top.description, source=self.file,
            base_dir=self.base_dir, notes=self.notes, skipped=self.skipped,
            train_sizes=train_sizes and replace(train_sizes, file=self.file),
        )

    def read_data(self, value) -> list:
        if value is None:
            return []
        if isinstance(value, Mapping):
            items = [(value, ("data",))]
        elif isinstance(value, list) and value:
            items = [(v, ("data", i)) for i, v in enumerate(value)]
        else:
            self.problem(Errors.E714.format(got=repr(value)[:60]), ("data",))
            return []
        out = []
        for item, loc in items:
            if not isinstance(item, Mapping):
                self.problem(Errors.E714.format(got=repr(item)[:60]), loc)
                continue
            block = self.validate(DataConfig, item, loc)
            if block is None:
                continue
            out.append(block)
            if self.check_data:
                for problem in missing_data_files(block, self.base_dir, at=loc,
                                                  lines=self.lines, file=self.file):
                    self.problems.add(problem)
        return out

    def resolve(self, raw_steps, lines, file, base_dir, suffix=""):
        try:
            return resolve({"steps": raw_steps, "evaluation": self.eval_raw}, lines=lines,
                           file=file, base_dir=base_dir)
        except ConfigError as exc:
            self.problems.add(exc, suffix)
            return None

    def read_pipeline_file(self, relative, loc):
        path = Path(relative).expanduser()
        path = path if path.is_absolute() else self.base_dir / path
        if not path.is_file():
            self.problem(f"pipeline file '{relative}' not found (looked for {path}).",
                         loc + ("file",) if loc[0] == "pipelines" else loc)
            return None
        try:
            found = read_document(path, "pipeline")
        except ConfigError as exc:
            self.problems.add(exc)
            return None
        # The file's own sections are checked as in a pipeline file (its steps separately).
        sections = {key: value for key, value in found.data.items() if key != "steps"}
        self.validate(PipelineFile, sections, (), lines=found.lines, file=str(path))
        return path, found.data, found.lines

    # -- pipelines: ----------------------------------------------------------------------
    def read_pipelines(self, value) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.problem(Errors.E703.format(got=repr(value)[:60]), ("pipelines",))
            return []
        out, ignored = [], []
        for i, item in enumerate(value):
            loc = ("pipelines", i)
            if not isinstance(item, Mapping):
                self.problem(Errors.E703.format(got=repr(item)[:60]), loc)
                continue
            entry = self.validate(_PipelineEntry, item, loc)
            if entry is None:
                continue
            read = self.read_optional if entry.optional else self.read_entry
            candidate = read(entry, i, ignored)
            if candidate is not None:
                out.append(candidate)
        if ignored:
            self.notes.append(
                f"the 'data' and 'evaluation' sections of {', '.join(ignored)} are ignored: "
                f"the experiment's data and protocol apply to every pipeline.")
        return out

    def read_entry(self, entry: _PipelineEntry, i: int, ignored: list) -> Optional[Candidate]:
        """The pipeline of ``pipelines[i]``, or None after recording its problems."""
        loc = ("pipelines", i)
        if entry.file is not None:
            found = self.read_pipeline_file(entry.file, loc)
            if found is None:
                return None
            path, fraw, flines = found
            cfg = self.resolve(fraw.get("steps"), flines, str(path), path.parent)
            if cfg is None:
                return None
            if "data" in fraw or "evaluation" in fraw:
                ignored.append(entry.file)
            cfg.name, cfg.description = fraw.get("name"), fraw.get("description")
            name = entry.name or cfg.name or path.stem
        else:
            cfg = self.resolve(entry.steps, _Relocated(self.lines, loc + ("steps",), loc),
                               self.file, self.base_dir)
            if cfg is None:
                return None
            name = entry.name or "+".join(step.name for step in cfg.steps)
        cfg.name = name
        cfg.description = entry.description or cfg.description
        return Candidate(name, cfg, _entry_origin(entry, i))

    def read_optional(self, entry: _PipelineEntry, i: int, ignored: list) -> Optional[Candidate]:
        """Like :meth:`read_entry`, but an entry whose only problems are missing resources
        is skipped, with the reasons, instead of being an error."""
        outer, self.problems = self.problems, _Problems()
        try:
            candidate = self.read_entry(entry, i, ignored)
            found = self.problems.items
        finally:
            self.problems = outer
        if found and all(problem.missing_resource for problem in found):
            name = entry.name or (Path(entry.file).stem if entry.file else f"pipelines[{i}]")
            reason = " ".join(str(problem) for problem in found)
            self.skipped.append(Skipped(name, _entry_origin(entry, i), reason))
            return None
        for problem in found:
            self.problems.add(problem)
        return candidate

    # -- grid: ---------------------------------------------------------------------------
    def read_grids(self, value) -> list:
        if value is None:
            return []
        if isinstance(value, Mapping):
            grids = [(value, ("grid",))]
        elif isinstance(value, list) and value and all(isinstance(g, Mapping) for g in value):
            grids = [(g, ("grid", k)) for k, g in enumerate(value)]
        else:
            self.problem(Errors.E711.format(got=repr(value)[:60]), ("grid",))
            return []
        plans = []
        for grid, loc in grids:
            entry = self.validate(_GridEntry, grid, loc)
            plan = None if entry is None else self.plan_grid(entry, loc)
            if plan is not None:
                plans.append(plan)
        if len(plans) > 1:
            total = sum(plan.count for plan in plans)
            limit = max(plan.grid.max_variants for plan in plans)
            if total > limit:
                factors = " + ".join(f"{plan.count:,}" for plan in plans)
                self.problem(Errors.E025.format(count=total, factors=factors, limit=limit),
                             ("grid",))
                return []
        out = []
        for plan in plans:
            out += self.expand(plan, several=len(grids) > 1)
        return out

    def plan_grid(self, grid: _GridEntry, loc: tuple) -> Optional[_GridPlan]:
        """The grid's base and keys, checked, and how many combinations they make.

        The combinations are counted, not listed: a grid with more than its
        ``max_variants`` is reported and gives None.
        """
        found = self.grid_base(grid, loc)
        if found is None:
            return None
        problems_before = len(self.problems.items)
        axes = self.grid_axes(grid, loc, found[0])
        # With bad keys, the good ones are still expanded to find every problem at once.
        bad_keys = len(self.problems.items) > problems_before
        count = math.prod(len(options) for *_, options in axes)
        if count > grid.max_variants:
            varying = [(key, len(options)) for key, *_, options in axes if len(options) > 1]
            factors = " × ".join(f"{n:,} {key}" for key, n in varying[:6])
            factors += " × …" if len(varying) > 6 else ""
            self.problem(Errors.E024.format(count=count, factors=factors,
                                            limit=grid.max_variants), loc + ("params",))
            return None
        return _GridPlan(grid, loc, *found, axes, bad_keys, count)

    def expand(self, plan: _GridPlan, several: bool) -> list:
        """The grid's variants, every combination resolved; none if its keys had problems."""
        grid = plan.grid
        out, skipped, merged = self.grid_variants(grid, plan.loc, plan.axes, plan.base,
                                                  plan.base_steps, plan.base_name,
                                                  plan.base_step_lines)
        if plan.bad_keys:
            return []
        where = f"grid '{grid.name}'" if grid.name else ("a grid" if several else "the grid")
        for why in sorted(skipped):
            self.notes.append(f"{where}: {why}; that value is varied only where it applies.")
        if merged:
            self.notes.append(f"{where}: {merged} combination(s) gave a pipeline identical to "
                              f"another and were merged.")
        return out

    def grid_base(self, grid: _GridEntry, loc: tuple):
        """The base pipeline (inline steps or a file), validated on its own first."""
        if isinstance(grid.base, str):
            found = self.read_pipeline_file(grid.base, loc + ("base",))
            if found is None:
                return None
            path, fraw, flines = found
            raw_steps = fraw.get("steps") if isinstance(fraw, Mapping) else None
            base_name = (fraw.get("name") if isinstance(fraw, Mapping) else None) or path.stem
            base = self.resolve(raw_steps, flines, str(path), path.parent)
            # Variants are reported against the experiment file, at the 'base:' line.
            base_line = self.lines.line_of(loc + ("base",))

            def base_step_lines(j):
                return lambda sub: base_line
        elif isinstance(grid.base, list):
            raw_steps, base_name = grid.base, "base"
            base = self.resolve(raw_steps, _Relocated(self.lines, loc + ("base",), loc),
                                self.file, self.base_dir)

            def base_step_lines(j):
                return lambda sub: self.lines.line_of(loc + ("base", j) + sub)
        else:
            self.problem(Errors.E712.format(got=repr(grid.base)[:60]), loc + ("base",))
            return None
        if base is None:
            return None
        return base, [split_step(item) for item in raw_steps], base_name, base_step_lines

    def grid_axes(self, grid: _GridEntry, loc: tuple, base) -> list:
        """The grid keys as ``(key, step index, param, [(value, line)])``, checked.

        ``param`` is None for a whole-step key, a name for ``step.param``, and a
        :class:`BranchParam` for a key into a union's branch.

        Keys with problems are reported and left out.
        """
        slots = {step.name: j for j, step in enumerate(base.steps)}
        ploc = loc + ("params",)
        axes = []  # (key, slot index, param or None, [(value, line), ...])
        for key, values in grid.params.items():
            kloc = ploc + (key,)
            slot, dot, param = str(key).partition(".")
            if slot not in slots:
                self.problem(Errors.E705.format(key=key, hint=did_you_mean(slot, slots),
                                                allowed=quoted_list(slots)), kloc)
                continue
            if not isinstance(values, list) or not values:
                example = "[value1, value2]" if dot else f"[none, {base.steps[slots[slot]].stage}]"
                self.problem(Errors.E706.format(key=key, example=example,
                                                got=repr(values)[:60]), kloc)
                continue
            options = [(v, self.lines.line_of(kloc + (k,))) for k, v in enumerate(values)]
            if dot and is_union(base.steps[slots[slot]]):  # union.BRANCH.STEP.PARAM
                try:
                    param = branch_param(key, base.steps[slots[slot]], param, values)
                except ConfigError as exc:
                    self.problem(exc.message, kloc)
                    continue
            if not dot:
                parsed = self.whole_step_options(slot, options, kloc)
                if len(parsed) == len(options):
                    axes.append((key, slots[slot], None, parsed))
            else:
                axes.append((key, slots[slot], param, options))
        bad_axes = self.unknown_parameter_axes(axes, base, ploc)
        return [axis for axis in axes if axis[0] not in bad_axes]

    def whole_step_options(self, slot: str, options: list, kloc: tuple) -> list:
        """A whole-step key's values as ``(step or _REMOVE, line)``; bad ones reported, left out."""
        parsed = []
        for k, (v, vline) in enumerate(options):
            if v is None or (isinstance(v, str) and v.lower() == "none"):
                parsed.append((_REMOVE, vline))
                continue
            try:
                step = split_step(v)
            except ConfigError:
                self.problem(Errors.E708.format(slot=slot, got=repr(v)[:60]), kloc + (k,))
                continue
            try:
                get_stage(step[0])
            except ConfigError as exc:
                self.problem(exc.message, kloc + (k,), param=None)
                continue
            parsed.append((step, vline))
        return parsed

    def unknown_parameter_axes(self, axes: list, base, ploc: tuple) -> set:
        """Keys of parameter axes that no stage their step can be accepts (reported)."""
        bad_axes = set()
        for key, j, param, options in axes:
            if param is None or isinstance(param, BranchParam):  # the latter checked already
                continue
            stages = [base.steps[j].stage] + [
                step[0] for a_key, a_j, a_param, a_opts in axes
                if a_j == j and a_param is None for step, _ in a_opts if step is not _REMOVE]
            stages = list(dict.fromkeys(stages))
            known = {s: {p.name: p.default for p in get_stage(s).parameters} for s in stages}
            having = [s for s in stages if param in known[s]]
            kloc = ploc + (key,)
            if not having:
                allowed = list(dict.fromkeys(p for s in stages for p in known[s]))
                if len(stages) == 1:
                    message = unknown_parameter(stages[0], param, allowed)
                else:
                    message = Errors.E709.format(slot=base.steps[j].name, stages=quoted_list(stages),
                                                 param=param, hint=did_you_mean(param, allowed),
                                                 allowed=quoted_list(allowed))
                self.problem(message, kloc)
                bad_axes.add(key)
                continue
            default = known[having[0]][param]
            if isinstance(default, tuple):
                bad = [v for v, _ in options if v is not None and not isinstance(v, (list, tuple))]
                if bad:
                    self.problem(Errors.E707.format(param=param, stage=having[0], key=key,
                                                    default=list(default), got=repr(bad[0])),
                                 kloc, param=param)
                    bad_axes.add(key)
        return bad_axes

    def grid_variants(self, grid, loc, axes, base, base_steps, base_name, base_step_lines):
        """Every combination, resolved like a pipeline file; identical ones merged.

        Returns the candidates, why some values were not applied, and how many
        combinations were merged.
        """
        ploc = loc + ("params",)
        slots = {step.name: j for j, step in enumerate(base.steps)}
        varying = {key for key, _, _, options in axes if len(options) > 1}
        fallback = self.lines.line_of(ploc)
        prefix = f"{grid.name}: " if grid.name else ""
        short = _short_step_names(axes)
        dotted_per_slot = {j: sum(1 for _, a_j, a_param, _ in axes
                                  if a_j == j and a_param is not None) for j in slots.values()}
        out, seen, skipped, merged = [], {}, set(), 0
        for combo in itertools.product(*[options for *_, options in axes]):
            steps, present, labels, parts = _choose_steps(axes, combo, base_steps,
                                                          base_step_lines, short)
            labels, parts, not_applied = _set_parameters(axes, combo, steps, present, labels,
                                                         parts, dotted_per_slot, base)
            skipped |= not_applied
            for key, j, param, _ in axes:  # 'stem' says nothing next to 'stem.algorithm=porter'
                if param is None and parts.get(key) == base_steps[j][0] and any(
                        a_j == j and a_param is not None and a_key in parts
                        for a_key, a_j, a_param, _ in axes):
                    parts.pop(key)
            labels = {key: labels[key] for key, *_ in axes if key in labels}  # file order
            shown = [parts[key] for key, *_ in axes if key in parts and key in varying]
            name = prefix + ", ".join(shown) if shown else (grid.name or base_name)
            kept = [s for s, keep in zip(steps, present) if keep]
            raw_variant = [{stage: params} for stage, params, *_ in kept]
            lines = _VariantLines(_variant_step_lines(kept), fallback)
            cfg = self.resolve(raw_variant, lines, self.file,
                               self.base_dir, suffix=f" (in grid variant '{name}')")
            if cfg is None:
                continue
            key = pipeline_key(cfg.steps)
            if key in seen:
                merged += 1
                continue
            seen[key] = name
            cfg.name = name
            where = "grid" + "".join(f"[{k}]" for k in loc[1:])  # 'grid[1]' in a list of grids
            out.append(Candidate(name, cfg, where + (f" '{grid.name}'" if grid.name else ""),
                                 choices=labels))
        return out, skipped, merged

    def check_effect_reference(self, effects: EffectsConfig, candidates) -> None:
        """Check ``report.effects.reference`` against the grid; store each value as its label."""
        loc = ("report", "effects", "reference")
        levels: dict[str, list] = {}
        for c in candidates:
            for key, label in c.choices.items():
                if label not in levels.setdefault(key, []):
                    levels[key].append(label)
        varied = [key for key, values in levels.items() if len(values) > 1]
        if effects.reference and not levels:
            self.problem(Errors.E782, loc)
        labels = {}
        for key, value in (effects.reference if levels else {}).items():
            if key not in varied:
                self.problem(Errors.E780.format(key=key, hint=did_you_mean(key, varied),
                                                allowed=quoted_list(varied)), loc + (key,))
                continue
            forms = {value_label(value)}
            if value is None or isinstance(value, str):
                forms.add("none" if value is None else value.strip())
            elif isinstance(value, Mapping) and len(value) == 1:
                (stage, params), = value.items()
                forms.add(_step_label(stage, params if isinstance(params, Mapping) else {}))
            found = [label for label in levels[key] if label in forms]
            if not found:
                self.problem(Errors.E781.format(key=key, got=repr(value)[:60],
                                                allowed=quoted_list(levels[key])), loc + (key,))
                continue
            labels[key] = found[0]
        effects.reference = labels

    def check_names(self, candidates) -> None:
        by_name: dict[str, list] = {}
        for c in candidates:
            by_name.setdefault(c.name, []).append(c.origin)
        for name, origins in by_name.items():
            if len(origins) > 1:
                self.problem(Errors.E710.format(n=len(origins), name=name,
                                                where=", ".join(origins)))


def _entry_origin(entry: _PipelineEntry, i: int) -> str:
    return f"pipelines[{i}] ({entry.file})" if entry.file is not None else f"pipelines[{i}]"


def _short_step_names(axes: list) -> dict:
    """How a variant's name shows each whole-step alternative: by its stage, params only if needed.

    Keyed by ``(grid key, stage, value_label(params))``.
    """
    short = {}
    for key, j, param, options in axes:
        if param is None:
            stages = [v[0] for v, _ in options if v is not _REMOVE]
            for value, _ in options:
                if value is not _REMOVE:
                    short[(key, value[0], value_label(value[1]))] = (
                        value[0] if stages.count(value[0]) == 1 else _step_label(*value))
    return short


def _choose_steps(axes, combo, base_steps, base_step_lines, short):
    """Apply a combination's whole-step choices to the base's steps.

    Returns the steps as ``[stage, params, line of, {param: line}]``, which of them are
    present, and per grid key what was chosen (labels) and how the name shows it (parts).
    """
    steps = [[stage, dict(params), base_step_lines(j), {}]
             for j, (stage, params) in enumerate(base_steps)]
    present = [True] * len(steps)
    labels: dict[str, str] = {}  # grid key -> what was chosen
    parts: dict[str, str] = {}   # grid key -> how the name shows it
    for (key, j, param, _), (value, vline) in zip(axes, combo):
        if param is not None:
            continue
        if value is _REMOVE:
            present[j] = False
            labels[key], parts[key] = "none", f"no {key}"
        else:
            stage, params = value
            if params or stage != base_steps[j][0]:  # else: the base's step as written
                steps[j] = [stage, dict(params), (lambda line: lambda sub: line)(vline), {}]
            labels[key] = _step_label(stage, params)
            parts[key] = short[(key, stage, value_label(params))]
    return steps, present, labels, parts


def _set_parameters(axes, combo, steps, present, labels, parts, dotted_per_slot, base):
    """Set a combination's parameter values on the chosen ``steps`` (whose dicts it fills).

    Returns the labels and name parts extended with the parameters, and why some
    values were not applied (a stage the step became has no such parameter).
    """
    labels, parts, skipped = dict(labels), dict(parts), set()
    for (key, j, param, _), (value, vline) in zip(axes, combo):
        if param is None or not present[j]:
            continue
        stage = steps[j][0]
        if isinstance(param, BranchParam):
            if stage != "union":
                skipped.add(f"'{stage}' has no branch '{param.branch}'")
                continue
            steps[j][1] = param.set_in(steps[j][1], value)
            labels[key] = value_label(value)
            parts[key] = f"{key}={labels[key]}"
            continue
        if param not in {p.name for p in get_stage(stage).parameters}:
            skipped.add(f"'{stage}' has no parameter '{param}'")
            continue  # it applies to the other stages this step can be
        steps[j][1][param] = value
        steps[j][3][param] = vline
        labels[key] = value_label(value)
        # 'stem=porter' where that is unambiguous, else 'tfidf.ngram_range=(1,2)'
        named = isinstance(value, str) and dotted_per_slot[j] == 1
        parts[key] = f"{base.steps[j].name if named else key}={labels[key]}"
    return labels, parts, skipped


def _variant_step_lines(kept) -> list:
    """Per kept step, where its settings are written: a grid value's line, else the step's."""
    return [
        (lambda origin, params: lambda sub: params.get(sub[1]) if len(sub) > 1
         and sub[1] in params else origin(sub))(origin, plines)
        for _, _, origin, plines in kept
    ]
