"""The figures of the chapter *Bloc or bargain?*: each takes the frames of :mod:`nkbook.analysis.bloc`
and returns the captioned figure the chapter shows."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis import bloc, voting
from nkbook.analysis.estimates import ESTIMATOR_COLOURS
from nkbook.core.formats import day
from nkbook.present import charts

#: Colours of yes, abstain, no and not voting, the same in every chart of votes.
VOTE_COLOURS = (charts.PALETTE[2], charts.PALETTE[1], charts.PALETTE[3], "#8C8C8C")
#: Colours of the two tracks of the time line: the Council, and Russia and North Korea.
TRACK_COLOURS = (charts.PALETTE[0], charts.PALETTE[3])


def _vote_scale() -> alt.Scale:
    return alt.Scale(domain=list(voting.VOTE_ORDER), range=list(VOTE_COLOURS))


def _state_scale(states: list[str]) -> alt.Scale:
    """The book's colour per state."""
    return alt.Scale(domain=states, range=[ESTIMATOR_COLOURS[s] for s in states])


def ideal_points(ip: pd.DataFrame) -> charts.Figure:
    """Yearly ideal points of the named states, a line per run of years (from :func:`bloc.ideal_point_lines`),
    with the year of the invasion as a dashed rule."""
    order = list(voting.LABELS.values())
    first, last = bloc.IDEAL_POINTS_SINCE, int(ip["year"].max())
    base = alt.Chart(
        ip[["state", "segment", "year", "ideal_point", "ideal_point_q05", "ideal_point_q95", "n_votes", "source"]]
    )
    tooltip = [
        alt.Tooltip("state:N", title="State"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("ideal_point:Q", title="Ideal point", format=".2f"),
        alt.Tooltip("ideal_point_q05:Q", title="5th percentile", format=".2f"),
        alt.Tooltip("ideal_point_q95:Q", title="95th percentile", format=".2f"),
        alt.Tooltip("n_votes:Q", title="Votes"),
        alt.Tooltip("source:N", title="Source"),
    ]
    lines = base.mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d")),
        y=alt.Y("ideal_point:Q", title="Ideal point (higher: closer to the US-led West)"),
        color=alt.Color("state:N", title="State", sort=order, scale=_state_scale(order)),
        detail="segment:N",
        tooltip=tooltip,
    )
    year = bloc.INVASION_YEAR
    marker = pd.DataFrame({"year": [year], "label": [f"{year}: invasion of Ukraine"], "source": ["milestones"]})
    invasion = (
        alt.Chart(marker)
        .mark_rule(strokeDash=[4, 3], color="#444")
        .encode(
            x=alt.X("year:Q", scale=alt.Scale(domain=[first, last])),
            tooltip=[alt.Tooltip("label:N", title="Marker"), alt.Tooltip("source:N", title="Source")],
        )
    )
    chart = (invasion + lines).properties(
        width="container",
        height=340,
        title=alt.Title(
            f"UN General Assembly ideal points of seven states, {first}–{last}",
            subtitle=f"Estimated from final-passage votes; dashed line: {year}, the year of the full-scale invasion",
        ),
        description=(
            f"Line chart of yearly ideal points {first}-{last}. "
            + "; ".join(
                f"{s}: {g.loc[g.year == year - 1, 'ideal_point'].iloc[0]:.2f} in {year - 1}, "
                f"{g.loc[g.year == year, 'ideal_point'].iloc[0]:.2f} in {year}, "
                f"{g.loc[g.year == last, 'ideal_point'].iloc[0]:.2f} in {last}"
                for s, g in ip.groupby("state", sort=False)
            )
            + "."
        ),
    )
    return charts.figure(
        chart,
        caption=(
            "Ideal points of North Korea, Russia, China, Iran, Belarus, Syria and the United States by year. "
            "Hover a point for the estimate, its 90% interval and the number of votes behind it. The estimates "
            "come from the version of 28 July 2025. Source: Bailey, Strezhnev and Voeten, UN General Assembly "
            "Voting Data. Data: <code>unga_ideal_points</code>."
        ),
        as_of=pd.Timestamp(year=last, month=12, day=31),  # the last year estimated
    )


