"""The committed tables: they load, they hold the known values, and make data reproduces them."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, SHARED, SNAPSHOTS, needs_shared
from nkbook.core.io import csv_bytes
from nkbook.data import load, package, resource, resource_names, validate
from nkbook.etl.registry import DERIVED, built


def test_every_table_validates():
    assert resource_names() == [
        "unsc_dprk_actions",
        "un_1718_designations",
        "ofac_dprk_sdn_entries",
        "us_dprk_russia_designations",
        "other_states_sanctions",
        "petroleum_supply",
        "missile_tests",
        "troop_estimates",
        "casualty_estimates",
        "munitions_transfers",
        "milestones",
        "dprk_trade",
        "reported_transfers_to_dprk",
        "places",
        "place_routes",
        "unga_ideal_points",
        "unga_agreement",
        "unga_ukraine_resolutions",
        "unga_ukraine_votes",
        "regimes_of_the_world",
        "freedom_house",
        "atop_alliances",
        "essays",
        "essay_sentences",
        "essay_stats",
        "context_facts",
        "essay_works_cited",
        "claims",
        "claim_history",
        "search_log",
    ]
    for name in resource_names():
        assert validate(name) == [], name


def test_every_resource_is_fully_described():
    pkg = package()
    assert pkg["licenses"][0]["name"] == "CC-BY-4.0"
    for res in pkg["resources"]:
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        assert res["schema"]["primaryKey"], res["name"]
        assert res["description"] and res["title"] and res["licenses"], res["name"]
        assert res["hash"].startswith("sha256:") and res["bytes"] > 0, res["name"]
        if res.get("x-no-source-note"):  # a record of the project's own work (the search log) says why
            assert "source_id" not in fields and not res["sources"], res["name"]
        else:
            assert res["sources"], res["name"]
            assert fields["source_id"]["constraints"]["required"] is True, res["name"]
        assert res["x-origin"] in {"curated", "derived"}, res["name"]
        date_field = res["x-public-date-field"]
        if date_field is None:  # a table that is never evidence says why
            assert res["x-public-date-note"], res["name"]
        else:
            assert fields[date_field]["type"] in {"date", "datetime"}, res["name"]
        assert all(f.get("description") for f in fields.values()), res["name"]
    assert {r["name"] for r in pkg["resources"] if r["x-origin"] == "derived"} == set(DERIVED)


def test_un_1718_list_known_values():
    un = load("un_1718_designations")
    assert len(un) == 155
    assert un["entry_type"].value_counts().to_dict() == {"individual": 80, "entity": 75}
    assert un["listed_on"].min() == pd.Timestamp("2009-04-24")
    assert un["listed_on"].max() == pd.Timestamp("2018-03-30")  # none listed after March 2018
    assert (un["listed_on"] == pd.Timestamp("2018-03-30")).sum() == 22
    assert bool(un["in_list_2020_03_20"].all())
    row = un.set_index("reference_number").loc["KPe.001"]
    assert row["name"] == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert row["listed_on"] == pd.Timestamp("2009-04-24")


def test_ofac_entries_known_values():
    sdn = load("ofac_dprk_sdn_entries")
    assert len(sdn) == 486
    assert int(sdn["in_list_2021_08_18"].sum()) == 414
    assert int(sdn["in_list_2024_05_03"].sum()) == 484
    added = sdn[sdn["first_seen_utc"].notna()]
    assert len(added) == 72
    assert not added["in_list_2021_08_18"].any()  # first-seen times only for entries added later
    # The Mkrtychev designation (30 March 2023) appears in the scrape that afternoon (UTC).
    mkrtychev = sdn.set_index("ent_num").loc[41736]
    assert mkrtychev["name"] == "MKRTYCHEV, Ashot"
    assert mkrtychev["first_seen_utc"] == pd.Timestamp("2023-03-30T18:43:33Z")
    assert mkrtychev["first_seen_commit"] == "5d5dd9fa01006bc2a40a9b211e7a64da71d3b1a0"
    assert sdn["sdn_type"].value_counts().to_dict() == {"entity": 199, "individual": 165, "vessel": 106, "aircraft": 16}
    dprk = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}
    assert all(dprk & set(ps.split(";")) for ps in sdn["programs"])


def test_unsc_actions_known_values():
    a = load("unsc_dprk_actions").set_index("action_id")
    res = a[a["action_type"] == "resolution"]
    assert len(res) == 11 and bool((res["votes_for"] == 15).all())
    assert a.loc["draft-2022-05-26", ["votes_for", "votes_against", "vetoed_by"]].tolist() == [13, 2, "China; Russia"]
    assert a.loc["draft-2024-03-28", ["votes_for", "votes_against", "votes_abstaining", "vetoed_by"]].tolist() == [
        13,
        1,
        1,
        "Russia",
    ]
    assert a.loc["panel-end-2024-04-30", "action_date"] == pd.Timestamp("2024-04-30")
    assert a.loc["msmt-launch-2024-10-16", "action_date"] == pd.Timestamp("2024-10-16")
    assert set(a.loc[a["verification"] == "partial"].index) == {
        "panel-renewal-2050-2012",
        "panel-renewal-2276-2016",
        "panel-renewal-2345-2017",
        "panel-report-2024-03-07",
    }


def test_other_states_sanctions_known_values():
    o = load("other_states_sanctions").set_index("action_id")
    assert o["announced_on"].min() == pd.Timestamp("2023-09-21")
    assert o.loc["kr-2024-12-17-military-cooperation", ["n_individuals", "n_entities"]].tolist() == [11, 15]
    assert o.loc["jp-2024-05-24-asset-freeze-arms-transfer", ["n_individuals", "n_entities"]].tolist() == [1, 11]
    # a package's total is kept, but marked as not a count of DPRK-Russia targets
    assert o.loc["au-2025-02-24-largest-package", "count_scope"] == "whole_package"
    assert {"European Union", "United Kingdom", "Japan", "South Korea", "Australia", "Canada"} <= set(o["state"])


def test_un_listing_days_match_resolution_counts():
    """Listings on a resolution's adoption day match the designations its sources report."""
    un = load("un_1718_designations")
    per_day = un.groupby(["listed_on", "entry_type"]).size().unstack(fill_value=0)
    assert per_day.loc[pd.Timestamp("2016-03-02")].to_dict() == {"entity": 12, "individual": 16}  # res. 2270
    assert per_day.loc[pd.Timestamp("2017-08-05")].to_dict() == {"entity": 4, "individual": 9}  # res. 2371
    assert per_day.loc[pd.Timestamp("2017-12-22")].to_dict() == {"entity": 1, "individual": 16}  # res. 2397


