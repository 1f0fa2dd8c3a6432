"""``ofac_dprk_sdn_entries``: entries of OFAC's SDN list under a DPRK sanctions program.

OFAC's ``sdn.csv`` carries no dates. Two copies of it (2021-08-18 and 2024-05-03) give the
entries present at each date; for an entry added in between, the time it first appeared in a
scraper that fetched the list every six hours (commit history: ``scrape_commits.txt``, the
first-appearance commits: the sourced table ``ofac_sdn_dprk_entries_first_seen.csv``) bounds
its publication to within about six hours. The builder checks that each first-seen time is the
time of the commit it names.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from . import SnapshotError

EARLY = "ofac-sdn/sdn_2021-08-18.csv"
LATE = "ofac-sdn/sdn_2024-05-03.csv"
COMMITS = "ofac-sdn/scrape_commits.txt"
FIRST_SEEN = "research/sanctions/ofac_sdn_dprk_entries_first_seen.csv"  # under shared/data
DPRK_PROGRAMS = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}
SOURCE_EARLY = "ofac-sdn-2021-08-18"
SOURCE_LATE = "ofac-sdn-2024-05-03"
SOURCE_SCRAPE = "sdn-scrape-history-2021-2024"


def _programs(field: str) -> list[str]:
    return [p.strip("[] ") for p in field.split("] [") if p.strip("[] ")]


def _read_sdn(path: Path) -> dict[int, dict]:
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if row == ["\x1a"]:  # the DOS end-of-file byte OFAC leaves at the end
                continue
            if len(row) != 12:
                raise SnapshotError(f"{path}, line {line_no}: expected 12 fields, found {len(row)}")
            programs = _programs(row[3])
            if not DPRK_PROGRAMS & set(programs):
                continue
            sdn_type = row[2].strip()
            out[int(row[0])] = {
                "ent_num": int(row[0]),
                "name": row[1].strip(),
                "sdn_type": "entity" if sdn_type == "-0-" else sdn_type,
                "programs": ";".join(programs),
            }
    return out


def _commit_times(path: Path) -> dict[str, str]:
    times = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sha, when = line.split()
            times[sha] = when
    return times


def build(snapshots: Path) -> pd.DataFrame:
    early, late = _read_sdn(snapshots / EARLY), _read_sdn(snapshots / LATE)
    commits = _commit_times(snapshots / COMMITS)
    first_seen_path = snapshots.parent / FIRST_SEEN
    first_seen = {int(r["ent_num"]): r for r in csv.DictReader(first_seen_path.open(encoding="utf-8"))}
    rows = []
    for ent in sorted(set(early) | set(late)):
        rec = dict(late.get(ent) or early[ent])
        rec["in_list_2021_08_18"] = "true" if ent in early else "false"
        rec["in_list_2024_05_03"] = "true" if ent in late else "false"
        rec["first_seen_utc"] = rec["first_seen_commit"] = rec["first_seen_source_id"] = ""
        if ent not in early:
            seen = first_seen.get(ent)
            if seen is None or not seen["first_seen_commit"]:
                raise SnapshotError(f"{first_seen_path}: no first-seen commit for SDN entry {ent} ({rec['name']})")
            when = commits.get(seen["first_seen_commit"])
            if when is None:
                raise SnapshotError(f"{first_seen_path}: entry {ent} names commit {seen['first_seen_commit']}, not in {COMMITS}")
            if when != seen["first_seen_in_scrape_utc"]:
                raise SnapshotError(f"{first_seen_path}: entry {ent} first seen {seen['first_seen_in_scrape_utc']}, but its commit is of {when}")
            rec["first_seen_utc"] = pd.Timestamp(when).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            rec["first_seen_commit"] = seen["first_seen_commit"]
            rec["first_seen_source_id"] = SOURCE_SCRAPE
        rec["source_id"] = SOURCE_LATE if ent in late else SOURCE_EARLY
        rows.append(rec)
    return pd.DataFrame(rows)
