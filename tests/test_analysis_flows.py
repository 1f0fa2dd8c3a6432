"""The flows chapter's selections: annual trade in segments, totals in the prose's words,
reported transfers by kind and status, and the tempo of missile launches."""

from __future__ import annotations

import pandas as pd
import pytest

from nkbook.analysis import flows
from nkbook.data import load
from nkbook.data.provenance import with_source_names


@pytest.fixture(scope="module")
def annual():
    return flows.annual_trade(load("dprk_trade"))


@pytest.fixture(scope="module")
def transfers():
    return load("reported_transfers_to_dprk")


def test_annual_trade_breaks_a_line_at_a_missing_year(annual):
    assert set(annual["flow"]) == {"total"} and annual["annual"].all()
    russia = flows.trade_with(annual, "Russia").set_index("row_id")
    assert len(russia) == 7 and len(flows.trade_with(annual, "China")) == 16
    # "other" reports 2016, 2019 and 2024: three years apart, three segments
    assert russia.loc[["R045", "R046", "R049"], "segment"].tolist() == ["other1", "other2", "other3"]
    assert russia.loc["R043", "reported_by"] == "South Korea" and russia.loc["R047", "reported_by"] == "Russia"
    assert russia.loc["R043", "value_m"] == 84.0


def test_segments_join_consecutive_years_only():
    trade = pd.DataFrame(
        {
            "annual": True,
            "flow": "total",
            "pair": "CHN-PRK",
            "agency": "KOTRA",
            "year": [2019, 2020, 2022, 2023],
            "value_usd": 1e6,
        }
    )
    assert flows.annual_trade(trade)["segment"].tolist() == ["KOTRA1", "KOTRA1", "KOTRA2", "KOTRA2"]


def test_trade_stated_names_the_reporter_and_the_unit(annual):
    assert flows.trade_stated(annual, "R012") == "US$5.06 billion (China customs (GACC), 2017)"
    assert flows.trade_stated(annual, "R043") == "US$84.0 million (KOTRA, 2015)"
    # an "other" agency: the body named in data_origin, before ", via"
    other = annual.set_index("row_id").loc["R049"]
    assert flows.trade_stated(annual, "R049").endswith(f"({other['data_origin'].split(', via')[0]}, 2024)")


def test_transfers_by_kind_and_status(transfers):
    shown, kinds = flows.reported_transfers(transfers), flows.kinds_reported(transfers)
    assert kinds[:3] == ["Space and satellites", "Missile technology", "Air defence"]
    assert "Energy (other than refined oil)" not in kinds  # no such report: no empty row
    table = flows.transfers_by_kind(shown, kinds)
    assert table.columns.tolist() == list(flows.STATUSES) and table.index.tolist() == kinds
    assert table.loc["Space and satellites"].tolist() == [4, 1, 2, 0] and table.loc["Other", "denied"] == 2
    assert int(table.to_numpy().sum()) == len(transfers) == 55


def test_report_counts(transfers):
    assert flows.status_count(transfers, "denied") == 2
    assert flows.status_count(transfers, "denied", negate=True) == 53
    assert flows.delivered_technology(transfers) == 17


def test_launches_and_tempo():
    missiles = with_source_names(load("missile_tests"))  # each launch group names its source
    per_year = flows.launches_per_year(missiles)
    assert per_year["year"].min() == flows.TEMPO_FROM and set(per_year["source"]) == set(missiles["source"])
    assert per_year["launches"].sum() == (missiles["launch_date"].dt.year >= flows.TEMPO_FROM).sum()
    assert set(per_year.loc[per_year["year"] >= 2025, "status"]) == {"preliminary (2025 on)"}
    counts = flows.launches_by_year(missiles)
    assert counts.index[0] == flows.DATABASE_FROM and counts.loc[2018] == 0 and counts.loc[2022] == 69
    tempo = flows.tempo(counts)
    assert round(tempo["before_mean"], 1) == 12.9 and round(tempo["since_mean"]) == 48
    assert (tempo["first_year_since"], tempo["peak_before"], tempo["peak_before_year"]) == (69, 27, 2019)
    assert tempo["zero_years_before"] == [2018]


def test_value_stated_reads_large_sums_and_keeps_a_qualifier_without_a_figure(transfers):
    assert flows.value_stated(transfers, "X045") == "at most 1.2 billion US dollars (September 2025)"
    assert flows.value_stated(transfers, "X048") == "up to 28.7 trillion won (April 2025)"
    assert flows.value_stated(transfers, "X052") == "tens of billions of US dollars (August 2025)"
