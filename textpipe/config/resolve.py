"""Validate a pipeline configuration and resolve it into a complete record.

Everything is checked before anything runs: the fixed sections against the
schema, each step's stage against the registry, each parameter name against
the stage's signature, each value against the stage's declared constraints and
its rules between parameters (the same ``check_params`` that ``fit`` calls),
every file or folder a step or the data names, and the chain of data kinds
from raw text to labels. All problems found are reported together, each
naming the file, line, step and parameter.

The resolved configuration has every default filled in, so it is a complete
record of what ran.

Examples
--------
>>> cfg = load_config({"steps": [{"tokenize": None}, {"tfidf": {"ngram_range": [1, 2]}},
...                              {"logreg": {"C": 4}}]})
>>> [step.name for step in cfg.steps]
['tokenize', 'tfidf', 'logreg']
>>> cfg.steps[1].params["ngram_range"]
(1, 2)
>>> load_config({"steps": [{"tokenize": None}, {"stemm": None}, {"logreg": None}]})
Traceback (most recent call last):
...
textpipe.errors.ConfigError: step 2 'stemm': unknown stage 'stemm'. Did you mean 'stem'? Run `textpipe stages` to list the ... available stages. [E004]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..data import bundled_datasets, load_dataset
from ..evaluation.metrics import SCORE_METRICS
from ..errors import (ConfigError, ConfigErrors, Errors, quoted_list,
                      raise_config_errors)
from ..parameters import parameter_problems
from ..registry import (FEATURES, LABELS, TEXT, TOKEN_VECTORS, TOKENS, StageSpec, all_stages,
                        get_stage)
from .param_names import unknown_parameter
from .reader import read_document, split_step, validate_model
from .schema import EvaluationConfig, PipelineFile
from .yamlio import LineMap

__all__ = ["ConfigErrors", "PipelineConfig", "Step", "load_config", "load_pipeline",
           "missing_data_files", "resolve", "resolve_step", "step_problems", "to_plain"]

@dataclass
class Step:
    """One resolved step: its name in the Pipeline, its stage and complete parameters."""

    name: str
    stage: str
    params: dict[str, Any]
    spec: StageSpec = field(repr=False)
    position: int = 0
    loc: tuple = field(default=(), repr=False)
    produces: str = field(default="", repr=False)

    def create(self):
        """A new unfitted estimator for this step."""
        return self.spec.create(**self.params)


#: The ``union`` step: not a registered stage, but steps of its own (its branches).
UNION_SPEC = StageSpec("union", "textpipe.stages.union:BranchUnion", kinds=((TEXT, TOKENS), FEATURES))


@dataclass
class UnionStep(Step):
    """A ``union`` step: named branches of resolved steps, their outputs concatenated.

    ``params`` holds the branches and weights as written in a resolved file
    (``{"branches": {name: [{stage: params}, ...]}, "weights": {...}}``).
    """

    branches: dict = field(default_factory=dict, repr=False)
    weights: dict | None = None

    def create(self):
        """A new unfitted ``FeatureUnion`` (a BranchUnion) of one ``Pipeline`` per branch."""
        from sklearn.pipeline import Pipeline

        parts = [(name, Pipeline([(s.name, s.create()) for s in steps]))
                 for name, steps in self.branches.items()]
        return self.spec.cls(parts, transformer_weights=self.weights)


@dataclass
class PipelineConfig:
    """A validated pipeline file, with every default filled in.

    Attributes
    ----------
    steps : list of Step
        The steps in order, parameters complete.
    data : DataConfig or None
        Where the data comes from, if the file says.
    evaluation : EvaluationConfig
        How to score the pipeline.
    source : str or None
        The file it was read from.
    base_dir : Path
        Folder against which relative data paths resolve.
    """

    steps: list[Step]
    evaluation: EvaluationConfig
    data: DataConfig | None = None
    name: str | None = None
    description: str | None = None
    source: str | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    def build(self):
        """Return an unfitted ``sklearn.pipeline.Pipeline`` of the steps."""
        from sklearn.pipeline import Pipeline

        return Pipeline([(step.name, step.create()) for step in self.steps])

    def data_path(self, relative: str | None) -> Path | None:
        """Resolve a data path from the file against the file's folder."""
        if relative is None:
            return None
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def load_data(self, path=None, test_path=None, format=None, columns=None):
        """Load the dataset the configuration names, or the one given instead.

        Parameters
        ----------
        path, test_path : str or Path, optional
            Override the configuration's data (as ``--data``/``--test-data`` do);
            relative to the current folder. Column names, encoding and sample
            size still come from the configuration.
        format : str, optional
            The data format, when the extension does not tell.
        columns : dict, optional
            ``text_column``/``label_column`` to use instead of the configuration's
            (as ``--text-column``/``--label-column`` do); ``None`` values are ignored.

        Returns
        -------
        Dataset
        """
        data = self.data
        if path is not None:
            source, test = Path(path), None if test_path is None else Path(test_path)
        elif data is None:
            raise ConfigError(Errors.E074.format(what="configuration", more=""),
                              file=self.source)
        else:
            source = data.dataset or self.data_path(data.path)
            test = Path(test_path) if test_path is not None else self.data_path(data.test_path)
        options = {} if data is None else data.model_dump(
            include={"encoding", "text_column", "label_column", "sample"})
        options.update({k: v for k, v in (columns or {}).items() if v is not None})
        fmt = format or (data.format if data is not None and path is None else None)
        return load_dataset(source, format=fmt, test_source=test, seed=self.evaluation.seed,
                            **options)

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain, JSON-safe data."""
        return to_plain(
            {
                "name": self.name,
                "description": self.description,
                "data": None if self.data is None else self.data.model_dump(),
                "evaluation": self.evaluation.model_dump(),
                "steps": [{step.stage: step.params} for step in self.steps],
            }
        )


def to_plain(value: Any) -> Any:
    """Convert tuples, numpy scalars and classes to JSON/YAML-safe values."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return to_plain(value.item())
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


