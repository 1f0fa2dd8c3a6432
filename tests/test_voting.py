"""Voting, regimes and alliances: the derived tables, their derivations and the chapter's figures."""

from __future__ import annotations

import shutil

import pandas as pd
import pycountry
import pytest

from conftest import SHARED, needs_shared
from nkbook.analysis import bloc, voting
from nkbook.data import countries, load
from nkbook.etl import SnapshotError, cow
from nkbook.etl.steps import unga

#: The official totals the issue names (yes, no, abstain).
OFFICIAL = {
    "ES-11/1": (141, 5, 35),
    "ES-11/3": (93, 24, 58),
    "ES-11/4": (143, 5, 35),
    "ES-11/6": (141, 7, 32),
    "ES-11/7": (93, 18, 65),
    "ES-11/8": (93, 8, 73),
}


# --------------------------------------------------------------------------- countries


def test_names_and_codes_resolve_through_pycountry():
    assert countries.iso3("North Korea") == "PRK"
    assert countries.iso3("Democratic People's Republic of Korea") == "PRK"
    assert countries.iso3("Republic of Korea") == "KOR"  # pycountry's fuzzy search would say PRK
    assert countries.iso3("KP") == "PRK" and countries.iso3("RUS") == "RUS"
    assert countries.iso3("eSwatini") == "SWZ"
    assert countries.name("PRK") == "North Korea"
    assert countries.name("YUG").startswith("Yugoslavia")  # ISO 3166-3, a former state


def test_every_alias_points_at_an_iso_name():
    for alias, iso_name in countries.ALIASES.items():
        assert pycountry.countries.lookup(iso_name), alias
        with pytest.raises(LookupError):  # an alias is only there because the lookup fails
            pycountry.countries.lookup(alias)


def test_an_unknown_country_is_named_in_the_error():
    with pytest.raises(countries.CountryError, match="'Atlantis'"):
        countries.iso3("Atlantis")


# --------------------------------------------------------------------------- derivations


def test_lijphart_agreement_on_a_case_worked_by_hand():
    a = pd.Series(["yes", "yes", "no", "abstain", "yes", ""])
    b = pd.Series(["yes", "no", "no", "yes", "abstain", "yes"])
    # both voted in the first five; same: 1st and 3rd; half: 4th and 5th; opposite: 2nd
    assert unga.lijphart(a, b) == (5, 2, 2, pytest.approx(0.6))


def test_agreement_table_known_rows():
    ag = load("unga_agreement").set_index("agreement_id")
    assert len(ag) == 6 * 30  # six partners, 1991-2019 and 2025
    row = ag.loc["RUS-2025"]
    assert (row["n_roll_calls"], row["n_same"], row["n_half"]) == (181, 165, 13)
    assert row["agreement"] == pytest.approx((165 + 13 / 2) / 181, abs=1e-4)
    assert ag.loc["USA-2019", "agreement"] == pytest.approx(0.15, abs=1e-4)
    assert (ag["n_same"] + ag["n_half"] <= ag["n_roll_calls"]).all()


def test_ideal_points_known_rows():
    points = load("unga_ideal_points").set_index("point_id")
    assert len(points) == 11440
    assert points.loc["731-2022", "ideal_point"] == pytest.approx(-1.0108)  # North Korea, 2022
    assert points.loc["731-2022", "n_votes"] == 78
    assert points.loc["2-1946", "ideal_point"] == pytest.approx(1.6634)  # United States, 1946
    assert points.loc["365-2021", "ideal_point"] == pytest.approx(-0.026)  # Russia, 2021
    assert pd.isna(points.loc["731-2024", "ideal_point_all"])  # the all-votes series ends in 2023
    assert points["year"].between(1946, 2024).all()


@needs_shared
def test_ideal_points_match_the_stata_file():
    raw = pd.read_stata(SHARED / "data" / "snapshots" / cow.IDEAL_POINTS)
    raw = raw[(raw["ccode"] == 731) & (raw["year"] == 2019)].iloc[0]
    ours = load("unga_ideal_points").set_index("point_id").loc["731-2019"]
    assert ours["ideal_point"] == pytest.approx(float(raw["idealpointfp"]), abs=5e-5)
    assert ours["ideal_point_q05"] == pytest.approx(float(raw["q5fp"]), abs=5e-5)


def test_official_totals():
    res = load("unga_ukraine_resolutions").set_index("resolution")
    for resolution, totals in OFFICIAL.items():
        assert tuple(res.loc[resolution, ["yes", "no", "abstain"]]) == totals, resolution


def test_full_roll_calls_add_up_to_the_official_totals():
    res = load("unga_ukraine_resolutions").set_index("resolution")
    held = voting.roll_call_totals()
    assert list(held.index) == list(voting.FULL_ROLL_CALLS)
    for resolution, counts in held.iterrows():
        assert (counts["yes"], counts["no"], counts["abstain"]) == tuple(res.loc[resolution, ["yes", "no", "abstain"]])
        # the 2025 snapshot has no column for Afghanistan and Venezuela, both among the 17 absent
        assert counts.sum() == (191 if resolution in ("ES-11/7", "ES-11/8", "ES-11/9") else 193)
    absent = set(load("unga_ukraine_votes").query("resolution == 'ES-11/1'")["iso3"]) - set(
        load("unga_ukraine_votes").query("resolution == 'ES-11/7'")["iso3"]
    )
    assert absent == {"AFG", "VEN"}


