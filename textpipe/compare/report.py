"""Write a comparison's results: JSON, CSV, the resolved config, an HTML and a Markdown report.

:func:`write_outputs` fills a folder with

- ``results.json``: everything (scores per fold, intervals, tests, times,
  memory, top features, data fingerprint, versions, machine, seed);
- ``results.csv``: one row per dataset, pipeline and metric;
- ``experiment.yaml``: the resolved experiment, every pipeline complete;
- ``report.html``: self-contained (plots embedded as PNG), for a browser;
- ``report.md`` and the PNG files it shows, next to it.

With two datasets or more, the reports open with the pipelines' ranks across
them: Friedman's test, Nemenyi's and Holm's post-hoc tests and the
critical-difference diagram (:mod:`.ranks`).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from textpipe.compare import compare
>>> from textpipe.data import Dataset
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 3,
...                ["pos", "pos", "neg", "neg"] * 3)
>>> results = compare({"evaluation": {"method": "cv", "folds": 3},
...                    "pipelines": [{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
...                                  {"name": "lr", "steps": ["tokenize", "count", "logreg"]}]},
...                   datasets=[data])
>>> out = Path(tempfile.mkdtemp())
>>> paths = write_outputs(results, out)
>>> sorted(p.name for p in paths if p.suffix != ".png")
['experiment.yaml', 'report.html', 'report.md', 'results.csv', 'results.json']
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from pathlib import Path

import yaml

from ..evaluation.intervals import BOOTSTRAP_RESAMPLES
from ..paths import Output, atomic_file, check_paths, write_text
from . import learning, mistakes, plots, ranks_report
from .cd_diagram import critical_difference
from .effects import section as effects_section

__all__ = ["LEADERBOARD_COLUMNS", "REPORT_FILES", "check_destinations", "leaderboard_rows",
           "write_json", "write_outputs"]


#: The files :func:`write_outputs` writes in the report folder, besides the plots.
REPORT_FILES = ("results.json", "results.csv", "experiment.yaml", "report.html", "report.md")


def check_destinations(out=None, json_out=None, *, name: str = "report", cache=None,
                       overwrite: bool = False, inputs=()) -> None:
    """Check, before a run, that the report folder, the JSON file and the cache can be written.

    Nothing is created: a run that then fails leaves no empty folder behind. The
    rules are those of :func:`textpipe.paths.check_paths`: an existing
    ``results.json``, or a folder already holding a report, is replaced only with
    ``overwrite``; no output may be an input.

    Parameters
    ----------
    out : str or Path, optional
        The report folder (``--out``): an existing folder, or one that can be
        created.
    json_out : str or Path, optional
        The JSON file (``--json``); ``"-"`` is standard output.
    name : str, default="report"
        The experiment's name, for the example in a message.
    cache : str or Path, optional
        The cache folder (``--cache``); its entries are reused, never replaced.
    overwrite : bool, default=False
        Whether an existing report or JSON file may be replaced (``--overwrite``).
    inputs : iterable of textpipe.paths.Input
        What the run reads (the experiment file, the data).

    Raises
    ------
    ConfigError
        Naming the option, the path and what to give instead.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_destinations(out=f"{folder}/new/report", json_out="-")
    >>> check_destinations(json_out=folder)
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: option '--json': '...' is a folder, so results.json cannot ...
    """
    check_paths(outputs=[
        Output(out, "--out", what="the report", folder=True, files=REPORT_FILES,
               overwrite=overwrite, example=f"runs/{_slug(name)}"),
        Output(json_out, "--json", what="results.json", overwrite=overwrite, stdout=True,
               example=None if json_out is None else Path(json_out) / "results.json"),
        Output(cache, "--cache", what="the cache", folder=True, overwrite=True),
    ], inputs=inputs)


def write_json(results, destination, option: str | None = None) -> Path:
    """Write ``results.to_dict()`` as indented JSON, atomically."""
    return write_text(destination, json.dumps(results.to_dict(), indent=2) + "\n", option)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "data"


def _ci(m, digits: int = 4) -> str:
    return "—" if not m["ci"] else f"[{m['ci'][0]:.{digits}f}, {m['ci'][1]:.{digits}f}]"


def _mean_std(m, digits: int = 4) -> str:
    return f"{m['mean']:.{digits}f}" + ("" if m["std"] is None else f" ± {m['std']:.{digits}f}")


#: Column key → its header in the report; the terminal leaderboard picks and renames columns.
LEADERBOARD_COLUMNS = {
    "rank": "rank", "pipeline": "pipeline", "mean": "mean ± std", "ci": "95% CI",
    "delta": "Δ vs best", "p": "p", "p_holm": "p (Holm)", "verdict": "significantly worse?",
    "fit": "fit s/fold",
    "predict": "predict s/fold", "peak": "peak MB",
}


def leaderboard_rows(data, digits: int = 4) -> list[dict]:
    """The leaderboard of one dataset as text, a dict per pipeline keyed as LEADERBOARD_COLUMNS.

    The report and the terminal (``textpipe compare``) both show these cells.

    Parameters
    ----------
    data : DatasetResults
    digits : int, default=4
        Decimals of scores.

    Returns
    -------
    list of dict
        Best first; the best's ``delta`` and ``p`` are ``"—"`` and its
        ``verdict`` is ``"best"``.
    """
    rows = []
    best = data.best.metrics[data.primary]["mean"]
    for p in data.pipelines:
        m = p.metrics[data.primary]
        tested = p.vs_best is not None
        rows.append({
            "rank": str(p.rank), "pipeline": p.name, "mean": _mean_std(m, digits),
            "ci": _ci(m, digits),
            "delta": f"{m['mean'] - best:+.{digits}f}" if tested else "—",
            "p": f"{p.vs_best['p_value']:.3g}" if tested else "—",
            "p_holm": f"{p.vs_best['p_holm']:.3g}" if tested else "—",
            "verdict": ("yes" if p.vs_best["significant"] else "no") if tested else "best",
            "fit": f"{p.fit_seconds:.2f}", "predict": f"{p.predict_seconds:.2f}",
            "peak": f"{p.peak_memory_mb:.0f}",
        })
    return rows


def leaderboard_headers(data, columns: dict[str, str] = LEADERBOARD_COLUMNS) -> dict[str, str]:
    """``columns`` as headers for ``data``: on a single split, one score and no spread.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> leaderboard_headers(SimpleNamespace(protocol={"folds": 1}))["mean"]
    'score'
    """
    if data.protocol["folds"] > 1:
        return dict(columns)
    renamed = {"mean": "score", "ci": "95% interval", "fit": "fit s", "predict": "predict s"}
    return {k: renamed.get(k, v) for k, v in columns.items()}


def _leaderboard_table(data) -> tuple[list[str], list[list[str]]]:
    rows = leaderboard_rows(data)
    return list(leaderboard_headers(data).values()), [[row[k] for k in LEADERBOARD_COLUMNS]
                                                      for row in rows]


def _other_metrics(data):
    """Header and rows of the metrics that do not rank the pipelines, or None."""
    others = [m for m in data.pipelines[0].metrics if m != data.primary]
    if not others:
        return None
    ci = "95% CI" if data.protocol["folds"] > 1 else "95% interval"
    header = ["rank", "pipeline"] + [f"{m} ({ci})" for m in others]
    rows = [[str(p.rank), p.name] + [f"{_mean_std(p.metrics[m])} {_ci(p.metrics[m])}"
                                     for m in others] for p in data.pipelines]
    return header, rows


def _data_text(data) -> str:
    """What was evaluated, e.g. '3 pipelines; 60 documents, 3 folds of 40 to train ...'."""
    d, protocol = data.data, data.protocol
    if protocol["method"] == "split":
        sizes = (f"{d['n_train']} training and {d['n_test']} test documents (the data's own "
                 f"split)")
    elif protocol["method"] == "cv":
        sizes = (f"{d['n_train']} documents in {protocol['folds']} folds, each training on "
                 f"about {protocol['train_per_fold']:.0f} and testing on about "
                 f"{protocol['test_per_fold']:.0f}")
    else:
        sizes = (f"{d['n_train']} documents, {protocol['train_per_fold']:.0f} to train and "
                 f"{protocol['test_per_fold']:.0f} held out to test")
    return f"{len(data.pipelines)} pipelines; {sizes}; {len(d['classes'])} classes."


def _figures(results, data):
    single = data.protocol["folds"] == 1
    figures = [
        ("scores", "Scores with their 95% intervals" if single
         else "Scores with 95% confidence intervals", plots.scores(data)),
        *([] if single else [("folds", "Per-fold scores", plots.folds(data))]),
        ("time", "Fit time against score", plots.time_vs_score(data)),
        ("confusion", f"Confusion matrix of the best pipeline ({data.best.name})",
         plots.confusion(data)),
    ]
    if data.factor_effects and data.factor_effects["effects"]:  # next to its table
        figures.insert(0, ("effects", "Effect of each choice (mean paired difference, 95% "
                           "interval)", plots.effects(data.factor_effects, data.protocol["alpha"])))
    if data.learning_curve:
        figures.append(("learning", f"Learning curves ({data.learning_curve['metric']} against "
                        "training documents)", learning.figure(data.learning_curve)))
    linear = next((p for p in data.pipelines if p.top_features), None)
    if linear is not None:
        figures.append(("features", f"Most informative features: {linear.name} "
                        f"(the best-ranked linear model, rank {linear.rank})",
                        plots.top_features(linear, results.report["top_features"],
                                           data.data.get("label_names"))))
    return figures, linear


_HOLM = ("'significantly worse' means a Holm-adjusted p < {alpha:g}: the {m} p-values of the "
         "comparisons with the best are adjusted together (Holm's step-down method), so the "
         "chance that any pipeline as good as the best is called worse stays below {alpha:g}; "
         "'p' is each test's own p-value, 'p (Holm)' the adjusted one.")


def _explain(data) -> str:
    protocol = data.protocol
    alpha = protocol["alpha"]
    if protocol["folds"] > 1:
        return (
            f"{protocol['description'].capitalize()} (seed {protocol['seed']}), identical "
            f"folds for every pipeline. Mean ± sample standard deviation over folds; the 95% "
            f"interval uses the t distribution with the Nadeau–Bengio variance correction "
            f"(1/k + n_test/n_train), since folds share training data. Each pipeline is "
            f"compared with the best by the corrected resampled t-test on "
            f"{data.primary}; {_HOLM.format(alpha=alpha, m=len(data.pipelines) - 1)}")
    return (
        f"{protocol['description'].capitalize()}: one score per pipeline. The 95% interval is "
        f"Wilson's interval of accuracy over the {protocol['test_per_fold']:.0f} test "
        f"documents, and for other metrics a percentile bootstrap over them "
        f"({BOOTSTRAP_RESAMPLES} resamples, seed {protocol['seed']}). Each pipeline is compared with the best by "
        f"McNemar's test on the test documents exactly one of them gets right (exact "
        f"binomial below 25 such documents), whatever the ranking metric; "
        f"{_HOLM.format(alpha=alpha, m=len(data.pipelines) - 1)}")


def _sharing_text(data) -> str:
    s = data.sharing
    text = (f"Shared prefixes: {s['steps_fitted']} step fits instead of "
            f"{s['steps_without_sharing']} without sharing")
    if s["cache_hits"]:
        text += f"; {s['cache_hits']} steps came from the on-disk cache"
    return text + "."


def _environment_lines(results) -> list[str]:
    env = results.environment
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    machine = env["machine"]
    return [
        f"Seed: {env['seed']}; run {env['backend']} with n_jobs={env['n_jobs']}; "
        f"wall time {results.wall_seconds:.1f} s; finished {env['finished']}.",
        f"Machine: {machine['platform']}, {machine['processor']}, {machine['cpu_count']} CPUs, "
        f"Python {machine['python']}.",
        f"Versions: {versions}.",
    ]


# -- HTML --------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ddd}
h3{font-size:1.05em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:right;vertical-align:top}
th{background:#f3f5f8}td.name{text-align:left;max-width:32em}
tr.best td{font-weight:600}tr.worse td{color:#777}
img{max-width:100%;border:1px solid #eee;margin:.4em 0}
.note{color:#555;font-size:.9em}pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:.8em}
code{font-size:.9em}
"""


