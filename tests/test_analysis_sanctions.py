"""The derivations of the chapter *Sanctions* (the numbers its prose cites), on the real tables."""

from __future__ import annotations

import pandas as pd
import pytest

from nkbook.analysis import sanctions
from nkbook.data import load
from nkbook.data.provenance import with_source_names


@pytest.fixture(scope="module")
def t():
    names = ("unsc_dprk_actions", "un_1718_designations", "ofac_dprk_sdn_entries")
    names += ("us_dprk_russia_designations", "petroleum_supply", "other_states_sanctions")
    return {name: with_source_names(load(name)) for name in names}


def test_overview_names_the_data_and_its_cutoff(t):
    facts = sanctions.overview_facts(
        t["unsc_dprk_actions"], t["un_1718_designations"], t["us_dprk_russia_designations"], t["petroleum_supply"]
    )
    assert list(facts) == ["n_actions", "n_us", "n_oil", "un_list_date", "sdn_first_date", "sdn_last_date", "cutoff"]
    assert facts == {
        "n_actions": 35,
        "n_us": 13,
        "n_oil": 11,
        "un_list_date": "26 September 2024",
        "sdn_first_date": "18 August 2021",
        "sdn_last_date": "3 May 2024",
        "cutoff": "12 January 2026",
    }


def test_council_record_eleven_unanimous_resolutions_then_two_vetoes(t):
    facts = sanctions.council_facts(t["unsc_dprk_actions"], t["petroleum_supply"])
    assert facts["n_res"] == facts["n_res_unanimous"] == 11
    assert (facts["n_ren"], facts["n_ren_unanimous"], facts["n_ren_vote_unknown"]) == (13, 12, 1)
    assert (facts["draft22_vote"], facts["draft22_veto"]) == ("13 to 2", "China and Russia")
    assert (facts["draft24_vote"], facts["draft24_veto"]) == ("13 to 1, with 1 abstention", "Russia")
    assert facts["panel_end"] == "30 April 2024"
    assert (facts["panel_report"], facts["msmt_report_2"]) == ("7 March 2024", "22 October 2025")
    assert (facts["council_briefing"], facts["msmt_last_briefing"]) == ("7 May 2025", "12 January 2026")
    assert facts["last_res_doc"] == "S/RES/2397 (2017)" and facts["cap_2397"] == "500,000"
    assert facts["n_partial"] == 4


def test_a_vote_reads_for_against_abstain_with_its_vetoes():
    row = {"votes_for": 13, "votes_against": 2, "votes_abstaining": 0, "vetoed_by": "China; Russia"}
    assert sanctions._vote(row) == "13-2-0 (vetoed by China; Russia)"
    assert sanctions._vote({**row, "vetoed_by": None}) == "13-2-0"
    assert sanctions._vote({**row, "votes_for": pd.NA}) == ""


def test_every_action_type_has_a_row_on_the_time_line(t):
    timeline = sanctions.council_timeline(t["unsc_dprk_actions"])
    assert timeline["kind"].notna().all()
    assert set(timeline["kind"]) == set(sanctions.KIND_ORDER)


def test_the_un_list_stopped_in_march_2018(t):
    facts = sanctions.un_list_facts(t["un_1718_designations"], t["unsc_dprk_actions"])
    assert (facts["un_total"], facts["un_ind"], facts["un_ent"]) == (155, 80, 75)
    assert (facts["un_last"], facts["un_last_n"]) == ("30 March 2018", 22)
    assert (facts["un_on_res_day"], facts["un_on_res_day_pct"], facts["un_all_in_2020"]) == (116, "75%", "all")


def test_the_sdn_list_grew_by_72_and_lost_2(t):
    sdn = t["ofac_dprk_sdn_entries"]
    assert sanctions.sdn_facts(sdn) == {"sdn_n_2021": 414, "sdn_n_2024": 484, "sdn_n_added": 72, "sdn_n_removed": 2}
    per_quarter = sanctions.sdn_per_quarter(sanctions.sdn_additions(sdn))
    assert per_quarter["entries"].sum() == 72
    labels = sanctions.quarter_labels(per_quarter)
    assert labels[0] == "2021 Q4" and len(labels) == 10 and set(per_quarter["quarter_label"]) <= set(labels)


