"""The chart of *The three essays*: the works each essay cites, by the year they first appeared."""

from __future__ import annotations

import altair as alt
import pandas as pd

#: The marks of the outcomes of our check of a citation.
CHECK_SHAPES = {"consistent": "circle", "minor slip": "diamond", "slip": "triangle-down", "unverified": "square"}


def works_cited_chart(aged: pd.DataFrame) -> alt.Chart:
    """One mark per entry of an essay's reference list (``aged``: :func:`nkbook.data.essays.works_with_age`),
    at the year the work first appeared, coloured by kind and shaped by the outcome of our check."""
    tooltip = [
        alt.Tooltip("essay:N", title="Essay"),
        alt.Tooltip("author:N", title="Author"),
        alt.Tooltip("title:N", title="Work"),
        alt.Tooltip("year_as_cited:Q", title="Year as cited", format="d"),
        alt.Tooltip("first_published:Q", title="First appeared", format="d"),
        alt.Tooltip("age_years:Q", title="Age at the essay's date (years)"),
        alt.Tooltip("check:N", title="Citation check"),
        alt.Tooltip("source:N", title="Source of the check"),
    ]
    x = alt.X(
        "first_published:Q",
        title="Year the work first appeared",
        scale=alt.Scale(domain=[1500, 2030]),
        axis=alt.Axis(format="d"),
    )
    shape = alt.Shape(
        "check:N",
        title="Citation check",
        scale=alt.Scale(domain=list(CHECK_SHAPES), range=list(CHECK_SHAPES.values())),
    )
    return (
        alt.Chart(aged)
        .mark_point(filled=True, size=110, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("essay:N", title=None),
            color=alt.Color("kind:N", title="Kind of work"),
            shape=shape,
            tooltip=tooltip,
        )
        .properties(
            title=alt.Title(
                "The works the essays cite, by the year they first appeared",
                subtitle="Essay A leans on classics from 1532 to 2001; Essay B on reports from 2016 to 2024; Essay C cites nothing",
            ),
            description=(
                "Dot plot of the works cited by Essays A and B against the year each first appeared, from 1500 to 2030. "
                "Essay A's five books date from 1532 to 2001; Essay B's nine works cluster in 2016–2024."
            ),
            width="container",
            height=120,
        )
    )