def agreement(ag: pd.DataFrame) -> charts.Figure:
    """Small multiples of North Korea's yearly agreement with six states (from :func:`bloc.agreement_lines`)."""
    partners = [voting.LABELS[c] for c in voting.NAMED[1:]]
    chart = (
        alt.Chart(ag[["state", "year", "period", "agreement", "n_roll_calls", "basis", "source"]])
        .mark_line(point=alt.OverlayMarkDef(size=28), strokeWidth=1.8)
        .encode(
            x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d", values=[1991, 2000, 2010, 2019, 2025])),
            y=alt.Y("agreement:Q", title="Agreement with North Korea", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("state:N", title="Partner", sort=partners, scale=_state_scale(partners), legend=None),
            detail="period:N",
            tooltip=[
                alt.Tooltip("state:N", title="Partner"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("agreement:Q", title="Agreement", format=".2f"),
                alt.Tooltip("n_roll_calls:Q", title="Roll calls both voted"),
                alt.Tooltip("basis:N", title="Roll calls"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(width=150, height=140)
        .facet(facet=alt.Facet("state:N", title=None, sort=partners), columns=3)
        .properties(
            title=alt.Title(
                "How often North Korea voted as six states in the General Assembly",
                subtitle="Agreement index by year, 1991–2019 and 2025 (no data for 2020–2024)",
            ),
            description=(
                "Small multiples of yearly agreement with North Korea. "
                + "; ".join(
                    f"{s}: {g.loc[g.year == 2019, 'agreement'].iloc[0]:.2f} in 2019, "
                    f"{g.loc[g.year == 2025, 'agreement'].iloc[0]:.2f} in 2025"
                    for s, g in ag.groupby("state", sort=False)
                )
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Share of roll calls in which North Korea voted as the partner did (same vote 1, yes or no against an "
            "abstention 1/2), among roll calls both voted in. 1991–2019 counts all recorded votes, amendments and "
            "paragraphs included; 2025 counts adopted resolutions only, so the two are not strictly comparable. "
            "Sources: unvotes (Robinson, from Voeten's data); UN Digital Library voting data. Data: "
            "<code>unga_agreement</code>."
        ),
        as_of=ag["period_end"].max(),
    )


def votes_grid(named: pd.DataFrame, order: list[str]) -> charts.Figure:
    """How the named states voted on each Ukraine resolution (from :func:`bloc.named_votes`), the
    resolutions in ``order`` (:func:`bloc.resolution_order`)."""
    chart = (
        alt.Chart(named[["state", "resolution", "voted_on", "vote", "basis", "source"]])
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=alt.X("resolution:N", title="Resolution", sort=order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("state:N", title=None, sort=list(voting.LABELS.values())),
            color=alt.Color("vote:N", title="Vote", scale=_vote_scale(), sort=list(voting.VOTE_ORDER)),
            tooltip=[
                alt.Tooltip("state:N", title="State"),
                alt.Tooltip("resolution:N", title="Resolution"),
                alt.Tooltip("voted_on:T", title="Voted on", format="%d %b %Y"),
                alt.Tooltip("vote:N", title="Vote"),
                alt.Tooltip("basis:N", title="Record"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=230,
            title=alt.Title(
                "How seven states voted on the General Assembly's Ukraine resolutions",
                subtitle="68/262 (2014) to ES-11/9 (December 2025); blank: vote not in the book's records",
            ),
            description=(
                "Grid of votes by state and resolution. "
                + "; ".join(
                    f"{s}: " + ", ".join(f"{r.resolution} {r.vote}" for r in g.itertuples())
                    for s, g in named.sort_values("voted_on").groupby("state", sort=False)
                )
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Votes of North Korea, Russia, China, Iran, Belarus, Syria and the United States. ES-11/3, ES-11/4 and "
            "ES-11/6 come from news reports that list the states against and most abstainers, so a state voting yes "
            "there may be missing. Sources: UN Digital Library voting data (2025); lists compiled from news reports "
            "and a cross-check file (hover). Data: <code>unga_ukraine_votes</code>."
        ),
        as_of=named["voted_on"].max(),
    )


def votes_by_regime(counts: pd.DataFrame, regimes: pd.DataFrame) -> charts.Figure:
    """Shares of each vote by regime class, one panel per full roll call (from :func:`bloc.votes_by_regime`);
    ``regimes`` (the table ``regimes_of_the_world``) dates the caption."""
    rank = "indexof([" + ", ".join(f"'{v}'" for v in voting.VOTE_ORDER) + "], datum.vote)"
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("states:Q", title="States", stack="normalize", axis=alt.Axis(format="%")),
            y=alt.Y("regime:N", title=None, sort=[*voting.REGIME_ORDER, "not classified"]),
            color=alt.Color("vote:N", title="Vote", scale=_vote_scale(), sort=list(voting.VOTE_ORDER)),
            order=alt.Order("vote_rank:Q"),
            tooltip=[
                alt.Tooltip("resolution:N", title="Resolution"),
                alt.Tooltip("regime:N", title="Regime, year before"),
                alt.Tooltip("vote:N", title="Vote"),
                alt.Tooltip("states:Q", title="States"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .transform_calculate(vote_rank=rank)
        .properties(width=420, height=110)
        .facet(
            row=alt.Row(
                "resolution:N",
                title=None,
                sort=list(voting.FULL_ROLL_CALLS),
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelOrient="top", labelAnchor="start", labelFontWeight="bold"
                ),
            ),
        )
        .properties(
            title=alt.Title(
                "Votes on five Ukraine resolutions, by the voter's regime type",
                subtitle="Share of states in each Regimes of the World class, year before the vote",
            ),
            description=(
                "Stacked bars of vote shares by regime class for "
                + ", ".join(voting.FULL_ROLL_CALLS[:-1])
                + f" and {voting.FULL_ROLL_CALLS[-1]}. "
                + "; ".join(
                    f"{r}: "
                    + ", ".join(
                        f"{g2.regime.iloc[0]} " + "/".join(f"{x.vote} {x.states}" for x in g2.itertuples())
                        for _, g2 in g.groupby("regime", sort=False)
                    )
                    for r, g in counts.groupby("resolution", sort=False)
                )
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Each bar is one regime class; its segments are the shares of yes, abstain, no and not voting. "
            '"Not classified": states V-Dem does not cover, mostly small island states. Sources: roll calls as in '
            "the previous chart; Regimes of the World (V-Dem v16) via Our World in Data. Data: "
            "<code>unga_ukraine_votes</code>, <code>regimes_of_the_world</code>."
        ),
        as_of=regimes["published_on"].max(),  # the version of the classes
    )


def timing(events: pd.DataFrame) -> charts.Figure:
    """Council sanctions actions and the Russia–North Korea milestones on one time line, from
    :data:`bloc.TIMING_FROM` (from :func:`bloc.timing_events`; the description lists every event)."""
    tracks = ["UN Security Council", "Russia–North Korea"]
    timeline = events[events["date"] >= bloc.TIMING_FROM]
    chart = (
        alt.Chart(timeline)
        .mark_point(filled=True, size=90, opacity=0.85)
        .encode(
            x=alt.X("date:T", title="Date", axis=alt.Axis(format="%Y")),
            y=alt.Y("track:N", title=None, sort=tracks),
            color=alt.Color("track:N", title=None, legend=None, scale=alt.Scale(range=list(TRACK_COLOURS))),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("what:N", title="What"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .properties(
            width="container",
            height=140,
            title=alt.Title(
                f"Sanctions pressure and the turn to Moscow, {bloc.TIMING_FROM.year} onwards",
                subtitle="Security Council actions on North Korea; summits and treaty steps between Russia and North Korea",
            ),
            description=(
                "Time line. "
                + ". ".join(
                    f"{track.removeprefix('UN ')}: "
                    + "; ".join(
                        f"{day(r.date)} {r.what}"
                        for r in events[events["track"] == track].sort_values("date").itertuples()
                    )
                    for track in tracks
                )
                + "."
            ),
        )
    )
    return charts.figure(
        chart,
        caption=(
            "Each point is one event; hover for what it was and its source. Sources: one per "
            "point (hover). Data: <code>unsc_dprk_actions</code>, <code>milestones</code>."
        ),
        as_of=timeline["date"].max(),
    )
