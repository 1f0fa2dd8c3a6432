"""The flows chapter's figures and table, built from the real tables without a kernel: marks,
fields, titles, the rows drawn, the book's chart rules, and the captions a reader sees."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest

from nkbook.analysis import flows
from nkbook.data import load
from nkbook.data.provenance import with_source_names
from nkbook.present import charts
from nkbook.present.plots import flows as figures


@pytest.fixture(scope="module")
def annual():
    return flows.annual_trade(with_source_names(load("dprk_trade")))


@pytest.fixture(scope="module")
def transfers():
    return with_source_names(load("reported_transfers_to_dprk"))


def rows(spec):
    return spec["datasets"][spec["data"]["name"]]


def tooltip_fields(spec):
    return [t["field"] for t in spec["encoding"]["tooltip"]]


def test_china_trade_chart(annual):
    fig = figures.china_trade(annual)
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["text"] == "China–North Korea trade by year, by reporting agency"
    assert spec["mark"]["type"] == "line" and spec["encoding"]["detail"]["field"] == "segment"
    assert spec["encoding"]["y"]["field"] == "value_m" and spec["encoding"]["x"]["scale"]["domain"] == list(
        range(2014, 2025)
    )
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["China", "Others", "South Korea"],
        "range": ["#B2182B", "#767676", "#0072B2"],
    }
    drawn = rows(spec)
    assert len(drawn) == 16 and {r["pair"] for r in drawn} == {"CHN-PRK"}
    assert "2015 China customs (GACC): US$5,511.0 million" in spec["description"]
    assert fig.caption.endswith("Data: <code>dprk_trade</code> (annual totals). Data to 1 January 2025.")


def test_russia_trade_chart(annual):
    fig = figures.russia_trade(annual)
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["subtitle"] == "Total of both directions; note the scale: millions, not billions"
    assert [r["row_id"] for r in rows(spec)] == ["R043", "R047", "A02", "R048", "R045", "R046", "R049"]
    assert spec["description"].startswith(
        "Line chart of Russia-North Korea trade by year and reporting agency: 2015 KOTRA"
    )
    assert tooltip_fields(spec) == ["year", "agency", "value_as_stated", "data_origin", "published_on", "source"]
    assert fig.caption.endswith("Data to 10 June 2025.")


def test_reported_transfers_chart(transfers):
    kinds = flows.kinds_reported(transfers)
    fig = figures.reported_transfers(flows.reported_transfers(transfers), kinds)
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["mark"]["type"] == "point"
    assert spec["encoding"]["y"]["field"] == "category" and spec["encoding"]["y"]["sort"] == kinds
    assert spec["encoding"]["color"]["scale"]["domain"] == list(flows.STATUSES)
    assert spec["encoding"]["color"]["scale"]["range"] == ["#009E73", "#0072B2", "#B26B00", "#D55E00"]
    assert len(rows(spec)) == 55
    assert spec["description"] == (
        "Timeline of 55 reports from March 2023 to November 2025, by kind of item and status: Space and satellites: 7; "
        "Missile technology: 4; Air defence: 3; Aircraft: 3; Drones: 7; Naval and submarine: 3; Nuclear: 3; Food: 5; "
        "Money: 5; Labour: 4; Tourism: 3; Other technology: 2; Other: 6."
    )


def test_transfers_table(transfers):
    kinds = flows.kinds_reported(transfers)
    shown = figures.transfers_table(flows.transfers_by_kind(flows.reported_transfers(transfers), kinds))
    table = pd.read_html(StringIO(shown.data))[0]
    assert table.columns.tolist() == ["Kind of item", "delivered", "offered or agreed", "suspected", "denied"]
    assert table.iloc[0].tolist() == ["Space and satellites", 4, 1, 2, 0]
    assert "<caption>Reported transfers from Russia to North Korea by kind of item</caption>" in shown.data


def test_missile_chart_outlines_preliminary_launches():
    missiles = with_source_names(load("missile_tests"))
    fig = figures.missile_launches(flows.launches_per_year(missiles), missiles)
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["field"] == "launches"
    assert spec["encoding"]["x"]["scale"]["domain"] == list(range(2012, 2027))
    assert spec["encoding"]["stroke"]["scale"] == {
        "domain": ["database", "preliminary (2025 on)"],
        "range": ["#ffffff", "#000000"],
    }
    assert spec["title"]["subtitle"] == "2012–2026; 2026 to 18 April 2026 only; 2025 on preliminary"
    drawn = rows(spec)
    assert len(drawn) == 43 and sum(r["launches"] for r in drawn if r["year"] == 2022) == 69
    assert "2018" not in spec["description"] and "2022: 69, 2023: 33" in spec["description"]
    assert fig.caption.endswith("Data: <code>missile_tests</code>. Data to 18 April 2026.")
