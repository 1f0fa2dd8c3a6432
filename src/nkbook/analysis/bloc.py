"""The chapter *Bloc or bargain?*: the frames its figures draw and the numbers its prose cites.

The general derivations (ideal points, agreement, roll calls, regimes) are in :mod:`nkbook.analysis.voting`;
this module names the rows, periods and years the chapter cites, once. Each ``*_facts`` function
returns a dict of glue name to value in the order the chapter glues them.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis import voting
from nkbook.core.formats import day
from nkbook.data import load

#: The first year of the ideal-point chart.
IDEAL_POINTS_SINCE = 2000
#: The year of the full-scale invasion, marked on the ideal-point chart.
INVASION_YEAR = 2022
#: The date of the full-scale invasion.
INVASION_DAY = pd.Timestamp("2022-02-24")
#: The periods whose mean distance to North Korea the prose compares.
DISTANCE_PERIODS = {"before": (2015, 2021), "after": (2022, 2024)}
#: (partner, year) pairs whose agreement with North Korea the prose cites.
AGREEMENT_CITED = (
    ("RUS", 2019),
    ("RUS", 2025),
    ("CHN", 2019),
    ("CHN", 2025),
    ("USA", 2019),
    ("USA", 2025),
    ("RUS", 1993),
    ("IRN", 2025),
    ("SYR", 2025),
    ("BLR", 2025),
)
#: The year of the regime ratings in the table of the camp around Russia (the latest Freedom House gives).
RATINGS_YEAR = 2024
#: The full roll calls whose autocracies the prose counts, with the prefix of their glue names.
AUTOCRACY_CITED = {"es1": "ES-11/1", "es7": "ES-11/7", "es9": "ES-11/9"}
#: Rows of ``milestones`` the prose names: treaty signed, treaty in force, China's statement, Vostochny summit.
TREATY_SIGNED, TREATY_IN_FORCE, CHINA_MFA, SUMMIT_2023 = "E017", "E039", "E005", "E009"
#: Rows of ``unsc_dprk_actions`` the prose names: the last sanctions resolution and the two vetoed drafts.
LAST_SANCTIONS, VETO_2022, VETO_2024 = "res-2397-2017", "draft-2022-05-26", "draft-2024-03-28"
#: The time line of pressure and the turn to Moscow starts here.
TIMING_FROM = pd.Timestamp("2006-01-01")
#: The kinds of Council action and of milestone on that time line (and the treaty's entry into force).
TIMING_ACTIONS = ("resolution", "draft_vetoed", "mandate_end")
TIMING_MILESTONES = ("summit", "treaty")
#: The year before the launches rose, which the prose compares with the peak.
LAUNCHES_BEFORE = 2021
#: The Assembly vote held in totals only (its roll call and symbol are not in the stored sources).
TOTALS_ONLY_VOTE = "2026-02-24"
#: The claims of the register this chapter settles or bears on.
CLAIMS = ("A02", "A10", "A12", "A18", "B05", "B29", "C06", "C18")


def overview_facts(votes: pd.DataFrame) -> dict:
    """The date of the latest vote in the chapter's tables."""
    return {"last_vote": day(votes["voted_on"].max())}


def ideal_point_lines(points: pd.DataFrame) -> pd.DataFrame:
    """Ideal points of the named states since :data:`IDEAL_POINTS_SINCE`, with their source and a
    ``segment`` per run of consecutive years (a line joins consecutive years only: a missing year breaks it)."""
    ip = voting.ideal_points(since=IDEAL_POINTS_SINCE).merge(points[["point_id", "source"]], on="point_id")
    ip = ip.sort_values(["state", "year"])
    runs = ip.groupby("state")["year"].diff().fillna(0).ne(1).groupby(ip["state"]).cumsum()
    ip["segment"] = ip["state"] + runs.astype(str)
    return ip


def alignment_facts(ip: pd.DataFrame) -> dict:
    """Mean distance to North Korea before and after 2022, and ideal points around the invasion."""
    dist = voting.distance_to_dprk()
    means = voting.period_means(dist, "distance", DISTANCE_PERIODS).pivot(
        index="iso3", columns="period", values="distance"
    )
    p = ip.set_index(["iso3", "year"])["ideal_point"]
    facts = {
        "d_rus_before": means.loc["RUS", "before"],
        "d_rus_after": means.loc["RUS", "after"],
        "d_chn_before": means.loc["CHN", "before"],
        "d_chn_after": means.loc["CHN", "after"],
        "d_usa_after": means.loc["USA", "after"],
        "prk_2021": p[("PRK", 2021)],
        "prk_2022": p[("PRK", 2022)],
        "rus_2021": p[("RUS", 2021)],
        "rus_2022": p[("RUS", 2022)],
        "rus_2024": p[("RUS", 2024)],
    }
    return {name: f"{value:.2f}" for name, value in facts.items()}


