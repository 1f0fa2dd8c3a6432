"""The committed tables: they load, they hold the known values, and make data reproduces them."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, SNAPSHOTS, needs_shared
from nkbook.builders import csv_bytes
from nkbook.builders.registry import DERIVED
from nkbook.data import load, package, resource, resource_names, validate


def test_every_table_validates():
    assert resource_names() == [
        "unsc_dprk_actions", "un_1718_designations", "ofac_dprk_sdn_entries",
        "us_dprk_russia_designations", "petroleum_supply", "missile_tests",
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
        assert res["sources"], res["name"]
        assert fields["source_id"]["constraints"]["required"] is True, res["name"]
        assert res["x-origin"] in {"curated", "derived"}, res["name"]
        assert res["x-public-date-field"] in fields, res["name"]
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
    assert a.loc["draft-2024-03-28", ["votes_for", "votes_against", "votes_abstaining", "vetoed_by"]].tolist() == [13, 1, 1, "Russia"]
    assert a.loc["panel-end-2024-04-30", "action_date"] == pd.Timestamp("2024-04-30")
    assert a.loc["msmt-launch-2024-10-16", "action_date"] == pd.Timestamp("2024-10-16")
    assert set(a.loc[a["verification"] == "partial"].index) == {
        "panel-renewal-2050-2012", "panel-renewal-2276-2016", "panel-renewal-2345-2017"}


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
    assert csv_bytes(DERIVED[name](SNAPSHOTS)) == committed


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
