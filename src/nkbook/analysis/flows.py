"""What comes back to North Korea: the selections and figures of ``book/flows.ipynb``.

Pure pandas over ``dprk_trade``, ``reported_transfers_to_dprk`` and ``missile_tests``; the charts
and tables are in :mod:`nkbook.present.plots.flows`.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis.estimates import agency_group

#: The trade pairs (``dprk_trade.pair``) of North Korea's two partners the chapter charts.
TRADE_PAIRS = {"China": "CHN-PRK", "Russia": "RUS-PRK"}
#: Agencies whose rows name the reporting body in ``data_origin`` rather than in ``agency``.
UNNAMED_AGENCIES = ("other", "Russia official (other)")
#: Kinds of reported transfer (``reported_transfers_to_dprk.item_category``) in the chapter's
#: order, with the name each takes on the chart and in the table.
TRANSFER_KINDS = {
    "space_satellite": "Space and satellites",
    "missile_technology": "Missile technology",
    "air_defence": "Air defence",
    "aircraft": "Aircraft",
    "drones": "Drones",
    "naval_submarine": "Naval and submarine",
    "nuclear": "Nuclear",
    "food": "Food",
    "money": "Money",
    "energy_other": "Energy (other than refined oil)",
    "labour": "Labour",
    "tourism": "Tourism",
    "other_technology": "Other technology",
    "other": "Other",
}
#: Statuses of a reported transfer (``status_as_reported``), from the firmest claim to a denial.
STATUSES = ("delivered", "offered_or_agreed", "suspected", "denied")
#: The kinds of transfer that are military technology.
MILITARY_TECHNOLOGY = (
    "space_satellite",
    "missile_technology",
    "air_defence",
    "aircraft",
    "drones",
    "naval_submarine",
    "nuclear",
    "other_technology",
)
#: The missile database starts in 1984; the chart of tempo in 2012, ten years before the war.
DATABASE_FROM, TEMPO_FROM = 1984, 2012
#: The years compared: a decade before Russia's full-scale invasion, and the years since, to the
#: last complete year of the database.
BEFORE, SINCE = (2012, 2021), (2022, 2024)
#: How the tempo chart names a launch the database's copy marks as preliminary (2025 on), or not.
LAUNCH_STATUS = {True: "preliminary (2025 on)", False: "database"}


def annual_trade(trade: pd.DataFrame) -> pd.DataFrame:
    """Annual trade totals (both directions) with ``value_m`` (US$ million), ``reported_by`` (the
    state or body behind the agency, for the book's colours) and ``segment``: consecutive years of
    one agency on one pair share a segment, so a line joins them and a missing year breaks it."""
    annual = trade[trade["annual"] & (trade["flow"] == "total")].copy()
    annual["value_m"] = annual["value_usd"] / 1e6
    annual["reported_by"] = annual["agency"].map(agency_group)
    annual = annual.sort_values(["pair", "agency", "year"])
    keys = [annual["pair"], annual["agency"]]
    breaks = annual.groupby(["pair", "agency"])["year"].diff().fillna(0).ne(1)
    annual["segment"] = annual["agency"] + breaks.groupby(keys).cumsum().astype(str)
    return annual


def trade_with(annual: pd.DataFrame, partner: str) -> pd.DataFrame:
    """The annual totals of North Korea's trade with ``partner`` (China or Russia)."""
    return annual[annual["pair"] == TRADE_PAIRS[partner]]


def trade_stated(annual: pd.DataFrame, row_id: str) -> str:
    """One annual total in the prose's words: ``US$2.53 billion (China customs (GACC), 2017)``."""
    r = annual.set_index("row_id").loc[row_id]
    who = r["data_origin"].split(", via")[0] if r["agency"] in UNNAMED_AGENCIES else r["agency"]
    usd = r["value_usd"]
    amount = f"US${usd / 1e9:,.2f} billion" if usd >= 1e9 else f"US${usd / 1e6:,.1f} million"
    return f"{amount} ({who}, {r['year']})"


def reported_transfers(transfers: pd.DataFrame) -> pd.DataFrame:
    """The reported transfers, each with its kind in words (``category``)."""
    return transfers.assign(category=transfers["item_category"].map(TRANSFER_KINDS))


def kinds_reported(transfers: pd.DataFrame) -> list[str]:
    """The kinds of transfer the table holds, in words, in the order of ``TRANSFER_KINDS``."""
    present = set(transfers["item_category"])
    return [name for key, name in TRANSFER_KINDS.items() if key in present]


def transfers_by_kind(shown: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """Reports per kind (rows, in the order of ``kinds``) and status (columns, ``STATUSES``)."""
    counts = pd.crosstab(shown["category"], shown["status_as_reported"])
    return counts.reindex(index=kinds, columns=list(STATUSES), fill_value=0)


def status_count(transfers: pd.DataFrame, status: str, *, negate: bool = False) -> int:
    """How many reports have ``status`` (with ``negate``, any other status)."""
    match = transfers["status_as_reported"] == status
    return int((~match if negate else match).sum())


def delivered_technology(transfers: pd.DataFrame) -> int:
    """How many reports describe a delivery of military technology (``MILITARY_TECHNOLOGY``)."""
    technology = transfers["item_category"].isin(MILITARY_TECHNOLOGY)
    return int((technology & (transfers["status_as_reported"] == "delivered")).sum())


#: Currencies of a value stated in ``reported_transfers_to_dprk.figure_unit``, as the prose names them.
CURRENCIES = {"USD": "US dollars", "KRW": "won"}


def value_stated(transfers: pd.DataFrame, report_id: str) -> str:
    """A reported value in the prose's words, with the month it was reported: ``up to 28.7
    trillion won (April 2025)``; a report without a figure gives its qualifier, e.g. ``tens of
    billions of US dollars``. Large sums are read in billions or trillions."""
    row = transfers.set_index("report_id").loc[report_id]
    when = f"({pd.Timestamp(row['reported_on']):%B %Y})"
    qualifier = str(row["qualifier"]) if pd.notna(row["qualifier"]) else ""
    if pd.isna(row["figure"]):
        words = qualifier.split(" (")[0]
        return " ".join([words.replace("USD", CURRENCIES["USD"]), when])
    currency = CURRENCIES[str(row["figure_unit"]).split()[0]]
    scale, name = (1e12, "trillion") if row["figure"] >= 1e12 else (1e9, "billion")
    amount = f"{row['figure'] / scale:g} {name} {currency}"
    return " ".join(part for part in (qualifier, amount, when) if part)


def launches_per_year(missiles: pd.DataFrame, since: int = TEMPO_FROM) -> pd.DataFrame:
    """Launches per year, missile type and preliminary flag from ``since``, with the first source
    of each group and its ``status`` in the chart's words (``LAUNCH_STATUS``)."""
    m = missiles.assign(year=missiles["launch_date"].dt.year)
    per_year = (
        m[m["year"] >= since]
        .groupby(["year", "missile_type", "preliminary"], as_index=False)
        .agg(launches=("launch_id", "size"), source=("source", "first"))
    )
    per_year["status"] = per_year["preliminary"].map(LAUNCH_STATUS)
    return per_year


def launches_by_year(missiles: pd.DataFrame) -> pd.Series:
    """Launches per year from ``DATABASE_FROM`` to the last year, a year without launches as 0."""
    years = missiles["launch_date"].dt.year
    return years.groupby(years).size().reindex(range(DATABASE_FROM, int(years.max()) + 1), fill_value=0)


def tempo(counts: pd.Series) -> dict:
    """Launches a year before and since 2022 (``BEFORE``, ``SINCE``): the means, the launches of
    the first year since, the peak before and its year, and the years before without a launch."""
    before, since = counts.loc[BEFORE[0] : BEFORE[1]], counts.loc[SINCE[0] : SINCE[1]]
    return {
        "before_mean": before.mean(),
        "since_mean": since.mean(),
        "first_year_since": int(counts.loc[SINCE[0]]),
        "peak_before": int(before.max()),
        "peak_before_year": int(before.idxmax()),
        "zero_years_before": [int(y) for y in before[before == 0].index],
    }
