"""Explanations as HTML: the text with each token shaded by its push, a legend, the top tokens.

:func:`explanation_html` gives one explanation as a self-contained fragment (a
``<div>`` with inline styles only, no script, every value escaped), so that any page
can show it: a report beside its misclassified texts, a notebook cell
(``IPython.display.HTML``). :func:`explanations_page` wraps several in a page
(``textpipe explain --html``).

Green shades push toward the explained class, red ones against it; the deeper the
shade, the larger the push, relative to the largest in the same text. Hovering over a
token shows the token the model saw and its exact value.

Examples
--------
>>> from textpipe.explanations.result import Explanation, TokenContribution
>>> e = Explanation(text="a <great> film", label="pos", predicted="pos", method="occlusion",
...                 score=0.9, base=None, score_name="probability",
...                 tokens=[TokenContribution("great", "great", 3, 8, 0.4)])
>>> fragment = explanation_html(e)
>>> fragment.startswith('<div class="textpipe-explanation"'), "&lt;" in fragment
(True, True)
"""

from __future__ import annotations

from html import escape

_GREEN = (22, 150, 62)
_RED = (214, 48, 49)
_FONT = "font-family: system-ui, -apple-system, 'Segoe UI', sans-serif"


def _signed(value: float) -> str:
    return f"{value:+.3f}".replace("-", "\u2212")


def _shade(value: float | None, largest: float) -> str:
    """A background for a token: green toward, red against, opacity by size."""
    if not value or not largest:
        return ""
    r, g, b = _GREEN if value > 0 else _RED
    alpha = 0.12 + 0.78 * min(1.0, abs(value) / largest)
    return f"background: rgba({r}, {g}, {b}, {alpha:.2f}); border-radius: 3px; padding: 0 1px;"


def _token_span(piece: str, token, largest: float) -> str:
    if token.contribution is None:
        title = f"{token.token}: not measured"
        style = "color: #999; text-decoration: underline dotted;"
    else:
        title = f"{token.token}: {_signed(token.contribution)}"
        style = _shade(token.contribution, largest)
    strong = token.contribution and largest and abs(token.contribution) > 0.6 * largest
    color = " color: #fff;" if strong else ""
    return (f'<span title="{escape(title)}" style="{style}{color}">'
            f"{escape(piece)}</span>")


def _heading(e) -> str:
    label, predicted = escape(repr(e.label)), escape(repr(e.predicted))
    line = f"Why <b>{label}</b>"
    line += " (the predicted class)" if e.label == e.predicted else f" (predicted: {predicted})"
    if e.probabilities and e.label in e.probabilities:
        line += f" · probability {e.probabilities[e.label]:.3f}"
    if e.method == "exact":
        pushed = e.score - (e.base or 0.0)
        how = (f"exact: decision score {_signed(e.score)} = intercept {_signed(e.base)} "
               f"+ tokens {_signed(pushed)}")
    else:
        how = (f"occlusion: each value is the drop in the {e.score_name} of {label} "
               f"({e.score:.3f}) when that token is removed")
    return (f'<div style="font-size: 0.95em; color: #222; margin-bottom: 0.4em;">{line}'
            f'<br><span style="color: #555; font-size: 0.92em;">{how}</span></div>')


def _legend(e) -> str:
    label = escape(repr(e.label))
    bar = ("display: inline-block; width: 9em; height: 0.8em; vertical-align: middle; "
           "margin: 0 0.5em; border: 1px solid #ccc; background: linear-gradient(to right, "
           f"rgb{_RED}, #fff, rgb{_GREEN});")
    largest = f"strongest push {e.largest:.3f}" if e.largest else "no token pushed either way"
    unmeasured = ("; grey, dotted: not measured" if any(t.contribution is None for t in e.tokens)
                  else "")
    return (f'<div style="font-size: 0.85em; color: #444; margin-top: 0.5em;">'
            f'against {label}<span style="{bar}"></span>toward {label}'
            f" · {largest} · hover over a word for its value{unmeasured}</div>")


def _top_table(e, n: int) -> str:
    toward, against = e.top_words(n)
    if not toward and not against:
        return ""
    rows = []
    for i in range(max(len(toward), len(against))):
        cells = []
        for side in (toward, against):
            if i < len(side):
                shown, total, count = side[i]
                times = f" ×{count}" if count > 1 else ""
                cells.append(f'<td style="padding: 1px 0.8em 1px 0;">{escape(shown)}{times}</td>'
                             f'<td style="padding: 1px 1.6em 1px 0; text-align: right; '
                             f'font-variant-numeric: tabular-nums;">'
                             f"{_signed(total)}</td>")
            else:
                cells.append("<td></td><td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    label = escape(repr(e.label))
    head = (f'<tr style="color: #555;"><th colspan="2" style="text-align: left;">toward {label}'
            f'</th><th colspan="2" style="text-align: left;">against {label}</th></tr>')
    return (f'<table style="font-size: 0.88em; border-collapse: collapse; margin-top: 0.6em;">'
            f"{head}{''.join(rows)}</table>")


def explanation_html(explanation, *, top: int = 5) -> str:
    """One explanation as a self-contained HTML fragment (inline styles, no script).

    Parameters
    ----------
    explanation : Explanation
        From :func:`textpipe.explain`.
    top : int, default=5
        How many tokens to list on each side; 0 lists none.

    Returns
    -------
    str
        A ``<div class="textpipe-explanation">`` holding a heading (the class, the
        method, the score), the text with every token shaded green (toward the class)
        or red (against it) by the size of its push, a legend, the ``top`` tokens each
        way and any notes. Every value from the text or the model is escaped.
    """
    e = explanation
    pieces, unplaced = e.segments()
    largest = e.largest
    body = "".join(escape(piece) if token is None else _token_span(piece, token, largest)
                   for piece, token in pieces)
    if unplaced:
        body += ('<br><span style="color: #666; font-size: 0.9em;">not in the text as '
                 "written: </span>" + " ".join(_token_span(t.token, t, largest)
                                                for t in unplaced))
    notes = "".join(f'<div style="color: #8a5a00; font-size: 0.85em;">note: {escape(n)}</div>'
                    for n in e.notes)
    return (f'<div class="textpipe-explanation" style="{_FONT}; margin: 1em 0; '
            'padding: 0.8em 1em; border: 1px solid #ddd; border-radius: 6px; max-width: 58em;">'
            f"{_heading(e)}"
            f'<div style="line-height: 1.9; font-size: 1.05em; white-space: pre-wrap; '
            f'overflow-wrap: anywhere;">{body}</div>'
            f"{_legend(e)}{_top_table(e, top) if top else ''}{notes}</div>")


def explanations_page(explanations, *, title: str = "Explanations", top: int = 5) -> str:
    """A whole HTML page of explanations, one fragment each (``textpipe explain --html``).

    Examples
    --------
    >>> explanations_page([], title="<none>").count("&lt;none&gt;")
    2
    """
    fragments = "\n".join(explanation_html(e, top=top) for e in explanations)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head>"
            f'<body style="{_FONT}; margin: 2em; color: #111;">'
            f'<h1 style="font-size: 1.4em;">{escape(title)}</h1>\n{fragments}\n</body></html>\n')


__all__ = ["explanation_html", "explanations_page"]
