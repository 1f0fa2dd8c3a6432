"""How far the evidence reaches, computed from the tables, never typed.

Two dates describe a curated table, and the book states both wherever it gives a verdict "now":

- its **newest row**: the latest value of the table's public-date field (``x-public-date-field``),
  cut to the month or year where ``x-public-date-precision-field`` says the row is known only to
  that;
- the date **through which its sources were searched**: ``data/search_log.csv`` has one row per
  month (or other period) that was searched for a topic, naming the tables the search fed. What a
  reader needs to know is whether anything newer than the newest row could have been missed, so a
  table is searched through the end of the unbroken run of logged periods that holds its newest
  row: a month left out after it stops the run, however many later months were searched, and a
  table whose newest row falls in no searched period was not searched for later rows.

``make data`` writes them into ``datapackage.json`` (``x-newest-row`` and ``x-searched-through`` on
each resource; ``x-evidence-through``, ``x-searched-through`` and ``x-sources-reach`` on the package)
and :func:`stale` names any that no longer match the files.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from nkbook.core.csvfile import read_table

#: The curated table that records the searches.
SEARCH_LOG = "search_log"


def _raw(path) -> pd.DataFrame:
    return read_table(path)


def newest_row(desc: dict, frame: pd.DataFrame) -> str | None:
    """``2025-12-13`` (or ``2026-03`` for a row known to the month, ``2024`` to the year): the
    newest public date of a table's rows, None for a table with no public-date field or no dates."""
    field = desc.get("x-public-date-field")
    if not field or field not in frame.columns:
        return None
    values = frame[field].str.slice(0, 10)
    dated = values[values != ""]
    if dated.empty:
        return None
    newest = dated.max()
    precision_field = desc.get("x-public-date-precision-field")
    if precision_field and precision_field in frame.columns:
        precisions = set(frame.loc[dated.index[dated == newest], precision_field])
        if precisions and precisions <= {"year"}:
            return newest[:4]
        if precisions and precisions <= {"month", "year"}:
            return newest[:7]
    return newest


def runs(log: pd.DataFrame, table: str) -> list[tuple[date, date]]:
    """The unbroken runs of periods searched for ``table``, in order: periods that overlap or
    follow one another without a day's gap join one run."""
    mine = log[log["tables"].map(lambda cell: table in [t.strip() for t in cell.split(";")])]
    periods = sorted(
        (date.fromisoformat(a), date.fromisoformat(b)) for a, b in zip(mine["period_start"], mine["period_end"])
    )
    out: list[tuple[date, date]] = []
    for start, stop in periods:
        if out and start <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((start, stop))
    return out


def searched_through(log: pd.DataFrame, table: str, newest: str | None = None) -> str | None:
    """The last day of the unbroken run of searches that holds the table's newest row (a date, or
    a month or year, which counts from its first day); for a table with no dated row, of the last
    run. None when no search names the table, or when its newest row falls before or between runs
    (the months after it were not all searched). A newest row after every run (evidence found
    otherwise than by the logged searches) leaves the end of the last run."""
    found = runs(log, table)
    if not found:
        return None
    if newest is None:
        return found[-1][1].isoformat()
    day = date.fromisoformat(newest if len(newest) == 10 else (newest + "-01-01")[:10])
    if day > found[-1][1]:
        return found[-1][1].isoformat()
    holding = [stop for start, stop in found if start <= day <= stop]
    return holding[0].isoformat() if holding else None


def table_dates(resources: list[dict], data_dir) -> dict[str, dict[str, str]]:
    """``{table: {"x-newest-row": ..., "x-searched-through": ...}}`` for every resource (a key
    is left out where the table has no such date)."""
    log_desc = next((r for r in resources if r["name"] == SEARCH_LOG), None)
    log_path = data_dir / log_desc["path"] if log_desc else None
    log = _raw(log_path) if log_path is not None and log_path.is_file() else None
    out: dict[str, dict[str, str]] = {}
    for res in resources:
        path = data_dir / res["path"]
        dates: dict[str, str] = {}
        if res["name"] != SEARCH_LOG and path.is_file():
            if newest := newest_row(res, _raw(path)):
                dates["x-newest-row"] = newest
            if log is not None and (through := searched_through(log, res["name"], dates.get("x-newest-row"))):
                dates["x-searched-through"] = through
        out[res["name"]] = dates
    return out


