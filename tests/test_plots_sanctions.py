"""The charts of the chapter *Sanctions*, built from the real tables without a kernel or a build."""

from __future__ import annotations

import pytest

from conftest import spec_fields, spec_views
from nkbook.analysis import sanctions
from nkbook.data import load
from nkbook.data.provenance import with_source_names
from nkbook.present import charts
from nkbook.present.plots import sanctions as plots


@pytest.fixture(scope="module")
def tables():
    names = ("unsc_dprk_actions", "un_1718_designations", "ofac_dprk_sdn_entries")
    names += ("us_dprk_russia_designations", "petroleum_supply", "other_states_sanctions")
    return {name: with_source_names(load(name)) for name in names}


def test_council_actions_puts_thirty_five_actions_on_seven_rows(tables):
    fig = plots.council_actions(sanctions.council_timeline(tables["unsc_dprk_actions"]))
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "point"
    assert spec_fields(enc) == {"x": "action_date", "y": "kind", "color": "kind", "shape": "verification"}
    assert enc["y"]["sort"] == sanctions.KIND_ORDER
    assert fig.spec["title"]["text"] == "UN Security Council action on North Korea, 2006–2026"
    assert len(rows) == 35
    draft = next(r for r in rows if r["action_id"] == sanctions.DRAFT_2022)
    assert (draft["kind"], draft["vote"]) == ("Draft vetoed", "13-2-0 (vetoed by China; Russia)")
    assert "Panel of Experts renewed: 13" in fig.spec["description"]
    assert fig.caption.endswith("Data: <code>unsc_dprk_actions</code>. Data to 12 January 2026.")


def test_un_listings_span_every_year_from_2009_to_2018(tables):
    un_list = tables["un_1718_designations"]
    fig = plots.un_listings(sanctions.un_listings_by_year(un_list), un_list)
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "bar"
    assert spec_fields(enc) == {"x": "year", "y": "listings", "color": "entry_type"}
    assert enc["x"]["scale"]["domain"] == list(range(2009, 2019))  # the empty years too
    assert sum(r["listings"] for r in rows) == 155
    assert {r["entry_type"] for r in rows} == {"Individuals", "Entities"}
    assert fig.spec["description"].startswith("Stacked bar chart of the 155 entries")
    assert fig.caption.endswith("Data to 26 September 2024.")


def test_sdn_additions_count_72_entries_over_ten_quarters(tables):
    per_quarter = sanctions.sdn_per_quarter(sanctions.sdn_additions(tables["ofac_dprk_sdn_entries"]))
    fig = plots.sdn_additions(per_quarter)
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "bar"
    assert spec_fields(enc) == {"x": "quarter_label", "y": "entries", "color": "sdn_type"}
    assert len(enc["x"]["scale"]["domain"]) == 10 and enc["x"]["scale"]["domain"][0] == "2021 Q4"
    assert sum(r["entries"] for r in rows) == 72
    assert fig.spec["title"]["text"] == "US SDN list: entries added under DPRK programs, by quarter"
    assert fig.caption.endswith("Data to 3 May 2024.")


def test_us_designations_size_each_action_by_what_it_designated(tables):
    fig = plots.us_designations(sanctions.us_designations(tables["us_dprk_russia_designations"]))
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "circle"
    assert spec_fields(enc) == {"x": "announced_on", "y": "nexus_label", "size": "designated", "color": "nexus_label"}
    assert enc["y"]["sort"] == list(sanctions.NEXUS.values())
    assert len(rows) == 13
    assert sorted(r["nexus_label"] for r in rows).count("Arms transfers to Russia") == 4
    assert fig.spec["title"]["text"] == "US sanctions tied to North Korea–Russia cooperation, 2022–2025"
    assert "Troop deployment: 1" in fig.spec["description"]


def test_oil_bars_stand_against_the_cap_as_a_dashed_rule(tables):
    oil = tables["petroleum_supply"]
    fig = plots.oil_against_cap(sanctions.oil_figures(oil), sanctions.oil_cap_row(oil))
    charts.check_rules(fig.spec)
    (bar, bar_enc, bars), (rule, rule_enc, caps) = spec_views(fig.spec)
    assert (bar, rule) == ("bar", "rule")
    assert spec_fields(bar_enc) == {"x": "value", "y": "label", "color": "kind_label"}
    assert [r["figure"] for r in bars][-1] == "99,220 barrels"  # notified for January-May 2025, latest period
    assert len(bars) == 8
    assert [(r["label"], r["value"]) for r in caps] == [("UN cap", 500000)]
    assert fig.spec["title"]["subtitle"] == (
        "Dashed line: the cap of 500,000 barrels a year set by resolution 2397 (2017)"
    )


def test_who_sanctioned_sizes_only_counts_of_dprk_russia_targets(tables):
    both = sanctions.sanctioning_actions(tables["other_states_sanctions"], tables["us_dprk_russia_designations"])
    fig = plots.who_sanctioned(both, sanctions.state_order(both))
    charts.check_rules(fig.spec)
    (circle, circle_enc, rows), (square, square_enc, _) = spec_views(fig.spec)
    assert (circle, square) == ("circle", "square")
    assert spec_fields(circle_enc) == {"x": "announced_on", "y": "state", "color": "nexus_label", "size": "shown_size"}
    assert "size" not in square_enc
    assert circle_enc["y"]["sort"] == sanctions.state_order(both)
    assert len(rows) == 33
    assert fig.spec["title"]["text"] == "Sanctions tied to North Korea–Russia cooperation, by state, 2022–2025"
    assert "United States: 13" in fig.spec["description"] and "New Zealand: 4" in fig.spec["description"]
    assert fig.caption.endswith("Data to 4 November 2025.")
