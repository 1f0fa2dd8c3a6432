"""Chart builders that more than one chapter uses (theme and rendering are in :mod:`nkbook.charts`)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .estimates import bounds

SHAPES = {"point": "circle", "range": "circle", "floor": "triangle-up", "ceiling": "triangle-down"}
SELECTOR_FROM = 5  # more than four series: a legend that selects


def estimates_over_time(
    frame: pd.DataFrame,
    *,
    date: str,
    series: str,
    title: str,
    subtitle: str,
    y_title: str,
    description: str,
    extra_tooltip: list[alt.Tooltip] | None = None,
    height: int = 320,
    selector_name: str = "pick_series",
) -> alt.LayerChart:
    """Estimates over time, one colour per ``series``, each drawn as the source states it.

    A range is a vertical bar from low to high with a dot at its low end; a floor ("at least",
    "more than") a triangle pointing up; a ceiling a triangle pointing down; a point a dot.
    Nothing is averaged. With more than four series, clicking the legend picks one.
    """
    data = bounds(frame).dropna(subset=["shown"])
    data = data.assign(shape=data["kind"].map(SHAPES), form=data["kind"].map(
        {"point": "point estimate", "range": "range", "floor": "floor (at least / more than)", "ceiling": "ceiling (up to)"}))
    order = data[series].value_counts().index.tolist()
    tooltip = [
        alt.Tooltip(f"{date}:T", title="Date", format="%d %b %Y"),
        alt.Tooltip(f"{series}:N", title="Estimator type"),
        alt.Tooltip("estimator:N", title="Estimator"),
        alt.Tooltip("label:N", title="Figure as stated"),
        *(extra_tooltip or []),
        alt.Tooltip("source:N", title="Source"),
    ]
    color = alt.Color(f"{series}:N", title="Estimator", sort=order, legend=alt.Legend(columns=2, labelLimit=240, symbolLimit=0))
    base = alt.Chart(data)
    rules = base.transform_filter("datum.kind === 'range'").mark_rule(strokeWidth=3).encode(
        x=alt.X(f"{date}:T"), y=alt.Y("lower:Q"), y2="upper:Q", color=color, tooltip=tooltip)
    marks = base.mark_point(filled=True, size=80).encode(
        x=alt.X(f"{date}:T", title="Date of the estimate", axis=alt.Axis(format="%b %Y", labelAngle=-30)),
        y=alt.Y("shown:Q", title=y_title, axis=alt.Axis(format="~s")),
        color=color,
        shape=alt.Shape("form:N", title="Form", scale=alt.Scale(
            domain=["point estimate", "range", "floor (at least / more than)", "ceiling (up to)"],
            range=["circle", "circle", "triangle-up", "triangle-down"])),
        tooltip=tooltip,
    )
    layers = [rules, marks]
    if data[series].nunique() >= SELECTOR_FROM:
        pick = alt.selection_point(name=selector_name, fields=[series], bind="legend")
        faded = alt.condition(pick, alt.value(0.95), alt.value(0.12))
        layers = [rules.encode(opacity=faded), marks.encode(opacity=faded).add_params(pick)]
    return alt.layer(*layers).properties(
        width="container", height=height, title=alt.Title(title, subtitle=subtitle), description=description)