# -- loading -----------------------------------------------------------------


def load_config(source, *, require_classifier: bool = True,
                check_data: bool = True) -> PipelineConfig:
    """Read, validate and resolve a pipeline configuration.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file path, or the configuration as a dict.
    require_classifier : bool, default=True
        Whether the last step must be a classifier.
    check_data : bool, default=True
        Whether the data files the configuration names must exist (False when
        other data is given instead, as ``--data`` does).

    Returns
    -------
    PipelineConfig

    Raises
    ------
    ConfigError
        Naming the file, line, step and parameter of each problem.
    """
    raw, lines, file, base_dir = read_document(source, "pipeline")
    return resolve(raw, lines=lines, file=file, base_dir=base_dir,
                   require_classifier=require_classifier, check_data=check_data)


def load_pipeline(source):
    """Return the unfitted ``sklearn.pipeline.Pipeline`` that a configuration describes.

    The pipeline may end in a classifier, or in features (or texts, or tokens)
    to use inside one's own Pipeline, FeatureUnion or ColumnTransformer.
    ``textpipe run``, ``train`` and ``compare`` need a classifier at the end.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file path, or a dict with at least ``steps``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps named after their stages (a repeated stage gets ``_2``, ``_3``).

    Examples
    --------
    >>> pipe = load_pipeline({"steps": [{"tokenize": None}, {"stem": {"algorithm": "porter"}},
    ...                                 {"count": None}, {"multinomial_nb": None}]})
    >>> pipe.get_params()["stem__algorithm"]
    'porter'
    >>> load_pipeline({"steps": ["tokenize", "tfidf"]}).fit(["a b", "b c"]).transform(["a"]).shape
    (1, 3)
    """
    return load_config(source, require_classifier=False).build()


