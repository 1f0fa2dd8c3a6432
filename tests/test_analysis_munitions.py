"""The munitions chapter's selections: counts and conversions kept apart, rates left out, and
South Korea's conversion ratio."""

from __future__ import annotations

import pytest

from nkbook.analysis import munitions as supply
from nkbook.data import load


@pytest.fixture(scope="module")
def munitions():
    return load("munitions_transfers")


def test_containers_are_counts_of_containers(munitions):
    c = supply.containers(munitions)
    assert len(c) == 14 and set(c["item_norm"]) == {"containers"} and set(c["measure_kind"]) == {"count"}
    assert {"M002", "M023", "M044", "M049"} <= set(c["estimate_id"])


def test_shells_keep_counts_and_conversions_apart_and_leave_rates_out(munitions):
    s = supply.shells(munitions).set_index("estimate_id")
    assert s["measure"].value_counts().to_dict() == {supply.CONVERTED: 7, supply.COUNTED: 8}
    assert s.loc["M030", "measure"] == supply.COUNTED and s.loc["M012", "measure"] == supply.CONVERTED
    assert not s.index.isin(["M022", "M051"]).any()  # per year, per month: rates, not totals
    counted = s[s["measure"] == supply.COUNTED]
    assert set(counted["measure_kind"]) == {"count"} and not counted["unit"].str.contains("per ").any()
    assert set(s.loc[s["measure"] == supply.CONVERTED, "measure_kind"]) == {"capacity_equivalent"}


def test_conversion_ratio_is_shells_over_containers(munitions):
    r = supply.conversion_ratios(munitions)
    assert r["shells_per_container"].tolist() == [448, 480, 462, 470, 429]
    first = r.iloc[0]
    assert (first["containers"], first["shells"]) == ("around 6,700", "up to ~ / more than 3,000,000")
    assert str(first["estimated_on"].date()) == "2024-02-26"
    # one pair alone: 3,000,000 shells (a ceiling's own value) over 6,700 containers
    assert supply.conversion_ratios(munitions, pairs=[("M011", "M012")])["shells_per_container"].tolist() == [448]


def test_shares_and_heavy_weapons(munitions):
    shares = supply.shares(munitions)
    assert shares["estimate_id"].tolist() == ["M021", "M048"] and shares["label"].tolist() == ["half 50", "about 40"]
    heavy = supply.heavy_weapons(munitions)
    assert len(heavy) == 18 and set(heavy["item_norm"]) <= set(supply.HEAVY_ITEMS)
    assert set(heavy["measure_kind"]) == {"count"}
    assert heavy.set_index("estimate_id").loc["M010", "label"] == "at least 24"
