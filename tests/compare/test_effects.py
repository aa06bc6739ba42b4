"""The effect of each grid choice, interactions, and Holm-adjusted p-values against the best.

Expected values are worked by hand in the comments (3 folds of 20 training and 10 test
documents: the Nadeau–Bengio factor is 1/3 + 10/20 = 5/6). For 2 degrees of freedom the t
distribution has a closed form, two-sided p = 1 − t / sqrt(t² + 2), and for 1 degree of
freedom p = 1 − (2/π) · atan(t); the 97.5% quantiles are 4.302653 (2 df) and 12.706205 (1 df).
"""

import json
import math
from types import SimpleNamespace

import pytest

from textpipe.compare import compare, load_experiment
from textpipe.compare.effects import describe, factor_effects, section
from textpipe.compare.report import write_outputs
from textpipe.compare.stats import holm
from textpipe.data import Dataset
from textpipe.errors import ConfigError

SIZES = {"n_train": 20, "n_test": 10}
T975_2DF, T975_1DF = 4.302653, 12.706205


def pipe(name, choices, folds, origin="grid"):
    return SimpleNamespace(name=name, origin=origin, choices=choices,
                           metrics={"accuracy": {"mean": sum(folds) / len(folds),
                                                 "folds": folds}})


# A 2 × 2 grid over three folds:        fold 1  fold 2  fold 3
TWO_BY_TWO = [
    pipe("a0 b0", {"A": "a0", "B": "b0"}, [0.70, 0.72, 0.74]),
    pipe("a0 b1", {"A": "a0", "B": "b1"}, [0.71, 0.73, 0.75]),
    pipe("a1 b0", {"A": "a1", "B": "b0"}, [0.72, 0.75, 0.75]),
    pipe("a1 b1", {"A": "a1", "B": "b1"}, [0.74, 0.77, 0.78]),
]


def by(found, factor, level):
    return next(e for e in found["effects"] if (e["factor"], e["level"]) == (factor, level))


# -- Holm -----------------------------------------------------------------------------------


def test_holm_matches_the_hand_worked_step_down():
    # m = 4; sorted: 0.005 (4th), 0.01 (1st), 0.03 (3rd), 0.04 (2nd)
    #   0.005 · 4 = 0.02
    #   0.01  · 3 = 0.03 → max(0.02, 0.03) = 0.03
    #   0.03  · 2 = 0.06 → max(0.03, 0.06) = 0.06
    #   0.04  · 1 = 0.04 → max(0.06, 0.04) = 0.06 (monotone: never below an earlier one)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_leaves_a_single_test_alone():
    assert holm([0.5, 0.6]) == [1.0, 1.0]            # 2 · 0.5 = 1.0; 0.6 · 1 < 1.0 → 1.0
    assert holm([0.2]) == [0.2]
    assert holm([1e-30, 0.3]) == pytest.approx([2e-30, 0.3])  # tiny p-values are not rounded


# -- effects over folds -------------------------------------------------------------------


def test_an_effect_averages_the_paired_differences_per_fold_then_tests_over_folds():
    found = factor_effects(TWO_BY_TWO, "accuracy", folds=3, **SIZES)
    a = by(found, "A", "a1")
    # b0: a1 − a0 = [0.02, 0.03, 0.01]; b1: [0.03, 0.04, 0.03]
    # per fold D = [0.025, 0.035, 0.020], mean 0.08/3 = 0.026667
    # var(D, ddof=1) = (0.001667² + 0.008333² + 0.006667²) / 2 = 5.8333e-5
    # se = sqrt(5/6 · 5.8333e-5) = 0.0069722; t = 3.8247; p = 1 − t / sqrt(t² + 2) = 0.06206
    assert (a["reference"], a["n_settings"], a["n_folds"]) == ("a0", 2, 3)
    assert a["difference"] == pytest.approx(0.08 / 3)
    se = math.sqrt(5 / 6 * 5.8333333e-5)
    t = (0.08 / 3) / se
    assert t == pytest.approx(3.8247, abs=1e-4)
    assert a["p_value"] == pytest.approx(1 - t / math.sqrt(t * t + 2), rel=1e-6)
    assert a["p_value"] == pytest.approx(0.06206, abs=1e-5)
    assert a["ci"] == pytest.approx([0.08 / 3 - T975_2DF * se, 0.08 / 3 + T975_2DF * se],
                                    rel=1e-5)
    assert a["pairs"] == [["a1 b0", "a0 b0"], ["a1 b1", "a0 b1"]]
    # B: a0: [0.01, 0.01, 0.01]; a1: [0.02, 0.02, 0.03] → D = [0.015, 0.015, 0.02]
    assert by(found, "B", "b1")["difference"] == pytest.approx(0.05 / 3)


