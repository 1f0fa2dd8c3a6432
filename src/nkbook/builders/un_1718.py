"""``un_1718_designations``: one row per listing on the UN 1718 (DPRK) sanctions list.

Read from the UN Security Council Consolidated List (XML), entries whose ``UN_LIST_TYPE`` is
``DPRK``. The earlier copy of the list (2020) is read too, to record whether each entry was
already there: the two copies hold the same reference numbers, which is itself a finding.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from . import SnapshotError

LATEST = "un-consolidated-list/consolidated_2024-09-26.xml"
EARLIER = "un-consolidated-list/consolidated_2020-03-20.xml"
SOURCE_ID = "unsc-consolidated-list-2024-09-26"
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _entries(path: Path) -> list[dict]:
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise SnapshotError(f"{path}: not well-formed XML ({exc})") from exc
    rows = []
    for tag, kind in (("INDIVIDUAL", "individual"), ("ENTITY", "entity")):
        for el in root.iter(tag):
            if (el.findtext("UN_LIST_TYPE") or "").strip() != "DPRK":
                continue
            ref = (el.findtext("REFERENCE_NUMBER") or "").strip()
            listed = (el.findtext("LISTED_ON") or "").strip()
            name = " ".join((el.findtext(p) or "").strip() for p in NAME_PARTS).split()
            if not ref or not listed:
                raise SnapshotError(f"{path}: a DPRK {tag} (DATAID {el.findtext('DATAID')}) lacks a reference number or listing date")
            rows.append({"reference_number": ref, "name": " ".join(name), "entry_type": kind, "listed_on": listed})
    if not rows:
        raise SnapshotError(f"{path}: no DPRK entries found")
    return rows


def build(snapshots: Path) -> pd.DataFrame:
    latest = pd.DataFrame(_entries(snapshots / LATEST))
    earlier = {r["reference_number"] for r in _entries(snapshots / EARLIER)}
    if latest["reference_number"].duplicated().any():
        dupes = latest.loc[latest["reference_number"].duplicated(), "reference_number"].tolist()
        raise SnapshotError(f"{snapshots / LATEST}: duplicate reference numbers {dupes}")
    latest["in_list_2020_03_20"] = latest["reference_number"].isin(earlier).map({True: "true", False: "false"})
    latest["source_id"] = SOURCE_ID
    return latest.sort_values("reference_number", ignore_index=True)
