"""The verdict rules: claims that the data can settle mechanically (a figure, a date, a vote) name
one of these functions in ``judged_by``. A rule looks only at rows that were public by the date it
is asked about and returns a :class:`Judgement`: a verdict and the rows it rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from nkbook.analysis import estimates
from nkbook.analysis.claims.evidence import public_by
from nkbook.analysis.claims.vocabulary import VERDICTS


@dataclass(frozen=True)
class Judgement:
    verdict: str
    evidence: tuple[tuple[str, str], ...]
    reason: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")


RULES: dict[str, Callable[[pd.Timestamp], Judgement]] = {}


def rule(fn: Callable[[pd.Timestamp], Judgement]) -> Callable[[pd.Timestamp], Judgement]:
    """Register a verdict rule under its function name (the name ``judged_by`` gives)."""
    RULES[fn.__name__] = fn
    return fn


def _refs(table: str, keys) -> tuple[tuple[str, str], ...]:
    return tuple((table, str(k)) for k in keys)


def _milestones(as_of, category: str, **filters) -> pd.DataFrame:
    m = public_by("milestones", as_of)
    m = m[m["category"] == category]
    for column, value in filters.items():
        m = m[m[column].astype("string").str.contains(value, case=False, na=False, regex=False)]
    return m.sort_values(["event_date", "event_id"])


@rule
def north_korea_entered_the_war(as_of) -> Judgement:
    """A prediction that North Korea would be drawn into the fighting: settled once a government
    reports North Korean troops in combat."""
    combat = _milestones(as_of, "combat")
    if combat.empty:
        return Judgement("Not checkable", (), "no report of North Korean troops in combat was public yet")
    return Judgement(
        "Supported",
        _refs("milestones", combat["event_id"][:2]),
        "North Korean troops were reported in combat against Ukrainian forces",
    )


@rule
def alliance_strengthened(as_of) -> Judgement:
    """A projection that the Russia–North Korea alignment would harden into a firmer alliance."""
    treaty = _milestones(as_of, "treaty")
    if treaty.empty:
        return Judgement("Not checkable", (), "no new treaty between Russia and North Korea was public yet")
    keys = list(treaty["event_id"][:1])
    in_force = _milestones(as_of, "treaty_ratification", event="enters into force")
    keys += list(in_force["event_id"][:1])
    return Judgement(
        "Supported", _refs("milestones", keys), "a mutual-assistance treaty was signed (and later entered into force)"
    )


#: The months the Kursk troop figure of essay B refers to: its works cited were read on
#: 28 November 2024, and the Fall 2024 edition went to press by the end of that year.
KURSK_WINDOW = (pd.Timestamp("2024-11-01"), pd.Timestamp("2024-12-31"))


def figure_against_estimates(figure: float, rows: pd.DataFrame, tolerance: float = 0.2) -> str:
    """Supported if ``figure`` lies within the range the estimates span (the lowest lower bound
    to the highest upper bound, a floor counting as its own value), Partly supported if within
    ``tolerance`` of that range, Contradicted otherwise, Not enough evidence with no estimate."""
    b = estimates.bounds(rows)
    lows = b["lower"].dropna()
    highs = pd.concat([b["upper"].dropna(), b.loc[b["upper"].isna(), "lower"].dropna()])
    if lows.empty and highs.empty:
        return "Not enough evidence"
    low = float(lows.min()) if not lows.empty else float(highs.min())
    high = float(highs.max()) if not highs.empty else float(lows.max())
    if low <= figure <= high:
        return "Supported"
    if low * (1 - tolerance) <= figure <= high * (1 + tolerance):
        return "Partly supported"
    return "Contradicted"


@rule
def troops_about_11000_in_kursk(as_of) -> Judgement:
    """About 11,000 North Korean troops in Russia's Kursk region (November–December 2024)."""
    t = public_by("troop_estimates", as_of)
    t = t[
        (t["scope_norm"] == "combat troops")
        & (t["estimate_kind"] == "in_place")
        & t["estimated_on"].between(*KURSK_WINDOW)
        & t["scope"].str.contains("Kursk", case=False, na=False)
    ]
    verdict = figure_against_estimates(11000, t)
    return Judgement(
        verdict,
        _refs("troop_estimates", sorted(t["estimate_id"])),
        f"{len(t)} estimates of troops in Kursk made in November–December 2024",
    )


def _milestone_in_year(
    as_of, category: str, year: int, *, found: str, missing: str, first_only: bool = False
) -> Judgement:
    """Supported if a milestone of ``category`` dated in ``year`` was public by ``as_of``."""
    m = _milestones(as_of, category)
    m = m[m["event_date"].dt.year == year]
    if m.empty:
        return Judgement("Not enough evidence", (), missing)
    return Judgement("Supported", _refs("milestones", m["event_id"][:1] if first_only else m["event_id"]), found)


