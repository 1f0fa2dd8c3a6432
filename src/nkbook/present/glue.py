"""Numbers and dates in the prose: computed in the notebook, glued into the text.

``glue_md`` stores a value as Markdown, so that ``{glue:md}`name``` puts it in a sentence
without the quotes a plain string's repr would carry.
"""

from __future__ import annotations

import numbers

import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from nkbook.core.formats import number


def glue_md(name: str, value) -> None:
    """Glue ``value`` for ``{glue:md}`name``` (integers get thousands separators)."""
    text = number(int(value)) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else str(value)
    glue(name, Markdown(text), display=False)


def show_table(frame: pd.DataFrame, caption: str | None = None):
    """A table as plain HTML without the index, its caption above it (pandas' Styler writes random
    ids; this does not). The frame scrolls sideways where the screen is narrower than the table."""
    import html
    import re

    from IPython.display import HTML

    from nkbook.present.templating import render

    table = frame.to_html(index=False, border=0, classes="table nkb-table", na_rep="–")
    if caption:
        table = re.sub(
            r"^(<table[^>]*>)", lambda m: f"{m.group(1)}\n  <caption>{html.escape(caption)}</caption>", table, count=1
        )
    return HTML(render("data-table.html.j2", table=table, caption=caption or ""))


def tables_used(**frames):
    """The tables a chapter has loaded (``name=frame``), each linked to its data appendix page with
    its number of rows: what the first cell of a chapter shows instead of a raw dictionary."""
    from IPython.display import HTML

    from nkbook.present.templating import render

    def rows(frame) -> str:
        n = len(frame)
        return f"{number(n)} row" + ("" if n == 1 else "s")

    tables = [{"name": name, "href": f"appendix/{name}.html", "rows": rows(frame)} for name, frame in frames.items()]
    return HTML(render("tables-used.html.j2", tables=tables))
