"""The claims register: what the essays claim, and what the data say of it, then and now.

``data/claims.csv`` holds one row per claim: where it stands in its essay (paragraph, sentence,
fingerprint), our paraphrase, its type and topic, two verdicts (as of the essay's publication
and as of the data cut-off), a confidence, a justification and the evidence, as references
``table:key`` to rows of the book's tables.

Claims that the data can settle mechanically (a figure, a date, a vote) name a rule of this
module in ``judged_by``. A rule looks only at rows that were public by the date it is asked
about, each table's public date being the field its ``x-public-date-field`` names, and returns
a verdict and the rows it rests on. The register stores the verdicts the rules gave when the
claim was reviewed; the tests recompute them, so that a data change that would flip a verdict
fails until someone has reviewed the claim again. Every other claim is judged by an analyst
(``judged_by`` = ``analyst``) from the evidence it lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from nkbook.analysis import estimates
from nkbook.core.errors import Problem
from nkbook.data import load, package, resource

VERDICTS = ("Supported", "Partly supported", "Contradicted", "Not enough evidence", "Not checkable")
#: ClaimReview ratings: only verdicts on the truth of a claim get a number; the other two are
#: given by name only (``alternateName``), as schema.org allows.
RATINGS = {"Contradicted": 1, "Partly supported": 2, "Supported": 3}
BEST_RATING, WORST_RATING = 3, 1
CLAIM_TYPES = (
    "factual",
    "quantitative",
    "causal",
    "predictive",
    "interpretive",
    "citation",
    "internal",
    "normative",
    "theoretical",
)
#: Types no data could settle.
UNCHECKABLE_TYPES = ("normative", "theoretical")
WHEN = ("publication", "cutoff")


def cutoff() -> pd.Timestamp:
    """The data cut-off: the day the sources behind the tables were last read."""
    return pd.Timestamp(package()["x-data-cutoff"])


# --------------------------------------------------------------------------- evidence


def parse_refs(text) -> list[tuple[str, str]]:
    """``"milestones:E017; troop_estimates:T020"`` -> ``[("milestones", "E017"), ...]``."""
    if text is None or pd.isna(text) or not str(text).strip():
        return []
    refs = []
    for part in str(text).split(";"):
        table, _, key = part.strip().partition(":")
        refs.append((table.strip(), key.strip()))
    return refs


def format_refs(refs) -> str:
    return "; ".join(f"{t}:{k}" for t, k in refs)


def _key_field(name: str) -> str:
    key = resource(name)["schema"]["primaryKey"]
    if isinstance(key, str):
        return key
    if len(key) != 1:
        raise ValueError(f"table {name!r} has a composite key; evidence cannot point at its rows")
    return key[0]


def public_date_field(name: str) -> str:
    field = resource(name)["x-public-date-field"]
    if field is None:
        raise ValueError(
            f"table {name!r} is not evidence: it has no public date ({resource(name).get('x-public-date-note', '')})"
        )
    return field


def public_dates(name: str, frame: pd.DataFrame) -> pd.Series:
    """The day each row became public, never too early: a date known only to the month or year
    (stored as its first day, with ``x-public-date-precision-field`` saying so) counts from the
    last day of that month or year."""
    dates = frame[public_date_field(name)]
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    dates = dates.dt.normalize()
    precision_field = resource(name).get("x-public-date-precision-field")
    if precision_field:
        precision = frame[precision_field]
        dates = dates.where(precision != "month", dates + pd.offsets.MonthEnd(0))
        dates = dates.where(precision != "year", dates + pd.offsets.YearEnd(0))
    return dates


def evidence_rows(refs) -> pd.DataFrame:
    """One row per reference: table, key, the date the row became public, its source and a
    one-line description, in the order given."""
    out, tables = [], {}
    for table, key in refs:
        if table not in tables:
            frame = load(table)
            tables[table] = frame.assign(_public=public_dates(table, frame)).set_index(_key_field(table), drop=False)
        row = tables[table].loc[key]
        out.append(
            {
                "table": table,
                "key": key,
                "public_on": row["_public"],
                "source_id": row["source_id"],
                "describes": describe(table, row),
            }
        )
    return pd.DataFrame(out, columns=["table", "key", "public_on", "source_id", "describes"])


_VOTED = {"yes": "voted for", "no": "voted against", "abstain": "abstained on", "not voting": "did not vote on"}

#: How a row of each evidence table is summarised on a claim's card. A table without an entry
#: cannot be cited as evidence (the register's checks say so).
_DESCRIBE = {
    "troop_estimates": lambda r: (
        f"{estimates.bounds(r.to_frame().T)['label'].iloc[0]} {r['unit']}: {r['scope']} ({r['estimator']})"
    ),
    "munitions_transfers": lambda r: f"{r['item']}: {r['scope']} ({r['estimator']})",
    "milestones": lambda r: r["event"],
    "unsc_dprk_actions": lambda r: f"{r['document']}: {r['summary']}",
    "reported_transfers_to_dprk": lambda r: f"{r['item']} ({r['status_as_reported']}; reported by {r['reported_by']})",
    "context_facts": lambda r: r["statement"],
    "essay_works_cited": lambda r: f"{r['author']}, {r['title']}: {r['check_note']}",
    "unga_ukraine_resolutions": lambda r: (
        f"UN General Assembly resolution {r['resolution']}, {r['title']}: "
        f"{r['yes']} for, {r['no']} against, {r['abstain']} abstaining"
    ),
    "unga_ukraine_votes": lambda r: (
        f"{r['country']} {_VOTED[r['vote']]} resolution {r['resolution']} of {r['voted_on']:%d %B %Y} ({r['basis']})"
    ),
    "unga_agreement": lambda r: (
        f"North Korea's agreement with {r['partner']} in the General Assembly, {r['year']}: "
        f"{r['agreement']:.2f} over {r['n_roll_calls']} roll calls ({r['basis']})"
    ),
    "unga_ideal_points": lambda r: (
        f"{r['country']}'s General Assembly ideal point, {r['year']}: {r['ideal_point']:.2f}"
    ),
    "regimes_of_the_world": lambda r: f"{r['country']}, {r['year']}: {r['regime_label']} (Regimes of the World)",
    "freedom_house": lambda r: f"{r['country']}, {r['year']}: {r['status_label']} (Freedom House)",
}
EVIDENCE_TABLES = tuple(_DESCRIBE)


def describe(table: str, row: pd.Series) -> str:
    return " ".join(str(_DESCRIBE[table](row)).split())


def public_by(name: str, as_of) -> pd.DataFrame:
    """The rows of a table that were public on ``as_of`` (rows with no public date are left out)."""
    frame = load(name)
    dates = public_dates(name, frame)
    return frame[dates.notna() & (dates <= pd.Timestamp(as_of))]


# --------------------------------------------------------------------------- rules


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


# --------------------------------------------------------------------------- the register


def register() -> pd.DataFrame:
    """The claims with their essays' labels, titles and the dates they are judged as of."""
    claims = load("claims")
    essays = load("essays")[
        ["essay_id", "label", "title", "publisher", "url", "published_on", "judged_as_of", "source_id"]
    ]
    out = claims.merge(
        essays.rename(columns={"source_id": "essay_source_id"}), on="essay_id", how="left", validate="many_to_one"
    )
    out["cutoff"] = cutoff()
    return out