def test_the_two_way_table_and_the_interaction_contrast_of_two_factors():
    found = factor_effects(TWO_BY_TWO, "accuracy", folds=3, **SIZES)
    top = found["interactions"][0]
    # a1b1 − a1b0 − a0b1 + a0b0 per fold = [0.01, 0.01, 0.02], mean 0.04/3
    assert top["factors"] == ["A", "B"] and top["levels"] == ["a1", "b1"]
    assert top["contrast"] == pytest.approx(0.04 / 3)
    assert (top["n_settings"], top["n_folds"]) == (1, 3)
    table = found["table"]
    assert table["rows"] == {"factor": "A", "levels": ["a0", "a1"]}
    # cell means over the folds: a1 b1 = (0.74 + 0.77 + 0.78) / 3
    assert sum(table["means"], []) == pytest.approx([0.72, 0.73, 0.74, 2.29 / 3])
    assert table["pipelines"] == [[1, 1], [1, 1]]


def test_the_pair_of_factors_that_interacts_most_is_reported():
    # y = 0.7 + 0.01·A + 0.02·B + 0.03·C + 0.05·B·C + 0.01·A·B (+ a fold offset): the B × C
    # contrast is 0.05, the A × B one 0.01, the A × C one 0.
    pipes = []
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                y = 0.7 + 0.01 * a + 0.02 * b + 0.03 * c + 0.05 * b * c + 0.01 * a * b
                pipes.append(pipe(f"{a}{b}{c}", {"A": f"a{a}", "B": f"b{b}", "C": f"c{c}"},
                                  [y, y + 0.01, y - 0.02]))
    found = factor_effects(pipes, "accuracy", folds=3, **SIZES)
    contrasts = {tuple(x["factors"]): x["contrast"] for x in found["interactions"]}
    assert contrasts == pytest.approx({("B", "C"): 0.05, ("A", "B"): 0.01, ("A", "C"): 0.0})
    assert found["interactions"][0]["factors"] == ["B", "C"]
    assert found["table"]["rows"]["factor"] == "B"
    # each B × C cell averages the two pipelines of A; b1c1: 0.7+0.02+0.03+0.05 + 0.005 + 0.005
    assert found["table"]["means"][1][1] == pytest.approx(0.81 - 1 / 300)
    assert found["table"]["pipelines"] == [[2, 2], [2, 2]]
    # with A at both levels: the effect of C is 0.03 + 0.05 · (mean of B) = 0.055
    assert by(found, "C", "c1")["difference"] == pytest.approx(0.055)
    assert by(found, "C", "c1")["n_settings"] == 4


def test_a_single_split_tests_the_per_setting_differences():
    pipes = [pipe(n, c, [f]) for n, c, f in [
        ("a0 b0", {"A": "a0", "B": "b0"}, 0.70), ("a0 b1", {"A": "a0", "B": "b1"}, 0.71),
        ("a1 b0", {"A": "a1", "B": "b0"}, 0.72), ("a1 b1", {"A": "a1", "B": "b1"}, 0.75)]]
    found = factor_effects(pipes, "accuracy", folds=1, n_train=80, n_test=20)
    a = by(found, "A", "a1")
    # d = [0.02, 0.04]: mean 0.03, sd 0.014142, se 0.01, t = 3 with 1 df
    # p = 1 − (2/π) · atan(3) = 0.20483; CI 0.03 ± 12.706205 · 0.01
    assert a["difference"] == pytest.approx(0.03)
    assert a["p_value"] == pytest.approx(1 - 2 / math.pi * math.atan(3), rel=1e-6)
    assert a["ci"] == pytest.approx([0.03 - T975_1DF * 0.01, 0.03 + T975_1DF * 0.01], rel=1e-5)
    assert (a["test"], a["n_settings"], a["n_folds"]) == ("t over settings", 2, 1)
    assert "single split" in found["method"] and "per-setting differences" in found["method"]
    assert describe(a, found) == ("A=a1 vs a0: +3.0 points [−9.7, +15.7] over 2 paired "
                                  "settings (one split)")


def test_a_user_reference_turns_the_comparison_around():
    found = factor_effects(TWO_BY_TWO, "accuracy", folds=3, reference={"A": "a1"}, **SIZES)
    a = by(found, "A", "a0")
    assert a["reference"] == "a1"
    assert a["difference"] == pytest.approx(-0.08 / 3)
    assert [e["level"] for e in found["effects"] if e["factor"] == "A"] == ["a0"]


# -- grids where a choice does not always apply ----------------------------------------------