def test_us_actions_checked_against_the_sdn_scrape(t):
    desig = sanctions.us_designations(t["us_dprk_russia_designations"])
    table = sanctions.designations_in_sdn(desig, t["ofac_dprk_sdn_entries"])
    assert len(table) == 7  # those announced inside the scrape's window
    first = table.iloc[0]
    assert (first["Announced"], first["Designated (as announced)"]) == ("2022-03-11", 5)
    assert first["DPRK-program entries first seen that day or the next"] == 5
    assert sanctions.us_facts(t["us_dprk_russia_designations"]) == {
        "us_arms": 4,
        "us_first_arms": "30 March 2023",
        "us_troops": "16 December 2024",
    }


def test_oil_figures_against_the_cap(t):
    oil = t["petroleum_supply"]
    assert sanctions.oil_cap(oil) == 500_000
    shown = sanctions.oil_figures(oil)
    assert shown["label"].iloc[0] == "Jan 2016–Dec 2016: US Mission to the UN"
    assert "Jan 2024: UN 1718 Committee website" in set(shown["label"])  # one month: no range
    facts = sanctions.oil_facts(oil)
    assert (facts["notified_total"], facts["notified_share"]) == ("168,679", "33.7%")
    assert (facts["kirby_value"], facts["kirby_share"]) == ("more than 165,000", "33%")
    assert (facts["osc_ratio"], facts["osc_vs_notified"]) == ("2", "6")


def test_sanctioning_actions_put_both_tables_on_one_frame(t):
    other, us = t["other_states_sanctions"], t["us_dprk_russia_designations"]
    both = sanctions.sanctioning_actions(other, us)
    assert len(both) == len(other) + len(us) == 33
    assert both["announced_on"].is_monotonic_increasing and both["nexus_label"].notna().all()
    kr = both.set_index("action_id").loc["kr-2024-04-02-lady-r-angara"]
    assert (kr["designated"], bool(kr["counted"])) == (6, True)  # 2 individuals, 2 entities, 2 vessels
    package = both.set_index("action_id").loc["au-2025-02-24-largest-package"]
    assert (package["designated"], bool(package["counted"])) == (149, False) and pd.isna(package["shown_size"])
    order = sanctions.state_order(both)
    assert order[:3] == ["United States", "South Korea", "European Union"] and len(order) == 8


def test_who_sanctioned_what_when(t):
    facts = sanctions.who_sanctioned_facts(t["other_states_sanctions"], t["us_dprk_russia_designations"])
    assert (facts["os_n"], facts["os_n_states"], facts["os_first"]) == (20, 7, "21 September 2023")
    assert (facts["os_arms"], facts["os_troops"]) == (14, 5)
    assert (facts["os_first_troops"], facts["os_first_troops_state"]) == ("16 December 2024", "European Union")
    assert (facts["os_counted_ind"], facts["os_counted_ent"], facts["os_counted_ves"]) == (52, 53, 8)
    assert (facts["os_n_counted"], facts["os_n_package"]) == (14, 6)
    assert (facts["may_n"], facts["may_n_states"]) == (8, 8)  # the coordinated round of 16-31 May 2024
    assert (facts["os_last"], facts["os_last_state"]) == ("19 June 2025", "New Zealand")
    assert (facts["us_n_2025"], facts["us_last"]) == (3, "4 November 2025")
    assert facts["os_states"].endswith("Canada and Japan")


def test_other_states_table_marks_missing_counts(t):
    table = sanctions.other_states_table(t["other_states_sanctions"])
    assert list(table.columns) == [
        "Announced",
        "State",
        "By",
        "Individuals",
        "Entities",
        "Vessels",
        "Counts cover",
        "Tie",
    ]
    assert table["Announced"].is_monotonic_increasing
    first = table.iloc[0]
    assert (first["State"], first["Individuals"], first["Entities"]) == ("South Korea", "4", "2")
