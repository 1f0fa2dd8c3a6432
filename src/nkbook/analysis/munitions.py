"""Munitions sent from North Korea to Russia: the selections and figures of ``book/munitions.ipynb``.

Pure pandas over ``munitions_transfers``; the charts and tables are in
:mod:`nkbook.present.plots.munitions`. A count and a capacity equivalent (containers converted
into shells by an estimator) are kept apart everywhere: each selection names its measure.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis.estimates import bounds, select

#: The two kinds of shell figure, as the shell chart names them.
COUNTED = "shells counted, as stated"
CONVERTED = "capacity equivalent (containers converted)"
#: South Korea's conversions: each pairs a container count with the 152 mm equivalent given with
#: it (``munitions_transfers.estimate_id`` of the containers, then of the shells).
CONVERSION_PAIRS = (("M011", "M012"), ("M015", "M016"), ("M018", "M019"), ("M023", "M024"), ("M049", "M050"))
#: Missiles and artillery systems (``munitions_transfers.item_norm``), counted rather than shells.
HEAVY_ITEMS = ("ballistic missiles", "Koksan guns", "240 mm rocket launchers", "artillery systems (mixed)")


def containers(munitions: pd.DataFrame) -> pd.DataFrame:
    """Counts of shipping containers."""
    return select(munitions, item_norm="containers", measure_kind="count")


def shells(munitions: pd.DataFrame) -> pd.DataFrame:
    """Shells counted and shells converted from containers, told apart by ``measure``
    (``COUNTED`` or ``CONVERTED``). Rates (per month, per year) are not totals and are left out."""
    counts = select(munitions, item_norm="artillery shells", measure_kind="count")
    counts = counts[~counts["unit"].str.contains("per ")]
    capacity = select(munitions, item_norm="artillery shells", measure_kind="capacity_equivalent")
    return pd.concat([counts.assign(measure=COUNTED), capacity.assign(measure=CONVERTED)])


def conversion_ratios(munitions: pd.DataFrame, pairs=CONVERSION_PAIRS) -> pd.DataFrame:
    """For each pair of a container count and its shell equivalent: the date, both figures as
    stated and the shells per container the conversion implies (rounded to a whole shell)."""
    b = bounds(munitions).set_index("estimate_id")
    return pd.DataFrame(
        [
            {
                "estimated_on": b.loc[c, "estimated_on"],
                "containers": b.loc[c, "label"],
                "shells": b.loc[s, "label"],
                "shells_per_container": round(b.loc[s, "shown"] / b.loc[c, "shown"]),
            }
            for c, s in pairs
        ]
    )


def shares(munitions: pd.DataFrame) -> pd.DataFrame:
    """Estimates of North Korea's share of Russia's artillery ammunition, with their bounds."""
    return bounds(select(munitions, item_norm="share of Russian ammunition", measure_kind="share"))


def heavy_weapons(munitions: pd.DataFrame) -> pd.DataFrame:
    """Counts of missiles and artillery systems (``HEAVY_ITEMS``), with their bounds."""
    return bounds(munitions[munitions["item_norm"].isin(HEAVY_ITEMS) & (munitions["measure_kind"] == "count")])
