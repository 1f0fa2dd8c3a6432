"""``ofac_dprk_sdn_entries``: entries of OFAC's SDN list under a DPRK sanctions program.

OFAC's ``sdn.csv`` carries no dates. Two copies of it (2021-08-18 and 2024-05-03) give the
entries present at each date; for an entry added in between, the time it first appeared in a
scraper that fetched the list every six hours (commit history: ``scrape_commits.txt``, the
first-appearance commits: the sourced table ``ofac_sdn_dprk_entries_first_seen.csv``) bounds
its publication to within about six hours. The builder checks that each first-seen time is the
time of the commit it names.

Copies downloaded later by ``make refresh`` (``sdn_YYYY-MM-DD.csv``, named by the day of the
download, UTC) add a column ``in_list_YYYY_MM_DD`` each. There is no scrape after 2024-05-04: an
entry first found in such a copy gets as ``first_seen_utc`` the end of that day (23:59:59 UTC),
an upper bound on its publication (the lower bound is the previous copy), no commit, and the copy
as ``first_seen_source_id``. Each row's ``source_id`` is the newest copy holding the entry.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from nkbook.etl import SnapshotError

FOLDER = "ofac-sdn"
EARLY = f"{FOLDER}/sdn_2021-08-18.csv"
LATE = f"{FOLDER}/sdn_2024-05-03.csv"
COMMITS = f"{FOLDER}/scrape_commits.txt"
COPY_NAME = re.compile(r"^sdn_(\d{4}-\d{2}-\d{2})\.csv$")
FIRST_SEEN = "research/sanctions/ofac_sdn_dprk_entries_first_seen.csv"  # under shared/data
DPRK_PROGRAMS = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}
SOURCE_PREFIX = "ofac-sdn-"  # + the copy's date: its key in book/references.bib
SOURCE_SCRAPE = "sdn-scrape-history-2021-2024"
FIELDS = 12  # columns of sdn.csv, which has no header row


def _programs(field: str) -> list[str]:
    return [p.strip("[] ") for p in field.split("] [") if p.strip("[] ")]


def sdn_rows(rows: Iterable[list[str]], where: str) -> tuple[int, dict[int, dict]]:
    """The number of entries in rows of ``sdn.csv``, and its DPRK entries by entry number;
    ``where`` names the file (or address) in errors."""
    out: dict[int, dict] = {}
    count = 0
    try:
        for line_no, row in enumerate(rows, start=1):
            if row == ["\x1a"]:  # the DOS end-of-file byte OFAC leaves at the end
                continue
            if len(row) != FIELDS:
                raise SnapshotError(f"{where}, line {line_no}: expected {FIELDS} fields, found {len(row)}")
            if not row[0].strip().isdigit():
                raise SnapshotError(f"{where}, line {line_no}, field 'ent_num': {row[0][:40]!r} is not an entry number")
            count += 1
            programs = _programs(row[3])
            if not DPRK_PROGRAMS & set(programs):
                continue
            if int(row[0]) in out:
                raise SnapshotError(f"{where}, line {line_no}: entry {int(row[0])} listed twice")
            sdn_type = row[2].strip()
            out[int(row[0])] = {
                "ent_num": int(row[0]),
                "name": row[1].strip(),
                "sdn_type": "entity" if sdn_type == "-0-" else sdn_type,
                "programs": ";".join(programs),
            }
    except csv.Error as exc:  # e.g. a quote left open by a file cut short
        raise SnapshotError(f"{where}: not a well-formed CSV file ({exc})") from exc
    return count, out


def _read_sdn(path: Path) -> dict[int, dict]:
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    with path.open(encoding="utf-8", newline="") as fh:
        return sdn_rows(csv.reader(fh, strict=True), str(path))[1]


def copies(snapshots: Path) -> list[tuple[str, Path]]:
    """Every copy of the list, oldest first: the scrape's two, then any downloaded since."""
    found = sorted((m.group(1), p) for p in (snapshots / FOLDER).glob("sdn_*.csv") if (m := COPY_NAME.match(p.name)))
    scrape = {snapshots / EARLY, snapshots / LATE}
    for path in scrape:
        if path not in {p for _, p in found}:
            raise SnapshotError(f"{path}: snapshot missing")
    last_scrape = COPY_NAME.match(Path(LATE).name).group(1)
    for date, path in found:
        if path not in scrape and date <= last_scrape:
            raise SnapshotError(
                f"{path}: a copy dated before the scrape's last copy ({last_scrape}) that is not one of its two"
            )
    return found


def _commit_times(path: Path) -> dict[str, str]:
    times = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sha, when = line.split()
            times[sha] = when
    return times


def build(snapshots: Path) -> pd.DataFrame:
    dated = copies(snapshots)
    lists = {date: _read_sdn(path) for date, path in dated}
    scrape_dates = [d for d, p in dated if p in {snapshots / EARLY, snapshots / LATE}]
    early = lists[scrape_dates[0]]
    commits = _commit_times(snapshots / COMMITS)
    first_seen_path = snapshots.parent / FIRST_SEEN
    first_seen = {int(r["ent_num"]): r for r in csv.DictReader(first_seen_path.open(encoding="utf-8"))}
    rows = []
    for ent in sorted(set().union(*lists.values())):
        holding = [d for d in lists if ent in lists[d]]  # the copies holding the entry, oldest first
        rec = dict(lists[holding[-1]][ent])
        for date in lists:
            rec["in_list_" + date.replace("-", "_")] = "true" if ent in lists[date] else "false"
        rec["first_seen_utc"] = rec["first_seen_commit"] = rec["first_seen_source_id"] = ""
        if ent in early:
            pass  # on the list before the scrape began: no first-seen time
        elif any(d in scrape_dates for d in holding):
            seen = first_seen.get(ent)
            if seen is None or not seen["first_seen_commit"]:
                raise SnapshotError(f"{first_seen_path}: no first-seen commit for SDN entry {ent} ({rec['name']})")
            when = commits.get(seen["first_seen_commit"])
            if when is None:
                raise SnapshotError(
                    f"{first_seen_path}: entry {ent} names commit {seen['first_seen_commit']}, not in {COMMITS}"
                )
            if when != seen["first_seen_in_scrape_utc"]:
                raise SnapshotError(
                    f"{first_seen_path}: entry {ent} first seen {seen['first_seen_in_scrape_utc']}, but its commit is of {when}"
                )
            rec["first_seen_utc"] = pd.Timestamp(when).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            rec["first_seen_commit"] = seen["first_seen_commit"]
            rec["first_seen_source_id"] = SOURCE_SCRAPE
        else:  # first found in a copy downloaded by make refresh: the end of that day bounds it
            rec["first_seen_utc"] = f"{holding[0]}T23:59:59Z"
            rec["first_seen_source_id"] = SOURCE_PREFIX + holding[0]
        rec["source_id"] = SOURCE_PREFIX + holding[-1]
        rows.append(rec)
    return pd.DataFrame(rows)