def nested_experiment():
    return load_experiment({"grid": {"base": ["tokenize", "stem", "tfidf", "logreg"],
                                     "params": {"stem": ["none", "stem"],
                                                "stem.algorithm": ["porter", "snowball"]}}})


def test_only_pipelines_that_exist_and_differ_are_paired():
    exp = nested_experiment()
    # The grid merges 'no stem' × {porter, snowball} into one pipeline, whose choices say
    # nothing of the algorithm: it pairs with both stemmers; the algorithm pairs once.
    assert [c.choices for c in exp.candidates] == [
        {"stem": "none"}, {"stem": "stem", "stem.algorithm": "porter"},
        {"stem": "stem", "stem.algorithm": "snowball"}]
    scores = [[0.70, 0.71, 0.72], [0.72, 0.72, 0.75], [0.73, 0.74, 0.74]]
    pipes = [pipe(c.name, c.choices, s, origin=c.origin) for c, s in zip(exp.candidates, scores)]
    found = factor_effects(pipes, "accuracy", folds=3, **SIZES)
    stem = by(found, "stem", "stem")
    assert stem["pairs"] == [["stem=porter", "no stem"], ["stem=snowball", "no stem"]]
    # per fold: mean of (0.02, 0.03), (0.01, 0.03), (0.03, 0.02) = 0.025, 0.02, 0.025
    assert stem["difference"] == pytest.approx(0.07 / 3)
    algorithm = by(found, "stem.algorithm", "snowball")
    assert algorithm["pairs"] == [["stem=snowball", "stem=porter"]]
    assert algorithm["difference"] == pytest.approx(0.02 / 3)
    assert found["interactions"] == [] and found["table"] is None  # nested, not crossed


def test_listed_pipelines_and_separate_grids_are_not_mixed():
    exp = load_experiment({
        "pipelines": [{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]}],
        "grid": [{"base": ["tokenize", "stem", "tfidf", "logreg"],
                  "params": {"stem": ["none", "stem"]}},
                 {"base": ["tokenize", "tfidf", "logreg"],
                  "params": {"tfidf.ngram_range": [[1, 1], [1, 2]]}}]})
    assert [c.origin for c in exp.candidates] == ["pipelines[0]", "grid[0]", "grid[0]",
                                                  "grid[1]", "grid[1]"]
    pipes = [pipe(c.name, c.choices, [0.7 + 0.01 * k, 0.7, 0.7], origin=c.origin)
             for k, c in enumerate(exp.candidates)]
    found = factor_effects(pipes, "accuracy", folds=3, **SIZES)
    assert [(e["grid"], e["factor"], e["n_settings"]) for e in found["effects"]] == [
        ("grid[0]", "stem", 1), ("grid[1]", "tfidf.ngram_range", 1)]
    assert describe(found["effects"][1], found).startswith(
        "grid[1]: tfidf.ngram_range=(1,2) vs (1,1): +0.3 points")


def test_no_grid_means_no_effects():
    assert factor_effects([pipe("a", {}, [0.7, 0.7], origin="pipelines[0]")], "accuracy",
                          folds=2, **SIZES) is None


# -- the reference in the experiment file --------------------------------------------------


GRID = """\
evaluation: {method: cv, folds: 3}
grid:
  base: [tokenize, stem, tfidf, logreg]
  params:
    stem: [none, stem, lemmatize]
    tfidf.ngram_range: [[1, 1], [1, 2]]
report:
  effects:
    reference: {REFERENCE}
"""


def experiment_file(tmp_path, reference):
    path = tmp_path / "exp.yaml"
    path.write_text(GRID.replace("{REFERENCE}", reference), encoding="utf-8")
    return path


@pytest.mark.parametrize("written, key, label", [
    ("{stem: lemmatize}", "stem", "lemmatize"),
    ("{stem: none}", "stem", "none"),
    ("{stem: null}", "stem", "none"),
    ("{tfidf.ngram_range: [1, 2]}", "tfidf.ngram_range", "(1,2)"),
    ("{tfidf.ngram_range: '(1,2)'}", "tfidf.ngram_range", "(1,2)"),
])
def test_the_reference_is_written_as_in_the_grid_and_kept_as_its_label(tmp_path, written, key,
                                                                         label):
    exp = load_experiment(experiment_file(tmp_path, written))
    assert exp.report.effects.reference == {key: label}


