"""The words and the table of the report's section on ranks across datasets.

:mod:`.report` renders them into HTML and Markdown, and the terminal shows
the same cells (``textpipe compare``). The statistics are in :mod:`.ranks`.

Examples
--------
>>> from textpipe.compare.ranks import across_datasets
>>> from types import SimpleNamespace as NS
>>> def board(name, scores):
...     return NS(name=name, primary="accuracy", pipelines=[
...         NS(name=p, metrics={"accuracy": {"mean": s}}) for p, s in scores.items()])
>>> result = across_datasets([board("mr", {"x": 0.9, "y": 0.8}),
...                           board("trec", {"x": 0.8, "y": 0.7})])
>>> header, rows = table(result)
>>> header
['#', 'pipeline', 'rank on mr', 'rank on trec', 'average rank', 'Holm p vs best', 'worse than best?']
>>> rows[1]
['2', 'y', '2', '2', '2.00', '0.157', 'no']
"""

from __future__ import annotations

__all__ = ["CAPTION", "SECTION", "cd_caption", "cd_legend", "explain", "friedman_text",
           "table"]

#: The section's heading.
SECTION = "Across datasets: average ranks"

#: The diagram's caption.
CAPTION = "Critical-difference diagram (Nemenyi)"


def _rank(value: float) -> str:
    return f"{value:g}"


def table(result) -> tuple[list[str], list[list[str]]]:
    """Header and rows: each pipeline's rank on each dataset, its average rank, Holm's test.

    Rows are best-ranked first; the best's test cells are ``"—"`` and ``"best"``.
    """
    header = (["#", "pipeline"] + [f"rank on {d}" for d in result.datasets]
              + ["average rank", "Holm p vs best", "worse than best?"])
    rows = []
    for j, name in enumerate(result.pipelines):
        holm = result.holm[j]
        tested = holm["p_holm"] is not None
        rows.append(
            [str(j + 1), name] + [_rank(r) for r in result.ranks[:, j]]
            + [f"{result.average_ranks[j]:.2f}",
               f"{holm['p_holm']:.3g}" if tested else "—",
               ("yes" if holm["significant"] else "no") if tested else "best"])
    return header, rows


def friedman_text(result) -> str:
    """One sentence: the Friedman test and Iman–Davenport's F, and what they say.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from textpipe.compare.ranks import friedman_test
    >>> print(friedman_text(NS(friedman=friedman_test([3.143, 2.0, 2.893, 1.964], 14),
    ...                        alpha=0.05)))
    Friedman test: χ²_F = 9.28 (df 3, p = 0.0257); Iman–Davenport F_F = 3.69 (df 3 and 39, p = 0.0198): the pipelines do not all perform alike (p < 0.05).
    """
    f = result.friedman
    verdict = ("the pipelines do not all perform alike" if f.f_p_value < result.alpha
               else "no evidence that the pipelines differ")
    return (f"Friedman test: χ²_F = {f.chi2:.3g} (df {f.df}, p = {f.chi2_p_value:.3g}); "
            f"Iman–Davenport F_F = {f.f:.3g} (df {f.f_df[0]} and {f.f_df[1]}, "
            f"p = {f.f_p_value:.3g}): {verdict} (p {'<' if f.f_p_value < result.alpha else '≥'} "
            f"{result.alpha:g}).")


def explain(result) -> list[str]:
    """The section's paragraphs: what was ranked, the tests, and the notes."""
    k, n = len(result.pipelines), result.n_datasets
    best = result.pipelines[0]
    every = "both datasets" if n == 2 else f"all {n} datasets"
    return [
        f"The {k} pipelines scored on {every} ({', '.join(result.datasets)}) are "
        f"ranked on each by mean {result.metric} (1 = best; tied pipelines share the average "
        f"of their ranks), then their ranks are averaged over the datasets, as in Demšar "
        f"(2006).",
        friedman_text(result),
        f"Nemenyi's test: two pipelines differ at α = {result.alpha:g} when their average "
        f"ranks are at least CD = q_α·√(k(k+1)/(6N)) = {result.q_alpha:.3f} × "
        f"{result.cd / result.q_alpha:.3f} = {result.cd:.2f} apart. Holm's step-down "
        f"procedure compares each pipeline with the best-ranked one ({best}): "
        f"z = (R_i − R_best)/√(k(k+1)/(6N)), two-sided normal p-values adjusted by Holm; "
        f"'worse than best' means an adjusted p < {result.alpha:g}. The post-hoc tests are "
        f"meant to be read when the Friedman test rejects.",
        *result.notes,
    ]


def cd_caption(result) -> str:
    """The diagram's heading.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cd_caption(NS(alpha=0.05))
    'Critical-difference diagram (Nemenyi, α = 0.05)'
    """
    return f"{CAPTION[:-1]}, α = {result.alpha:g})"


def cd_legend(result) -> str:
    """What the diagram shows, in one sentence under its heading."""
    return (f"Average ranks on {result.metric} over {result.n_datasets} datasets, 1 = best at "
            f"the left; a thick bar joins pipelines whose average ranks are less than "
            f"CD = {result.cd:.2f} apart (not significantly different); the bar at the top "
            f"is as long as CD.")