def resolve(raw: Any, *, lines: LineMap | None = None, file: str | None = None,
            base_dir: Path | None = None, require_classifier: bool = True,
            check_data: bool = True) -> PipelineConfig:
    """Validate raw configuration data (as parsed from YAML) and resolve it."""
    lines = lines or LineMap()
    base_dir = base_dir or Path.cwd()
    problems: list[ConfigError] = []
    top = validate_model(PipelineFile, raw, problems, lines=lines, file=file)
    evaluation = top.evaluation if top else (
        validate_model(EvaluationConfig, raw.get("evaluation"), [], file=file)
        or EvaluationConfig())
    steps = _resolve_steps(raw.get("steps"), lines, file, problems, evaluation.seed,
                           require_classifier, base_dir)
    if top is not None and len(steps) == len(raw.get("steps") or []):
        problems += _metric_problems(steps, top.evaluation, lines, file)
    if top is not None and top.data is not None and check_data:
        problems += missing_data_files(top.data, base_dir, at=("data",), lines=lines, file=file)
    problems.sort(key=lambda e: e.line or 0)
    raise_config_errors(problems, file=file)
    return PipelineConfig(
        steps=steps,
        evaluation=top.evaluation,
        data=top.data,
        name=top.name,
        description=top.description,
        source=file,
        base_dir=base_dir,
    )


# -- steps ---------------------------------------------------------------------


def _resolve_steps(raw_steps, lines, file, problems, seed, require_classifier,
                   base_dir: Path) -> list[Step]:
    if not raw_steps:
        problems.append(ConfigError(Errors.E010, file=file, line=lines.line_of(("steps",))))
        return []
    if not isinstance(raw_steps, list):
        problems.append(ConfigError(Errors.E006.format(got=f"a {type(raw_steps).__name__}"),
                                    file=file, line=lines.line_of(("steps",))))
        return []
    steps: list[Step] = []
    for i, item in enumerate(raw_steps):
        step = resolve_step(item, loc=("steps", i), position=i + 1, lines=lines, file=file,
                            problems=problems, seed=seed, base_dir=base_dir)
        if step is not None:
            steps.append(step)
    _name_repeated_stages(steps)
    if len(steps) == len(raw_steps):
        problems += _chain_problems(steps, lines, file, require_classifier)
    return steps


def resolve_step(item, *, loc: tuple, position: int, lines: LineMap, file, problems: list,
                 seed: int = 0, base_dir: Path | None = None, where: str | None = None):
    """One step, checked and with every default filled in, or None with ``problems`` added.

    Every problem of the step is added: its form, its stage, each unknown or
    bad parameter, each missing file it names, and its rules between
    parameters (the stage's ``check_params``, which ``fit`` runs too).

    Examples
    --------
    >>> problems = []
    >>> resolve_step({"tfidf": {"ngram_range": [2, 1], "min_df": -1}}, loc=("steps", 0),
    ...              position=1, lines=LineMap(), file="p.yaml", problems=problems)
    >>> [e.param for e in problems]
    ['min_df', 'ngram_range']
    """
    def add(message, sub=(), param=None, step=None, missing_resource=False):
        problems.append(ConfigError(message, file=file, line=lines.line_of(loc + sub),
                                    step=step if step is not None else where, param=param,
                                    missing_resource=missing_resource))

    try:
        stage, params = split_step(item)
    except ConfigError as exc:
        add(exc.message, step=where or str(position))
        return None
    where = where or f"{position} '{stage}'"
    if stage == "union" and where == f"{position} 'union'":
        return _resolve_union(params, loc=loc, position=position, lines=lines, file=file,
                              problems=problems, seed=seed, base_dir=base_dir)
    try:
        spec = get_stage(stage)
    except ConfigError as exc:
        add(exc.message)
        return None
    at = (stage,)
    infos = {p.name: p for p in spec.parameters}
    unknown = [name for name in params if name not in infos]
    for name in unknown:
        add(unknown_parameter(stage, name, infos), at + (name,), param=str(name))
    mixed = [name for name, value in params.items() if _mixes_bools_and_strings(value)]
    for name in mixed:
        add("a list of words contains a true/false value. YAML reads unquoted "
            "no/yes/on/off/true/false as booleans: quote them, e.g. [\"not\", \"no\"].",
            at + (name,), param=str(name))
    if unknown or mixed:
        return None
    for name, value in params.items():
        if isinstance(infos[name].default, tuple) and isinstance(value, list):
            params[name] = tuple(value)
    if "random_state" in infos and "random_state" not in params:
        params["random_state"] = seed
    written = dict(params)
    missing = _resolve_paths(spec, params, base_dir or Path.cwd())
    try:
        estimator = spec.create(**params)
    except Exception as exc:  # a stage's constructor should not fail, but plugins may
        add(Errors.E013.format(reason=exc))
        return None
    # A missing file is reported once, here, not again by a rule that reads it.
    found = [e for e in parameter_problems(estimator) if e.param not in missing]
    for name in missing:
        add(Errors.E063.format(path=written[name], looked=f" (looked for {params[name]})",
                               hint=_PATH_HINTS.get(name, "")), at + (name,), param=name,
            missing_resource=name in _RESOURCE_PARAMS)
    for err in found:
        add(getattr(err, "reason", err.message), at + ((err.param,) if err.param in params else ()),
            param=err.param, missing_resource=getattr(err, "missing_resource", False))
    if missing or found:
        return None
    full = estimator.get_params(deep=False)
    resolved = {name: full[name] for name in infos if name in full}
    produces = getattr(estimator, "_output_kind", lambda: spec.produces)()
    return Step(stage, stage, resolved, spec, position=position, loc=loc, produces=produces)


