"""The figures and tables of ``book/flows.ipynb``: each takes the chapter's selections
(:mod:`nkbook.analysis.flows`) and returns what the chapter shows, caption included."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis.estimates import estimator_colours
from nkbook.analysis.flows import LAUNCH_STATUS, STATUSES, TEMPO_FROM, trade_with
from nkbook.core.formats import day
from nkbook.present import charts
from nkbook.present.glue import show_table

#: Missile types in the order of the tempo chart's legend.
MISSILE_TYPES = ["SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "HGV", "SLV", "Unknown"]
#: Statuses of a reported transfer in the table's words (``STATUSES``, in their order).
STATUS_WORDS = ["delivered", "offered or agreed", "suspected", "denied"]
#: The colour of each status: the firmest claims the strongest colours, denials the last.
STATUS_COLOURS = [charts.PALETTE[2], charts.PALETTE[0], charts.PALETTE[1], charts.PALETTE[3]]


def _trade_chart(d: pd.DataFrame, partner: str, title: str, subtitle: str) -> alt.Chart:
    """Trade by year, one line per agency, coloured by the state or body behind it."""
    domain, colours = estimator_colours(sorted(d["reported_by"].unique()))
    return (
        alt.Chart(d)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=70), strokeWidth=2)
        .encode(
            x=alt.X(
                "year:O",
                title="Year",
                scale=alt.Scale(domain=list(range(int(d["year"].min()), int(d["year"].max()) + 1))),
            ),
            y=alt.Y("value_m:Q", title="Trade, US$ million"),
            color=alt.Color("reported_by:N", title="Reported by", scale=alt.Scale(domain=domain, range=colours)),
            shape=alt.Shape("agency:N", title="Agency"),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("value_as_stated:N", title="Figure as stated"),
                alt.Tooltip("data_origin:N", title="Via"),
                alt.Tooltip("published_on:T", title="Public on", format="%d %b %Y"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=260,
            title=alt.Title(title, subtitle=subtitle),
            description=(
                f"Line chart of {partner}-North Korea trade by year and reporting agency: "
                + "; ".join(f"{r.year} {r.agency}: US${r.value_m:,.1f} million" for r in d.itertuples())
                + "."
            ),
        )
    )


def china_trade(annual: pd.DataFrame) -> charts.Figure:
    """China–North Korea trade by year and agency (:func:`nkbook.analysis.flows.annual_trade`)."""
    d = trade_with(annual, "China")
    chart = _trade_chart(
        d,
        "China",
        "China–North Korea trade by year, by reporting agency",
        "Total of both directions; each agency's series kept apart",
    )
    return charts.figure(
        chart,
        caption=(
            "China–North Korea trade (both directions) as each agency reported it: China's customs (GACC), KOTRA and others. "
            "Sources: one per point (hover). Data: <code>dprk_trade</code> (annual totals)."
        ),
        as_of=d["published_on"].max(),
    )


def russia_trade(annual: pd.DataFrame) -> charts.Figure:
    """Russia–North Korea trade by year and agency (:func:`nkbook.analysis.flows.annual_trade`)."""
    d = trade_with(annual, "Russia")
    chart = _trade_chart(
        d,
        "Russia",
        "Russia–North Korea trade by year, by reporting agency",
        "Total of both directions; note the scale: millions, not billions",
    )
    return charts.figure(
        chart,
        caption=(
            "Russia–North Korea trade (both directions) as reported by Russian officials, Russian customs, KOTRA and others. "
            "Military transfers are not in these figures. Sources: one per point (hover). Data: <code>dprk_trade</code>."
        ),
        as_of=d["published_on"].max(),
    )


def reported_transfers(shown: pd.DataFrame, kinds: list[str]) -> charts.Figure:
    """Reports of what Russia gave North Korea (:func:`nkbook.analysis.flows.reported_transfers`),
    by kind (rows, in the order of ``kinds``), date and status."""
    statuses = list(STATUSES)
    chart = (
        alt.Chart(shown)
        .mark_point(filled=True, size=90, opacity=0.85)
        .encode(
            x=alt.X("reported_on:T", title="Reported on", axis=alt.Axis(format="%b %Y", labelAngle=-30)),
            y=alt.Y("category:N", title=None, sort=kinds, axis=alt.Axis(labelLimit=220)),
            color=alt.Color(
                "status_as_reported:N",
                title="As reported",
                sort=statuses,
                scale=alt.Scale(domain=statuses, range=STATUS_COLOURS),
            ),
            shape=alt.Shape(
                "status_as_reported:N", title="As reported", sort=statuses, scale=alt.Scale(domain=statuses)
            ),
            tooltip=[
                alt.Tooltip("reported_on:T", title="Reported on", format="%d %b %Y"),
                alt.Tooltip("item:N", title="What"),
                alt.Tooltip("status_as_reported:N", title="Status as reported"),
                alt.Tooltip("reported_by:N", title="Reported by"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=360,
            title=alt.Title(
                "What Russia is reported to give North Korea, by kind and date of report",
                subtitle="Each point is a public claim, not an established fact",
            ),
            description=(
                f"Timeline of {len(shown)} reports from {shown['reported_on'].min():%B %Y} to "
                f"{shown['reported_on'].max():%B %Y}, by kind of item and status: "
                + "; ".join(f"{c}: {n}" for c, n in shown.groupby("category").size().reindex(kinds).items())
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Public claims that Russia delivered, offered or was suspected of giving North Korea technology, food, money and "
            "other goods, and denials, by date of report. Sources: one per point (hover). Data: <code>reported_transfers_to_dprk</code>."
        ),
        as_of=shown["reported_on"].max(),
    )


def transfers_table(by_kind: pd.DataFrame):
    """Reports by kind and status (:func:`nkbook.analysis.flows.transfers_by_kind`) as a table."""
    table = by_kind.set_axis(STATUS_WORDS, axis=1).reset_index().rename(columns={"category": "Kind of item"})
    return show_table(table, caption="Reported transfers from Russia to North Korea by kind of item")


def missile_launches(per_year: pd.DataFrame, missiles: pd.DataFrame) -> charts.Figure:
    """Launches per year and type (:func:`nkbook.analysis.flows.launches_per_year`), preliminary
    launches outlined; ``missiles`` (the table) dates the last launch."""
    first_year, last_launch = TEMPO_FROM, missiles["launch_date"].max()
    last_year = int(last_launch.year)
    statuses = [LAUNCH_STATUS[False], LAUNCH_STATUS[True]]
    chart = (
        alt.Chart(per_year)
        .mark_bar(strokeWidth=1.5)
        .encode(
            x=alt.X("year:O", title="Year", scale=alt.Scale(domain=list(range(first_year, last_year + 1)))),
            y=alt.Y("launches:Q", title="Launches", stack=True),
            color=alt.Color("missile_type:N", title="Missile type", sort=MISSILE_TYPES),
            # preliminary launches: a dashed black outline (a lighter fill would read as another type)
            stroke=alt.Stroke(
                "status:N", title="Status", scale=alt.Scale(domain=statuses, range=["#ffffff", "#000000"])
            ),
            strokeDash=alt.StrokeDash(
                "status:N", title="Status", scale=alt.Scale(domain=statuses, range=[[1, 0], [4, 2]])
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("missile_type:N", title="Type"),
                alt.Tooltip("launches:Q", title="Launches"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=280,
            title=alt.Title(
                "North Korean missile launches per year, by type",
                subtitle=f"{first_year}–{last_year}; {last_year} to {day(last_launch)} only; 2025 on preliminary",
            ),
            description=(
                f"Stacked bar chart of North Korean missile launches per year from {first_year} to {last_year}, by "
                "missile type: "
                + ", ".join(f"{y}: {n}" for y, n in per_year.groupby("year")["launches"].sum().items())
                + ". Launches of 2025 and later are preliminary."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Launches of missiles able to carry 500 kg at least 300 km, per year and type. Bars with a dashed black outline: launches from 2025 on, "
            "which the database's copy marks as preliminary; the last year is incomplete. Source: CNS North Korea Missile Test "
            "Database (NTI). Data: <code>missile_tests</code>."
        ),
        as_of=last_launch,
    )