def agreement_lines(agreement: pd.DataFrame) -> pd.DataFrame:
    """Agreement with North Korea by partner and year, labelled by partner and by period of data."""
    ag = agreement.assign(state=agreement["partner_iso3"].map(voting.LABELS))
    ag["period"] = ag["year"].map(
        lambda y: "2025 (adopted resolutions)" if y == 2025 else "1991–2019 (all recorded votes)"
    )
    return ag


def agreement_facts(agreement: pd.DataFrame) -> dict:
    """The agreement figures the prose cites, decade means with Russia and China, and 2025's roll calls."""
    a = agreement.set_index("agreement_id")
    facts = {
        f"ag_{code.lower()}_{year}": f"{a.loc[f'{code}-{year}', 'agreement']:.2f}" for code, year in AGREEMENT_CITED
    }

    def mean(code, years):
        return agreement[(agreement["partner_iso3"] == code) & years(agreement["year"])]["agreement"].mean()

    facts["ag_rus_1990s"] = f"{mean('RUS', lambda y: y <= 1999):.2f}"
    facts["ag_rus_2010s"] = f"{mean('RUS', lambda y: y.between(2010, 2019)):.2f}"
    facts["ag_chn_2010s"] = f"{mean('CHN', lambda y: y.between(2010, 2019)):.2f}"
    facts["n_2025"] = int(a.loc["RUS-2025", "n_roll_calls"])
    return facts


def resolution_order(resolutions: pd.DataFrame, votes: pd.DataFrame) -> list[str]:
    """The resolutions the book holds votes for, in the order adopted."""
    return [r for r in resolutions["resolution"] if r in set(votes["resolution"])]


def resolutions_table(resolutions: pd.DataFrame, votes: pd.DataFrame) -> pd.DataFrame:
    """The Ukraine resolutions with their official totals, North Korea's vote and how much of the roll call the book holds."""
    held = voting.roll_call_totals(votes)
    table = resolutions.assign(
        date=resolutions["adopted_on"].map(day),
        result=resolutions.apply(lambda r: f"{r['yes']}–{r['no']}–{r['abstain']}", axis=1),
        dprk=resolutions["resolution"]
        .map(votes[votes["iso3"] == "PRK"].set_index("resolution")["vote"])
        .fillna("not in the book's roll calls"),
        roll_call=resolutions["resolution"].map(
            lambda r: (
                "full"
                if r in held.index
                else ("states against and most abstainers" if r in set(votes["resolution"]) else "totals only")
            )
        ),
    )
    return table[["resolution", "date", "title", "result", "dprk", "roll_call", "source"]].rename(
        columns={
            "resolution": "Resolution",
            "date": "Adopted",
            "title": "Title",
            "result": "Yes–no–abstain",
            "dprk": "North Korea",
            "roll_call": "Votes held",
            "source": "Source",
        }
    )


def named_votes(votes: pd.DataFrame) -> pd.DataFrame:
    """The votes of the named states, with their short label."""
    return votes[votes["iso3"].isin(voting.NAMED)].assign(state=lambda d: d["iso3"].map(voting.LABELS))


def camp_facts(votes: pd.DataFrame, resolutions: pd.DataFrame) -> dict:
    """Who voted against with Russia, how often, and how China, Iran, Syria and the United States voted."""
    camp = voting.voted_with_russia(votes)
    always = camp[camp["with_russia"] == camp["with_russia"].max()]
    v = votes.set_index("vote_id")["vote"]
    order = resolution_order(resolutions, votes)
    return {
        "n_russia_no": int((votes[votes["iso3"] == "RUS"]["vote"] == "no").sum()),
        "always": " and ".join(always["country"]),
        "n_always": int(camp["with_russia"].max()),
        "n_camp": len(camp),
        "n_once": int((camp["with_russia"] == 1).sum()),
        "chn_pattern": ", ".join(f"{r}: {v.get(f'{r}-CHN', 'not recorded')}" for r in order),
        "irn_no": int((votes[votes["iso3"] == "IRN"]["vote"] == "no").sum()),
        "syr_2025": v.get("ES-11/7-SYR", "not recorded"),
        "usa_es11_7": v["ES-11/7-USA"],
    }


def camp_table(votes: pd.DataFrame, regimes: pd.DataFrame, freedom: pd.DataFrame) -> pd.DataFrame:
    """The fifteen states that voted against with Russia most often, with their regime class and
    Freedom House status in :data:`RATINGS_YEAR`."""
    table = (
        voting.voted_with_russia(votes)
        .head(15)
        .merge(regimes[regimes["year"] == RATINGS_YEAR][["iso3", "regime_label"]], on="iso3", how="left")
        .merge(freedom[freedom["year"] == RATINGS_YEAR][["iso3", "status_label"]], on="iso3", how="left")
    )
    return table.fillna("not classified").rename(
        columns={
            "iso3": "Code",
            "country": "State",
            "with_russia": "Voted against with Russia",
            "recorded": "Of resolutions recorded",
            "regime_label": f"Regime (RoW, {RATINGS_YEAR})",
            "status_label": f"Freedom House ({RATINGS_YEAR})",
        }
    )