@rule
def treaty_signed_in_2024(as_of) -> Judgement:
    """A defence pact between Russia and North Korea signed in 2024."""
    return _milestone_in_year(
        as_of,
        "treaty",
        2024,
        first_only=True,
        found="signed in Pyongyang on 19 June 2024",
        missing="no treaty signing in 2024 on record",
    )


@rule
def balloons_may_2024(as_of) -> Judgement:
    """About 260 waste balloons in May 2024, landing in eight of South Korea's nine provinces."""
    b = _milestones(as_of, "balloon_campaign")
    b = b[(b["event_date"].dt.year == 2024) & (b["event_date"].dt.month == 5)]
    hits = b[b["figure"].str.contains("260", na=False) & b["figure"].str.contains("8 of 9", na=False)]
    if hits.empty:
        return Judgement("Not enough evidence", _refs("milestones", b["event_id"]), "no count for May 2024 on record")
    return Judgement("Supported", _refs("milestones", hits["event_id"]), "about 260 balloons in 8 of 9 provinces")


@rule
def summit_in_2019(as_of) -> Judgement:
    """Russia's leader met North Korea's at a summit in 2019."""
    return _milestone_in_year(
        as_of, "summit", 2019, found="Kim and Putin met in Vladivostok", missing="no 2019 summit on record"
    )


def _unsc(as_of) -> pd.DataFrame:
    return public_by("unsc_dprk_actions", as_of).sort_values(["action_date", "action_id"])


@rule
def un_sanctions_rose_before_2019(as_of) -> Judgement:
    """UN sanctions on North Korea had been increased in the years before the 2019 summit."""
    u = _unsc(as_of)
    res = u[(u["action_type"] == "resolution") & u["action_date"].between("2016-01-01", "2019-04-24")]
    if res.empty:
        return Judgement("Contradicted", (), "no sanctions resolution in the three years before the summit")
    last = res["action_date"].max()
    return Judgement(
        "Supported",
        _refs("unsc_dprk_actions", res["action_id"]),
        f"{len(res)} resolutions from 2016 to the summit, the last on {last:%Y-%m-%d}",
    )


@rule
def china_treaty_renewed_in_2021(as_of) -> Judgement:
    """The 1961 China–North Korea treaty renewed in 2021 for 20 years."""
    m = public_by("milestones", as_of)
    m = m[m["category"] == "china_dprk_treaty"].sort_values(["event_date", "event_id"])
    signed = m[m["event_date"].dt.year == 1961]
    official = m[m["event"].str.contains("remains in force", case=False, na=False)]
    renewal = m[m["event"].str.contains("renewed", case=False, na=False)]
    if signed.empty:
        return Judgement("Not enough evidence", (), "the treaty is not on record")
    keys = list(signed["event_id"][:1]) + list(renewal["event_id"][:1]) + list(official["event_id"][:1])
    if official.empty:
        return Judgement("Supported", _refs("milestones", keys), "the treaty exists and renewals are reported")
    return Judgement(
        "Partly supported",
        _refs("milestones", keys),
        "the mutual-defence treaty stands, but China's foreign ministry says it runs until both sides change it: no fixed-term renewal",
    )


@rule
def china_backed_some_sanctions_and_blocked_others(as_of) -> Judgement:
    """China voted for UN sanctions on North Korea and also blocked some."""
    u = _unsc(as_of)
    voted_for = u[(u["action_type"] == "resolution") & (u["votes_against"] == 0) & (u["votes_for"] == 15)]
    blocked = u[(u["action_type"] == "draft_vetoed") & u["vetoed_by"].str.contains("China", na=False)]
    keys = list(voted_for["action_id"][-1:]) + list(blocked["action_id"])
    if voted_for.empty or blocked.empty:
        return Judgement("Partly supported", _refs("unsc_dprk_actions", keys), "only one of the two is on record")
    return Judgement(
        "Supported",
        _refs("unsc_dprk_actions", keys),
        f"unanimous sanctions resolutions up to {voted_for['document'].iloc[-1]}; China's veto of a draft",
    )


@rule
def china_and_russia_hold_vetoes(as_of) -> Judgement:
    """China and Russia sit on the Security Council with a vote that can block resolutions."""
    u = _unsc(as_of)
    vetoes = u[u["action_type"] == "draft_vetoed"]
    china = vetoes[vetoes["vetoed_by"].str.contains("China", na=False)]
    russia = vetoes[vetoes["vetoed_by"].str.contains("Russia", na=False)]
    if china.empty or russia.empty:
        return Judgement("Not enough evidence", (), "no veto by each on record")
    return Judgement(
        "Supported",
        _refs("unsc_dprk_actions", sorted(set(china["action_id"]) | set(russia["action_id"]))),
        "both have vetoed drafts on North Korea",
    )