def test_states_against_agree_with_the_country_votes():
    res = load("unga_ukraine_resolutions").set_index("resolution")
    votes = load("unga_ukraine_votes")
    checked = 0
    for resolution, r in res[res["against"].notna()].iterrows():
        held = votes[votes["resolution"] == resolution]
        if held.empty:
            continue
        assert set(held.loc[held["vote"] == "no", "iso3"]) == set(r["against"].split(";")), resolution
        checked += 1
    assert checked == 5  # 68/262, ES-11/1, ES-11/3, ES-11/4, ES-11/6


def test_the_dprk_voted_against_every_ukraine_resolution_held():
    votes = load("unga_ukraine_votes")
    dprk = votes[votes["iso3"] == "PRK"].set_index("resolution")["vote"]
    assert list(dprk.index) == ["68/262", "ES-11/1", "ES-11/3", "ES-11/4", "ES-11/6", "ES-11/7", "ES-11/8", "ES-11/9"]
    assert set(dprk) == {"no"}


def test_who_voted_with_russia():
    camp = voting.voted_with_russia().set_index("iso3")
    assert camp.loc["PRK", "with_russia"] == camp.loc["BLR", "with_russia"] == 8
    assert camp["with_russia"].max() == 8 and (camp["with_russia"] == 8).sum() == 2
    assert camp.loc["CHN", "with_russia"] == 1  # ES-11/3 only


def test_regime_types_of_the_voters():
    s = voting.share_autocracies("ES-11/1")
    assert s.loc["no", "autocracies"] == 5 and s.loc["no", "democracies"] == 0
    table = voting.vote_by_regime("ES-11/1")
    assert table.values.sum() == 193
    assert table.loc["liberal democracy"].get("no", 0) == 0
    assert table.loc["closed autocracy", "abstain"] + table.loc["electoral autocracy", "abstain"] > 5


def test_regime_tables_known_rows():
    row = load("regimes_of_the_world").set_index("regime_id")
    fh = load("freedom_house").set_index("rating_id")
    assert row.loc["PRK-2024", "regime_label"] == "closed autocracy"
    assert row.loc["RUS-2024", "regime_label"] == "electoral autocracy"
    assert row.loc["USA-2024", "regime_label"] == "liberal democracy"
    assert fh.loc["PRK-2024", "status"] == "NF" and fh.loc["USA-2024", "status"] == "F"
    assert fh.loc["SRB-2024", "fh_country"] == "Serbia"  # by name, not the COW code's Yugoslavia


def test_dprk_alliances_in_atop():
    table = voting.dprk_alliances().set_index("atopid")
    assert set(table.index) == {3440, 3445, 3755, 3975, 4125, 4940}
    assert table.loc[3440, "to"] == "1996" and table.loc[3445, "to"] == "in force"
    assert table.loc[4940, "obligations"] == "consultation"
    assert "defence" in table.loc[3445, "obligations"]


# --------------------------------------------------------------------------- bad input


def _research_copy(tmp_path):
    """The files the Ukraine-votes builder reads, copied so that a test can break one."""
    data = tmp_path / "data"
    shutil.copytree(
        SHARED / "data" / "snapshots" / "unga-votes" / "unga-2025", data / "snapshots" / "unga-votes" / "unga-2025"
    )
    shutil.copytree(SHARED / "data" / "research" / "unga", data / "research" / "unga")
    return data, data / unga.KEY_COUNTRIES


