"""``missile_tests``: one row per North Korean missile launch, from the CNS database.

Read from a copy of the James Martin Center for Nonproliferation Studies' North Korea Missile
Test Database (for NTI), as kept by the nk-missile-tests visualisation. The database counts only
missiles able to carry 500 kg 300 km, so short-range rockets and artillery are not in it. The
copy's maintainer marks the launches of 2025 and 2026 as preliminary; the builder flags every
launch dated 2025 or later accordingly. A launch known only to the month (1984-1992) is dated to
the 1st with ``date_precision`` = ``month``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nkbook.etl import SnapshotError

TESTS = "cns-missile-tests/test.en.json"
MISSILES = "cns-missile-tests/missile.en.json"
FACILITIES = "cns-missile-tests/facility.en.json"
SOURCE_ID = "cns-missile-test-database-2026-04"
PRELIMINARY_FROM = "2025-01-01"
OUTCOMES = {"success", "failure", "unknown"}


def _read_json(path: Path):
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SnapshotError(f"{path}: not valid JSON ({exc})") from exc


def _km(value: str) -> str:
    value = str(value).strip()
    if value in ("", "unknown", "na"):  # na: not applicable (e.g. a satellite launch)
        return ""
    float(value)  # a non-number here is a changed snapshot: fail loudly
    return value


def build(snapshots: Path) -> pd.DataFrame:
    tests = _read_json(snapshots / TESTS)
    missiles = _read_json(snapshots / MISSILES)
    facilities = _read_json(snapshots / FACILITIES)["facilities"]
    rows, per_day = [], {}
    for bin_ in tests["timeBins"]:
        for rec in bin_["data"]:
            date = rec["date"]
            precision = "day" if len(date) == 10 else "month"
            day = date if precision == "day" else f"{date}-01"
            per_day[day] = per_day.get(day, 0) + 1
            missile = missiles.get(rec["missile"])
            facility = facilities.get(rec["facility"])
            where = f"{snapshots / TESTS}, launch of {date} ({rec['missile']})"
            if missile is None or facility is None:
                raise SnapshotError(f"{where}: missile or facility not in the snapshot's dictionaries")
            if rec["outcome"] not in OUTCOMES:
                raise SnapshotError(f"{where}: unknown outcome {rec['outcome']!r}")
            time = rec.get("time", "unknown")
            rows.append(
                {
                    "launch_id": f"{day}-{per_day[day]}",
                    "launch_date": day,
                    "date_precision": precision,
                    "time_utc": "" if time == "unknown" else time.replace(" (UTC)", ""),
                    "missile_id": rec["missile"],
                    "missile_name": missile["name"],
                    "missile_type": missile["type"],
                    "facility_name": facility["name"],
                    "landing": rec.get("landing", "unknown"),
                    "apogee_km": _km(rec.get("apogee", "unknown")),
                    "distance_km": _km(rec.get("distance", "unknown")),
                    "outcome": rec["outcome"],
                    "preliminary": "true" if day >= PRELIMINARY_FROM else "false",
                    "source_id": SOURCE_ID,
                }
            )
    return pd.DataFrame(rows).sort_values(["launch_date", "launch_id"], ignore_index=True)
