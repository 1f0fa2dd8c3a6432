"""UN General Assembly voting: ideal points, the DPRK's agreement with six states, the Ukraine votes.

``unga_ideal_points``
    Bailey, Strezhnev and Voeten's ideal points by country-year (version of 28 July 2025), read
    from the Stata file. The book uses the estimates from final-passage votes (``idealpointfp``),
    the only ones the codebook gives for every year 1946-2024, with their 5th and 95th posterior
    percentiles; the all-votes estimates are kept beside them.
``unga_agreement``
    How often the DPRK voted as Russia, China, Iran, Belarus, Syria and the United States did, by
    year: from the ``unvotes`` roll calls (all recorded votes, 1991 to 2019) and from the UN Digital
    Library's 2025 roll calls (adopted resolutions). Agreement is Lijphart's index, the one the
    ideal-point codebook uses: a same vote counts 1, a yes or no against an abstention counts 1/2,
    opposite votes 0, over the roll calls where both states voted.
``unga_ukraine_votes``
    How each state voted on the General Assembly's Ukraine resolutions: the full 2025 roll calls
    (ES-11/7, ES-11/8, ES-11/9) from the UN Digital Library snapshot; the full roll calls of
    ES-11/1 and of 68/262 (Crimea, 2014) from the research cross-check file; the votes of selected states on ES-11/3, ES-11/4
    and ES-11/6 (and ES-11/1) from the sourced research table, whose ES-11/1 rows must agree with
    the cross-check file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nkbook.data import countries
from nkbook.data.provenance import sources
from nkbook.etl import SnapshotError, read_csv, require, require_columns
from nkbook.etl.cow import IDEAL_POINTS

UNVOTES = "unga-votes/unvotes/un_votes.csv"
UNVOTES_CALLS = "unga-votes/unvotes/un_roll_calls.csv"
UNGA_2025 = "unga-votes/unga-2025/un_votes_2025_processed.csv"
#: The 2025 roll calls, one row per resolution and one column per member state (ISO 3166 alpha-3),
#: as HZloto/unga-2025 publishes them (analysis/unga_2025_resolutions.csv); the ES-11 rows are read.
UNGA_2025_ES11 = "unga-votes/unga-2025/unga_2025_resolutions.csv"
CROSSCHECK = "research/unga/es11-1_and_68-262_rollcalls_crosscheck.csv"
KEY_COUNTRIES = "research/unga/unga_ukraine_votes_2022_2023_key_countries_facts.csv"

IDEAL_POINTS_SOURCE = "voeten-unga-ideal-points-2025"
IDEAL_POINTS_PUBLISHED = "2025-07-28"  # the codebook's version date; every row counts from then
UNVOTES_SOURCE = "unvotes-robinson"
UNGA_2025_SOURCE = "undl-unga-2025-roll-calls"
#: The cross-check file names no source; each roll call is attributed to a stored page whose
#: lists of states against, abstaining (and absent) it matches.
CROSSCHECK_SOURCES = {
    "68/262": "unwatch-2014-03-unga-crimea-resolution",
    "ES-11/1": "londoneconomic-2022-03-03-unga-vote-list",
}
CROSSCHECK_DATES = {"68/262": "2014-03-27", "ES-11/1": "2022-03-02"}

#: Research rows left out for want of a source: (resolution, country as the file spells it).
LEFT_OUT = {
    (
        "ES-11/4",
        "Israel",
    ): "the page cited (B92) names only Serbia; the note's i24news report is not in the stored sources",
}

#: Rows whose research file cites a relay (an anonymous blog or a forum copy) and whose vote a
#: better source states too: the UN's own press release, or a named news organisation's own report
#: (checked in the stored copies; see the entries in book/references.bib). (resolution, ISO3) -> key.
BETTER_SOURCES = {
    # instead of lurer-2023-02-24-unga-russia-withdraw
    ("ES-11/6", "BLR"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "PRK"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "ERI"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "MLI"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "NIC"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "RUS"): "unpress-2023-02-23-ga12492",
    ("ES-11/6", "SYR"): "unpress-2023-02-23-ga12492",
    # instead of lurer-2023-02-24-unga-russia-withdraw
    ("ES-11/6", "AZE"): "interfax-ukraine-2023-02-24-unga-es11-6",
    # instead of abcdiamond-2023-02-un-russia-ukraine-vote
    ("ES-11/6", "CHN"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "IND"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "IRN"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "KAZ"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "KGZ"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "PAK"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "ZAF"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "TJK"): "interfax-ukraine-2023-02-24-unga-es11-6",
    ("ES-11/6", "UZB"): "interfax-ukraine-2023-02-24-unga-es11-6",
    # instead of abcdiamond-2023-02-un-russia-ukraine-vote
    ("ES-11/6", "DZA"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "AGO"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "BDI"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "CAF"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "COG"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "ETH"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "GAB"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "GIN"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "MOZ"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "NAM"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "SDN"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "TGO"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "UGA"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    ("ES-11/6", "ZWE"): "ghanaweb-2023-02-24-eritrea-mali-vote-against",
    # instead of abcdiamond-2023-02-un-russia-ukraine-vote
    ("ES-11/6", "CUB"): "irna-2023-02-unga-es11-6-abstentions",
    ("ES-11/6", "VNM"): "irna-2023-02-unga-es11-6-abstentions",
    ("ES-11/6", "LKA"): "irna-2023-02-unga-es11-6-abstentions",
    ("ES-11/6", "BGD"): "irna-2023-02-unga-es11-6-abstentions",
    # instead of babalublog-2022-04-07-russia-suspended-hrc
    ("ES-11/3", "IND"): "thehindu-2022-04-07-unga-suspends-russia-hrc",
    # instead of babalublog-2022-04-07-russia-suspended-hrc
    ("ES-11/3", "IDN"): "thejakartapost-2022-04-09-indonesia-abstains",
    # instead of babalublog-2022-04-07-russia-suspended-hrc
    ("ES-11/3", "BRA"): "ig-2022-04-07-brasil-absteve-onu",
}

DPRK = "PRK"
PARTNERS = ("RUS", "CHN", "IRN", "BLR", "SYR", "USA")
FIRST_YEAR = 1991  # the DPRK joined the UN on 17 September 1991
VOTES = ("yes", "no", "abstain")
RECORDED = VOTES + ("not voting",)  # what a row of unga_ukraine_votes may say


# --- ideal points -------------------------------------------------------------------------


def _num(value) -> str:
    """A float32 from Stata written with 4 decimals (the estimates' own precision is far lower)."""
    return "" if pd.isna(value) else f"{float(value):.4f}"


def build_ideal_points(snapshots: Path) -> pd.DataFrame:
    path = snapshots / IDEAL_POINTS
    d = pd.read_stata(require(path))
    require_columns(
        d,
        [
            "ccode",
            "iso3c",
            "countryname",
            "year",
            "idealpointfp",
            "q5fp",
            "q95fp",
            "nvotesfp",
            "idealpointall",
            "nvotesall",
        ],
        path,
    )
    # 17 rows lack a code and name; the same COW code's other rows give them.
    known = d[d.iso3c != ""].groupby("ccode")[["iso3c", "countryname"]].last()
    rows = []
    for i, r in d.iterrows():
        ccode = int(r.ccode)
        code, cname = r.iso3c, r.countryname
        if not code:
            if ccode not in known.index:
                raise SnapshotError(f"{path}: row {i + 1}, field iso3c: empty, and COW code {ccode} has no other row")
            code, cname = known.loc[ccode, "iso3c"], known.loc[ccode, "countryname"]
        try:
            label = countries.name(code)
        except countries.CountryError:
            label = cname  # YAR: the file's code for the two Yemens before 1990, not an ISO code
        if not float(r.year).is_integer():
            raise SnapshotError(f"{path}: row {i + 1}, field year: {r.year!r} is not a whole year")
        rows.append(
            {
                "point_id": f"{ccode}-{int(r.year)}",
                "ccode": ccode,
                "iso3": code,
                "country": label,
                "year": int(r.year),
                "ideal_point": _num(r.idealpointfp),
                "ideal_point_q05": _num(r.q5fp),
                "ideal_point_q95": _num(r.q95fp),
                "n_votes": "" if pd.isna(r.nvotesfp) else int(r.nvotesfp),
                "ideal_point_all": _num(r.idealpointall),
                "n_votes_all": "" if pd.isna(r.nvotesall) else int(r.nvotesall),
                "published_on": IDEAL_POINTS_PUBLISHED,
                "source_id": IDEAL_POINTS_SOURCE,
            }
        )
    out = pd.DataFrame(rows)
    dup = out[out.duplicated(["ccode", "year"], keep=False)]
    if len(dup):
        raise SnapshotError(f"{path}: COW code and year repeat: {dup[['ccode', 'year']].head(3).to_dict('records')}")
    return out.sort_values(["ccode", "year"], ignore_index=True)


# --- agreement ----------------------------------------------------------------------------


def lijphart(a: pd.Series, b: pd.Series) -> tuple[int, int, int, float]:
    """(votes both cast, same votes, half agreements, index) for two aligned series of yes/no/abstain.
    Roll calls where either state did not vote (anything else) are left out."""
    both = a.isin(VOTES) & b.isin(VOTES)
    a, b = a[both], b[both]
    same = int((a == b).sum())
    half = int(((a != b) & ((a == "abstain") | (b == "abstain"))).sum())
    n = int(both.sum())
    return n, same, half, (same + half / 2) / n if n else float("nan")


def _agreement_rows(wide: pd.DataFrame, year: int, period_end: str, source: str, basis: str) -> list[dict]:
    rows = []
    for partner in PARTNERS:
        n, same, half, index = lijphart(wide[DPRK], wide[partner])
        if n == 0:
            continue
        rows.append(
            {
                "agreement_id": f"{partner}-{year}",
                "iso3": DPRK,
                "partner_iso3": partner,
                "partner": countries.name(partner),
                "year": year,
                "period_end": period_end,
                "basis": basis,
                "n_roll_calls": n,
                "n_same": same,
                "n_half": half,
                "agreement": f"{index:.4f}",
                "source_id": source,
            }
        )
    return rows


def _rcid(value: str) -> int:
    """Roll-call ids are written '10' in one file and '10.0' in the other."""
    number = float(value)
    if not number.is_integer():
        raise SnapshotError(f"roll-call id {value!r} is not a whole number")
    return int(number)


def build_agreement(snapshots: Path) -> pd.DataFrame:
    votes_path, calls_path = snapshots / UNVOTES, snapshots / UNVOTES_CALLS
    votes, calls = read_csv(votes_path), read_csv(calls_path)
    require_columns(votes, ["rcid", "country_code", "vote"], votes_path)
    require_columns(calls, ["rcid", "date"], calls_path)
    votes["rcid"] = votes.rcid.map(_rcid)
    calls["rcid"] = calls.rcid.map(_rcid)
    codes = {}
    for code in votes.country_code.unique():  # ISO2 -> ISO3 for the seven states we need
        try:
            codes[code] = countries.iso3(code)
        except countries.CountryError:
            continue  # former states (YU, CS, DD, YD) and blanks: not among the seven
    votes = votes.assign(iso3=votes.country_code.map(codes))
    votes = votes[votes.iso3.isin((DPRK,) + PARTNERS)]
    bad = votes[~votes.vote.isin(VOTES)]
    if len(bad):
        raise SnapshotError(f"{votes_path}: row {bad.index[0] + 2}, field vote: {bad.vote.iloc[0]!r} not in {VOTES}")
    wide = votes.pivot_table(index="rcid", columns="iso3", values="vote", aggfunc="first").fillna("")
    dates = calls.set_index("rcid").date
    missing = sorted(set(wide.index) - set(dates.index))
    if missing:
        raise SnapshotError(f"{calls_path}: roll call {missing[0]} voted on in {votes_path.name} but not listed")
    wide = wide.assign(date=dates.reindex(wide.index).values)
    rows = []
    for year, group in wide.groupby(wide.date.str[:4]):
        if int(year) < FIRST_YEAR or int(year) > 2019:  # one roll call of January 2020 is no year
            continue
        rows += _agreement_rows(group, int(year), group.date.max(), UNVOTES_SOURCE, "all recorded votes")

    path = snapshots / UNGA_2025
    calls25 = read_csv(path)
    require_columns(calls25, ["Council", "Date"] + [DPRK, *PARTNERS], path)
    ga = calls25[calls25.Council == "General Assembly"]
    lower = ga[[DPRK, *PARTNERS]].apply(lambda col: col.str.strip().str.lower())
    odd = lower[~lower.isin(VOTES + ("",)).all(axis=1)]
    if len(odd):
        raise SnapshotError(f"{path}: row {odd.index[0] + 2}: a vote other than YES, NO, ABSTAIN or blank")
    rows += _agreement_rows(lower, 2025, ga.Date.max(), UNGA_2025_SOURCE, "adopted resolutions")
    return pd.DataFrame(rows).sort_values(["partner_iso3", "year"], ignore_index=True)


# --- Ukraine resolutions ------------------------------------------------------------------


def _resolution(label: str) -> str:
    """'A/RES/ES-11/1' or 'ES-11/1' -> 'ES-11/1'; '68/262' stays."""
    return label.strip().removeprefix("A/RES/")


def _source_by_url() -> dict[str, str]:
    return {s.url: s.key for s in sources().values()}


def build_ukraine_votes(data: Path) -> pd.DataFrame:
    """``data`` is ``../shared/data``: the builder reads a snapshot and two research files."""
    rows: dict[tuple[str, str], dict] = {}

    path = data / "snapshots" / UNGA_2025_ES11
    wide = read_csv(path)
    require_columns(wide, ["Resolution", "Date"], path)
    states = [c for c in wide.columns if re.fullmatch(r"[A-Z]{3}", c)]
    for code in states:
        try:
            countries.name(code)
        except countries.CountryError:
            raise SnapshotError(f"{path}: header, field {code!r}: not an ISO 3166 code") from None
    es11 = wide[wide.Resolution.str.contains("/ES-11/", regex=False)]
    if es11.empty:
        raise SnapshotError(f"{path}: no ES-11 resolution found")
    for i, r in es11.iterrows():
        for code in states:
            vote = r[code].strip().lower() or "not voting"
            if vote not in RECORDED:
                raise SnapshotError(f"{path}: row {i + 2}, field {code}: {r[code]!r}")
            rows[(_resolution(r.Resolution), code)] = {
                "resolution": _resolution(r.Resolution),
                "voted_on": r.Date,
                "iso3": code,
                "vote": vote,
                "basis": "roll call",
                "source_id": UNGA_2025_SOURCE,
            }

    path = data / CROSSCHECK
    cross = read_csv(path)
    require_columns(cross, ["resolution", "country", "vote"], path)
    spelled = {"approve": "yes", "against": "no", "abstain": "abstain", "absent": "not voting"}
    for i, r in cross.iterrows():
        res = r.resolution.strip()
        if res not in CROSSCHECK_DATES:
            raise SnapshotError(f"{path}: row {i + 2}, field resolution: {res!r} not in {sorted(CROSSCHECK_DATES)}")
        try:
            code = countries.iso3(r.country)
        except countries.CountryError as exc:
            raise SnapshotError(f"{path}: row {i + 2}, field country: {exc}") from None
        if r.vote not in spelled:
            raise SnapshotError(f"{path}: row {i + 2}, field vote: {r.vote!r} not in {sorted(spelled)}")
        rows[(res, code)] = {
            "resolution": res,
            "voted_on": CROSSCHECK_DATES[res],
            "iso3": code,
            "vote": spelled[r.vote],
            "basis": "roll call (cross-check file)",
            "source_id": CROSSCHECK_SOURCES[res],
        }

    path = data / KEY_COUNTRIES
    key = read_csv(path)
    require_columns(key, ["resolution", "date", "country", "vote", "source_url"], path)
    by_url = _source_by_url()
    for i, r in key.iterrows():
        where = f"{path}: row {i + 2}"
        res = _resolution(r.resolution)
        if (res, r.country) in LEFT_OUT:
            continue
        try:
            code = countries.iso3(r.country)
        except countries.CountryError as exc:
            raise SnapshotError(f"{where}, field country: {exc}") from None
        vote = {"did not participate": "not voting"}.get(r.vote.strip().lower(), r.vote.strip().lower())
        if vote not in RECORDED:
            raise SnapshotError(f"{where}, field vote: {r.vote!r} not in {VOTES} or 'did not participate'")
        if (res, code) not in BETTER_SOURCES and r.source_url not in by_url:
            raise SnapshotError(f"{where}, field source_url: {r.source_url} has no entry in book/references.bib")
        earlier = rows.get((res, code))
        if earlier is not None:
            if earlier["vote"] != vote:
                raise SnapshotError(
                    f"{where}, field vote: {vote!r}, but {earlier['source_id']} records {earlier['vote']!r}"
                )
            continue  # the full roll call already holds it
        rows[(res, code)] = {
            "resolution": res,
            "voted_on": r.date,
            "iso3": code,
            "vote": vote,
            "basis": "news report",
            "source_id": BETTER_SOURCES[(res, code)] if (res, code) in BETTER_SOURCES else by_url[r.source_url],
        }

    out = pd.DataFrame(rows.values())
    out.insert(0, "vote_id", out.resolution + "-" + out.iso3)
    out.insert(4, "country", out.iso3.map(countries.name))
    return out.sort_values(["voted_on", "resolution", "iso3"], ignore_index=True)