@needs_shared
def test_a_country_name_no_library_knows_is_named(tmp_path):
    data, path = _research_copy(tmp_path)
    text = path.read_text(encoding="utf-8").replace(",Eritrea,", ",Eritrée,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"key_countries_facts\.csv: row \d+, field country: 'Eritrée'"):
        unga.build_ukraine_votes(data)


@needs_shared
def test_a_news_report_that_contradicts_the_roll_call_stops_the_build(tmp_path):
    data, path = _research_copy(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("A/RES/ES-11/1,") and ",China,abstain," in line)
    lines[i] = lines[i].replace(",China,abstain,", ",China,no,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match=rf"row {i + 1}, field vote: 'no', but .* records 'abstain'"):
        unga.build_ukraine_votes(data)


# --------------------------------------------------------------------------- the chapter's numbers (analysis.bloc)


@pytest.fixture(scope="module")
def bloc_tables():
    from nkbook.data.provenance import with_source_names

    names = ("unga_ideal_points", "unga_agreement", "unga_ukraine_resolutions", "unga_ukraine_votes")
    names += ("milestones", "unsc_dprk_actions")
    return {name: with_source_names(load(name)) for name in names}


def test_alignment_before_and_after_2022(bloc_tables):
    ip = bloc.ideal_point_lines(bloc_tables["unga_ideal_points"])
    assert (ip["year"].min(), ip["year"].max(), ip["segment"].nunique()) == (2000, 2024, 7)
    facts = bloc.alignment_facts(ip)
    assert (facts["d_rus_before"], facts["d_rus_after"]) == ("0.49", "0.20")
    assert (facts["d_chn_before"], facts["d_chn_after"], facts["d_usa_after"]) == ("0.16", "0.18", "2.99")
    assert (facts["rus_2021"], facts["rus_2022"], facts["prk_2022"]) == ("-0.03", "-0.81", "-1.01")


def test_a_missing_year_starts_a_new_segment(monkeypatch):
    points = pd.DataFrame(
        {"point_id": ["a", "b", "c"], "iso3": "PRK", "country": "x", "year": [2000, 2001, 2003], "ideal_point": 0.0}
    )
    monkeypatch.setattr(voting, "load", lambda name: points)
    ip = bloc.ideal_point_lines(points.assign(source="s"))
    assert ip["segment"].tolist() == ["North Korea1", "North Korea1", "North Korea2"]


def test_agreement_numbers_the_prose_cites(bloc_tables):
    facts = bloc.agreement_facts(bloc_tables["unga_agreement"])
    assert list(facts)[:2] == ["ag_rus_2019", "ag_rus_2025"]
    assert (facts["ag_rus_2025"], facts["ag_chn_2025"], facts["ag_usa_2025"]) == ("0.95", "0.92", "0.15")
    assert (facts["ag_rus_1990s"], facts["ag_rus_2010s"], facts["ag_chn_2010s"]) == ("0.68", "0.79", "0.87")
    assert facts["n_2025"] == 181


def test_resolutions_table_and_the_camp_around_russia(bloc_tables):
    resolutions, votes = bloc_tables["unga_ukraine_resolutions"], bloc_tables["unga_ukraine_votes"]
    table = bloc.resolutions_table(resolutions, votes)
    assert len(table) == 11
    assert table.iloc[0].to_dict() | {"Source": ""} == {
        "Resolution": "68/262",
        "Adopted": "27 March 2014",
        "Title": "Territorial integrity of Ukraine",
        "Yes–no–abstain": "100–11–58",
        "North Korea": "no",
        "Votes held": "full",
        "Source": "",
    }
    assert set(table["Votes held"]) == {"full", "states against and most abstainers", "totals only"}
    facts = bloc.camp_facts(votes, resolutions)
    assert (facts["always"], facts["n_always"], facts["n_camp"], facts["n_once"]) == (
        "Belarus and North Korea",
        8,
        35,
        20,
    )
    assert facts["chn_pattern"].startswith("68/262: abstain, ES-11/1: abstain, ES-11/3: no")
    assert (facts["syr_2025"], facts["usa_es11_7"]) == ("abstain", "no")
    camp = bloc.camp_table(votes, load("regimes_of_the_world"), load("freedom_house"))
    assert len(camp) == 15
    assert camp.iloc[0][["State", "Regime (RoW, 2024)", "Freedom House (2024)"]].tolist() == [
        "Belarus",
        "closed autocracy",
        "Not Free",
    ]


def test_autocracies_mostly_abstain(bloc_tables):
    facts = bloc.autocracy_facts(bloc_tables["unga_ukraine_votes"])
    assert (facts["es1_no_auto"], facts["es1_no_share"], facts["es1_auto"]) == (5, "100%", 82)
    assert (facts["es1_auto_yes"], facts["es1_auto_abstain"], facts["es1_auto_no_share"]) == (39, 28, "6%")
    assert (facts["es7_no_auto"], facts["es7_no_share"], facts["es9_no_share"]) == (14, "88%", "100%")
    counts = bloc.votes_by_regime(bloc_tables["unga_ukraine_votes"])
    assert set(counts["resolution"]) == set(voting.FULL_ROLL_CALLS) and counts["states"].sum() == 959


def test_treaties_timing_and_launches(bloc_tables):
    milestones, unsc = bloc_tables["milestones"], bloc_tables["unsc_dprk_actions"]
    assert bloc.treaty_facts(milestones) == {
        "treaty_signed": "19 June 2024",
        "treaty_in_force": "4 December 2024",
        "china_mfa": "7 July 2021",
    }
    events = bloc.timing_events(unsc, milestones)
    assert events["track"].value_counts().to_dict() == {"UN Security Council": 14, "Russia–North Korea": 8}
    facts = bloc.timing_facts(unsc, milestones)
    assert facts["last_sanctions"] == "22 December 2017, by 15 votes to 0"
    assert (facts["veto_2022"], facts["veto_2024"]) == ("26 May 2022 (China and Russia)", "28 March 2024 (Russia)")
    assert (facts["launch_peak_year"], facts["launch_peak"], facts["launch_2021"]) == ("2022", 69, 6)
    assert facts["launch_before_invasion"] == 9
    assert bloc.totals_only_facts(bloc_tables["unga_ukraine_resolutions"]) == {"vote_2026": "107–12–51"}
