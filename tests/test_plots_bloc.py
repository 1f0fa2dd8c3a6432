"""The charts of the chapter *Bloc or bargain?*, built from the real tables without a kernel or a build."""

from __future__ import annotations

import pytest

from conftest import spec_fields, spec_views
from nkbook.analysis import bloc, voting
from nkbook.analysis.estimates import ESTIMATOR_COLOURS
from nkbook.data import load
from nkbook.data.provenance import with_source_names
from nkbook.present import charts
from nkbook.present.plots import bloc as plots


@pytest.fixture(scope="module")
def t():
    named = ("unga_ideal_points", "unga_agreement", "unga_ukraine_resolutions", "unga_ukraine_votes")
    named += ("milestones", "unsc_dprk_actions")
    tables = {name: with_source_names(load(name)) for name in named}
    tables["regimes_of_the_world"] = load("regimes_of_the_world")
    return tables


def test_ideal_points_of_seven_states_break_where_a_year_is_missing(t):
    fig = plots.ideal_points(bloc.ideal_point_lines(t["unga_ideal_points"]))
    charts.check_rules(fig.spec)
    (rule, rule_enc, marker), (line, line_enc, rows) = spec_views(fig.spec)
    assert (rule, line) == ("rule", "line")
    assert spec_fields(line_enc) == {"x": "year", "y": "ideal_point", "color": "state", "detail": "segment"}
    assert [(r["year"], r["label"]) for r in marker] == [(2022, "2022: invasion of Ukraine")]
    assert rule_enc["x"]["scale"]["domain"] == [2000, 2024]
    assert len(rows) == 175 and {r["state"] for r in rows} == set(voting.LABELS.values())
    scale = line_enc["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {s: ESTIMATOR_COLOURS[s] for s in scale["domain"]}
    assert fig.spec["title"]["text"] == "UN General Assembly ideal points of seven states, 2000–2024"
    assert "Russia: -0.03 in 2021, -0.81 in 2022, -0.60 in 2024" in fig.spec["description"]
    assert fig.caption.endswith("Data to 31 December 2024.")


def test_agreement_in_six_panels(t):
    fig = plots.agreement(bloc.agreement_lines(t["unga_agreement"]))
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "line"
    assert fig.spec["facet"]["field"] == "state" and fig.spec["columns"] == 3
    assert spec_fields(enc)["detail"] == "period"  # 2025 is not joined to 2019
    assert {r["state"] for r in rows} == {voting.LABELS[c] for c in voting.NAMED[1:]}
    assert {r["period"] for r in rows if r["year"] == 2025} == {"2025 (adopted resolutions)"}
    assert "Russia: 0.86 in 2019, 0.95 in 2025" in fig.spec["description"]
    assert fig.caption.endswith("Data to 18 December 2025.")


def test_votes_grid_of_seven_states_on_eight_resolutions(t):
    votes = t["unga_ukraine_votes"]
    order = bloc.resolution_order(t["unga_ukraine_resolutions"], votes)
    fig = plots.votes_grid(bloc.named_votes(votes), order)
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "rect"
    assert spec_fields(enc) == {"x": "resolution", "y": "state", "color": "vote"}
    assert enc["x"]["sort"] == order and len(order) == 8
    assert dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"])) == {
        "yes": "#009E73",
        "abstain": "#B26B00",
        "no": "#D55E00",
        "not voting": "#8C8C8C",
    }
    assert len(rows) == 52
    assert {r["vote"] for r in rows if r["state"] == "North Korea"} == {"no"}
    assert fig.caption.endswith("Data to 3 December 2025.")


def test_votes_by_regime_in_five_panels(t):
    fig = plots.votes_by_regime(bloc.votes_by_regime(t["unga_ukraine_votes"]), t["regimes_of_the_world"])
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "bar"
    assert fig.spec["facet"]["row"]["sort"] == list(voting.FULL_ROLL_CALLS)
    assert enc["x"]["stack"] == "normalize"
    assert fig.spec["spec"]["transform"] == [
        {"calculate": "indexof(['yes', 'abstain', 'no', 'not voting'], datum.vote)", "as": "vote_rank"}
    ]
    assert len(rows) == 82 and sum(r["states"] for r in rows) == 959
    assert fig.spec["description"].startswith(
        "Stacked bars of vote shares by regime class for 68/262, ES-11/1, ES-11/7, ES-11/8 and ES-11/9. "
    )
    assert fig.caption.endswith("Data to 17 March 2026.")  # V-Dem version 16


def test_timing_puts_the_council_and_the_turn_to_moscow_on_two_tracks(t):
    fig = plots.timing(bloc.timing_events(t["unsc_dprk_actions"], t["milestones"]))
    charts.check_rules(fig.spec)
    ((mark, enc, rows),) = spec_views(fig.spec)
    assert mark == "point"
    assert enc["y"]["sort"] == ["UN Security Council", "Russia–North Korea"]
    assert enc["color"]["scale"]["range"] == [charts.PALETTE[0], charts.PALETTE[3]]
    assert len(rows) == 22
    assert fig.spec["title"]["text"] == "Sanctions pressure and the turn to Moscow, 2006 onwards"
    description = fig.spec["description"]
    assert description.startswith("Time line. Security Council: 15 July 2006 ")
    assert ". Russia–North Korea: " in description
    assert fig.caption.endswith("Data to 3 September 2025.")