def test_a_reference_for_a_key_the_grid_does_not_vary_names_the_file_line_and_keys(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_experiment(experiment_file(tmp_path, "{stemm: none}"))
    text = str(err.value)
    assert "exp.yaml, line 9" in text
    assert "'stemm'" in text and "Did you mean 'stem'" in text
    assert "'stem', 'tfidf.ngram_range'" in text


def test_a_reference_value_the_grid_does_not_list_names_the_values(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_experiment(experiment_file(tmp_path, "{stem: porter}"))
    text = str(err.value)
    assert "exp.yaml, line 9" in text
    assert "'stem' the value 'porter'" in text and "'none', 'stem', 'lemmatize'" in text


def test_a_reference_without_a_grid_is_an_error(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("pipelines:\n  - steps: [tokenize, tfidf, logreg]\n"
                    "report: {effects: {reference: {stem: none}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="has no grid"):
        load_experiment(path)


# -- through a real comparison ---------------------------------------------------------------


def tiny_data():
    pos = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good",
           "fun good times", "great great fun", "lovely acting"]
    neg = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad",
           "bad bad acting", "awful mess", "dull dull film"]
    return Dataset((pos + neg) * 2, (["pos"] * 8 + ["neg"] * 8) * 2, name="tiny")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = compare({
        "evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy"]},
        "grid": {"base": ["tokenize", "count", "multinomial_nb"],
                 "params": {"count.binary": [False, True],
                            "multinomial_nb": ["multinomial_nb", "logreg"]}},
        "report": {"top_features": 0, "effects": {"reference": {"multinomial_nb": "logreg"}}},
    }, datasets=[tiny_data()])
    out = tmp_path_factory.mktemp("report")
    write_outputs(results, out)
    return results, out


def test_results_json_holds_the_effects_of_a_real_2x2_comparison(run):
    results, out = run
    document = json.loads((out / "results.json").read_text())
    found = document["datasets"][0]["factor_effects"]
    pipelines = {p["name"]: p for p in document["datasets"][0]["pipelines"]}
    assert [(e["factor"], e["level"], e["reference"]) for e in found["effects"]] == [
        ("count.binary", "true", "false"), ("multinomial_nb", "multinomial_nb", "logreg")]
    for effect in found["effects"]:
        assert (effect["n_settings"], effect["n_folds"]) == (2, 3)
        differences = [a - b for level, ref in effect["pairs"]
                       for a, b in zip(pipelines[level]["metrics"]["accuracy"]["folds"],
                                       pipelines[ref]["metrics"]["accuracy"]["folds"])]
        assert effect["difference"] == pytest.approx(sum(differences) / 6)
    assert found["interactions"][0]["factors"] == ["count.binary", "multinomial_nb"]
    assert len(found["table"]["means"]) == 2


def test_the_leaderboard_adjusts_its_p_values_by_holm(run):
    results, out = run
    document = json.loads((out / "results.json").read_text())
    tested = [p["vs_best"] for p in document["datasets"][0]["pipelines"][1:]]
    assert [t["p_holm"] for t in tested] == pytest.approx(holm([t["p_value"] for t in tested]))
    assert all(t["significant"] == (t["p_holm"] < 0.05) for t in tested)
    assert all(t["p_holm"] >= t["p_value"] for t in tested)


def test_the_report_shows_the_effects_table_the_forest_plot_and_the_holm_column(run):
    results, out = run
    markdown = (out / "report.md").read_text()
    assert "### Effect of each choice" in markdown
    assert "| count.binary | true vs false |" in markdown
    assert "![Effect of each choice" in markdown and (out / "1-tiny-effects.png").is_file()
    assert "p (Holm)" in markdown and "Holm-adjusted p < 0.05" in markdown
    html = (out / "report.html").read_text()
    assert "Effect of each choice" in html and "paired settings × folds" in html
    blocks = section(results.datasets[0].factor_effects)
    assert [b[0] for b in blocks] == ["text", "table", "text", "text", "table"]


def test_a_holdout_comparison_reports_per_setting_differences_and_says_so():
    results = compare({
        "evaluation": {"method": "holdout", "test_size": 0.5, "metrics": ["log_loss"]},
        "grid": {"base": ["tokenize", "tfidf", "logreg"],
                 "params": {"tfidf.ngram_range": [[1, 1], [1, 2]], "logreg.C": [0.1, 10]}},
        "report": {"top_features": 0}}, datasets=[tiny_data()])
    found = results.datasets[0].factor_effects
    scores = {p.name: p.metrics["log_loss"]["mean"] for p in results.datasets[0].pipelines}
    c = by(found, "logreg.C", "10")
    assert (c["test"], c["n_settings"], c["n_folds"]) == ("t over settings", 2, 1)
    assert c["difference"] == pytest.approx(sum(scores[a] - scores[b] for a, b in c["pairs"]) / 2)
    blocks = section(found)
    assert "lower is better" in blocks[0][1] and "single split" in blocks[0][1]
    assert blocks[1][1][2] == "Δ log_loss" and blocks[1][1][5] == "paired settings (one split)"
