"""Chart builders that more than one chapter uses (theme and rendering are in :mod:`nkbook.present.charts`).

Each chapter's own figures and tables live in a module of this package named after it
(:mod:`~nkbook.present.plots.troops`, :mod:`~nkbook.present.plots.munitions`,
:mod:`~nkbook.present.plots.flows`): functions that take the chapter's selections (computed in
the ``nkbook.analysis`` module of the same name) and return what the chapter displays, caption
included, so that a chapter's cell is one call.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis.estimates import bounds, estimator_colours, estimator_group

FORMS = {"point": "figure", "range": "range", "floor": "at least", "ceiling": "up to"}
OUTLINE = "#4d4d4d"
SELECTOR_FROM = 5  # more than four series: a legend that selects


def date_span(frame: pd.DataFrame, date: str = "estimated_on") -> str:
    """``March 2024 to December 2025``: the months a chart's rows span, as its alt text says it."""
    return f"{frame[date].min():%B %Y} to {frame[date].max():%B %Y}"


def year_span(frame: pd.DataFrame, date: str) -> str:
    """``2022–2025``: the years a chart's rows span, as its title says it."""
    return f"{frame[date].min():%Y}–{frame[date].max():%Y}"


def each_estimate(frame: pd.DataFrame, stamp: str = "%b %Y") -> str:
    """Every estimate as a chart's alt text lists it: ``South Korea NIS Nov 2024: 11,000; ...``."""
    return "; ".join(f"{r.estimator_type} {r.estimated_on:{stamp}}: {r.label}" for r in bounds(frame).itertuples())


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
    color_field: str | None = None,
    color_title: str = "Estimate by",
) -> alt.LayerChart:
    """Estimates over time, coloured by the state or body behind ``series``, each as the source states it.

    A range is a vertical bar from low to high with a dot at its low end; a floor ("at least",
    "more than") a triangle pointing up; a ceiling a triangle pointing down; a point a dot.
    Nothing is averaged. ``series`` (an estimator type) is grouped by state or body for colour, and
    shown whole in the tooltip; ``color_field`` colours by another column instead. With more than
    four colours, clicking the legend picks one.
    """
    data = bounds(frame).dropna(subset=["shown"])
    data = data.assign(
        form=data["kind"].map(FORMS), group=data[color_field] if color_field else data[series].map(estimator_group)
    )
    order = data["group"].value_counts().index.tolist()
    tooltip = [
        alt.Tooltip(f"{date}:T", title="Date", format="%d %b %Y"),
        alt.Tooltip(f"{series}:N", title="Estimator type"),
        alt.Tooltip("estimator:N", title="Estimator"),
        alt.Tooltip("label:N", title="Figure as stated"),
        *(extra_tooltip or []),
        alt.Tooltip("source:N", title="Source"),
    ]
    if color_field:
        scale = alt.Scale(domain=order, range=["#000000", "#767676", "#0072B2"][: len(order)])
    else:  # the book's one colour per state or body
        domain, colours = estimator_colours(order)
        scale = alt.Scale(domain=domain, range=colours)
    color = alt.Color(
        "group:N",
        title=color_title,
        sort=order,
        scale=scale,
        legend=alt.Legend(columns=2, labelLimit=170, symbolLimit=0),
    )
    base = alt.Chart(data)
    rules = (
        base.transform_filter("datum.kind === 'range'")
        .mark_rule(strokeWidth=3)
        .encode(x=alt.X(f"{date}:T"), y=alt.Y("lower:Q"), y2="upper:Q", color=color, tooltip=tooltip)
    )
    marks = base.mark_point(filled=True, size=80).encode(
        x=alt.X(f"{date}:T", title="Date of the estimate", axis=alt.Axis(format="%b %Y", labelAngle=-30)),
        y=alt.Y("shown:Q", title=y_title, axis=alt.Axis(format="~s")),
        color=color,
        shape=alt.Shape(
            "form:N",
            title="Form",
            scale=alt.Scale(
                domain=["figure", "range", "at least", "up to"],
                range=["circle", "circle", "triangle-up", "triangle-down"],
            ),
        ),
        tooltip=tooltip,
    )
    has_ranges = bool((data["kind"] == "range").any())
    layers = [rules, marks] if has_ranges else [marks]  # an empty layer makes vega warn of an infinite extent
    if data["group"].nunique() >= SELECTOR_FROM:
        # the legend belongs to the first layer: the selection must be defined there, or a click does nothing
        pick = alt.selection_point(name=selector_name, fields=["group"], bind="legend")
        faded = alt.condition(pick, alt.value(0.95), alt.value(0.12))
        layers = [layer.encode(opacity=faded) for layer in layers]
        layers[0] = layers[0].add_params(pick)
    return alt.layer(*layers).properties(
        width="container", height=height, title=alt.Title(title, subtitle=subtitle), description=description
    )


def verdict_bars(
    counts: pd.DataFrame,
    *,
    category: str,
    category_title: str,
    title: str,
    subtitle: str,
    description: str,
    verdicts: tuple[str, ...],
    colours: dict[str, str],
    when_labels: dict[str, str],
) -> alt.Chart:
    """Claims by ``category`` and verdict: one stacked bar per category and date (then, now).

    ``counts`` is tidy: ``category``, ``verdict``, ``when``, ``claims`` and ``source`` (who made
    the claims, for the tooltip). Each bar is labelled with its category and date; verdicts
    stack in the order of the scale, so bars compare.
    """
    data = counts.assign(
        verdict_rank=counts["verdict"].map({v: i for i, v in enumerate(verdicts)}),
        when_label=counts["when"].map(when_labels),
    )
    data["bar"] = data[category].astype(str) + " · " + data["when_label"]
    order = [f"{c} · {w}" for c in sorted(data[category].unique()) for w in when_labels.values()]
    return (
        alt.Chart(data)
        # a dark outline: the lighter verdict colours (partly supported, not checkable) have less than
        # 3:1 contrast against the page, the outline has more
        .mark_bar(stroke=OUTLINE, strokeWidth=0.75)
        .encode(
            y=alt.Y("bar:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
            x=alt.X("sum(claims):Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "verdict:N",
                title="Verdict",
                scale=alt.Scale(domain=list(verdicts), range=[colours[v] for v in verdicts]),
            ),
            order=alt.Order("verdict_rank:Q"),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip("when_label:N", title="Judged"),
                alt.Tooltip("verdict:N", title="Verdict"),
                alt.Tooltip("sum(claims):Q", title="Claims"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            title=alt.Title(title, subtitle=subtitle),
            description=description,
            width="container",
            height=22 * len(order),
        )
    )
