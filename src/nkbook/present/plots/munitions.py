"""The figures and tables of ``book/munitions.ipynb``: each takes the chapter's selections
(:mod:`nkbook.analysis.munitions`) and returns what the chapter shows, caption included."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis.estimates import bounds
from nkbook.analysis.munitions import CONVERTED, COUNTED
from nkbook.core.formats import day
from nkbook.present import charts
from nkbook.present.glue import show_table
from nkbook.present.plots import date_span, each_estimate, estimates_over_time


def containers(rows: pd.DataFrame) -> charts.Figure:
    """Cumulative estimates of containers shipped, by date and estimator (figure 1)."""
    chart = estimates_over_time(
        rows,
        date="estimated_on",
        series="estimator_type",
        title="Containers shipped from North Korea to Russia: cumulative estimates",
        subtitle="Each estimate as stated; dots: figures, triangles: 'more than'",
        y_title="Containers (cumulative)",
        description=(
            f"Chart of {len(rows)} cumulative estimates of containers shipped, from "
            f"{date_span(rows)}: " + each_estimate(rows) + "."
        ),
        extra_tooltip=[alt.Tooltip("scope:N", title="Period as stated")],
        selector_name="pick_container_estimator",
    )
    return charts.figure(
        chart,
        caption=(
            "Estimates of shipping containers sent from North Korea to Russia, each as its source states it. Sources: one per "
            "mark (hover). Data: <code>munitions_transfers</code> (item_norm = containers, measure_kind = count)."
        ),
        as_of=rows["estimated_on"].max(),
    )


def shells(rows: pd.DataFrame) -> charts.Figure:
    """Shells counted and capacity equivalents (:func:`nkbook.analysis.munitions.shells`), one colour
    each, never added together (figure 2)."""
    n_counted, n_converted = (rows["measure"] == COUNTED).sum(), (rows["measure"] == CONVERTED).sum()
    chart = estimates_over_time(
        rows,
        date="estimated_on",
        series="estimator_type",
        color_field="measure",
        color_title="Kind of figure",
        title="North Korean shells for Russia: counts and capacity equivalents",
        subtitle="Counts as stated vs an estimator's conversion of containers into shells",
        y_title="Shells (cumulative)",
        description=(
            f"Chart of {n_counted} stated shell counts and {n_converted} capacity equivalents from "
            f"{date_span(rows)}: "
            + "; ".join(
                f"{r.measure}, {r.estimator_type} {r.estimated_on:%b %Y}: {r.label}"
                for r in bounds(rows).dropna(subset=["shown"]).itertuples()
            )
            + "."
        ),
        extra_tooltip=[
            alt.Tooltip("measure:N", title="Kind of figure"),
            alt.Tooltip("scope:N", title="Period as stated"),
        ],
        selector_name="pick_shell_kind",
    )
    return charts.figure(
        chart,
        caption=(
            "Artillery shells sent from North Korea to Russia: shells counted as the source states them, and capacity "
            "equivalents (an estimator's conversion of a container count into shells). Rates per month or year are left out. "
            "Sources: one per mark (hover). Data: <code>munitions_transfers</code>."
        ),
        as_of=rows["estimated_on"].max(),
    )


def ratio_table(ratios: pd.DataFrame):
    """South Korea's conversions (:func:`nkbook.analysis.munitions.conversion_ratios`) as a table."""
    table = pd.DataFrame(
        {
            "date": ratios["estimated_on"].map(day),
            "containers": ratios["containers"],
            "shells (152 mm equivalent)": ratios["shells"],
            "shells per container": ratios["shells_per_container"],
        }
    )
    return show_table(
        table, caption="Container counts and the shell equivalents given with them: South Korea's conversion ratio"
    )


def share_table(shares: pd.DataFrame):
    """Estimates of North Korea's share of Russia's artillery ammunition, as stated."""
    table = shares.assign(date=shares["estimated_on"].dt.strftime("%Y-%m-%d"))[
        ["date", "estimator", "label", "unit", "source"]
    ]
    return show_table(
        table.set_axis(["Date", "Estimator", "Figure as stated", "Of what", "Source"], axis=1),
        caption="Estimates of North Korea's share of Russia's artillery ammunition, as stated",
    )


def heavy_weapons_table(heavy: pd.DataFrame):
    """Missiles and artillery systems supplied or used, as stated."""
    table = heavy.assign(date=heavy["estimated_on"].dt.strftime("%Y-%m-%d"), use=heavy["use"].fillna(""))[
        ["date", "item", "use", "label", "scope", "estimator", "source"]
    ]
    columns = [
        "Date",
        "Item as stated",
        "Supplied or used",
        "Figure as stated",
        "Period as stated",
        "Estimator",
        "Source",
    ]
    return show_table(
        table.set_axis(columns, axis=1), caption="Missiles and artillery systems supplied or used, as stated"
    )