def package_dates(per_table: dict[str, dict[str, str]], log: pd.DataFrame | None) -> dict[str, str]:
    """The whole book's dates, over the tables the search log covers: the newest row of any of
    them (``x-evidence-through``), the earliest date through which all were searched
    (``x-searched-through``), and the newest relevant page any search found (``x-sources-reach``)."""
    searched = {t: d for t, d in per_table.items() if "x-searched-through" in d}
    if not searched:
        return {}
    out = {
        "x-evidence-through": max((d["x-newest-row"] for d in searched.values() if "x-newest-row" in d), default=""),
        "x-searched-through": min(d["x-searched-through"] for d in searched.values()),
    }
    if log is not None:
        found = [v for v in log["newest_item_found"] if v]
        if found:
            out["x-sources-reach"] = max(found)
    return {k: v for k, v in out.items() if v}


FIELDS = ("x-newest-row", "x-searched-through")
PACKAGE_FIELDS = ("x-evidence-through", "x-searched-through", "x-sources-reach")


def computed(pkg: dict, data_dir) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """What the package's and each table's date fields should say, from the files."""
    per_table = table_dates(list(pkg["resources"]), data_dir)
    log_desc = next((r for r in pkg["resources"] if r["name"] == SEARCH_LOG), None)
    log = None
    if log_desc and (data_dir / log_desc["path"]).is_file():
        log = _raw(data_dir / log_desc["path"])
    return package_dates(per_table, log), per_table


def stamp(pkg: dict, data_dir) -> dict:
    """``pkg`` with every computed date field set (or removed where it no longer applies)."""
    top, per_table = computed(pkg, data_dir)
    items = [(k, v) for k, v in pkg.items() if k not in PACKAGE_FIELDS]
    pkg.clear()
    for key, value in items:
        if key == "resources":
            pkg.update(top)  # the book's dates just before the tables, where a reader finds them
        pkg[key] = value
    for res in pkg["resources"]:
        for key in FIELDS:
            res.pop(key, None)
        res.update(per_table.get(res["name"], {}))
    return pkg


def stale(pkg: dict, data_dir) -> list[str]:
    """Every date field of the package that differs from what the files give (empty when all hold)."""
    top, per_table = computed(pkg, data_dir)
    out = [
        f"package {key}: says {pkg.get(key)!r}, the tables give {top.get(key)!r}"
        for key in PACKAGE_FIELDS
        if pkg.get(key) != top.get(key)
    ]
    for res in pkg["resources"]:
        want = per_table.get(res["name"], {})
        out += [
            f"{res['name']} {key}: says {res.get(key)!r}, the table gives {want.get(key)!r}"
            for key in FIELDS
            if res.get(key) != want.get(key)
        ]
    return out


def iso_text(value: str) -> str:
    """``13 December 2025``, ``March 2026`` or ``2024`` for an ISO date, month or year."""
    if len(value) == 4:
        return value
    if len(value) == 7:
        return pd.Timestamp(value + "-01").strftime("%B %Y")
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def month_text(value: str) -> str:
    """``November 2026``: searches run month by month, so the month is what a reader needs."""
    return pd.Timestamp(value[:7] + "-01").strftime("%B %Y")


def span_text(evidence_through: str | None, searched: str | None) -> str:
    """``evidence to 13 December 2025, searched through November 2026`` (the second part only
    when the tables were searched month by month)."""
    text = f"evidence to {iso_text(evidence_through)}" if evidence_through else "evidence of unknown date"
    return text + (f", searched through {month_text(searched)}" if searched else "")
