"""``un_1718_designations``: one row per listing on the UN 1718 (DPRK) sanctions list.

Read from the UN Security Council Consolidated List (XML), entries whose ``UN_LIST_TYPE`` is
``DPRK``. The newest copy in the folder is read (copies are named by the date in their
``dateGenerated``, ``consolidated_YYYY-MM-DD.xml``; ``make refresh`` adds later ones). The
earlier copy of the list (2020) is read too, to record whether each entry was already there: the
two copies of 2020 and 2024 hold the same reference numbers, which is itself a finding.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as defused
import pandas as pd
from defusedxml import DefusedXmlException

from nkbook.etl import SnapshotError

FOLDER = "un-consolidated-list"
LATEST = f"{FOLDER}/consolidated_2024-09-26.xml"  # the newest copy when the book was written
EARLIER = f"{FOLDER}/consolidated_2020-03-20.xml"
COPY_NAME = re.compile(r"^consolidated_(\d{4}-\d{2}-\d{2})\.xml$")
SOURCE_PREFIX = "unsc-consolidated-list-"  # + the copy's date: its key in book/references.bib
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def newest_copy(snapshots: Path) -> tuple[str, Path]:
    """The date and path of the newest copy of the list in the folder."""
    folder = snapshots / FOLDER
    dated = sorted((m.group(1), p) for p in folder.glob("consolidated_*.xml") if (m := COPY_NAME.match(p.name)))
    if not dated:
        raise SnapshotError(f"{snapshots / LATEST}: snapshot missing (no consolidated_YYYY-MM-DD.xml in {folder})")
    return dated[-1]


def dprk_entries(root: ET.Element, where: str) -> list[dict]:
    """The DPRK entries of a parsed list; ``where`` names the file (or address) in errors."""
    rows = []
    for tag, kind in (("INDIVIDUAL", "individual"), ("ENTITY", "entity")):
        for el in root.iter(tag):
            if (el.findtext("UN_LIST_TYPE") or "").strip() != "DPRK":
                continue
            ref = (el.findtext("REFERENCE_NUMBER") or "").strip()
            listed = (el.findtext("LISTED_ON") or "").strip()
            name = " ".join((el.findtext(p) or "").strip() for p in NAME_PARTS).split()
            if not ref or not listed:
                raise SnapshotError(
                    f"{where}: a DPRK {tag} (DATAID {el.findtext('DATAID')}) lacks a reference number or listing date"
                )
            rows.append({"reference_number": ref, "name": " ".join(name), "entry_type": kind, "listed_on": listed})
    if not rows:
        raise SnapshotError(f"{where}: no DPRK entries found")
    return rows


def _entries(path: Path) -> list[dict]:
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    try:  # defusedxml, as for a download: no entity expansion, no external reference
        root = defused.parse(path).getroot()
    except ET.ParseError as exc:
        raise SnapshotError(f"{path}: not well-formed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise SnapshotError(f"{path}: refused: the XML declares entities or a DTD ({exc!r})") from exc
    return dprk_entries(root, str(path))


def build(snapshots: Path) -> pd.DataFrame:
    date, path = newest_copy(snapshots)
    latest = pd.DataFrame(_entries(path))
    earlier = {r["reference_number"] for r in _entries(snapshots / EARLIER)}
    if latest["reference_number"].duplicated().any():
        dupes = latest.loc[latest["reference_number"].duplicated(), "reference_number"].tolist()
        raise SnapshotError(f"{path}: duplicate reference numbers {dupes}")
    latest["in_list_2020_03_20"] = latest["reference_number"].isin(earlier).map({True: "true", False: "false"})
    latest["source_id"] = SOURCE_PREFIX + date
    return latest.sort_values("reference_number", ignore_index=True)
