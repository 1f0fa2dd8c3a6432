"""Regime type for every state: Regimes of the World and Freedom House, by country-year.

``regimes_of_the_world``
    Lührmann, Tannenberg and Lindberg's Regimes of the World classification as Our World in Data
    publishes it from V-Dem: 0 closed autocracy, 1 electoral autocracy, 2 electoral democracy,
    3 liberal democracy. The snapshot has ISO codes but no names (the copy dropped them); codes
    that are not ISO 3166 codes (OWID's own, e.g. for Kosovo, and regional aggregates) are left
    out. Years from 1991, when the DPRK joined the UN.
``freedom_house``
    Freedom House's Freedom in the World ratings (status Free, Partly Free, Not Free; political
    rights and civil liberties 1-7, 1 most free) as the democracyData package archives them,
    1991-2024. The file names countries and gives Correlates of War codes. A name pycountry
    resolves gives the ISO code (so Serbia is SRB); otherwise the COW code does, through the
    ideal-point file, which carries both (so "Congo (Brazzaville)" is COG). Territories (no COW
    code) and Kosovo (no ISO code) are left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nkbook.data import countries
from nkbook.etl import SnapshotError, read_csv, require_columns
from nkbook.etl.cow import cow_to_iso3, known

OWID = "regime-type/owid_political_regime.csv"
FREEDOM_HOUSE = "regime-type/democracydata_fh.csv"
ROW_SOURCE = "owid-political-regime"
FH_SOURCE = "freedom-house-fiw-democracydata"
ROW_LABELS = {0: "closed autocracy", 1: "electoral autocracy", 2: "electoral democracy", 3: "liberal democracy"}
FH_STATUS = {"F": "Free", "PF": "Partly Free", "NF": "Not Free"}
FIRST_YEAR = 1991  # the DPRK's first year in the UN, as in unga_agreement
#: The day each snapshot's version was published: every row counts as public from then (the
#: values of earlier years were public earlier, in earlier versions the book does not hold).
ROW_PUBLISHED = "2026-03-17"
FH_PUBLISHED = "2025-02-26"
#: States Freedom House rates that ISO 3166 gives no code (Kosovo's XK is user-assigned).
NO_ISO_CODE = {"Kosovo"}


def build_row(snapshots: Path) -> pd.DataFrame:
    path = snapshots / OWID
    raw = read_csv(path)
    if list(raw.columns) != ["Code", "Year", "Political regime"]:
        raise SnapshotError(f"{path}: columns {list(raw.columns)}, expected Code, Year, Political regime")
    rows = []
    for i, r in raw.iterrows():
        if not r.Code or not known(r.Code) or int(r.Year) < FIRST_YEAR:
            continue
        try:
            value = int(r["Political regime"])
        except ValueError:
            raise SnapshotError(
                f"{path}: row {i + 2}, field Political regime: {r['Political regime']!r} is not 0-3"
            ) from None
        if value not in ROW_LABELS:
            raise SnapshotError(f"{path}: row {i + 2}, field Political regime: {value} is not 0-3")
        rows.append(
            {
                "regime_id": f"{r.Code}-{r.Year}",
                "iso3": r.Code,
                "country": countries.name(r.Code),
                "year": int(r.Year),
                "regime": value,
                "regime_label": ROW_LABELS[value],
                "published_on": ROW_PUBLISHED,
                "source_id": ROW_SOURCE,
            }
        )
    out = pd.DataFrame(rows)
    dup = out[out.regime_id.duplicated()]
    if len(dup):
        raise SnapshotError(f"{path}: country-year repeated: {dup.regime_id.iloc[0]}")
    return out.sort_values(["iso3", "year"], ignore_index=True)


def build_fh(snapshots: Path) -> pd.DataFrame:
    path = snapshots / FREEDOM_HOUSE
    raw = read_csv(path)
    require_columns(raw, ["fh_country", "year", "pr", "cl", "status", "cown"], path)
    iso = cow_to_iso3(snapshots)
    rows = []
    for i, r in raw.iterrows():
        if not r.cown or int(float(r.year)) < FIRST_YEAR or r.fh_country in NO_ISO_CODE:
            continue  # a territory, not a state; or before 1991
        cown = int(float(r.cown))
        try:
            code = countries.iso3(r.fh_country)
        except countries.CountryError:
            if cown not in iso:
                raise SnapshotError(
                    f"{path}: row {i + 2}, field fh_country: {r.fh_country!r} (COW {cown}) has no ISO code"
                ) from None
            code = iso[cown]
        if r.status not in FH_STATUS:
            raise SnapshotError(f"{path}: row {i + 2}, field status: {r.status!r} not in {sorted(FH_STATUS)}")
        year = int(float(r.year))
        rows.append(
            {
                "rating_id": f"{code}-{year}",
                "iso3": code,
                "country": countries.name(code),
                "year": year,
                "status": r.status,
                "status_label": FH_STATUS[r.status],
                "political_rights": int(float(r.pr)),
                "civil_liberties": int(float(r.cl)),
                "fh_country": r.fh_country,
                "published_on": FH_PUBLISHED,
                "source_id": FH_SOURCE,
            }
        )
    out = pd.DataFrame(rows)
    dup = out[out.rating_id.duplicated(keep=False)]
    if len(dup):
        raise SnapshotError(f"{path}: two rows for {dup.rating_id.iloc[0]}: {sorted(set(dup.fh_country))}")
    return out.sort_values(["iso3", "year"], ignore_index=True)
