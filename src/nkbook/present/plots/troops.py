"""The figures and tables of ``book/troops.ipynb``: each takes the chapter's selections
(:mod:`nkbook.analysis.troops`) and returns what the chapter shows, caption included."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis.troops import MILESTONE_KINDS, quarterly_range
from nkbook.present import charts
from nkbook.present.glue import show_table
from nkbook.present.plots import date_span, each_estimate, estimates_over_time


def troops_in_place(in_place: pd.DataFrame) -> charts.Figure:
    """Every estimate of combat troops sent or present, by date and estimator (figure 1)."""
    quarters = quarterly_range(in_place)
    chart = estimates_over_time(
        in_place,
        date="estimated_on",
        series="estimator_type",
        title="North Korean troops in Russia: estimates by date and estimator",
        subtitle="Combat troops sent or present; dots: figures, bars: ranges, triangles: 'at least'",
        y_title="Troops",
        description=(
            f"Chart of {len(in_place)} estimates of North Korean combat troops in Russia from "
            f"{date_span(in_place)}, by estimator type. "
            "Lowest and highest figure stated per quarter: "
            + "; ".join(f"{q}: {r.low:,.0f} to {r.high:,.0f}" for q, r in quarters.iterrows())
            + "."
        ),
        extra_tooltip=[alt.Tooltip("scope:N", title="Scope as stated")],
        selector_name="pick_troop_estimator",
    )
    return charts.figure(
        chart,
        caption=(
            "Estimates of North Korean combat troops sent to or present in Russia, each as its source states it. "
            "Sources: one per mark (hover). Data: <code>troop_estimates</code> (estimate_kind = in_place)."
        ),
        as_of=in_place["estimated_on"].max(),
    )


def left_out_table(others: pd.DataFrame):
    """The estimates the troop chart leaves out (:func:`nkbook.analysis.troops.left_out`), as stated."""
    table = others.assign(date=others["estimated_on"].dt.strftime("%Y-%m-%d"))[
        ["date", "estimator", "scope_norm", "kind_of_estimate", "label", "scope"]
    ]
    columns = ["Date", "Estimator", "Personnel", "Kind", "Figure as stated", "Scope as stated"]
    return show_table(
        table.set_axis(columns, axis=1),
        caption="Estimates left out of the chart: engineers, builders, workers, increments, plans and projections",
    )


def killed_or_wounded(kw: pd.DataFrame) -> charts.Figure:
    """Estimates of soldiers killed or wounded, by date and estimator (figure 2)."""
    chart = estimates_over_time(
        kw,
        date="estimated_on",
        series="estimator_type",
        title="North Korean soldiers killed or wounded: estimates by date and estimator",
        subtitle="Cumulative figures as stated; dots: figures, triangles: 'more than'",
        y_title="Killed or wounded",
        description=(
            f"Chart of {len(kw)} estimates of North Korean soldiers killed or wounded, from "
            f"{date_span(kw)}: " + each_estimate(kw, "%d %b %Y") + "."
        ),
        selector_name="pick_kw_estimator",
    )
    return charts.figure(
        chart,
        caption=(
            "Estimates of North Korean soldiers killed or wounded in the war, each as its source states it: every figure its "
            "source calls casualties, losses or killed and wounded, whoever gives it (cumulative unless the tooltip's scope "
            "says otherwise; a scope may say the count also takes in the missing or captured). Sources: one per mark (hover). "
            "Data: <code>casualty_estimates</code> (casualty_type = killed_or_wounded)."
        ),
        as_of=kw["estimated_on"].max(),
    )


def killed(dead: pd.DataFrame) -> charts.Figure:
    """Estimates of soldiers killed, by date and estimator (figure 3)."""
    chart = estimates_over_time(
        dead,
        date="estimated_on",
        series="estimator_type",
        title="North Korean soldiers killed: estimates by date and estimator",
        subtitle="Figures as stated; a partial or unconfirmed report is marked in its tooltip",
        y_title="Killed",
        description=(
            f"Chart of {len(dead)} estimates of North Korean soldiers killed, from "
            f"{date_span(dead)}: " + each_estimate(dead, "%d %b %Y") + "."
        ),
        extra_tooltip=[alt.Tooltip("verification:N", title="Checked")],
        selector_name="pick_killed_estimator",
    )
    return charts.figure(
        chart,
        caption=(
            "Estimates of North Korean soldiers killed, each as its source states it. Sources: one per mark (hover). "
            "Data: <code>casualty_estimates</code> (casualty_type = killed)."
        ),
        as_of=dead["estimated_on"].max(),
    )


def milestones(recent: pd.DataFrame) -> charts.Figure:
    """The deployment's milestones (:func:`nkbook.analysis.troops.timeline`) on one row per kind (figure 4)."""
    kinds = list(MILESTONE_KINDS.values())
    chart = (
        alt.Chart(recent)
        .mark_point(filled=True, size=90, opacity=0.9)
        .encode(
            x=alt.X("event_date:T", title="Date", axis=alt.Axis(format="%b %Y", labelAngle=-30)),
            y=alt.Y("kind:N", title=None, sort=kinds, axis=alt.Axis(labelLimit=200)),
            color=alt.Color("kind:N", legend=None, sort=kinds),
            tooltip=[
                alt.Tooltip("event_date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("actors:N", title="Actors"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=300,
            title=alt.Title(
                "From summit to acknowledgement: the deployment's milestones",
                subtitle=f"{recent['event_date'].min():%B %Y} to {recent['event_date'].max():%B %Y}",
            ),
            description=(
                f"Timeline of {len(recent)} events by kind: "
                + "; ".join(f"{r.event_date:%d %b %Y}: {r.kind}" for r in recent.itertuples())
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Dated milestones of the deployment and of the 2024 treaty. Sources: one per point (hover). "
            "Data: <code>milestones</code>."
        ),
        as_of=recent["event_date"].max(),
    )