def test_petroleum_figures_are_never_summed_across_kinds():
    oil = load("petroleum_supply").set_index("row_id")
    assert oil.loc["cap-refined-res2397", "value"] == 500_000
    assert oil.loc["osc-bbc-2024", ["value", "value_qualifier"]].tolist() == [1_000_000, "more than"]
    assert oil.loc["kirby-2024-03", "value"] == 165_000
    # The two rows without a confirming source stay out.
    assert "poe-2023-jan-apr" not in oil.index and "requirement-9m" not in oil.index
    # Each figure has its own period: a period ends after it starts.
    dated = oil.dropna(subset=["period_end"])
    assert bool((dated["period_end"] >= dated["period_start"]).all())


def test_load_returns_a_fresh_copy():
    a = load("petroleum_supply")
    a.loc[0, "value"] = -1
    assert load("petroleum_supply").loc[0, "value"] != -1


def test_unknown_table_names_the_known_ones():
    with pytest.raises(KeyError, match="petroleum_supply"):
        resource("no_such_table")


@needs_shared
@pytest.mark.parametrize("name", sorted(DERIVED))
def test_make_data_reproduces_committed_tables_byte_for_byte(name):
    committed = (ROOT / "data" / resource(name)["path"]).read_bytes()
    assert csv_bytes(built(name, SHARED)) == committed


def test_missile_tests_known_values():
    m = load("missile_tests")
    assert len(m) == 339
    per_year = m.groupby(m["launch_date"].dt.year).size()
    assert per_year.loc[[2017, 2019, 2022, 2023, 2024]].tolist() == [21, 27, 69, 33, 41]
    assert m["launch_date"].min() == pd.Timestamp("1984-04-09") and m["launch_date"].max() == pd.Timestamp("2026-04-18")
    assert bool((m["preliminary"] == (m["launch_date"] >= pd.Timestamp("2025-01-01"))).all())
    assert int(m["preliminary"].sum()) == 36
    assert (m["date_precision"] == "month").sum() == 8
    first = m.iloc[0]
    assert (first["missile_name"], first["missile_type"], first["outcome"]) == ("Scud-B", "SRBM", "success")


