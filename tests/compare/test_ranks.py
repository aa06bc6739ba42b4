"""Ranks across datasets: Friedman, Nemenyi, Holm, against published and reference values."""

import json
from types import SimpleNamespace as NS

import numpy as np
import pytest

from textpipe.cli import main
from textpipe.compare import compare
from textpipe.compare.cd_diagram import critical_difference
from textpipe.compare.ranks import (
    across_datasets,
    cd_groups,
    friedman_test,
    holm_versus_best,
    nemenyi_critical_difference,
    nemenyi_p_values,
    rank_scores,
)
from textpipe.compare.report import write_outputs
from textpipe.data import Dataset
from textpipe.errors import DataError

# Demšar (2006), JMLR 7:1-30, Table 6: AUC of C4.5 with its parameters at their defaults,
# with m tuned, with cf tuned, and with both, on 14 UCI data sets (one row per data set:
# adult (sample), breast cancer, breast cancer wisconsin, cmc, ionosphere, iris, liver
# disorders, lung cancer, lymphography, mushroom, primary tumor, rheum, voting, wine).
DEMSAR_NAMES = ["C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"]
DEMSAR_AUC = [
    [0.763, 0.768, 0.771, 0.798], [0.599, 0.591, 0.590, 0.569],
    [0.954, 0.971, 0.968, 0.967], [0.628, 0.661, 0.654, 0.657],
    [0.882, 0.888, 0.886, 0.898], [0.936, 0.931, 0.916, 0.931],
    [0.661, 0.668, 0.609, 0.685], [0.583, 0.583, 0.563, 0.625],
    [0.775, 0.838, 0.866, 0.875], [1.000, 1.000, 1.000, 1.000],
    [0.940, 0.962, 0.965, 0.962], [0.619, 0.666, 0.614, 0.669],
    [0.972, 0.981, 0.975, 0.975], [0.957, 0.978, 0.946, 0.970],
]
VOTING = 12
# The table prints AUCs to three decimals; on 'voting' C4.5+cf and C4.5+m+cf both read
# 0.975, but the paper's ranks (its average ranks 2.893 and 1.964, i.e. rank sums 40.5 and
# 27.5) put C4.5+cf second and C4.5+m+cf third there: the unrounded AUCs differ. Breaking
# that one printed tie the paper's way reproduces its numbers.
DEMSAR_AS_RANKED = [row[:] for row in DEMSAR_AUC]
DEMSAR_AS_RANKED[VOTING][2] = 0.9751


def boards(matrix, names, metric="auc", datasets=None):
    """DatasetResults-like leaderboards, one per row of ``matrix``."""
    datasets = datasets or [f"d{i + 1}" for i in range(len(matrix))]
    return [NS(name=d, primary=metric, pipelines=[
        NS(name=p, metrics={metric: {"mean": v}}) for p, v in zip(names, row)])
        for d, row in zip(datasets, matrix)]


# -- Demšar's worked example (section 3.2.2) ---------------------------------------------