def as_of(row, when: str) -> pd.Timestamp:
    if when not in WHEN:
        raise ValueError(f"when must be one of {WHEN}")
    return pd.Timestamp(row["judged_as_of"] if when == "publication" else row["cutoff"])


def recompute(row, when: str) -> Judgement:
    name = row["judged_by"]
    if name not in RULES:
        raise KeyError(f"claim {row['claim_id']}: no rule named {name!r}")
    return RULES[name](as_of(row, when))


def verdict_column(when: str) -> str:
    return f"verdict_at_{when}"


def evidence_column(when: str) -> str:
    return f"evidence_at_{when}"


def problems(frame: pd.DataFrame | None = None) -> list[Problem]:
    """Everything wrong with the register beyond its schema: unknown rules, stale verdicts,
    evidence that does not exist or was not yet public at the date a verdict is given for."""
    frame = register() if frame is None else frame
    file = "data/claims.csv"
    out: list[Problem] = []
    for i, row in enumerate(frame.to_dict("records"), start=1):
        cid = row["claim_id"]
        if row["claim_type"] in UNCHECKABLE_TYPES and row["verdict_at_cutoff"] != "Not checkable":
            out.append(
                Problem(
                    file,
                    f"{cid}: a {row['claim_type']} claim can only be 'Not checkable'",
                    row=i,
                    field="verdict_at_cutoff",
                )
            )
        for when in WHEN:
            col = evidence_column(when)
            for table, key in parse_refs(row[col]):
                if table not in EVIDENCE_TABLES:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: {table}:{key} is not in an evidence table ({', '.join(EVIDENCE_TABLES)})",
                            row=i,
                            field=col,
                        )
                    )
                    continue
                try:
                    ev = evidence_rows([(table, key)]).iloc[0]
                except KeyError:
                    out.append(Problem(file, f"{cid}: evidence {table}:{key} does not exist", row=i, field=col))
                    continue
                if pd.isna(ev["public_on"]):
                    out.append(
                        Problem(
                            file,
                            f"{cid}: evidence {table}:{key} has no public date, so it cannot support a verdict",
                            row=i,
                            field=col,
                        )
                    )
                elif ev["public_on"] > as_of(row, when):
                    out.append(
                        Problem(
                            file,
                            f"{cid}: evidence {table}:{key} became public on {ev['public_on']:%Y-%m-%d}, "
                            f"after the date the {when} verdict is given for ({as_of(row, when):%Y-%m-%d})",
                            row=i,
                            field=col,
                        )
                    )
        if row["judged_by"] != "analyst":
            if row["judged_by"] not in RULES:
                out.append(
                    Problem(file, f"{cid}: judged_by names no rule: {row['judged_by']!r}", row=i, field="judged_by")
                )
                continue
            for when in WHEN:
                j = recompute(row, when)
                if j.verdict != row[verdict_column(when)]:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: the register says {row[verdict_column(when)]!r} as of {when}, the data now give "
                            f"{j.verdict!r} ({j.reason}); review the claim",
                            row=i,
                            field=verdict_column(when),
                        )
                    )
                missing = set(j.evidence) - set(parse_refs(row[evidence_column(when)]))
                if missing:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: the {when} evidence lacks {format_refs(sorted(missing))}, which the rule rests on",
                            row=i,
                            field=evidence_column(when),
                        )
                    )
    return out


