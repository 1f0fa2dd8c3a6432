"""The deployment of North Korean troops to Russia: the selections and figures of ``book/troops.ipynb``.

Pure pandas over ``troop_estimates``, ``casualty_estimates`` and ``milestones``; the charts of
these selections are in :mod:`nkbook.present.plots.troops`.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis.claims import KURSK_WINDOW
from nkbook.analysis.estimates import bounds
from nkbook.core.formats import day

#: The personnel the troop chart counts (``troop_estimates.scope_norm``).
COMBAT_TROOPS = "combat troops"
#: Kinds of estimate (``troop_estimates.estimate_kind``) in the words of the table of the others.
ESTIMATE_KINDS = {
    "in_place": "sent or present",
    "additional": "increment",
    "returned": "returned home",
    "planned_or_projected": "plan or projection",
}
#: Milestones on the deployment's timeline (``milestones.category``), in the timeline's order,
#: with the name each kind takes on the chart.
MILESTONE_KINDS = {
    "summit": "Summit",
    "treaty": "2024 treaty",
    "treaty_ratification": "Treaty ratification",
    "first_report": "First reports",
    "deployment": "Deployment",
    "combat": "Combat",
    "capture": "Capture of soldiers",
    "acknowledgement": "Acknowledgement",
    "sanctions": "Sanctions monitoring",
}
#: The timeline starts with the Vostochny summit's month.
TIMELINE_FROM = pd.Timestamp("2023-09-01")
#: The milestones the prose dates, by what they were (``milestones.event_id``).
KEY_EVENTS = {
    "summit": "E009",
    "treaty": "E017",
    "nis": "E024",
    "us": "E026",
    "combat": "E040",
    "capture": "E043",
    "ru_ack": "E048",
    "kp_ack": "E049",
    "in_force": "E039",
}


def in_place(troops: pd.DataFrame) -> pd.DataFrame:
    """Estimates of combat troops sent to or present in Russia: no plans, projections or increments."""
    return troops[(troops["scope_norm"] == COMBAT_TROOPS) & (troops["estimate_kind"] == "in_place")]


def left_out(troops: pd.DataFrame) -> pd.DataFrame:
    """The estimates :func:`in_place` leaves out (engineers, builders, workers, increments, returns,
    plans), with their bounds and the kind of estimate in words (``kind_of_estimate``)."""
    others = bounds(troops[(troops["scope_norm"] != COMBAT_TROOPS) | (troops["estimate_kind"] != "in_place")])
    return others.assign(kind_of_estimate=others["estimate_kind"].map(ESTIMATE_KINDS))


def quarterly_range(frame: pd.DataFrame, date: str = "estimated_on") -> pd.DataFrame:
    """The lowest and highest figure stated in each quarter (``2024Q4``), a floor counting as its
    own value; estimates with no lower bound (ceilings, no figure) are left out."""
    b = bounds(frame).dropna(subset=["lower"])
    by_quarter = b.assign(top=b["upper"].fillna(b["lower"])).groupby(frame[date].dt.to_period("Q").astype(str))
    return pd.DataFrame({"low": by_quarter["lower"].min(), "high": by_quarter["top"].max()})


def kursk_window(frame: pd.DataFrame, date: str = "estimated_on") -> pd.DataFrame:
    """The estimates made in November–December 2024 (``KURSK_WINDOW``), with their bounds."""
    return bounds(frame)[frame[date].between(*KURSK_WINDOW).values]


def convergence(estimates: pd.DataFrame) -> dict:
    """How far a set of bounded estimates agree: the lowest figure, the highest (a floor counting
    as its own value), how many estimates and how many kinds of estimator."""
    return {
        "low": estimates["lower"].min(),
        "high": estimates["upper"].fillna(estimates["lower"]).max(),
        "estimates": len(estimates),
        "estimator_types": estimates["estimator_type"].nunique(),
    }


def of_type(casualties: pd.DataFrame, casualty_type: str) -> pd.DataFrame:
    """Casualty estimates of one kind (``killed``, ``killed_or_wounded``): never mixed in one chart."""
    return casualties[casualties["casualty_type"] == casualty_type]


def timeline(events: pd.DataFrame) -> pd.DataFrame:
    """Milestones from ``TIMELINE_FROM`` of the kinds in ``MILESTONE_KINDS``, each with its ``kind``."""
    recent = events[(events["event_date"] >= TIMELINE_FROM) & events["category"].isin(MILESTONE_KINDS)]
    return recent.assign(kind=lambda d: d["category"].map(MILESTONE_KINDS))


def key_event_dates(events: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """The date of each of ``KEY_EVENTS``, in its order."""
    e = events.set_index("event_id")
    return {name: e.loc[event_id, "event_date"] for name, event_id in KEY_EVENTS.items()}


def dated(estimates: pd.DataFrame, key: str) -> str:
    """One estimate of :func:`~nkbook.analysis.estimates.bounds` (indexed by ``estimate_id``) as
    the prose gives it: its figure as stated and its date, ``more than 3,000 (27 March 2025)``."""
    return f"{estimates.loc[key, 'label']} ({day(estimates.loc[key, 'estimated_on'])})"
