"""Voting, regimes and alliances: the derivations behind the chapter *Bloc or bargain?*.

Every function takes the book's tables as loaded by :func:`nkbook.data.package.load` and returns a plain
DataFrame, so that the tests can check each derivation on its own and the chapter only draws.
"""

from __future__ import annotations

import pandas as pd

from nkbook.data import load

#: The states the issue names, in the order the charts show them.
NAMED = ("PRK", "RUS", "CHN", "IRN", "BLR", "SYR", "USA")
#: Short labels for the charts (the tables carry ISO's names).
LABELS = {
    "PRK": "North Korea",
    "RUS": "Russia",
    "CHN": "China",
    "IRN": "Iran",
    "BLR": "Belarus",
    "SYR": "Syria",
    "USA": "United States",
}
#: Resolutions whose every vote the book holds.
FULL_ROLL_CALLS = ("68/262", "ES-11/1", "ES-11/7", "ES-11/8", "ES-11/9")
VOTE_ORDER = ("yes", "abstain", "no", "not voting")
REGIME_ORDER = ("closed autocracy", "electoral autocracy", "electoral democracy", "liberal democracy")
AUTOCRACY = ("closed autocracy", "electoral autocracy")


def ideal_points(codes=NAMED, since: int = 1991) -> pd.DataFrame:
    """Ideal points of the given states from ``since``, with a short label."""
    points = load("unga_ideal_points")
    out = points[points["iso3"].isin(codes) & (points["year"] >= since)].copy()
    out["state"] = out["iso3"].map(LABELS).fillna(out["country"])
    return out.sort_values(["iso3", "year"], ignore_index=True)


def distance_to_dprk(since: int = 1991) -> pd.DataFrame:
    """Absolute ideal-point distance between the DPRK and each other named state, by year."""
    points = ideal_points(since=since).pivot(index="year", columns="iso3", values="ideal_point")
    rows = []
    for code in NAMED[1:]:
        for year, value in (points[code] - points["PRK"]).abs().dropna().items():
            rows.append({"year": int(year), "iso3": code, "state": LABELS[code], "distance": float(value)})
    return pd.DataFrame(rows)


def period_means(frame: pd.DataFrame, value: str, periods: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Mean of ``value`` per state over each named period of years (inclusive)."""
    rows = []
    for name, (first, last) in periods.items():
        part = frame[(frame["year"] >= first) & (frame["year"] <= last)]
        for code, group in part.groupby("iso3"):
            rows.append({"iso3": code, "period": name, value: float(group[value].mean()), "years": len(group)})
    return pd.DataFrame(rows)


def roll_call_totals(votes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Yes, no, abstain and not voting counted from the country rows of each full roll call."""
    votes = load("unga_ukraine_votes") if votes is None else votes
    full = votes[votes["resolution"].isin(FULL_ROLL_CALLS)]
    counts = pd.crosstab(full["resolution"], full["vote"]).reindex(columns=list(VOTE_ORDER), fill_value=0)
    return counts.reindex([r for r in FULL_ROLL_CALLS if r in counts.index])


def with_regimes(votes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each vote with the voter's Regimes of the World class and Freedom House status in the year
    before the vote (the latest rating the voter's regime could be judged by that year; for 2025
    votes, the 2024 ratings, the last Freedom House gives)."""
    votes = load("unga_ukraine_votes") if votes is None else votes
    row, fh = load("regimes_of_the_world"), load("freedom_house")
    out = votes.assign(rated_year=votes["voted_on"].dt.year - 1)
    out = out.merge(
        row[["iso3", "year", "regime_label"]].rename(columns={"year": "rated_year"}),
        on=["iso3", "rated_year"],
        how="left",
    )
    out = out.merge(
        fh[["iso3", "year", "status_label"]].rename(columns={"year": "rated_year"}),
        on=["iso3", "rated_year"],
        how="left",
    )
    return out


def vote_by_regime(resolution: str, votes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts of each vote by Regimes of the World class, for one full roll call."""
    joined = with_regimes(votes)
    part = joined[joined["resolution"] == resolution]
    table = pd.crosstab(part["regime_label"].fillna("not classified"), part["vote"])
    table = table.reindex(
        index=[r for r in (*REGIME_ORDER, "not classified") if r in table.index],
        columns=[v for v in VOTE_ORDER if v in table.columns],
        fill_value=0,
    )
    return table


def share_autocracies(resolution: str, votes: pd.DataFrame | None = None) -> pd.DataFrame:
    """For one full roll call: how many autocracies and democracies cast each vote, and the share
    of each vote cast by autocracies (Regimes of the World, year before the vote)."""
    table = vote_by_regime(resolution, votes)
    auto = table.reindex([r for r in AUTOCRACY if r in table.index]).sum()
    demo = table.reindex([r for r in REGIME_ORDER if r not in AUTOCRACY and r in table.index]).sum()
    out = pd.DataFrame({"autocracies": auto, "democracies": demo})
    out["autocracy_share"] = out["autocracies"] / (out["autocracies"] + out["democracies"])
    return out


def voted_with_russia(votes: pd.DataFrame | None = None) -> pd.DataFrame:
    """States that voted as Russia did on each Ukraine resolution where Russia voted no, with the
    number of such resolutions (of those the book holds for that state)."""
    votes = load("unga_ukraine_votes") if votes is None else votes
    russia = votes[votes["iso3"] == "RUS"].set_index("resolution")["vote"]
    against = [r for r, v in russia.items() if v == "no"]
    part = votes[votes["resolution"].isin(against) & (votes["iso3"] != "RUS")]
    counts = (
        part.assign(with_russia=part["vote"] == "no")
        .groupby(["iso3", "country"], as_index=False)
        .agg(with_russia=("with_russia", "sum"), recorded=("vote", "size"))
    )
    return counts[counts["with_russia"] > 0].sort_values(
        ["with_russia", "iso3"], ascending=[False, True], ignore_index=True
    )


def dprk_alliances() -> pd.DataFrame:
    """The DPRK's ATOP alliances: one row per alliance with its other members and obligations."""
    members = load("atop_alliances")
    ids = members.loc[members["ccode"] == 731, "atopid"]
    rows = []
    for atopid in ids:
        group = members[members["atopid"] == atopid]
        dprk = group[group["ccode"] == 731].iloc[0]
        others = group[group["ccode"] != 731]
        obligations = [
            name
            for key, name in (
                ("defense", "defence"),
                ("offense", "offence"),
                ("neutral", "neutrality"),
                ("nonagg", "non-aggression"),
                ("consul", "consultation"),
            )
            if dprk[key] == 1
        ]
        rows.append(
            {
                "atopid": int(atopid),
                "partners": ", ".join(others["country"].replace("", pd.NA).dropna())
                if len(others) <= 3
                else f"{len(others)} states",
                "members": len(group),
                "from": int(dprk["entry_year"]),
                "to": "in force" if pd.isna(dprk["exit_year"]) else str(int(dprk["exit_year"])),
                "obligations": ", ".join(obligations),
            }
        )
    return pd.DataFrame(rows).sort_values(["from", "atopid"], ignore_index=True)