def step_problems(stage: str, params: Mapping, *, loc: tuple, lines: LineMap, file,
                  where: str) -> list[ConfigError]:
    """Every problem of a stage's parameters written outside ``steps:`` (e.g. a corpus's ``tokenize``)."""
    problems: list[ConfigError] = []
    resolve_step({stage: dict(params)}, loc=loc[:-1], position=0, lines=lines, file=file,
                 problems=problems, where=where)
    return problems


def _resolve_union(params: dict, *, loc, position, lines, file, problems, seed, base_dir):
    """The ``union`` step: each branch resolved like a pipeline's steps, or None."""
    where = f"{position} 'union'"

    def add(message, sub=(), param=None, step=where):
        problems.append(ConfigError(message, file=file, line=lines.line_of(loc + ("union",) + sub),
                                    step=step, param=param))

    before = len(problems)
    extra = [k for k in params if k not in ("branches", "weights")]
    if extra:
        add(Errors.E771.format(keys=quoted_list(extra)), (extra[0],))
    raw = params.get("branches")
    if not isinstance(raw, Mapping) or not raw:
        add(Errors.E770.format(got="nothing" if not raw else repr(raw)[:60]), ("branches",),
            param="branches")
        return None
    branches = {}
    for name, items in raw.items():
        at, named = ("branches", name), f"{where}, branch '{name}'"
        if not isinstance(items, list) or not items:
            add(Errors.E772.format(branch=name), at, step=named)
            continue
        branches[str(name)] = _resolve_branch(items, loc + ("union",) + at, named, lines, file,
                                              problems, seed, base_dir)
    weights = _union_weights(params.get("weights"), list(raw), add)
    if len(problems) > before:
        return None
    written = {"branches": {name: [{s.stage: s.params} for s in steps]
                            for name, steps in branches.items()}, "weights": weights}
    return UnionStep("union", "union", written, UNION_SPEC, position=position, loc=loc,
                     produces=FEATURES, branches=branches, weights=weights)


def _resolve_branch(items, loc, where, lines, file, problems, seed, base_dir) -> list[Step]:
    """The steps of one branch, named as in a Pipeline (a repeated stage gets ``_2``)."""
    steps = []
    for j, item in enumerate(items):
        try:
            stage = split_step(item)[0]
        except ConfigError:
            stage = "?"
        step = resolve_step(item, loc=loc + (j,), position=j + 1, lines=lines, file=file,
                            problems=problems, seed=seed, base_dir=base_dir,
                            where=f"{where}, step {j + 1} '{stage}'")
        if step is not None:
            steps.append(step)
    _name_repeated_stages(steps)
    return steps


