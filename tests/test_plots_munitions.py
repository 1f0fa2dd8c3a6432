"""The munitions chapter's figures and tables, built from the real table without a kernel: marks,
fields, titles, the rows drawn, the book's chart rules, and the captions a reader sees."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest

from nkbook.analysis import munitions as supply
from nkbook.data import load
from nkbook.data.provenance import with_source_names
from nkbook.present import charts
from nkbook.present.plots import munitions as figures


@pytest.fixture(scope="module")
def munitions():
    return with_source_names(load("munitions_transfers"))


def units(spec):
    return spec.get("layer", [spec])


def rows(spec):
    return spec["datasets"][spec["data"]["name"]]


def table(shown):
    return pd.read_html(StringIO(shown.data))[0]


def test_container_chart(munitions):
    fig = figures.containers(supply.containers(munitions))
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["text"] == "Containers shipped from North Korea to Russia: cumulative estimates"
    assert [u["mark"]["type"] for u in units(spec)] == ["point"]  # no ranges: no rule layer
    point = units(spec)[0]
    assert point["encoding"]["y"]["field"] == "shown" and point["encoding"]["y"]["title"] == "Containers (cumulative)"
    assert [t["field"] for t in point["encoding"]["tooltip"]][-2:] == ["scope", "source"]
    drawn = {r["estimate_id"]: r for r in rows(spec)}
    assert (
        len(drawn) == 14 and drawn["M002"]["label"] == "more than 1,000" and drawn["M002"]["group"] == "United States"
    )
    assert spec["description"].startswith("Chart of 14 cumulative estimates of containers shipped, from October 2023")
    assert [p["name"] for p in spec["params"]] == ["pick_container_estimator"]
    assert fig.caption.endswith("(item_norm = containers, measure_kind = count). Data to 13 July 2025.")


def test_shell_chart_colours_by_kind_of_figure(munitions):
    fig = figures.shells(supply.shells(munitions))
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["text"] == "North Korean shells for Russia: counts and capacity equivalents"
    assert [u["mark"]["type"] for u in units(spec)] == ["rule", "point"]
    color = units(spec)[1]["encoding"]["color"]
    assert color["title"] == "Kind of figure"
    assert color["scale"] == {"domain": [supply.COUNTED, supply.CONVERTED], "range": ["#000000", "#767676"]}
    drawn = {r["estimate_id"]: r for r in rows(spec)}
    assert len(drawn) == 15 and drawn["M030"]["group"] == supply.COUNTED and drawn["M012"]["group"] == supply.CONVERTED
    assert spec["description"].startswith(
        "Chart of 8 stated shell counts and 7 capacity equivalents from November 2023"
    )
    assert "Rates per month or year are left out." in fig.caption


def test_ratio_table(munitions):
    t = table(figures.ratio_table(supply.conversion_ratios(munitions)))
    assert t.columns.tolist() == ["date", "containers", "shells (152 mm equivalent)", "shells per container"]
    assert t.iloc[0].tolist() == ["26 February 2024", "around 6,700", "up to ~ / more than 3,000,000", 448]
    assert t["shells per container"].tolist() == [448, 480, 462, 470, 429]


def test_share_and_heavy_weapon_tables(munitions):
    share = table(figures.share_table(supply.shares(munitions)))
    assert share.columns.tolist() == ["Date", "Estimator", "Figure as stated", "Of what", "Source"]
    assert share["Figure as stated"].tolist() == ["half 50", "about 40"]
    assert share.iloc[0]["Of what"] == "percent of shells Russia uses"
    shown = figures.heavy_weapons_table(supply.heavy_weapons(munitions))
    heavy = table(shown)
    assert heavy.columns.tolist() == [
        "Date",
        "Item as stated",
        "Supplied or used",
        "Figure as stated",
        "Period as stated",
        "Estimator",
        "Source",
    ]
    assert len(heavy) == 18 and heavy.iloc[0]["Figure as stated"] == "at least 24"
    assert "<caption>Missiles and artillery systems supplied or used, as stated</caption>" in shown.data