def test_demsar_average_ranks_friedman_and_iman_davenport():
    result = across_datasets(boards(DEMSAR_AS_RANKED, DEMSAR_NAMES), alpha=0.05)
    by_name = dict(zip(result.pipelines, result.average_ranks))
    # Published: 3.143, 2.000, 2.893, 1.964; chi2_F = 9.28, F_F = 3.69.
    assert [round(by_name[n], 3) for n in DEMSAR_NAMES] == [3.143, 2.000, 2.893, 1.964]
    assert round(result.friedman.chi2, 2) == 9.28
    assert round(result.friedman.f, 2) == 3.69
    assert result.friedman.df == 3 and result.friedman.f_df == (3, 39)
    # The paper rejects at 0.05: F_F = 3.69 is above F(3, 39)'s critical value 2.85.
    assert result.friedman.f_p_value < 0.05
    assert result.pipelines == ["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]


def test_demsar_friedman_from_the_published_average_ranks():
    f = friedman_test([3.143, 2.000, 2.893, 1.964], 14)
    assert round(f.chi2, 2) == 9.28 and round(f.f, 2) == 3.69


def test_demsar_nemenyi_critical_difference():
    q, cd = nemenyi_critical_difference(4, 14, alpha=0.05)
    assert round(q, 3) == 2.569          # Table 5(a), k = 4
    assert round(cd, 2) == 1.25          # CD = 2.569 * sqrt(4*5/(6*14)) = 1.25


def test_the_table_as_printed_averages_the_voting_tie():
    # Ties share the average rank: on 'voting', 2.5 each instead of the paper's 2 and 3.
    ranks = rank_scores(DEMSAR_AUC)
    assert ranks[VOTING].tolist() == [4.0, 1.0, 2.5, 2.5]
    assert ranks[9].tolist() == [2.5, 2.5, 2.5, 2.5]      # mushroom: all 1.000
    np.testing.assert_allclose(ranks.mean(axis=0), [44 / 14, 28 / 14, 41 / 14, 27 / 14])


@pytest.mark.parametrize("k, alpha, published", [
    (2, 0.05, 1.960), (3, 0.05, 2.343), (4, 0.05, 2.569), (10, 0.05, 3.164),
    (2, 0.10, 1.645), (4, 0.10, 2.291), (10, 0.10, 2.920),
])
def test_q_alpha_from_scipy_matches_demsar_table_5(k, alpha, published):
    # Table 5(a) of Demšar (2006), printed to three decimals (2.3437 is printed 2.343).
    q, _ = nemenyi_critical_difference(k, 10, alpha)
    assert q == pytest.approx(published, abs=1e-3)


# -- Cross-checked against scikit-posthocs ----------------------------------------------

# Six datasets, four pipelines, one tie (dataset 4: A and B). Reference values computed
# with scikit-posthocs 0.17.1 (scipy 1.17.1, statsmodels 0.15.0) in a throwaway venv:
#   X = np.array(SMALL)
#   sp.posthoc_nemenyi_friedman(X).values
#   sp.posthoc_demsar(X, control=0, p_adjust="holm", to_matrix=False)   # A is best-ranked
#   sp.posthoc_demsar(X, control=0, to_matrix=False)                    # unadjusted
SMALL = [[.81, .79, .80, .70], [.90, .85, .88, .84], [.70, .72, .69, .60],
         [.66, .66, .61, .62], [.95, .91, .93, .90], [.77, .74, .75, .73]]
SP_NEMENYI = [
    [1.0, 0.39863136331743276, 0.3358374139517545, 0.002969436990049812],
    [0.39863136331743276, 1.0, 0.9995003849920175, 0.2276967625814521],
    [0.3358374139517545, 0.9995003849920175, 1.0, 0.2786388753951371],
    [0.002969436990049812, 0.2276967625814521, 0.2786388753951371, 1.0],
]
SP_HOLM_VS_A = [0.187065, 0.187065, 0.001585]          # B, C, D (printed to 6 decimals)
SP_RAW_VS_A = [0.117525, 0.093533, 0.000528]


def test_average_ranks_of_the_small_example_by_hand():
    # By hand: A ranks 1,1,2,1.5,1,1; B 3,3,1,1.5,3,3; C 2,2,3,4,2,2; D 4,4,4,3,4,4.
    np.testing.assert_allclose(rank_scores(SMALL).mean(axis=0),
                               [7.5 / 6, 14.5 / 6, 15 / 6, 23 / 6])


def test_nemenyi_p_values_match_scikit_posthocs():
    average = rank_scores(SMALL).mean(axis=0)
    np.testing.assert_allclose(nemenyi_p_values(average, 6), SP_NEMENYI, rtol=1e-9)


def test_holm_against_the_best_matches_scikit_posthocs():
    rows = holm_versus_best(rank_scores(SMALL).mean(axis=0), 6, alpha=0.05)
    assert rows[0]["p_holm"] is None                        # A is the best-ranked
    assert [round(r["p_value"], 6) for r in rows[1:]] == SP_RAW_VS_A
    assert [round(r["p_holm"], 6) for r in rows[1:]] == SP_HOLM_VS_A
    assert [r["significant"] for r in rows[1:]] == [False, False, True]
    # z of D by hand: (23/6 - 7.5/6) / sqrt(4*5/(6*6)) = 2.5833 / 0.7454 = 3.4657
    assert rows[3]["z"] == pytest.approx((23 / 6 - 7.5 / 6) / np.sqrt(20 / 36))


def test_friedman_of_the_small_example_by_hand():
    # 12N/(k(k+1)) * (sum R^2 - k(k+1)^2/4) = 3.6 * (28.34722 - 25) = 12.05 (Demšar's
    # formula; scipy's friedmanchisquare gives 12.254 as it also corrects for the tie).
    f = friedman_test(rank_scores(SMALL).mean(axis=0), 6)
    assert f.chi2 == pytest.approx(12.05)
    assert f.f == pytest.approx(5 * 12.05 / (6 * 3 - 12.05))


# -- Groups, notes, edge cases ----------------------------------------------------------


def test_cd_groups_join_pipelines_less_than_cd_apart():
    result = across_datasets(boards(DEMSAR_AS_RANKED, DEMSAR_NAMES), alpha=0.10)
    # CD at 0.10 = 2.291 * 0.488 = 1.118: C4.5 (3.143) differs from C4.5+m+cf (1.964) and
    # C4.5+m (2.000); the first three are one group and C4.5+cf joins C4.5.
    assert result.cd == pytest.approx(1.118, abs=1e-3)
    assert [[result.pipelines[j] for j in g] for g in result.groups] == [
        ["C4.5+m+cf", "C4.5+m", "C4.5+cf"], ["C4.5+cf", "C4.5"]]
    assert cd_groups([1.0, 2.0, 3.0], cd=0.5) == []


def test_a_pipeline_missing_on_one_dataset_is_left_out_with_a_note():
    tables = boards([[0.9, 0.8, 0.7], [0.6, 0.7, 0.5]], ["x", "y", "z"], "accuracy",
                    ["mr", "trec"])
    tables[1].pipelines = tables[1].pipelines[:2]                 # z failed on trec
    tables[0].pipelines[1].metrics["accuracy"]["mean"] = 0.8
    result = across_datasets(tables)
    assert result.pipelines == ["x", "y"]
    assert result.left_out == ["z (no accuracy on trec)"]
    assert any("Left out" in n and "z (no accuracy on trec)" in n for n in result.notes)
    assert any("Only 2 datasets" in n for n in result.notes)


def test_a_loss_ranks_the_lowest_first():
    result = across_datasets(boards([[0.3, 0.5], [0.2, 0.4]], ["a", "b"], "log_loss"))
    assert result.pipelines == ["a", "b"] and result.average_ranks.tolist() == [1.0, 2.0]


def test_one_dataset_or_one_common_pipeline_gives_nothing_across():
    assert across_datasets(boards([[0.9, 0.8]], ["a", "b"])) is None
    tables = boards([[0.9, 0.8], [0.7, 0.6]], ["a", "b"])
    tables[1].pipelines = tables[1].pipelines[:1]
    assert across_datasets(tables) is None


def test_perfect_agreement_gives_an_infinite_f_and_a_zero_p():
    f = friedman_test([1.0, 2.0, 3.0], 5)
    assert f.chi2 == pytest.approx(10.0) and f.f == np.inf and f.f_p_value == 0.0


def test_a_score_that_is_not_a_number_is_refused():
    with pytest.raises(DataError, match=r"column\) 2 on dataset \(row\) 1 .*E791"):
        rank_scores([[0.5, np.nan], [0.4, 0.3]])
    with pytest.raises(DataError, match="E790"):
        rank_scores([[0.5], [0.4]])


def test_the_diagram_hangs_each_pipeline_from_its_average_rank():
    result = across_datasets(boards(DEMSAR_AS_RANKED, DEMSAR_NAMES), alpha=0.10)
    fig = critical_difference(result)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "C4.5+m+cf  1.96" in texts and "3.14  C4.5" in texts   # better half on the left
    assert "CD = 1.12 (Nemenyi, α = 0.1)" in texts
    thick = [line for line in fig.axes[0].lines if line.get_linewidth() > 3]
    assert len(thick) == len(result.groups) == 2


# -- In a comparison, the JSON, the report and the terminal ------------------------------


def two_datasets():
    pos = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
    neg = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
    first = Dataset((pos + neg) * 3, (["pos"] * 5 + ["neg"] * 5) * 3, name="first")
    second = Dataset((pos + neg + ["film", "acting"]) * 3,
                     (["pos"] * 5 + ["neg"] * 5 + ["pos", "neg"]) * 3, name="second")
    return [first, second]


EXPERIMENT = {
    "name": "two datasets",
    "evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy"]},
    "pipelines": [
        {"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
        {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]},
        {"name": "chars", "steps": [{"tokenize": {"backend": "char_wb", "ngram_range": [2, 2]}},
                                    "count", "logreg"]},
    ],
}