def votes_by_regime(votes: pd.DataFrame) -> pd.DataFrame:
    """States casting each vote by regime class (year before the vote), for the full roll calls, with a source."""
    joined = voting.with_regimes(votes)
    full = joined[joined["resolution"].isin(voting.FULL_ROLL_CALLS)].copy()
    full["regime"] = full["regime_label"].fillna("not classified")
    counts = full.groupby(["resolution", "regime", "vote"], as_index=False).agg(states=("iso3", "size"))
    counts["source"] = "Votes: " + counts["resolution"] + " roll call; regime: V-Dem via Our World in Data"
    return counts


def autocracy_facts(votes: pd.DataFrame) -> dict:
    """For three full roll calls: the autocracies among the states voting no, and how autocracies voted."""
    facts = {}
    for name, resolution in AUTOCRACY_CITED.items():
        s = voting.share_autocracies(resolution, votes)
        n_auto = int(s["autocracies"].sum())
        facts[f"{name}_no_auto"] = int(s.loc["no", "autocracies"])
        facts[f"{name}_no_share"] = f"{s.loc['no', 'autocracy_share']:.0%}"
        facts[f"{name}_auto"] = n_auto
        facts[f"{name}_auto_no_share"] = f"{s.loc['no', 'autocracies'] / n_auto:.0%}"
        facts[f"{name}_auto_yes"] = int(s.loc["yes", "autocracies"])
        facts[f"{name}_auto_abstain"] = int(s.loc["abstain", "autocracies"])
    return facts


def alliances_table() -> pd.DataFrame:
    """North Korea's ATOP alliances with the chapter's column names."""
    return voting.dprk_alliances().rename(
        columns={
            "atopid": "ATOP id",
            "partners": "Other members",
            "members": "Members",
            "from": "From",
            "to": "To",
            "obligations": "North Korea's obligations",
        }
    )


def treaty_facts(milestones: pd.DataFrame) -> dict:
    """When the 2024 treaty was signed and entered into force, and when China called its own treaty in force."""
    e = milestones.set_index("event_id")["event_date"]
    return {
        "treaty_signed": day(e[TREATY_SIGNED]),
        "treaty_in_force": day(e[TREATY_IN_FORCE]),
        "china_mfa": day(e[CHINA_MFA]),
    }


def timing_events(unsc: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    """Council sanctions actions and the summits and treaty steps between Russia and North Korea, on two tracks."""
    sanc = unsc[unsc["action_type"].isin(TIMING_ACTIONS)]
    sanc = sanc.assign(
        date=sanc["action_date"],
        track="UN Security Council",
        what=sanc["document"] + ": " + sanc["summary"].str.slice(0, 90),
    )
    turn = milestones[milestones["category"].isin(TIMING_MILESTONES) | (milestones["event_id"] == TREATY_IN_FORCE)]
    turn = turn.assign(date=turn["event_date"], track="Russia–North Korea", what=turn["event"].str.slice(0, 90))
    return pd.concat([sanc[["date", "track", "what", "source"]], turn[["date", "track", "what", "source"]]])


def timing_facts(unsc: pd.DataFrame, milestones: pd.DataFrame, launches: pd.DataFrame | None = None) -> dict:
    """The last sanctions resolution, the two vetoes, the 2023 summit, and the missile launches by year."""
    u = unsc.set_index("action_id")
    e = milestones.set_index("event_id")["event_date"]
    launches = load("missile_tests") if launches is None else launches
    per_year = launches.groupby(launches["launch_date"].dt.year).size()
    dates = launches["launch_date"]
    return {
        "last_sanctions": f"{day(u.loc[LAST_SANCTIONS, 'action_date'])}, by {u.loc[LAST_SANCTIONS, 'votes_for']} "
        f"votes to {u.loc[LAST_SANCTIONS, 'votes_against']}",
        "veto_2022": f"{day(u.loc[VETO_2022, 'action_date'])} ({u.loc[VETO_2022, 'vetoed_by'].replace('; ', ' and ')})",
        "veto_2024": f"{day(u.loc[VETO_2024, 'action_date'])} ({u.loc[VETO_2024, 'vetoed_by']})",
        "summit_2023": day(e[SUMMIT_2023]),
        "launch_peak_year": str(int(per_year.idxmax())),
        "launch_peak": int(per_year.max()),
        "launch_2021": int(per_year.get(LAUNCHES_BEFORE, 0)),
        "launch_before_invasion": int(((dates >= f"{INVASION_DAY.year}-01-01") & (dates < INVASION_DAY)).sum()),
    }


def totals_only_facts(resolutions: pd.DataFrame) -> dict:
    """The result of the vote the book holds in totals only, as yes–no–abstain."""
    r = resolutions.set_index("resolution").loc[TOTALS_ONLY_VOTE]
    return {"vote_2026": f"{r['yes']}–{r['no']}–{r['abstain']}"}
