"""The prefix tree: pipelines that begin with the same steps share those steps' work.

Every step of a resolved pipeline gets a *prefix key*: a hash of its stage and
complete parameters together with the key of the step before it. Two pipelines
whose first steps are identical (same stages, same parameters, in the same
order) therefore have the same keys for those steps, and the runner fits each
distinct key once per fold. Pipelines branch where their keys part; a pipeline
ends at the node of its classifier (two identical pipelines end at the same
node and share even that).

Examples
--------
>>> from textpipe.config import load_config
>>> a = load_config({"steps": ["tokenize", {"tfidf": {"ngram_range": [1, 1]}}, "logreg"]})
>>> b = load_config({"steps": ["tokenize", {"tfidf": {"ngram_range": [1, 2]}}, "logreg"]})
>>> c = load_config({"steps": ["tokenize", {"tfidf": {"ngram_range": [1, 2]}}, "linear_svm"]})
>>> tree = PrefixTree.build([a.steps, b.steps, c.steps])
>>> print(tree.describe())
tokenize
  tfidf
    logreg [0]
  tfidf
    logreg [1]
    linear_svm [2]
>>> tree.n_nodes, tree.n_unshared_steps
(6, 9)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..config import to_plain
from ..errors import TextpipeError

ROOT_KEY = "root"


def _same_as_float(constraints, value) -> bool:
    """Whether the integer ``value`` means to a parameter what ``float(value)`` does.

    It does when the parameter's declared constraints (scikit-learn's
    ``_parameter_constraints``) accept both for the same reasons: ``C=1`` and
    ``C=1.0`` are one setting, but ``max_df=1`` (one document) and
    ``max_df=1.0`` (every document) are not. Without constraints, no.
    """
    from ..sklearn_compat import make_constraint

    if not isinstance(constraints, list) or not constraints:
        return False
    try:
        made = [make_constraint(c) for c in constraints]
        return ([c.is_satisfied_by(value) for c in made]
                == [c.is_satisfied_by(float(value)) for c in made])
    except (ValueError, TypeError, OverflowError):
        return False


def _canonical_params(step) -> dict:
    """The step's parameters, numbers written as the parameter reads them.

    An integer, or a float with an integral value, becomes a float wherever the
    parameter reads both alike (see :func:`_same_as_float`), so ``C: 1`` and
    ``C: 1.0`` give one key.
    """
    branches = getattr(step, "branches", None)
    if branches is not None:  # a union: its branches' steps, each canonical
        return {"branches": {name: [[s.stage, s.spec.target, _canonical_params(s),
                                     _resource_fingerprint(s)] for s in steps]
                             for name, steps in branches.items()},
                "weights": to_plain(step.weights)}
    constraints = getattr(step.spec.cls, "_parameter_constraints", {})
    out = {}
    for name, value in to_plain(step.params).items():
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and float(value).is_integer() and _same_as_float(
                constraints.get(name), int(value)):
            value = float(value)
        out[name] = value
    return out


def _resource_fingerprint(step) -> str:
    """What the step's output depends on beyond its parameters (a model's files), or ""."""
    fingerprint = getattr(step.create(), "resource_fingerprint", None)
    if fingerprint is None:
        return ""
    try:
        return fingerprint()
    except TextpipeError:  # a missing model is reported when the step is fitted
        return ""


def step_key(parent_key: str, step) -> str:
    """The prefix key of ``step`` following the prefix ``parent_key``.

    The hash covers the stage's name, the class it builds, every resolved
    parameter and what the stage's ``resource_fingerprint`` says of the files it
    reads (a pretrained model's), so two steps share a key exactly when they
    would be built alike from the same input. Numbers are compared as the parameter reads them:
    ``C: 1`` and ``C: 1.0`` are one setting.

    Examples
    --------
    >>> from textpipe.config import load_config
    >>> def first(params):
    ...     return load_config({"steps": [{"tokenize": params}, "count", "logreg"]}).steps[0]
    >>> step_key(ROOT_KEY, first({})) == step_key(ROOT_KEY, first({"backend": "regex"}))
    True
    >>> step_key(ROOT_KEY, first({})) == step_key(ROOT_KEY, first({"backend": "nltk"}))
    False
    >>> def classifier(params):
    ...     return load_config({"steps": ["tokenize", "count", {"logreg": params}]}).steps[2]
    >>> step_key(ROOT_KEY, classifier({"C": 1})) == step_key(ROOT_KEY, classifier({"C": 1.0}))
    True
    """
    record = [parent_key, step.stage, step.spec.target, _canonical_params(step)]
    resource = _resource_fingerprint(step)
    if resource:  # the files a step reads (a model folder) count as much as its parameters
        record.append(resource)
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def pipeline_key(steps) -> str:
    """The key of a whole pipeline: that of its last step."""
    key = ROOT_KEY
    for step in steps:
        key = step_key(key, step)
    return key


@dataclass(eq=False)
class Node:
    """One step of one or more pipelines, after a given prefix.

    Attributes
    ----------
    key : str
        The prefix key (see :func:`step_key`).
    step : Step or None
        The resolved step; ``None`` for the root (the raw documents).
    children : list of Node
        The steps that follow this prefix in some pipeline, in first-seen order.
    pipelines : list of int
        Indices of the pipelines that end here (only for a classifier node).
    depth : int
        Number of steps from the raw documents (the root has 0).
    """

    key: str
    step: object = None
    children: list = field(default_factory=list)
    pipelines: list = field(default_factory=list)
    depth: int = 0

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self):
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def n_pipeline_leaves(self) -> int:
        """Pipelines ending in this subtree (identical pipelines count separately)."""
        return sum(len(node.pipelines) for node in self.walk())


@dataclass
class PrefixTree:
    """All pipelines of one comparison as a tree of shared prefixes.

    Attributes
    ----------
    root : Node
        The raw documents; its children are the distinct first steps.
    paths : list of list of str
        For each pipeline, the keys of its steps in order.
    """

    root: Node
    paths: list

    @classmethod
    def build(cls, pipelines) -> "PrefixTree":
        """Build the tree from each pipeline's list of resolved steps."""
        root = Node(ROOT_KEY)
        index: dict[str, Node] = {ROOT_KEY: root}
        paths = []
        for i, steps in enumerate(pipelines):
            node, path = root, []
            for step in steps:
                key = step_key(node.key, step)
                child = index.get(key)
                if child is None:
                    child = index[key] = Node(key, step, depth=node.depth + 1)
                    node.children.append(child)
                node = child
                path.append(key)
            node.pipelines.append(i)
            paths.append(path)
        return cls(root, paths)

    @property
    def nodes(self) -> list[Node]:
        """Every node but the root, depth first."""
        return list(self.root.walk())[1:]

    @property
    def n_nodes(self) -> int:
        """Distinct steps to fit per fold."""
        return len(self.nodes)

    @property
    def n_unshared_steps(self) -> int:
        """Steps to fit per fold if every pipeline ran on its own."""
        return sum(len(path) for path in self.paths)

    def trunk(self) -> list[Node]:
        """The nodes every pipeline shares: from the root down to the first branching."""
        out, node = [], self.root
        while len(node.children) == 1 and not node.pipelines:
            node = node.children[0]
            out.append(node)
        return out

    def describe(self) -> str:
        """The tree as indented text, leaves followed by their pipeline indices."""
        lines = []
        for node in self.nodes:
            suffix = f" {node.pipelines}" if node.pipelines else ""
            lines.append("  " * (node.depth - 1) + node.step.name + suffix)
        return "\n".join(lines)
