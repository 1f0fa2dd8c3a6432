"""Evidence: references ``table:key`` from a claim to rows of the book's tables, the day each row
became public, and the one-line description a claim's card gives of it.

:class:`Evidence` loads each table once, however many references point into it.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis import estimates
from nkbook.data import load, resource


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


class Evidence:
    """The evidence tables, each loaded, dated and indexed by its key once, however many
    references point into it (the register's checks look up some 300 references)."""

    def __init__(self) -> None:
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            frame = load(name)
            self._tables[name] = frame.assign(_public=public_dates(name, frame)).set_index(_key_field(name), drop=False)
        return self._tables[name]

    def rows(self, refs) -> pd.DataFrame:
        """One row per reference: table, key, the date the row became public, its source and a
        one-line description, in the order given. A key that is not in its table raises KeyError."""
        out = []
        for table, key in refs:
            row = self.table(table).loc[key]
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


def evidence_rows(refs, evidence: Evidence | None = None) -> pd.DataFrame:
    """:meth:`Evidence.rows`, from ``evidence`` or from tables loaded for this call."""
    return (evidence or Evidence()).rows(refs)


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
    "us_dprk_russia_designations": lambda r: f"US sanctions ({r['agency']}): {r['link_to_dprk_russia']}",
    "other_states_sanctions": lambda r: (
        f"Sanctions by {r['state']} ({r['announced_by']}): {r['targets']}. Grounds: {r['cited']}"
    ),
}
EVIDENCE_TABLES = tuple(_DESCRIBE)


def describe(table: str, row: pd.Series) -> str:
    return " ".join(str(_DESCRIBE[table](row)).split())


def public_by(name: str, as_of) -> pd.DataFrame:
    """The rows of a table that were public on ``as_of`` (rows with no public date are left out)."""
    frame = load(name)
    dates = public_dates(name, frame)
    return frame[dates.notna() & (dates <= pd.Timestamp(as_of))]
