"""The charts of the register's verdicts: per essay on the first page (:func:`verdict_chart`), per
essay and per type of claim in *Claims and verdicts* (:func:`essay_bars`, :func:`type_bars`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis import claims
from nkbook.analysis import findings as numbers
from nkbook.present import claim_pages
from nkbook.present.findings import tally_phrase
from nkbook.present.plots import OUTLINE, verdict_bars

#: Label colour of the counts on the bars: black reads on every verdict colour (contrast 5:1 or more).
COUNT_COLOUR = "#000000"
#: How *Claims and verdicts* names the two dates.
WHEN_LABELS_SHORT = {"publication": "at publication", "cutoff": "at the cut-off"}


def _verdict_colour() -> alt.Color:
    return alt.Color(
        "verdict:N",
        title="Verdict",
        sort=list(claims.VERDICTS),
        legend=alt.Legend(columns=1),
        scale=alt.Scale(domain=list(claims.VERDICTS), range=[claim_pages.VERDICT_COLOURS[v] for v in claims.VERDICTS]),
    )


def verdict_description(register: pd.DataFrame) -> str:
    """The chart's text alternative: every bar's tally in words, and the total at the cut-off."""
    bars = "; ".join(
        f"Essay {label} {numbers.WHEN_LABELS[when]}: " + tally_phrase(numbers.tally(register, label, when))
        for label in sorted(register["label"].unique())
        for when in claims.WHEN
    )
    return (
        "Stacked horizontal bars, two per essay (at publication, at the evidence cut-off), each segment a verdict "
        "labelled with its number of claims. "
        + bars
        + ". All essays at the cut-off: "
        + tally_phrase(numbers.tally(register))
        + "."
    )


def verdict_chart(register: pd.DataFrame) -> alt.LayerChart:
    """Verdicts per essay, at publication and at the cut-off: stacked bars with the count on each
    segment, so the figures read without hovering; the tooltip adds the source."""
    order = numbers.bar_order(register)
    tooltip = [
        alt.Tooltip("essay:N", title="Essay"),
        alt.Tooltip("judged:N", title="Judged"),
        alt.Tooltip("verdict:N", title="Verdict"),
        alt.Tooltip("claims:Q", title="Claims"),
        alt.Tooltip("source:N", title="Source"),
    ]
    y = alt.Y("bar:N", title=None, sort=order, axis=alt.Axis(labelLimit=160))
    base = alt.Chart(numbers.chart_data(register))
    # the dark outline of the book's verdict bars: two verdict colours have less than 3:1 contrast with the page
    bars = base.mark_bar(stroke=OUTLINE, strokeWidth=0.75).encode(
        y=y,
        x=alt.X("start:Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        x2="end:Q",
        color=_verdict_colour(),
        tooltip=tooltip,
    )
    labels = base.mark_text(fontSize=12, fontWeight="bold", color=COUNT_COLOUR).encode(
        y=y, x=alt.X("middle:Q"), text=alt.Text("claims:Q"), tooltip=tooltip
    )
    return alt.layer(bars, labels).properties(
        width="container",
        height=34 * len(order),
        title=alt.Title(
            "What the register finds in each essay",
            subtitle="Claims by verdict, judged with the evidence public at each essay's date and at the evidence cut-off",
        ),
        description=verdict_description(register),
    )


def essay_bars(register: pd.DataFrame) -> alt.Chart:
    """*Claims and verdicts*: each essay's claims by verdict, at publication and at the cut-off."""
    return verdict_bars(
        numbers.verdicts_by_essay(register),
        category="essay",
        category_title="Essay",
        title="Verdicts on each essay's claims, at publication and at the evidence cut-off",
        subtitle="Claims per essay by verdict, judged with the evidence public at each essay's date and with all the data",
        description=(
            "Stacked horizontal bars, two per essay: verdicts on the claims of Essays A, B and C as of each "
            "essay's publication and as of the evidence cut-off. The bars at the two dates are nearly identical."
        ),
        verdicts=claims.VERDICTS,
        colours=claim_pages.VERDICT_COLOURS,
        when_labels=WHEN_LABELS_SHORT,
    )


def type_bars(register: pd.DataFrame) -> alt.Chart:
    """*Claims and verdicts*: the claims of all three essays by type and verdict, at both dates."""
    return verdict_bars(
        numbers.verdicts_by_type(register),
        category="claim_type",
        category_title="Type of claim",
        title="Verdicts by type of claim, at publication and at the evidence cut-off",
        subtitle="Claims of all three essays by type and verdict, at each essay's date and with all the data",
        description=(
            "Stacked horizontal bars, two per type of claim (causal, citation, factual, internal, interpretive, "
            "predictive, quantitative): verdicts at publication and at the evidence cut-off. Factual and quantitative "
            "claims are mostly supported; causal and interpretive ones mostly lack evidence; predictions are mostly "
            "not checkable."
        ),
        verdicts=claims.VERDICTS,
        colours=claim_pages.VERDICT_COLOURS,
        when_labels=WHEN_LABELS_SHORT,
    )