@rule
def russia_shields_north_korea_at_the_un(as_of) -> Judgement:
    """Russia can protect North Korea from further UN sanctions."""
    u = _unsc(as_of)
    vetoes = u[(u["action_type"] == "draft_vetoed") & u["vetoed_by"].str.contains("Russia", na=False)]
    if vetoes.empty:
        return Judgement("Not enough evidence", (), "no Russian veto on North Korea on record")
    return Judgement(
        "Supported",
        _refs("unsc_dprk_actions", vetoes["action_id"]),
        f"Russia vetoed {len(vetoes)} draft(s) on North Korea",
    )


@rule
def sanctions_were_built_on_consensus(as_of) -> Judgement:
    """The sanctions regime rested on agreement among the great powers (unanimous resolutions)."""
    u = _unsc(as_of)
    res = u[u["action_type"] == "resolution"]
    split = u[u["action_type"] == "draft_vetoed"]
    unanimous = res[(res["votes_for"] == 15) & (res["votes_against"] == 0) & (res["votes_abstaining"] == 0)]
    if res.empty:
        return Judgement("Not enough evidence", (), "no resolution on record")
    verdict = "Supported" if len(unanimous) == len(res) else "Partly supported"
    return Judgement(
        verdict,
        _refs(
            "unsc_dprk_actions",
            list(unanimous["action_id"][:1]) + list(unanimous["action_id"][-1:]) + list(split["action_id"][:1]),
        ),
        f"{len(unanimous)} of {len(res)} resolutions on North Korea adopted unanimously",
    )


@rule
def north_korea_supplied_arms_and_troops(as_of) -> Judgement:
    """North Korea has given Russia ammunition, weapons and military help."""
    shells = estimates.select(
        public_by("munitions_transfers", as_of), item_norm="artillery shells", measure_kind="count"
    )
    missiles = public_by("munitions_transfers", as_of)
    missiles = missiles[missiles["item_norm"] == "ballistic missiles"]
    troops = public_by("troop_estimates", as_of)
    troops = troops[(troops["scope_norm"] == "combat troops") & (troops["estimate_kind"] == "in_place")]
    refs = _refs(
        "munitions_transfers", sorted(shells["estimate_id"])[:1] + sorted(missiles["estimate_id"])[:1]
    ) + _refs("troop_estimates", sorted(troops["estimate_id"])[:1])
    found = [not shells.empty, not missiles.empty, not troops.empty]
    verdict = "Supported" if all(found) else ("Partly supported" if any(found) else "Not enough evidence")
    return Judgement(verdict, refs, "shells, ballistic missiles and troops on record")


@rule
def reports_of_missile_and_satellite_help(as_of) -> Judgement:
    """Reports of Russian help to North Korea with missile and satellite technology."""
    x = public_by("reported_transfers_to_dprk", as_of)
    x = x[x["item_category"].isin(["space_satellite", "missile_technology"])]
    if x.empty:
        return Judgement("Not enough evidence", (), "no such report on record")
    cats = x.groupby("item_category")["report_id"].min()
    return Judgement(
        "Supported", _refs("reported_transfers_to_dprk", sorted(cats)), f"{len(x)} reports of satellite or missile help"
    )


@rule
def north_korean_combat_acknowledged(as_of) -> Judgement:
    """Claims that North Korean forces were not fighting, or were deniable, against the record
    of governments confirming their combat and of Pyongyang's own acknowledgement."""
    combat = _milestones(as_of, "combat")
    acknowledged = _milestones(as_of, "acknowledgement")
    keys = list(combat["event_id"][:1]) + list(acknowledged["event_id"][:2])
    if acknowledged.empty and combat.empty:
        return Judgement("Not enough evidence", (), "no confirmation of combat on record")
    if acknowledged.empty:
        return Judgement(
            "Partly supported", _refs("milestones", keys), "combat reported by other governments, not yet admitted"
        )
    return Judgement(
        "Contradicted",
        _refs("milestones", keys),
        "combat confirmed by other governments and acknowledged by Russia and North Korea",
    )


@rule
def north_korean_combat_reported(as_of) -> Judgement:
    """Claims that North Korean forces are not taking part in the fighting, or that no solid
    evidence shows they are: contradicted as soon as a government reports them in combat,
    whether or not Moscow and Pyongyang admit it (their admissions are cited once public).
    :func:`north_korean_combat_acknowledged` judges claims of *deniability*, which hold in part
    until the admission; a claim that they are not fighting does not."""
    combat = _milestones(as_of, "combat")
    acknowledged = _milestones(as_of, "acknowledgement")
    if combat.empty and acknowledged.empty:
        return Judgement("Supported", (), "no government had reported North Korean troops in combat")
    keys = list(combat["event_id"][:1]) + list(acknowledged["event_id"][:2])
    admitted = "; Russia and North Korea acknowledged it" if not acknowledged.empty else ""
    return Judgement(
        "Contradicted", _refs("milestones", keys), f"governments reported North Korean troops in combat{admitted}"
    )