@needs_shared
def test_missile_tests_agree_with_the_original_cns_file():
    """The visualisation's copy holds the same launches to April 2023 as the database's own file."""
    original = pd.read_csv(SNAPSHOTS / "cns-missile-tests" / "cns_database_to_2023-04.csv", encoding="latin-1")
    m = load("missile_tests")
    assert (m["launch_date"] <= pd.Timestamp("2023-04-12")).sum() == len(original) == 245


ESTIMATE_TABLES = ["troop_estimates", "casualty_estimates", "munitions_transfers"]


@pytest.mark.parametrize("name", ESTIMATE_TABLES)
def test_estimates_are_well_formed(name):
    from nkbook.analysis.estimates import problems

    table = load(name)
    assert problems(table) == []  # low <= high; never a point and a range at once
    assert table["estimated_on"].notna().mean() > 0.9
    dated = table.dropna(subset=["published_on", "estimated_on"])
    assert bool((dated["published_on"] >= dated["estimated_on"]).all())  # never public before it was made


def test_troop_estimates_known_values():
    t = load("troop_estimates").set_index("estimate_id")
    assert t.loc["T003", ["figure_point", "estimator_type", "scope_norm"]].tolist() == [
        12000,
        "South Korea NIS",
        "combat troops",
    ]
    assert t.loc["T039", ["figure_low", "qualifier", "estimator_type"]].tolist() == [11000, "over", "MSMT"]
    assert t.loc["T040", "estimate_kind"] == "additional"
    assert t.loc["T037", ["figure_low", "figure_high"]].tolist() == [15000, 18000]
    assert set(t.loc[t["scope_norm"] == "workers"].index) == {"T038", "T041"}
    assert "T048" not in t.index and "T057" not in t.index  # pages not found: left out


def test_casualty_types_are_kept_apart():
    c = load("casualty_estimates").set_index("estimate_id")
    assert c.loc["C033", ["casualty_type", "figure_point", "estimator_type"]].tolist() == [
        "killed",
        2000,
        "South Korea NIS",
    ]
    assert c.loc["C025", "casualty_type"] == "killed_or_wounded" and c.loc["C025", "figure_point"] == 4700
    assert {"killed", "wounded", "killed_or_wounded", "captured"} <= set(c["casualty_type"])


def test_capacity_equivalents_are_never_counts():
    m = load("munitions_transfers")
    capacity = m[m["measure_kind"] == "capacity_equivalent"]
    assert set(capacity["estimate_id"]) == {"M012", "M013", "M016", "M019", "M024", "M043", "M050"}  # M003: no figure
    assert not capacity["item_norm"].eq("containers").any()
    counts = m[(m["measure_kind"] == "count") & (m["item_norm"] == "artillery shells")]
    assert not counts["item"].str.contains("capacity|equivalent", case=False).any()
    assert {"M025", "M040", "M052", "M053"}.isdisjoint(m["estimate_id"])  # no confirming source: left out


def test_trade_series_stay_apart():
    t = load("dprk_trade")
    china_2022 = t[(t["pair"] == "CHN-PRK") & (t["year"] == 2022) & t["annual"] & (t["flow"] == "total")]
    assert sorted(zip(china_2022["agency"], china_2022["value_usd"])) == [
        ("China customs (GACC)", 1_028_000_000),
        ("KOTRA", 1_530_000_000),
    ]


def test_milestones_known_values():
    e = load("milestones").set_index("event_id")
    assert e.loc["E017", ["event_date", "category"]].tolist() == [pd.Timestamp("2024-06-19"), "treaty"]
    assert e.loc["E039", "event_date"] == pd.Timestamp("2024-12-04")
    assert set(e.loc[e["verification"] == "partial"].index) >= {"E002", "E003"}  # treaty "renewals": media claims
    assert "E015" not in e.index


def test_reported_transfers_keep_the_reporters_status():
    x = load("reported_transfers_to_dprk")
    assert len(x) == 55
    assert x["status_as_reported"].value_counts().to_dict() == {
        "delivered": 29,
        "suspected": 15,
        "offered_or_agreed": 9,
        "denied": 2,
    }
    assert x.loc[x["report_id"] == "X001", "item_category"].item() == "food"
