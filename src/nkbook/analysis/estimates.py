"""Estimates as their sources state them: a point, a range, or a floor ("at least", "more than").

The troop, casualty and munitions tables keep each estimate in ``figure_low``, ``figure_high``
and ``figure_point`` with the source's ``qualifier``. Charts and prose need, for each, a lower
and an upper bound and a label that keeps the source's wording; this module derives them in one
place, so that a floor is never drawn or summed as if it were a point.
"""

from __future__ import annotations

import pandas as pd

from nkbook.core.formats import day

#: Qualifiers that make a figure a floor: the true number may be anything above it.
FLOOR_WORDS = ("at least", "more than", "over", "upwards of", "in excess of", "no fewer than", ">")
#: Qualifiers that make a figure a ceiling.
CEILING_WORDS = ("up to", "as many as", "at most", "fewer than", "less than", "nearly", "almost")


def _is(qualifier, words) -> bool:
    q = "" if pd.isna(qualifier) else str(qualifier).strip().lower()
    return any(q.startswith(w) for w in words)


def bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``lower``, ``upper`` (NA where open), ``kind`` (point, range, floor, ceiling) and ``label``.

    A row with only ``figure_low`` is a floor whatever its qualifier: the research tables put
    "at least / more than" figures there.
    """
    out = frame.copy()
    low, high, point = out["figure_low"], out["figure_high"], out["figure_point"]
    kinds, lowers, uppers, labels = [], [], [], []
    for lo, hi, pt, q in zip(low, high, point, out["qualifier"]):
        q_text = "" if pd.isna(q) else str(q).strip()
        if pd.notna(lo) and pd.notna(hi):
            kind, lower, upper = "range", lo, hi
            label = f"{q_text} {lo:,.0f}–{hi:,.0f}".strip()
        elif pd.notna(lo):
            kind, lower, upper = "floor", lo, pd.NA
            label = f"{q_text or 'at least'} {lo:,.0f}"
        elif pd.notna(pt) and _is(q, FLOOR_WORDS):
            kind, lower, upper = "floor", pt, pd.NA
            label = f"{q_text} {pt:,.0f}"
        elif pd.notna(pt) and _is(q, CEILING_WORDS):
            kind, lower, upper = "ceiling", pd.NA, pt
            label = f"{q_text} {pt:,.0f}"
        elif pd.notna(pt):
            kind, lower, upper = "point", pt, pt
            label = f"{q_text} {pt:,.0f}".strip()
        else:
            kind, lower, upper, label = "none", pd.NA, pd.NA, q_text or "no figure"
        kinds.append(kind)
        lowers.append(lower)
        uppers.append(upper)
        labels.append(label)
    out["kind"] = kinds
    out["lower"] = pd.array(lowers, dtype="Float64")
    out["upper"] = pd.array(uppers, dtype="Float64")
    out["label"] = labels
    out["shown"] = out["lower"].fillna(out["upper"])  # the value a mark is drawn at
    return out


def problems(frame: pd.DataFrame) -> list[str]:
    """Ranges whose low exceeds their high, and rows with a range and a point at once."""
    found = []
    for i, (lo, hi, pt) in enumerate(zip(frame["figure_low"], frame["figure_high"], frame["figure_point"]), start=1):
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            found.append(f"row {i}: figure_low {lo} > figure_high {hi}")
        if pd.notna(pt) and (pd.notna(lo) or pd.notna(hi)):
            found.append(f"row {i}: both a point and a range/floor")
    return found


#: Estimator types grouped by the state or body behind them, for colour.
ESTIMATOR_GROUPS = {
    "South Korea NIS": "South Korea",
    "South Korea military (JCS/MND)": "South Korea",
    "South Korea government (other)": "South Korea",
    "US Department of Defense": "United States",
    "US White House": "United States",
    "US State Department": "United States",
    "US intelligence (other)": "United States",
    "Ukraine GUR": "Ukraine",
    "Ukraine president": "Ukraine",
    "Ukraine government (other)": "Ukraine",
    "MSMT": "MSMT (11 states)",
    "NATO": "Others",
    "EU": "Others",
    "Japan government": "Others",
    "other": "Others",
    "Russia official": "Russia",
    "DPRK official": "North Korea",
    "media (unnamed officials)": "Media (unnamed officials)",
    "research group": "Research groups",
}
#: Agencies of the trade table (``dprk_trade.agency``) by the state or body behind them.
AGENCY_GROUPS = {
    "China customs (GACC)": "China",
    "KOTRA": "South Korea",
    "Russia official (other)": "Russia",
    "Russia customs": "Russia",
    "other": "Others",
}
#: One colour per state or body, the same in every chart of the book: for the estimates they
#: give, the trade they report, and (Iran, Belarus, Syria too) their votes in the General
#: Assembly. Each has at least 3:1 contrast against white (WCAG 2.1, 1.4.11); the tests check
#: both.
ESTIMATOR_COLOURS = {
    "South Korea": "#0072B2",
    "United States": "#6A3D9A",
    "Ukraine": "#B26B00",
    "Russia": "#D55E00",
    "North Korea": "#CC79A7",
    "MSMT (11 states)": "#009E73",
    "China": "#B2182B",
    "Media (unnamed officials)": "#000000",
    "Research groups": "#007C7C",
    "Others": "#767676",
    "Iran": "#1B7F3B",
    "Belarus": "#8C510A",
    "Syria": "#4D4D4D",
}


def estimator_group(estimator_type: str) -> str:
    """The state or body behind an estimator type (KeyError for a type the schema does not know)."""
    return ESTIMATOR_GROUPS[estimator_type]


def agency_group(agency: str) -> str:
    """The state or body behind an agency of the trade table (KeyError for an unknown agency)."""
    return AGENCY_GROUPS[agency]


def estimator_colours(groups) -> tuple[list[str], list[str]]:
    """Domain and range of a colour scale for ``groups`` (states or bodies), in their order."""
    domain = list(dict.fromkeys(groups))
    return domain, [ESTIMATOR_COLOURS[g] for g in domain]


def select(frame: pd.DataFrame, *, item_norm: str, measure_kind: str) -> pd.DataFrame:
    """Munitions rows of one item and one kind of measure.

    The measure kind must be named: a count of shells and a capacity equivalent (containers
    converted into shells by an estimator) answer different questions, and a selection that
    mixed them would invite adding one to the other.
    """
    kinds = {"count", "capacity_equivalent", "share", "qualitative"}
    if measure_kind not in kinds:
        raise ValueError(f"measure_kind must be one of {sorted(kinds)}, not {measure_kind!r}")
    return frame[(frame["item_norm"] == item_norm) & (frame["measure_kind"] == measure_kind)]


def stated(frame: pd.DataFrame, key: str, id_column: str = "estimate_id", date: str = "estimated_on") -> str:
    """One estimate in the prose's words: ``about 12,000 (South Korea NIS, 18 October 2024)``."""
    row = bounds(frame).set_index(id_column).loc[key]
    return f"{row['label']} ({row['estimator']}, {day(row[date])})"
