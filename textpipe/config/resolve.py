"""Validate a pipeline configuration and resolve it into a complete record.

Everything is checked before anything runs: the fixed sections against the
schema, each step's stage against the registry, each parameter name against
the stage's signature, each value against the stage's declared constraints,
and the chain of data kinds from raw text to labels. All problems found are
reported together, each naming the file, line, step and parameter.

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
textpipe.errors.ConfigError: step 2 'stemm': unknown stage 'stemm'. Did you mean 'stem'? Run `textpipe stages` to list the ... available stages.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..errors import ConfigError, Errors, did_you_mean, quoted_list
from ..registry import FEATURES, LABELS, TEXT, TOKENS, StageSpec, all_stages, get_stage
from .schema import DataConfig, EvaluationConfig, PipelineFile
from .kinds import file_kind, wrong_kind_message
from .yamlio import LineMap, read_source


class ConfigErrors(ConfigError):
    """Several configuration problems, reported at once. ``errors`` lists them."""

    def __init__(self, errors: list[ConfigError], file=None):
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} problems in the configuration:\n{lines}", file=None)
        self.file = None if file is None else str(file)


@dataclass
class Step:
    """One resolved step: its name in the Pipeline, its stage and complete parameters."""

    name: str
    stage: str
    params: dict[str, Any]
    spec: StageSpec = field(repr=False)
    position: int = 0
    loc: tuple = field(default=(), repr=False)

    def create(self):
        """A new unfitted estimator for this step."""
        return self.spec.create(**self.params)


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

    def load_data(self, path=None, test_path=None, format=None):
        """Load the dataset the configuration names, or the one given instead.

        Parameters
        ----------
        path, test_path : str or Path, optional
            Override the configuration's data (as ``--data``/``--test-data`` do);
            relative to the current folder. Column names, encoding and sample
            size still come from the configuration.
        format : str, optional
            The data format, when the extension does not tell.

        Returns
        -------
        Dataset
        """
        from ..data import load_dataset

        data = self.data
        if path is not None:
            source, test = Path(path), None if test_path is None else Path(test_path)
        elif data is None:
            raise ConfigError(
                "the configuration names no data: add a 'data:' section "
                "(e.g. 'data: {dataset: mr}') or pass --data PATH.", file=self.source)
        else:
            source = data.dataset or self.data_path(data.path)
            test = Path(test_path) if test_path is not None else self.data_path(data.test_path)
        options = {} if data is None else data.model_dump(
            include={"encoding", "text_column", "label_column", "sample"})
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


def load_config(source, *, require_classifier: bool = True) -> PipelineConfig:
    """Read, validate and resolve a pipeline configuration.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file path, or the configuration as a dict.
    require_classifier : bool, default=True
        Whether the last step must be a classifier.

    Returns
    -------
    PipelineConfig

    Raises
    ------
    ConfigError
        Naming the file, line, step and parameter of each problem.
    """
    raw, lines, file, base_dir = read_source(source)
    kind = file_kind(raw)
    if kind != "pipeline":  # an experiment or pretraining file given to the wrong command
        raise ConfigError(wrong_kind_message(kind), file=file)
    return resolve(raw, lines=lines, file=file, base_dir=base_dir,
                   require_classifier=require_classifier)


def load_pipeline(source):
    """Return the unfitted ``sklearn.pipeline.Pipeline`` that a configuration describes.

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
    """
    return load_config(source).build()


def resolve(raw: Any, *, lines: LineMap | None = None, file: str | None = None,
            base_dir: Path | None = None, require_classifier: bool = True) -> PipelineConfig:
    """Validate raw configuration data (as parsed from YAML) and resolve it."""
    lines = lines or LineMap()
    problems: list[ConfigError] = []

    def problem(message, loc=(), step=None, param=None):
        problems.append(
            ConfigError(message, file=file, line=lines.line_of(loc), step=step, param=param)
        )

    if not isinstance(raw, Mapping):
        kind = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise ConfigError(Errors.E003.format(kind=kind), file=file)

    top = None
    try:
        top = PipelineFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problem(_pydantic_message(err, loc), loc)

    evaluation = top.evaluation if top else _safe(EvaluationConfig, raw.get("evaluation"))
    steps = _resolve_steps(raw.get("steps"), lines, problem, evaluation, require_classifier,
                           base_dir or Path.cwd())

    if problems:
        raise problems[0] if len(problems) == 1 else ConfigErrors(problems, file=file)
    return PipelineConfig(
        steps=steps,
        evaluation=top.evaluation,
        data=top.data,
        name=top.name,
        description=top.description,
        source=file,
        base_dir=base_dir or Path.cwd(),
    )


def _safe(model, value):
    try:
        return model.model_validate(value or {})
    except ValidationError:
        return model()


_SECTION_MODELS = {"data": DataConfig, "evaluation": EvaluationConfig, None: PipelineFile}


def _pydantic_message(err: dict, loc: tuple) -> str:
    if err["type"] == "extra_forbidden":
        section = loc[0] if len(loc) > 1 else None
        model = _SECTION_MODELS.get(section, PipelineFile)
        allowed = list(model.model_fields)
        return Errors.E011.format(key=loc[-1], hint=did_you_mean(loc[-1], allowed),
                                  allowed=quoted_list(allowed))
    where = ".".join(str(p) for p in loc)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "literal_error":
        message += f" (got {err['input']!r})"
    return f"'{where}': {message}" if where else message


# -- steps ---------------------------------------------------------------------


def _split_step(item) -> tuple[str, Any] | None:
    if isinstance(item, str):
        return item, None
    if isinstance(item, Mapping) and len(item) == 1:
        ((stage, params),) = item.items()
        return stage, params
    return None


def _resolve_steps(raw_steps, lines, problem, evaluation, require_classifier,
                   base_dir: Path) -> list[Step]:
    if not raw_steps:
        problem(Errors.E010, ("steps",))
        return []
    if not isinstance(raw_steps, list):
        problem(Errors.E006.format(got=f"a {type(raw_steps).__name__}"), ("steps",))
        return []

    steps: list[Step] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw_steps):
        pos = i + 1
        split = _split_step(item)
        if split is None:
            problem(Errors.E006.format(got=repr(item)[:60]), ("steps", i), step=str(pos))
            continue
        stage, params = split
        where = f"{pos} '{stage}'"
        try:
            spec = get_stage(stage)
        except ConfigError as exc:
            problem(exc.message, ("steps", i), step=where)
            continue
        if params is None:
            params = {}
        if not isinstance(params, Mapping):
            problem(Errors.E012.format(stage=stage, got=repr(params)[:60]), ("steps", i, stage),
                    step=where)
            continue
        resolved = _resolve_params(spec, dict(params), ("steps", i, stage), where, problem,
                                   evaluation, base_dir)
        if resolved is None:
            continue
        seen[stage] = seen.get(stage, 0) + 1
        name = stage if seen[stage] == 1 else f"{stage}_{seen[stage]}"
        steps.append(Step(name, stage, resolved, spec, position=pos, loc=("steps", i)))

    if len(steps) == len(raw_steps):
        _check_chain(steps, problem, require_classifier)
    return steps


def _resolve_params(spec, params, loc, where, problem, evaluation, base_dir) -> dict | None:
    infos = {p.name: p for p in spec.parameters}
    ok = True
    for name in params:
        if name not in infos:
            problem(
                Errors.E005.format(stage=spec.name, param=name, hint=did_you_mean(name, infos),
                                   allowed=quoted_list(infos)),
                loc + (name,), step=where, param=str(name),
            )
            ok = False
    if not ok:
        return None

    for name, value in params.items():
        default = infos[name].default
        if isinstance(default, tuple) and isinstance(value, list):
            params[name] = tuple(value)
        if _mixes_bools_and_strings(value):
            problem(
                "a list of words contains a true/false value. YAML reads unquoted "
                "no/yes/on/off/true/false as booleans: quote them, e.g. [\"not\", \"no\"].",
                loc + (name,), step=where, param=str(name),
            )
            ok = False
    if not ok:
        return None
    if "random_state" in infos and "random_state" not in params:
        params["random_state"] = evaluation.seed
    _resolve_paths(spec, params, base_dir)

    try:
        estimator = spec.create(**params)
    except Exception as exc:  # a stage's constructor should not fail, but plugins may
        problem(Errors.E013.format(reason=exc), loc, step=where)
        return None
    try:
        spec.check_params(estimator)
    except (ValueError, TypeError) as exc:
        pname = _param_in_message(str(exc))
        hint = _value_hint(spec, pname, params.get(pname))
        problem(_clean_sklearn_message(str(exc)) + hint,
                loc + ((pname,) if pname else ()), step=where, param=pname)
        return None
    full = estimator.get_params(deep=False)
    return {name: full[name] for name in infos if name in full}


def _resolve_paths(spec: StageSpec, params: dict, base_dir: Path) -> None:
    """Make the stage's file parameters absolute, relative to the YAML file's folder.

    Stages list such parameters in ``_path_params``; a bundled dataset name
    (allowed where a corpus is expected) is left as it is.
    """
    from ..data import bundled_datasets

    for name in getattr(spec.load(), "_path_params", ()):
        value = params.get(name)
        if not isinstance(value, str) or value.lower() in bundled_datasets():
            continue
        path = Path(value).expanduser()
        if not path.is_absolute():
            params[name] = str(base_dir / path)


def _mixes_bools_and_strings(value) -> bool:
    if not isinstance(value, (list, tuple)):
        return False
    return any(isinstance(v, bool) for v in value) and any(isinstance(v, str) for v in value)


def _param_in_message(message: str) -> str | None:
    m = re.search(r"The '(\w+)' parameter", message)
    return m.group(1) if m else None


def _clean_sklearn_message(message: str) -> str:
    # "The 'C' parameter of LogisticRegression must be ..." -> "must be ..."
    return re.sub(r"^The '\w+' parameter of \w+ ", "", message)


def _value_hint(spec: StageSpec, pname: str | None, value) -> str:
    if not pname or not isinstance(value, str):
        return ""
    constraints = getattr(spec.load(), "_parameter_constraints", {}).get(pname, [])
    options = [o for c in constraints for o in getattr(c, "options", ()) if isinstance(o, str)]
    return did_you_mean(value, options)


_FIXES = {
    (TEXT, TOKENS): " Add a 'tokenize' step before it.",
    (TOKENS, FEATURES): " Add a vectorizer such as 'tfidf' or an embedding such as 'word2vec' before it.",
    (TEXT, FEATURES): " Add 'tokenize' and a vectorizer such as 'tfidf' before it.",
}


def _kind_names(kinds) -> str:
    return " or ".join(f"'{k}'" for k in kinds)


def _check_chain(steps: list[Step], problem, require_classifier: bool) -> None:
    current = TEXT
    for step in steps:
        spec = step.spec
        where = f"{step.position} '{step.stage}'"
        if current == LABELS:
            problem(f"no step can follow a classifier, but '{step.stage}' does; "
                    f"the classifier must be the last step.", step.loc, step=where)
            return
        if current not in spec.consumes:
            fix = next((f for (gets, wants), f in _FIXES.items()
                        if gets == current and wants in spec.consumes), "")
            source = ("the step before it produces" if step.position > 1
                      else "a pipeline starts from raw documents,")
            problem(Errors.E008.format(stage=step.stage, wants=_kind_names(spec.consumes),
                                       source=source, gets=f"'{current}'", fix=fix),
                    step.loc, step=where)
            return
        current = spec.produces
    if require_classifier and current != LABELS and steps:
        classifiers = [s.name for s in all_stages() if s.is_classifier]
        last = steps[-1]
        problem(Errors.E009.format(stage=last.stage, gets=f"'{current}'",
                                   fix=f" Add a classifier, one of {quoted_list(classifiers)}."),
                last.loc, step=f"{last.position} '{last.stage}'")