def _html_table(header, rows, classes=None, names=(1,)) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
    for k, row in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        cells = "".join(
            f'<td class="name">{html.escape(c)}</td>' if j in names
            else f"<td>{html.escape(c)}</td>"
            for j, c in enumerate(row))
        out.append(f"<tr{cls}>{cells}</tr>")
    return "\n".join(out + ["</table>"])


def _features_table(summary, n: int, names=None) -> tuple[list[str], list[list[str]]]:
    classes = list(summary.top_features)
    sides = plots.weight_sides(summary.top_features, names)
    header = ["#"] + [plots.class_title(c, names) + ("" if len(classes) != 2
                                                      else f" ({sides[c][0]})")
                      for c in classes]
    rows = []
    for i in range(n):
        row = [str(i + 1)]
        for c in classes:
            items = summary.top_features[c]
            row.append(f"{items[i][0]} ({items[i][1]:+.3f})" if i < len(items) else "")
        rows.append(row)
    return header, rows


def _per_class_table(data) -> tuple[list[str], list[list[str]]]:
    """Precision, recall, F1 and support per class of the best pipeline (all test documents)."""
    header = ["class", "precision", "recall", "F1", "support"]
    rows = [[row["name"] if row["name"] == row["label"] else f"{row['name']} ({row['label']})",
             f"{row['precision']:.3f}", f"{row['recall']:.3f}",
             f"{row['f1']:.3f}", str(row["support"])] for row in data.per_class]
    return header, rows


