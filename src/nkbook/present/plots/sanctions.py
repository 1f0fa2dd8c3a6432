"""The figures of the chapter *Sanctions*: each takes the frames of :mod:`nkbook.analysis.sanctions`
and returns the captioned figure the chapter shows."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis import sanctions
from nkbook.core.formats import day
from nkbook.present import charts
from nkbook.present.plots import date_span, year_span


def council_actions(timeline: pd.DataFrame) -> charts.Figure:
    """Security Council actions on the DPRK by date and kind (from :func:`sanctions.council_timeline`)."""
    order = sanctions.KIND_ORDER
    chart = (
        alt.Chart(timeline)
        .mark_point(filled=True, size=90, opacity=0.9)
        .encode(
            x=alt.X("action_date:T", title="Date", axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("kind:N", title=None, sort=order),
            color=alt.Color("kind:N", sort=order, legend=None),
            shape=alt.Shape(
                "verification:N",
                title="Checked against source",
                scale=alt.Scale(domain=["verified", "partial"], range=["circle", "triangle"]),
            ),
            tooltip=[
                alt.Tooltip("document:N", title="Document"),
                alt.Tooltip("action_date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("vote:N", title="Vote (for-against-abstain)"),
                alt.Tooltip("summary:N", title="What it did"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=260,
            title=alt.Title(
                f"UN Security Council action on North Korea, {year_span(timeline, 'action_date')}",
                subtitle="Every sanctions resolution and Panel renewal was unanimous; the drafts of 2022 and 2024 were vetoed",
            ),
            description=(
                f"Dot chart of {len(timeline)} Security Council actions on North Korea by date and kind, "
                f"{date_span(timeline, 'action_date')}: "
                + "; ".join(f"{k}: {n}" for k, n in timeline["kind"].value_counts().reindex(order).items())
                + ". Sanctions resolutions cluster before 2018; the vetoed drafts come in 2022 and 2024."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "UN Security Council action on the DPRK by date and kind. Triangles: rows whose resolution number or day "
            "rests on weaker evidence (see the data notes). Sources: UN press releases and first-hand reports, one per "
            "point (hover for it). Data: <code>unsc_dprk_actions</code>."
        ),
        as_of=timeline["action_date"].max(),
    )


def un_listings(by_year: pd.DataFrame, un_list: pd.DataFrame) -> charts.Figure:
    """Entries of the UN 1718 list by year listed and type (from :func:`sanctions.un_listings_by_year`)."""
    chart = (
        alt.Chart(by_year)
        .mark_bar()
        .encode(
            # every year of the span, those without a listing too (an empty band, not a missing one)
            x=alt.X(
                "year:O",
                title="Year listed",
                scale=alt.Scale(domain=list(range(int(by_year["year"].min()), int(by_year["year"].max()) + 1))),
            ),
            y=alt.Y("listings:Q", title="Listings", stack=True),
            color=alt.Color("entry_type:N", title="Listed", sort=["Individuals", "Entities"]),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("entry_type:N", title="Type"),
                alt.Tooltip("listings:Q", title="Listings"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=260,
            title=alt.Title(
                "UN 1718 sanctions list: listings by year and type",
                subtitle=f"No listing after {un_list['listed_on'].max():%B %Y} in the list of "
                f"{pd.Timestamp(sanctions.un_list_as_of(un_list)):%B %Y}",
            ),
            description=(
                f"Stacked bar chart of the {len(un_list)} entries on the UN's DPRK sanctions list by the year "
                "they were listed, split into individuals and entities: "
                + ", ".join(f"{y}: {n}" for y, n in by_year.groupby("year")["listings"].sum().items())
                + ". None are listed after the last year shown."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Entries of the UN Security Council's 1718 (DPRK) sanctions list by year listed and type. Source: UN "
            f"Security Council Consolidated List, generated {day(sanctions.un_list_as_of(un_list))}. "
            "Data: <code>un_1718_designations</code>."
        ),
        as_of=sanctions.un_list_as_of(un_list),
    )


def sdn_additions(per_quarter: pd.DataFrame) -> charts.Figure:
    """Entries added to OFAC's SDN list under DPRK programs, by quarter (from :func:`sanctions.sdn_per_quarter`)."""
    chart = (
        alt.Chart(per_quarter)
        .mark_bar()
        .encode(
            x=alt.X(
                "quarter_label:O",
                title="Quarter first seen",
                scale=alt.Scale(domain=sanctions.quarter_labels(per_quarter)),
            ),
            y=alt.Y("entries:Q", title="Entries added", stack=True),
            color=alt.Color("sdn_type:N", title="Entry", sort=["Individual", "Entity"]),  # as in the UN list's chart
            tooltip=[
                alt.Tooltip("quarter_label:N", title="Quarter"),
                alt.Tooltip("sdn_type:N", title="Type"),
                alt.Tooltip("entries:Q", title="Entries added"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=260,
            title=alt.Title(
                "US SDN list: entries added under DPRK programs, by quarter",
                subtitle=f"Between the copies of {pd.Timestamp(sanctions.sdn_since()):%B %Y} and "
                f"{pd.Timestamp(sanctions.sdn_as_of()):%B %Y}",
            ),
            description=(
                f"Stacked bar chart of the {int(per_quarter['entries'].sum())} entries added to the US Treasury's "
                "SDN list under North Korea sanctions programs between the list copies of "
                f"{pd.Timestamp(sanctions.sdn_since()):%B %Y} and {pd.Timestamp(sanctions.sdn_as_of()):%B %Y}, "
                "by the quarter they first appeared: "
                + ", ".join(f"{q}: {n}" for q, n in per_quarter.groupby("quarter_label")["entries"].sum().items())
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Entries tagged with a DPRK program (DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA) added to OFAC's SDN list, by "
            "the quarter they first appeared in a six-hourly scrape of the list. Sources: OFAC sdn.csv copies of "
            f"{day(sanctions.sdn_since())} and {day(sanctions.sdn_as_of())}; the scraper's commit history. "
            "Data: <code>ofac_dprk_sdn_entries</code>."
        ),
        as_of=sanctions.sdn_as_of(),
    )


def us_designations(desig: pd.DataFrame) -> charts.Figure:
    """US actions tied to DPRK–Russia cooperation, by date and tie (from :func:`sanctions.us_designations`)."""
    nexus = list(sanctions.NEXUS.values())
    chart = (
        alt.Chart(desig)
        .mark_circle(opacity=0.85)
        .encode(
            x=alt.X("announced_on:T", title="Announced", axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("nexus_label:N", title=None, sort=nexus, axis=alt.Axis(labelLimit=280)),
            size=alt.Size("designated:Q", title="Designated", scale=alt.Scale(range=[60, 600])),
            color=alt.Color("nexus_label:N", legend=None, sort=nexus),
            tooltip=[
                alt.Tooltip("announced_on:T", title="Announced", format="%d %b %Y"),
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("designated:Q", title="Individuals + entities"),
                alt.Tooltip("targets:N", title="Main targets"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=200,
            title=alt.Title(f"US sanctions tied to North Korea–Russia cooperation, {year_span(desig, 'announced_on')}"),
            description=(
                f"Bubble chart of {len(desig)} US sanctions actions from {date_span(desig, 'announced_on')} "
                "by date and by what tied the targets to North "
                "Korea-Russia cooperation ("
                + "; ".join(f"{k}: {n}" for k, n in desig["nexus_label"].value_counts().items())
                + "); bubble size is the number of individuals and entities designated."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "US Treasury and State Department actions whose announcements tie the targets to DPRK–Russia cooperation, "
            "by date and our classification of the tie. Sources: announcements as reported, one per point (hover). "
            "Data: <code>us_dprk_russia_designations</code>."
        ),
        as_of=desig["announced_on"].max(),
    )


def oil_against_cap(shown: pd.DataFrame, cap_row: pd.DataFrame) -> charts.Figure:
    """Refined petroleum figures as bars against the cap as a dashed rule (from :func:`sanctions.oil_figures`
    and :func:`sanctions.oil_cap_row`)."""
    cap = float(cap_row["value"].iloc[0])
    bars = (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=shown["label"].tolist(), axis=alt.Axis(labelLimit=330)),
            x=alt.X("value:Q", title="Barrels (for the period named)", axis=alt.Axis(format="~s")),
            color=alt.Color(
                "kind_label:N",
                title="Figure",
                sort=list(sanctions.OIL_KINDS.values()),
                legend=alt.Legend(columns=2, labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("figure:N", title="Figure as stated"),
                alt.Tooltip("reported_by:N", title="Reported by"),
                alt.Tooltip("published_on:T", title="Public on", format="%d %b %Y"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    rule = (
        alt.Chart(cap_row)
        .mark_rule(color="#000000", strokeDash=[5, 4], size=2)
        .encode(
            x="value:Q",
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("figure:N", title="Cap"),
                alt.Tooltip("published_on:T", title="Set on", format="%d %b %Y"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    chart = (bars + rule).properties(
        width="container",
        height=240,
        title=alt.Title(
            "Refined petroleum for North Korea against the UN cap",
            subtitle=f"Dashed line: the cap of {cap:,.0f} barrels a year set by resolution 2397 (2017)",
        ),
        description=(
            f"Horizontal bar chart of refined petroleum figures for North Korea with a dashed line at the UN "
            f"cap of {cap:,.0f} barrels a year: "
            + "; ".join(f"{r.label}, {r.figure}" for r in shown.itertuples())
            + "."
        ),
    )
    return charts.figure(
        chart,
        caption=(
            "Refined petroleum figures for the DPRK as their sources state them (bars), against the annual cap of "
            "resolution 2397 (dashed line). Periods differ between bars: compare each with the cap, not with each "
            "other. 'More than' figures are lower bounds. Sources: hover a bar. Data: <code>petroleum_supply</code>."
        ),
        as_of=shown["published_on"].max(),
    )


def who_sanctioned(actions: pd.DataFrame, order: list[str]) -> charts.Figure:
    """Sanctions actions tied to DPRK–Russia cooperation by state and date (from :func:`sanctions.sanctioning_actions`
    and :func:`sanctions.state_order`): a circle sized by what the action designated where that count covers only
    targets tied to the two states, a hollow square where the count is a whole package's."""
    nexus = list(sanctions.NEXUS.values())
    base = alt.Chart(actions).encode(
        x=alt.X("announced_on:T", title="Announced", axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("state:N", title=None, sort=order),
        color=alt.Color(
            "nexus_label:N", title="Tie (our classification)", sort=nexus, legend=alt.Legend(labelLimit=280)
        ),
        tooltip=[
            alt.Tooltip("state:N", title="State"),
            alt.Tooltip("announced_on:T", title="Announced", format="%d %b %Y"),
            alt.Tooltip("announced_by:N", title="By"),
            alt.Tooltip("designated:Q", title="Designated (as stated)"),
            alt.Tooltip("counts_cover:N", title="Counts cover"),
            alt.Tooltip("targets:N", title="Targets"),
            alt.Tooltip("source:N", title="Source"),
        ],
    )
    counted = (
        base.transform_filter("datum.counted")
        .mark_circle(opacity=0.8)
        .encode(
            size=alt.Size(
                "shown_size:Q",
                title="Designated",
                scale=alt.Scale(range=[40, 700]),
                # above the plot, so that on a phone it does not sit beside the colour legend
                legend=alt.Legend(orient="top"),
            )
        )
    )
    package = base.transform_filter("!datum.counted").mark_square(filled=False, size=120, strokeWidth=2)
    n_states = actions["state"].nunique()
    chart = (counted + package).properties(
        width="container",
        height=40 * n_states,
        title=alt.Title(
            f"Sanctions tied to North Korea–Russia cooperation, by state, {year_span(actions, 'announced_on')}",
            subtitle="Circles: targets tied to the two states, sized by count; hollow squares: whole packages",
        ),
        description=(
            f"Dot chart of {len(actions)} sanctions actions by {n_states} states or unions, "
            f"{date_span(actions, 'announced_on')}, one row per state ("
            + "; ".join(f"{s}: {n}" for s, n in actions["state"].value_counts().reindex(order).items())
            + "), coloured by what tied the targets to North Korea–Russia cooperation. Circle size is the number "
            "designated where the count covers only such targets; hollow squares mark whole packages, whose counts "
            "are not comparable."
        ),
    )
    return charts.figure(
        chart,
        caption=(
            "Sanctions actions whose announcements tie their targets to DPRK–Russia cooperation, by state and date. "
            "Counts as the announcing sources state them; a package's total is not comparable with a count of targets "
            "and is not sized. Sources: government statements as reported, one per mark (hover). Data: "
            "<code>us_dprk_russia_designations</code>, <code>other_states_sanctions</code>."
        ),
        as_of=actions["announced_on"].max(),
    )