def counts(frame: pd.DataFrame, by: str, when: str) -> pd.DataFrame:
    """Claims by ``by`` (essay label, type...) and verdict, as a tidy table."""
    col = verdict_column(when)
    out = frame.groupby([by, col], observed=True).size().rename("claims").reset_index().rename(columns={col: "verdict"})
    out["when"] = when
    return out


# --------------------------------------------------------------------------- ClaimReview


def claim_page(claim_id: str) -> str:
    """The page (without suffix) that holds a claim's card: one page per essay."""
    return f"claims-{claim_id[0].lower()}"


def claim_url(base: str, claim_id: str) -> str:
    return f"{base.rstrip('/')}/book/{claim_page(claim_id)}.html#claim-{claim_id.lower()}"


def claim_review(row, base_url: str, author: str) -> dict:
    """A schema.org ``ClaimReview`` for one claim, as of the data cut-off."""
    verdict = row["verdict_at_cutoff"]
    rating = {"@type": "Rating", "alternateName": verdict, "bestRating": BEST_RATING, "worstRating": WORST_RATING}
    if verdict in RATINGS:
        rating["ratingValue"] = RATINGS[verdict]
    appearance = {
        "@type": "CreativeWork",
        "url": row["url"],
        "headline": row["title"],
        "publisher": {"@type": "Organization", "name": row["publisher"]},
    }
    item = {"@type": "Claim", "appearance": appearance, "author": {"@type": "Organization", "name": row["publisher"]}}
    if pd.notna(row["published_on"]):
        item["datePublished"] = pd.Timestamp(row["published_on"]).strftime("%Y-%m-%d")
        appearance["datePublished"] = item["datePublished"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(base_url, row["claim_id"]),
        "identifier": row["claim_id"],
        "claimReviewed": row["paraphrase"],
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": author},
        "datePublished": pd.Timestamp(row["reviewed_on"]).strftime("%Y-%m-%d"),
        "reviewRating": rating,
    }


def jsonld_script(reviews: list[dict]) -> str:
    """The reviews as one compact ``<script type="application/ld+json">`` block (stable key order)."""
    body = json.dumps(reviews, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{body}\n</script>'


def register_records(frame: pd.DataFrame | None = None) -> list[dict]:
    """The register as plain records for the JSON download (dates as ISO strings)."""
    frame = register() if frame is None else frame
    records = []
    for row in frame.to_dict("records"):
        rec = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.strftime("%Y-%m-%d")
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            rec[k] = v
        records.append(rec)
    return records