def test_compare_on_two_datasets_reports_ranks_in_json_and_report(tmp_path):
    results = compare(EXPERIMENT, datasets=two_datasets())
    across = results.across
    expected = rank_scores([[p_mean(d, name) for name in across.pipelines]
                            for d in results.datasets])
    np.testing.assert_array_equal(across.ranks, expected)
    write_outputs(results, tmp_path)
    document = json.loads((tmp_path / "results.json").read_text())
    entry = document["across_datasets"]
    assert entry["datasets"] == ["first", "second"] and entry["n_datasets"] == 2
    assert [p["name"] for p in entry["pipelines"]] == across.pipelines
    assert entry["pipelines"][0]["average_rank"] == pytest.approx(across.average_ranks[0])
    assert entry["friedman"]["chi2"] == pytest.approx(across.friedman.chi2)
    assert (tmp_path / "across-datasets-cd.png").is_file()
    html = (tmp_path / "report.html").read_text()
    assert "Across datasets: average ranks" in html and "rank on second" in html
    assert "Only 2 datasets" in html and "Critical-difference diagram" in html
    markdown = (tmp_path / "report.md").read_text()
    assert "![Critical-difference diagram" in markdown and "(across-datasets-cd.png)" in markdown


def p_mean(data, name):
    return next(p.metrics[data.primary]["mean"] for p in data.pipelines if p.name == name)


