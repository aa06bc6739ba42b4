"""Grid keys that reach into a ``union`` step: ``union.BRANCH.STEP.PARAM``.

A grid key names a step of the base pipeline and one of its parameters
(``tfidf.ngram_range``). A ``union`` step has no parameters of its own worth
varying: its branches' steps do. So a key on a union step goes on with the
branch and the step's name in that branch (named as in the branch's
``Pipeline``: ``tfidf``, ``tokenize_2`` for a stage used twice), e.g.
``union.words.tfidf.ngram_range``; scikit-learn's nested name for the same
parameter of the built pipeline is ``union__words__tfidf__ngram_range``.

Examples
--------
>>> from textpipe.config import load_config
>>> union = load_config({"steps": [{"union": {"branches": {
...     "words": ["tokenize", "tfidf"], "chars": ["tokenize", "count"]}}}, "logreg"]}).steps[0]
>>> where = branch_param("union.words.tfidf.ngram_range", union, "words.tfidf.ngram_range", [])
>>> where
BranchParam(branch='words', index=1, step='tfidf', stage='tfidf', param='ngram_range')
>>> where.set_in(union.params, [1, 2])["branches"]["words"][1]["tfidf"]["ngram_range"]
[1, 2]
>>> branch_param("union.word.tfidf.ngram_range", union, "word.tfidf.ngram_range", [])
Traceback (most recent call last):
...
textpipe.errors.ConfigError: grid key 'union.word.tfidf.ngram_range': the union step 'union' has no branch 'word'. Did you mean 'words'? Its branches are: 'words', 'chars'. [E734]
"""

from __future__ import annotations

from typing import NamedTuple

from ..config.reader import split_step
from ..errors import ConfigError, Errors, did_you_mean, quoted_list
from ..registry import get_stage

__all__ = ["BranchParam", "branch_param", "is_union"]


def is_union(step) -> bool:
    """Whether a resolved step is a ``union`` step (it has branches)."""
    return getattr(step, "branches", None) is not None and step.stage == "union"


class BranchParam(NamedTuple):
    """Where a grid key points inside a union: branch, step (its position and name), parameter."""

    branch: str
    index: int
    step: str
    stage: str
    param: str

    def set_in(self, params: dict, value) -> dict:
        """The union's written params (branches, weights) with this parameter set to ``value``."""
        branches = {name: list(items) for name, items in params["branches"].items()}
        stage, step_params = split_step(branches[self.branch][self.index])
        branches[self.branch][self.index] = {stage: {**step_params, self.param: value}}
        return {**params, "branches": branches}


def branch_param(key: str, union, rest: str, values: list) -> BranchParam:
    """Check the part of ``key`` after the union's name (``rest``) against the union.

    Raises
    ------
    ConfigError
        Without a location (the caller knows it): the key's form, an unknown
        branch, step or parameter, each with what exists; or values that must be
        lists (the parameter's default is a tuple, e.g. ``ngram_range``).
    """
    slot, names = union.name, list(union.branches)
    parts = rest.split(".")
    if len(parts) != 3 or not all(parts):
        first = names[0]
        steps = union.branches[first]
        example = f"{slot}.{first}.{steps[-1].name}.{steps[-1].spec.parameters[0].name}" \
            if steps[-1].spec.parameters else f"{slot}.{first}.STEP.PARAM"
        raise ConfigError(Errors.E733.format(key=key, slot=slot, example=example,
                                             branches=quoted_list(names)))
    branch, step, param = parts
    if branch not in union.branches:
        raise ConfigError(Errors.E734.format(key=key, slot=slot, branch=branch,
                                             hint=did_you_mean(branch, names),
                                             allowed=quoted_list(names)))
    steps = {s.name: k for k, s in enumerate(union.branches[branch])}
    if step not in steps:
        raise ConfigError(Errors.E735.format(key=key, slot=slot, branch=branch, step=step,
                                             hint=did_you_mean(step, steps),
                                             allowed=quoted_list(steps)))
    stage = union.branches[branch][steps[step]].stage
    known = {p.name: p.default for p in get_stage(stage).parameters}
    if param not in known:
        raise ConfigError(Errors.E736.format(key=key, slot=slot, branch=branch, step=step,
                                             stage=stage, param=param,
                                             hint=did_you_mean(param, known),
                                             allowed=quoted_list(known)))
    bad = [v for v in values if v is not None and not isinstance(v, (list, tuple))]
    if isinstance(known[param], tuple) and bad:
        raise ConfigError(Errors.E707.format(param=param, stage=stage, key=key,
                                             default=list(known[param]), got=repr(bad[0])))
    return BranchParam(branch, steps[step], step, stage, param)