def _weights_note(data) -> str:
    return "weights averaged over folds" if data.protocol["folds"] > 1 else "weights"


def _per_class_caption(data) -> str:
    return f"Per-class scores of the best pipeline ({data.best.name})"


def _notes(results) -> list[str]:
    """The experiment's notes, then one per optional pipeline skipped for a missing resource."""
    return list(results.notes) + [s.describe() for s in results.skipped]


def _html(results, sections, cd_png: bytes | None = None) -> str:
    title = html.escape(f"textpipe compare: {results.name}")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>",
             f"<style>{_CSS}</style></head><body><h1>{title}</h1>"]
    if results.description:
        parts.append(f"<p>{html.escape(results.description)}</p>")
    for note in _notes(results):
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    if results.across is not None:  # ranks across datasets (textpipe.compare.ranks)
        parts.append(_across_html(results.across, cd_png))
    for data, figures, linear in sections:
        parts.append(f"<h2>{html.escape(data.name)}</h2>")
        parts.append(f"<p>{html.escape(_data_text(data))} Data fingerprint (SHA-256): "
                     f"<code>{data.data['fingerprint']}</code>.</p>")
        parts.append(f"<p class='note'>{html.escape(_explain(data))} "
                     f"{html.escape(_sharing_text(data))}</p>")
        classes = ["best" if p.vs_best is None else ("worse" if p.vs_best["significant"] else "")
                   for p in data.pipelines]
        parts.append(f"<h3>Leaderboard ({html.escape(data.primary)})</h3>")
        parts.append(_html_table(*_leaderboard_table(data), classes))
        parts += [_html_block(block) for block in _body(results, data, figures, linear)]
    parts.append("<h2>Environment</h2>")
    parts += [f"<p class='note'>{html.escape(line)}</p>" for line in _environment_lines(results)]
    config = yaml.safe_dump(results.config, sort_keys=False, allow_unicode=True)
    parts.append("<details><summary>The resolved experiment (every default filled in)"
                 f"</summary><pre>{html.escape(config)}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _across_html(across, cd_png) -> str:
    text = ranks_report.explain(across)
    caption = ranks_report.cd_caption(across)
    header, rows = ranks_report.table(across)
    encoded = base64.b64encode(cd_png).decode("ascii")
    return "\n".join(
        [f"<h2>{html.escape(ranks_report.SECTION)}</h2>", f"<p>{html.escape(text[0])}</p>",
         _html_table(header, rows, ["best"] + [""] * (len(rows) - 1)),
         *(f"<p class='note'>{html.escape(t)}</p>" for t in text[1:]),
         f"<h3>{html.escape(caption)}</h3>",
         f"<p class='note'>{html.escape(ranks_report.cd_legend(across))}</p>",
         f"<img alt='{html.escape(caption)}' src='data:image/png;base64,{encoded}'>"])


# -- one dataset's sections, in reading order, for both reports ---------------------------

#: Figures shown beside their own section; the others follow the error analysis, in order.
_PLACED_FIGURES = ("effects", "learning")


def _body(results, data, figures, linear) -> list[tuple]:
    """What follows a dataset's leaderboard, as blocks the HTML and Markdown writers render.

    ``figures`` holds ``(kind, caption, image)``: PNG bytes for HTML, a file name
    for Markdown. Blocks: ``("h3", text)``, ``("p", text)``, ``("table", header,
    rows, name_columns)``, ``("figure", caption, image)``, ``("section", html,
    markdown_lines)``, ``("details", summary, header, rows)``, ``("list", items)``.
    """
    figure = {kind: ("figure", caption, image) for kind, caption, image in figures}
    blocks = []
    others = _other_metrics(data)
    if others:
        blocks += [("h3", "Other metrics"), ("table", *others, (1,))]
    if data.per_class:
        blocks += [("h3", _per_class_caption(data)), ("table", *_per_class_table(data), (1,))]
    if data.factor_effects:
        blocks.append(("h3", "Effect of each choice"))
        blocks += [("p", b[1]) if b[0] == "text" else ("table", *b[1:], (0, 1))
                   for b in effects_section(data.factor_effects)]
        blocks += [figure["effects"]] if "effects" in figure else []
    if data.learning_curve:
        blocks += [figure["learning"], ("p", learning.sentences(data.learning_curve)),
                   ("table", *learning.table(data.learning_curve), (0,))]
    blocks.append(("section", mistakes.html_section(data), mistakes.markdown_section(data)))
    blocks += [figure[kind] for kind, _, _ in figures if kind not in _PLACED_FIGURES]
    if linear is not None:
        n = results.report["top_features"]
        blocks.append(("details", f"Top {n} features per class ({_weights_note(data)})",
                       *_features_table(linear, n, data.data.get("label_names"))))
    if data.warnings:
        blocks += [("h3", "Warnings while fitting"), ("list", list(data.warnings))]
    return blocks


def _html_block(block) -> str:
    kind, *content = block
    if kind == "h3":
        return f"<h3>{html.escape(content[0])}</h3>"
    if kind == "p":
        return f"<p>{html.escape(content[0])}</p>"
    if kind == "table":
        header, rows, names = content
        return _html_table(header, rows, names=names)
    if kind == "figure":
        caption, png = content
        encoded = base64.b64encode(png).decode("ascii")
        return (f"<h3>{html.escape(caption)}</h3>"
                f"<img alt='{html.escape(caption)}' src='data:image/png;base64,{encoded}'>")
    if kind == "section":
        return content[0]
    if kind == "details":
        summary, header, rows = content
        return (f"<details><summary>{html.escape(summary)}</summary>"
                f"{_html_table(header, rows)}</details>")
    items = "".join(f"<li>{html.escape(item)}</li>" for item in content[0])
    return f"<ul>{items}</ul>"


def _markdown_block(block) -> list[str]:
    kind, *content = block
    if kind == "h3":
        return [f"### {content[0]}", ""]
    if kind == "p":
        return [content[0], ""]
    if kind == "table":
        return [_md_table(*content[:2]), ""]
    if kind == "figure":
        caption, name = content
        return [f"### {caption}", "", f"![{caption}]({name})", ""]
    if kind == "section":
        return list(content[1])
    if kind == "details":
        summary, header, rows = content
        return [f"{summary}:", "", _md_table(header, rows), ""]
    return [f"- {item}" for item in content[0]] + [""]


# -- Markdown ------------------------------------------------------------------------------


def _md_table(header, rows) -> str:
    def cell(text):
        return str(text).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _markdown(results, sections, image_names, cd_name: str | None = None) -> str:
    parts = [f"# textpipe compare: {results.name}", ""]
    if results.description:
        parts += [results.description, ""]
    parts += [f"> {note}\n" for note in _notes(results)]
    if results.across is not None:  # ranks across datasets (textpipe.compare.ranks)
        parts += _across_markdown(results.across, cd_name)
    for (data, figures, linear), names in zip(sections, image_names):
        parts += [f"## {data.name}", "",
                  f"{_data_text(data)} Data fingerprint (SHA-256): "
                  f"`{data.data['fingerprint']}`.", "",
                  _explain(data) + " " + _sharing_text(data), "",
                  f"### Leaderboard ({data.primary})", "",
                  _md_table(*_leaderboard_table(data)), ""]
        named = [(kind, caption, name) for (kind, caption, _), name in zip(figures, names)]
        parts += [line for block in _body(results, data, named, linear)
                  for line in _markdown_block(block)]
    parts += ["## Environment", ""] + [line + "  " for line in _environment_lines(results)]
    parts += ["", "The resolved experiment is in `experiment.yaml`; all numbers are in "
              "`results.json` and `results.csv`.", ""]
    return "\n".join(parts)


def _across_markdown(across, cd_name) -> list[str]:
    text = ranks_report.explain(across)
    caption = ranks_report.cd_caption(across)
    return [f"## {ranks_report.SECTION}", "", text[0], "",
            _md_table(*ranks_report.table(across)), "",
            *[line for t in text[1:] for line in (t, "")],
            f"### {caption}", "", ranks_report.cd_legend(across), "",
            f"![{caption}]({cd_name})", ""]


def write_outputs(results, directory, option: str | None = None) -> list[Path]:
    """Write the JSON, CSV, resolved config, HTML and Markdown reports and the plots.

    Each file is written whole or not at all (:func:`textpipe.paths.atomic_file`).

    Parameters
    ----------
    results : ExperimentResults
    directory : str or Path
        Created if missing; files of an earlier report there are replaced (the
        command line asks for ``--overwrite`` first: :func:`check_destinations`).
    option : str, optional
        The option that named the folder (``"--out"``): a file that cannot be
        written (a full disk) is then reported naming it.

    Returns
    -------
    list of Path
        The files written; the HTML report is ``directory / "report.html"``.
    """
    out = Path(directory)
    written = [write_json(results, out / "results.json", option)]

    rows = results.csv_rows()
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=list(rows[0]) if rows else ["dataset"])
    writer.writeheader()
    writer.writerows(rows)
    written.append(write_text(out / "results.csv", table.getvalue(), option))

    written.append(write_text(
        out / "experiment.yaml",
        "# The resolved experiment: every pipeline complete, every default filled in.\n"
        + yaml.safe_dump(results.config, sort_keys=False, allow_unicode=True), option))

    sections, image_names = [], []
    for i, data in enumerate(results.datasets):
        figures, linear = _figures(results, data)
        figures = [(kind, caption, plots.png(fig)) for kind, caption, fig in figures]
        names = []
        for kind, _, png in figures:
            name = f"{i + 1}-{_slug(data.name)}-{kind}.png"
            with atomic_file(out / name, option) as fh:
                fh.write(png)
            written.append(out / name)
            names.append(name)
        sections.append((data, figures, linear))
        image_names.append(names)

    cd_png, cd_name = None, "across-datasets-cd.png"
    if results.across is not None:
        cd_png = plots.png(critical_difference(results.across))
        with atomic_file(out / cd_name, option) as fh:
            fh.write(cd_png)
        written.append(out / cd_name)
    written.append(write_text(out / "report.html", _html(results, sections, cd_png), option))
    written.append(write_text(out / "report.md", _markdown(results, sections, image_names,
                                                           cd_name), option))
    return written