def test_one_dataset_has_no_across_section(tmp_path):
    results = compare(EXPERIMENT, datasets=two_datasets()[:1])
    assert results.across is None and results.to_dict()["across_datasets"] is None
    write_outputs(results, tmp_path)
    assert "Across datasets" not in (tmp_path / "report.html").read_text()


def test_the_terminal_shows_average_ranks_after_the_leaderboards(tmp_path, capsys):
    files = []
    for d in two_datasets():
        path = tmp_path / f"{d.name}.txt"
        path.write_text("".join(f"{y} {x}\n" for x, y in zip(d.texts, d.labels)),
                        encoding="utf-8")
        files += ["--data", str(path)]
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(json.dumps(EXPERIMENT), encoding="utf-8")
    assert main(["compare", str(experiment), *files, "--wide"]) == 0
    out = capsys.readouterr().out
    across = out.index("Across 2 datasets")
    assert across > out.index("second.txt") > out.index("first.txt")
    assert "average rank" in out[across:] and "Friedman test" in out[across:]
    assert "Only 2 datasets" in out[across:]


def test_the_average_ranks_table_keeps_long_names_readable_at_80_columns(monkeypatch):
    from rich.console import Console

    from textpipe.cli import compare as cli_compare

    names = ["word2vec_mean_logreg_with_a_long_name", "count_multinomial_nb", "tfidf_logreg"]
    across = across_datasets(boards([[0.70, 0.78, 0.77], [0.72, 0.80, 0.81],
                                     [0.60, 0.90, 0.89]], names, "accuracy"))
    console = Console(width=80, record=True, force_terminal=False)
    monkeypatch.setattr(cli_compare, "console", console)
    cli_compare.print_across(across)
    text = console.export_text()
    table = [line for line in text.splitlines() if not line.startswith("note:")]
    assert max(len(line) for line in table) <= 80
    assert "count_multinomial_nb" in text  # not folded into one letter per line