def _name_repeated_stages(steps: list) -> None:
    """Name each step as a Pipeline does: its stage, with ``_2``, ``_3`` for repeats."""
    seen: dict[str, int] = {}
    for step in steps:
        seen[step.stage] = seen.get(step.stage, 0) + 1
        if seen[step.stage] > 1:
            step.name = f"{step.stage}_{seen[step.stage]}"


def _union_weights(raw, names: list, add) -> dict | None:
    """The union's ``weights`` checked against its branches, or None when not given."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        add(Errors.E776.format(got=repr(raw)[:60]), ("weights",), param="weights")
        return None
    for branch, value in raw.items():
        if branch not in names:
            add(Errors.E774.format(branch=branch, allowed=quoted_list(names)),
                ("weights", branch), param=f"weights.{branch}")
        elif (isinstance(value, bool) or not isinstance(value, (int, float))
              or not math.isfinite(value) or value < 0):
            add(Errors.E775.format(branch=branch, got=repr(value)), ("weights", branch),
                param=f"weights.{branch}")
    return {str(k): float(v) for k, v in raw.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


#: What to do when a file or folder a parameter names is missing.
_PATH_HINTS = {"bilm": Errors.E069}

#: Parameters whose folder is a resource to install or build (a pretrained biLM or
#: model), not a file one writes: when it is missing, the problem is a missing resource.
_RESOURCE_PARAMS = frozenset({"bilm", "model"})


def missing_data_files(data, base_dir: Path, *, at: tuple, lines: LineMap,
                       file) -> list[ConfigError]:
    """A problem for each file of a data block (``path``, ``test_path``) that does not exist.

    Examples
    --------
    >>> from textpipe.config import DataConfig
    >>> [str(e) for e in missing_data_files(DataConfig(path="gone.csv"), Path("/nowhere"),
    ...                                     at=("data",), lines=LineMap(), file="p.yaml")]
    ["p.yaml, parameter 'data.path': 'gone.csv' not found (looked for /nowhere/gone.csv). [E063]"]
    """
    problems = []
    for key in ("path", "test_path"):
        value = getattr(data, key)
        if value is None:
            continue
        path = Path(value).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if not path.exists():
            loc = at + (key,)
            problems.append(ConfigError(
                Errors.E063.format(path=value, looked=f" (looked for {path})", hint=""),
                file=file, line=lines.line_of(loc), param=".".join(map(str, loc))))
    return problems


def _resolve_paths(spec: StageSpec, params: dict, base_dir: Path) -> list[str]:
    """Make the stage's file parameters absolute, relative to the YAML file's folder.

    Stages list such parameters in ``_path_params``; a bundled dataset name
    (allowed where a corpus is expected) and an installed model package
    (``package:NAME``, checked by the stage) are left as they are. Returns the
    names of those whose file or folder does not exist.
    """
    missing = []
    for name in getattr(spec.load(), "_path_params", ()):
        value = params.get(name)
        if (not isinstance(value, str) or value.lower() in bundled_datasets()
                or value.startswith("package:")):
            continue
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = base_dir / path
            params[name] = str(path)
        if not path.exists():
            missing.append(name)
    return missing


def _mixes_bools_and_strings(value) -> bool:
    if not isinstance(value, (list, tuple)):
        return False
    return any(isinstance(v, bool) for v in value) and any(isinstance(v, str) for v in value)


_FIXES = {
    (TEXT, TOKENS): " Add a 'tokenize' step before it.",
    (TOKENS, FEATURES): " Add a vectorizer such as 'tfidf' or an embedding such as 'word2vec' before it.",
    (TEXT, FEATURES): " Add 'tokenize' and a vectorizer such as 'tfidf' before it.",
}


def _kind_names(kinds) -> str:
    return " or ".join(f"'{k}'" for k in kinds)


def _metric_problems(steps: list[Step], evaluation, lines, file) -> list:
    """A metric of class scores the last step cannot give (``log_loss`` without probabilities)."""
    if not steps or not steps[-1].spec.is_classifier:
        return []
    last = steps[-1]
    try:
        estimator = last.create()
    except Exception:  # a bad parameter is reported where the step is checked
        return []
    problems = []
    for metric in evaluation.metrics:
        accepted = SCORE_METRICS.get(metric, ())
        if accepted and not any(hasattr(estimator, method) for method in accepted):
            tunable = hasattr(type(estimator), "predict_proba")  # e.g. sgd, by its loss
            why = "" if not tunable or "loss" not in estimator.get_params() else (
                f" with loss={estimator.get_params()['loss']!r}")
            problems.append(ConfigError(
                Errors.E740.format(metric=metric, stage=last.stage, why=why,
                                   options="logreg, multinomial_nb, complement_nb, or sgd "
                                           "with loss: log_loss"),
                file=file, line=lines.line_of(("evaluation", "metrics")),
                step=f"{last.position} '{last.stage}'"))
    return problems


def _chain_problems(steps: list[Step], lines, file, require_classifier: bool) -> list:
    def problem(message, step):
        return [ConfigError(message, file=file, line=lines.line_of(step.loc),
                            step=f"{step.position} '{step.stage}'")]

    current, before = TEXT, None
    for step in steps:
        spec = step.spec
        if current == LABELS:
            return problem(f"no step can follow a classifier, but '{step.stage}' does; "
                           f"the classifier must be the last step.", step)
        if current == TOKEN_VECTORS:
            return problem(Errors.E064.format(stage=before.stage, nxt=f"'{step.stage}'"), before)
        if current not in spec.consumes:
            fix = next((f for (gets, wants), f in _FIXES.items()
                        if gets == current and wants in spec.consumes), "")
            source = ("the step before it produces" if step.position > 1
                      else "a pipeline starts from raw documents,")
            return problem(Errors.E008.format(stage=step.stage, wants=_kind_names(spec.consumes),
                                              source=source, gets=f"'{current}'", fix=fix), step)
        if isinstance(step, UnionStep):
            found = _branch_problems(step, current, lines, file)
            if found:
                return found
        current, before = step.produces, step
    if require_classifier and current == TOKEN_VECTORS:
        return problem(Errors.E064.format(stage=before.stage, nxt="a classifier"), before)
    if require_classifier and current != LABELS and steps:
        classifiers = [s.name for s in all_stages() if s.is_classifier]
        last = steps[-1]
        return problem(Errors.E009.format(stage=last.stage, gets=f"'{current}'",
                                          fix=f" Add a classifier, one of {quoted_list(classifiers)}."),
                       last)
    return []


def _branch_problems(union: UnionStep, start: str, lines, file) -> list:
    """The chain of data kinds in each branch: from the union's input to features."""
    for name, steps in union.branches.items():
        where = f"{union.position} 'union', branch '{name}'"
        current = start
        for step in steps:
            at = f"{where}, step {step.position} '{step.stage}'"
            if current not in step.spec.consumes:
                fix = next((f for (gets, wants), f in _FIXES.items()
                            if gets == current and wants in step.spec.consumes), "")
                source = ("the step before it produces" if step.position > 1
                          else "the union's input is")
                return [ConfigError(Errors.E008.format(
                    stage=step.stage, wants=_kind_names(step.spec.consumes), source=source,
                    gets=f"'{current}'", fix=fix), file=file, line=lines.line_of(step.loc),
                    step=at)]
            current = step.produces
        if current != FEATURES:
            return [ConfigError(Errors.E773.format(branch=name, gets=f"'{current}'"), file=file,
                                line=lines.line_of(steps[-1].loc), step=where)]
    return []
