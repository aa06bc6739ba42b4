import numpy as np
import pytest

from textpipe.config import EvaluationConfig
from textpipe.data import Dataset
from textpipe.errors import DataError
from textpipe.evaluation import plan_evaluation


def toy(n_per_class=10, with_test=False):
    texts = [f"doc {i}" for i in range(2 * n_per_class)]
    labels = ["a", "b"] * n_per_class
    if with_test:
        return Dataset(texts, labels, test_texts=["t1", "t2"], test_labels=["a", "b"])
    return Dataset(texts, labels)


def test_cv_folds_partition_the_data_and_are_stratified():
    plan = plan_evaluation(toy(), EvaluationConfig(method="cv", folds=5, seed=0))
    tested = np.concatenate([f.test for f in plan.folds])
    assert sorted(tested.tolist()) == list(range(20))
    for fold in plan.folds:
        assert set(plan.labels[fold.test].tolist()) == {"a", "b"}
        assert not set(fold.train) & set(fold.test)


def test_same_seed_gives_identical_folds_and_other_seed_differs():
    a = plan_evaluation(toy(), EvaluationConfig(method="cv", folds=5, seed=1))
    b = plan_evaluation(toy(), EvaluationConfig(method="cv", folds=5, seed=1))
    c = plan_evaluation(toy(), EvaluationConfig(method="cv", folds=5, seed=2))
    assert all(np.array_equal(x.test, y.test) for x, y in zip(a.folds, b.folds))
    assert not all(np.array_equal(x.test, y.test) for x, y in zip(a.folds, c.folds))


def test_auto_uses_the_given_split_when_there_is_one():
    plan = plan_evaluation(toy(with_test=True), EvaluationConfig())
    assert plan.method == "split" and len(plan.folds) == 1
    assert [plan.texts[i] for i in plan.folds[0].test] == ["t1", "t2"]


def test_auto_uses_cv_without_a_split():
    assert plan_evaluation(toy(), EvaluationConfig(folds=2)).method == "cv"


def test_holdout_takes_the_test_fraction():
    plan = plan_evaluation(toy(), EvaluationConfig(method="holdout", test_size=0.2))
    assert len(plan.folds[0].test) == 4


def test_split_without_test_part_is_explained():
    with pytest.raises(DataError, match="test part"):
        plan_evaluation(toy(), EvaluationConfig(method="split"))


def test_too_few_examples_per_class_for_the_folds_is_explained():
    with pytest.raises(DataError, match="at least 10 documents of every class, but class 'a' "
                                        "has 3"):
        plan_evaluation(toy(n_per_class=3), EvaluationConfig(method="cv", folds=10))


@pytest.mark.parametrize("label, shown", [("\u200b", r"'\u200b'"), ("nan", "'nan'"),
                                          (" ", "' '")])
@pytest.mark.parametrize("evaluation", [EvaluationConfig(method="cv", folds=3),
                                        EvaluationConfig(method="holdout")])
def test_a_class_too_small_for_the_protocol_is_named_with_its_first_document(
        label, shown, evaluation):
    data = Dataset(["a1", "b1", "odd one", "a2", "b2", "a3", "b3"],
                   ["a", "b", label, "a", "b", "a", "b"])
    with pytest.raises(DataError) as info:
        plan_evaluation(data, evaluation)
    message = str(info.value)
    assert f"class {shown} has 1 (document 3 of the training data: 'odd one')" in message


def test_single_class_training_data_is_rejected_clearly():
    data = Dataset(["x", "y", "z"], ["a", "a", "a"])
    with pytest.raises(DataError, match="only one class"):
        plan_evaluation(data, EvaluationConfig(method="cv", folds=2))
