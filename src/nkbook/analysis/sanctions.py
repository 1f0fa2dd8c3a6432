"""Sanctions: the derivations behind the chapter *Sanctions*.

Each function takes the book's tables as loaded by :func:`nkbook.data.load` (with source names, see
:func:`nkbook.data.provenance.with_source_names`) and returns a plain DataFrame, or, for the numbers
the prose cites, a dict of glue name to value in the order the chapter glues them. The rows the
prose names (a vetoed draft, the oil cap) are named once, here.
"""

from __future__ import annotations

import pandas as pd

from nkbook.core.formats import day
from nkbook.data.provenance import sources, with_source_names

#: The two copies of OFAC's SDN list the table ``ofac_dprk_sdn_entries`` compares.
SDN_FIRST_SOURCE = "ofac-sdn-2021-08-18"
SDN_LAST_SOURCE = "ofac-sdn-2024-05-03"

#: How the Council time line groups ``action_type`` (the three kinds of monitoring outside the UN are one row).
ACTION_KINDS = {
    "resolution": "Sanctions resolution",
    "panel_renewal": "Panel of Experts renewed",
    "draft_vetoed": "Draft vetoed",
    "mandate_end": "Panel mandate ends",
    "mechanism_launch": "Monitoring outside the UN",
    "meeting": "Monitoring outside the UN",
    "report": "Monitoring outside the UN",
    "panel_report": "Panel's final report",
    "council_briefing": "Council briefing",
}
#: The rows of the Council time line, top to bottom.
KIND_ORDER = [
    "Sanctions resolution",
    "Panel of Experts renewed",
    "Panel's final report",
    "Draft vetoed",
    "Panel mandate ends",
    "Council briefing",
    "Monitoring outside the UN",
]

#: Rows of ``unsc_dprk_actions`` the prose names.
DRAFT_2022 = "draft-2022-05-26"
DRAFT_2024 = "draft-2024-03-28"
PANEL_END = "panel-end-2024-04-30"
MSMT_LAUNCH = "msmt-launch-2024-10-16"
MSMT_REPORT = "msmt-report-2025-05-29"
MSMT_REPORT_2 = "msmt-report-2025-10-22"
MSMT_LAST_BRIEFING = "msmt-briefing-2026-01-12"
PANEL_REPORT = "panel-report-2024-03-07"
COUNCIL_BRIEFING = "council-briefing-2025-05-07"

#: Labels of ``us_dprk_russia_designations.nexus`` (our classification of the tie), in chart order.
NEXUS = {
    "arms_transfer": "Arms transfers to Russia",
    "troop_deployment": "Troop deployment",
    "finance_or_procurement": "DPRK finance or procurement via Russia",
}

#: Rows of ``petroleum_supply`` the prose names.
CAP_ROW = "cap-refined-res2397"
OSC_ROW = "osc-bbc-2024"
KIRBY_ROW = "kirby-2024-03"
NOTIFIED_ROW = "notified-total-2024"
RUSSIA_NOTIFIED_ROW = "russia-notified-2024-01"
#: The kinds of oil figure drawn as bars, with their legend labels (the cap is a rule, not a bar).
OIL_KINDS = {
    "baseline": "Pre-cap baseline (2016)",
    "import_estimate": "Estimate of all imports",
    "notified_delivery": "Notified to the UN",
    "reported_delivery": "Reported supply from Russia",
}


def overview_facts(actions: pd.DataFrame, un_list: pd.DataFrame, us: pd.DataFrame, oil: pd.DataFrame) -> dict:
    """The sizes and dates of the chapter's data, for its overview."""
    return {
        "n_actions": len(actions),
        "n_us": len(us),
        "n_oil": len(oil),
        "un_list_date": day(un_list_as_of(un_list)),
        "sdn_first_date": day(sources()[SDN_FIRST_SOURCE].date),
        "sdn_last_date": day(sources()[SDN_LAST_SOURCE].date),
        "cutoff": day(max(actions["action_date"].max(), us["announced_on"].max(), oil["published_on"].max())),
    }


def un_list_as_of(un_list: pd.DataFrame):
    """The date of the copy of the UN list the table was derived from."""
    return sources()[un_list["source_id"].iloc[0]].date


def sdn_as_of():
    """The date of the later copy of the SDN list."""
    return sources()[SDN_LAST_SOURCE].date


def sdn_since():
    """The date of the earlier copy of the SDN list."""
    return sources()[SDN_FIRST_SOURCE].date


def _vote(r) -> str:
    if pd.isna(r["votes_for"]):
        return ""
    veto = f" (vetoed by {r['vetoed_by']})" if pd.notna(r["vetoed_by"]) else ""
    return f"{r['votes_for']}-{r['votes_against']}-{r['votes_abstaining']}" + veto


def council_timeline(actions: pd.DataFrame) -> pd.DataFrame:
    """Council actions with their kind (a row of the time line) and their vote as for-against-abstain."""
    return actions.assign(kind=actions["action_type"].map(ACTION_KINDS), vote=actions.apply(_vote, axis=1))


def _unanimous(t: pd.DataFrame) -> int:
    return int(((t["votes_for"] == 15) & (t["votes_against"] == 0) & (t["votes_abstaining"] == 0)).sum())


def resolutions(actions: pd.DataFrame) -> pd.DataFrame:
    """The sanctions resolutions."""
    return actions[actions["action_type"] == "resolution"]


def council_facts(actions: pd.DataFrame, oil: pd.DataFrame) -> dict:
    """Resolutions, renewals, the two vetoed drafts and what came after the Panel."""
    res = resolutions(actions)
    ren = actions[actions["action_type"] == "panel_renewal"]
    drafts = actions[actions["action_type"] == "draft_vetoed"].set_index("action_id")
    d22, d24 = drafts.loc[DRAFT_2022], drafts.loc[DRAFT_2024]
    by_id = actions.set_index("action_id")
    last_res = res.sort_values("action_date").iloc[-1]
    return {
        "n_res": len(res),
        "res_first": day(res["action_date"].min()),
        "res_last": day(res["action_date"].max()),
        "n_res_unanimous": _unanimous(res),
        "n_ren": len(ren),
        "n_ren_unanimous": _unanimous(ren),
        "n_ren_vote_unknown": int(ren["votes_for"].isna().sum()),
        "draft22_vote": f"{d22['votes_for']} to {d22['votes_against']}",
        "draft22_veto": d22["vetoed_by"].replace("; ", " and "),
        "draft24_vote": f"{d24['votes_for']} to {d24['votes_against']}, with {d24['votes_abstaining']} abstention",
        "draft24_veto": d24["vetoed_by"],
        "panel_end": day(by_id.loc[PANEL_END, "action_date"]),
        "msmt_launch": day(by_id.loc[MSMT_LAUNCH, "action_date"]),
        "msmt_report": day(by_id.loc[MSMT_REPORT, "action_date"]),
        "msmt_report_2": day(by_id.loc[MSMT_REPORT_2, "action_date"]),
        "msmt_last_briefing": day(by_id.loc[MSMT_LAST_BRIEFING, "action_date"]),
        "panel_report": day(by_id.loc[PANEL_REPORT, "action_date"]),
        "council_briefing": day(by_id.loc[COUNCIL_BRIEFING, "action_date"]),
        "last_res_doc": last_res["document"],
        "cap_2397": f"{oil_cap(oil):,.0f}",
        "n_partial": int((actions["verification"] == "partial").sum()),
    }


def un_listings_by_year(un_list: pd.DataFrame) -> pd.DataFrame:
    """Listings on the UN 1718 list per year and type (Individuals, Entities), with a source."""
    by_year = (
        un_list.assign(year=un_list["listed_on"].dt.year)
        .groupby(["year", "entry_type"], as_index=False)
        .agg(listings=("reference_number", "size"), source=("source", "first"))
    )
    by_year["entry_type"] = by_year["entry_type"].map({"individual": "Individuals", "entity": "Entities"})
    return by_year


def un_list_facts(un_list: pd.DataFrame, actions: pd.DataFrame) -> dict:
    """Size and span of the UN list, and how many entries were listed on a resolution's day."""
    on_res_day = un_list["listed_on"].isin(set(resolutions(actions)["action_date"]))
    last_day = un_list["listed_on"].max()
    return {
        "un_total": len(un_list),
        "un_ind": int((un_list["entry_type"] == "individual").sum()),
        "un_ent": int((un_list["entry_type"] == "entity").sum()),
        "un_first": day(un_list["listed_on"].min()),
        "un_last": day(last_day),
        "un_last_n": int((un_list["listed_on"] == last_day).sum()),
        "un_on_res_day": int(on_res_day.sum()),
        "un_on_res_day_pct": f"{on_res_day.mean():.0%}",
        "un_all_in_2020": "all" if bool(un_list["in_list_2020_03_20"].all()) else "not all",
    }


def sdn_additions(sdn: pd.DataFrame) -> pd.DataFrame:
    """SDN entries added between the two copies, with the quarter they were first seen."""
    added = sdn[sdn["first_seen_utc"].notna()].copy()
    added["quarter"] = added["first_seen_utc"].dt.tz_localize(None).dt.to_period("Q").dt.start_time
    added["sdn_type"] = added["sdn_type"].str.capitalize()
    return added


def sdn_per_quarter(added: pd.DataFrame) -> pd.DataFrame:
    """Additions per quarter and type, labelled "2022 Q3", with the source of the first sighting."""
    per_quarter = added.groupby(["quarter", "sdn_type"], as_index=False).agg(
        entries=("ent_num", "size"), first_seen_source_id=("first_seen_source_id", "first")
    )
    per_quarter = with_source_names(per_quarter, "first_seen_source_id")
    per_quarter["quarter_label"] = (
        per_quarter["quarter"].dt.year.astype(str) + " Q" + per_quarter["quarter"].dt.quarter.astype(str)
    )
    return per_quarter


def quarter_labels(per_quarter: pd.DataFrame) -> list[str]:
    """Every quarter of the span, those without an addition too (an empty band, not a missing one)."""
    quarters = pd.period_range(per_quarter["quarter"].min(), per_quarter["quarter"].max(), freq="Q")
    return [f"{q.year} Q{q.quarter}" for q in quarters]


def sdn_facts(sdn: pd.DataFrame) -> dict:
    """Entries under DPRK programs in each copy, added and removed in between."""
    return {
        "sdn_n_2021": int(sdn["in_list_2021_08_18"].sum()),
        "sdn_n_2024": int(sdn["in_list_2024_05_03"].sum()),
        "sdn_n_added": int(sdn["first_seen_utc"].notna().sum()),
        "sdn_n_removed": int((sdn["in_list_2021_08_18"] & ~sdn["in_list_2024_05_03"]).sum()),
    }


def us_designations(us: pd.DataFrame) -> pd.DataFrame:
    """US actions with the label of their tie and the number of individuals and entities designated."""
    return us.assign(
        nexus_label=us["nexus"].map(NEXUS),
        designated=(us["n_individuals"].fillna(0) + us["n_entities"].fillna(0)).astype(int),
    )


def designations_in_sdn(desig: pd.DataFrame, sdn: pd.DataFrame) -> pd.DataFrame:
    """Each US action inside the scrape's window, with the DPRK-program entries first seen that day or the next."""
    window_end = sdn["first_seen_utc"].max().tz_localize(None).normalize()
    in_window = desig[desig["announced_on"] <= window_end].copy()
    seen_day = sdn_additions(sdn)["first_seen_utc"].dt.tz_localize(None).dt.normalize()
    in_window["DPRK-program entries first seen that day or the next"] = [
        int(((seen_day >= d) & (seen_day <= d + pd.Timedelta(days=1))).sum()) for d in in_window["announced_on"]
    ]
    table = in_window[
        ["announced_on", "agency", "nexus_label", "designated", "DPRK-program entries first seen that day or the next"]
    ].rename(
        columns={
            "announced_on": "Announced",
            "agency": "Agency",
            "nexus_label": "Tie",
            "designated": "Designated (as announced)",
        }
    )
    table["Announced"] = table["Announced"].dt.strftime("%Y-%m-%d")
    return table


def us_facts(us: pd.DataFrame) -> dict:
    """How many US actions concern arms transfers, and when the first arms and troop actions came."""
    return {
        "us_arms": int((us["nexus"] == "arms_transfer").sum()),
        "us_first_arms": day(us.loc[us["nexus"] == "arms_transfer", "announced_on"].min()),
        "us_troops": day(us.loc[us["nexus"] == "troop_deployment", "announced_on"].min()),
    }


def oil_cap(oil: pd.DataFrame) -> float:
    """The cap of resolution 2397 on refined petroleum, in barrels a year."""
    return float(oil.loc[oil["row_id"] == CAP_ROW, "value"].iloc[0])


def _month(d) -> str:
    return d.strftime("%b %Y")


def oil_figures(oil: pd.DataFrame) -> pd.DataFrame:
    """The oil figures drawn as bars, oldest period first, each with its period, label and figure as stated."""
    shown = oil[oil["kind"].isin(list(OIL_KINDS)) & oil["value"].notna()].copy()
    shown["period"] = [
        f"{_month(a)}–{_month(b)}" if pd.notna(b) and _month(a) != _month(b) else _month(a)
        for a, b in zip(shown["period_start"], shown["period_end"])
    ]
    shown["label"] = shown["period"] + ": " + shown["reported_by"].str.split(" (", regex=False).str[0]
    shown["figure"] = (
        shown["value_qualifier"].fillna("") + " " + shown["value"].map(lambda v: f"{v:,.0f}")
    ).str.strip() + " barrels"
    shown["kind_label"] = shown["kind"].map(OIL_KINDS)
    return shown.sort_values("period_start")


def oil_cap_row(oil: pd.DataFrame) -> pd.DataFrame:
    """The cap's row, labelled for the chart's rule."""
    return oil[oil["row_id"] == CAP_ROW].assign(label="UN cap", figure=f"{oil_cap(oil):,.0f} barrels a year")


def oil_facts(oil: pd.DataFrame) -> dict:
    """The oil figures the prose compares, each with its ratio to the cap."""
    cap = oil_cap(oil)
    value = oil.set_index("row_id")["value"]
    return {
        "osc_value": f"more than {value[OSC_ROW]:,.0f}",
        "osc_ratio": f"{value[OSC_ROW] / cap:.0f}",
        "kirby_value": f"more than {value[KIRBY_ROW]:,.0f}",
        "kirby_share": f"{value[KIRBY_ROW] / cap:.0%}",
        "notified_total": f"{value[NOTIFIED_ROW]:,.0f}",
        "notified_share": f"{value[NOTIFIED_ROW] / cap:.1%}",
        "russia_notified": f"{value[RUSSIA_NOTIFIED_ROW]:,.0f}",
        "cap": f"{cap:,.0f}",
        "osc_vs_notified": f"{value[OSC_ROW] / value[NOTIFIED_ROW]:.0f}",
    }


#: Rows of the chart "who sanctioned what, when", top to bottom: the US first, then the others in the order of
#: their first action in the table (ties by name).
US = "United States"
#: The window of the coordinated round of May 2024 that the prose names (the joint statement of 31 May 2024).
MAY_2024 = ("2024-05-16", "2024-05-31")
#: How ``other_states_sanctions.count_scope`` reads in tables and tooltips.
COUNT_SCOPE = {
    "whole_action": "every target of the action",
    "dprk_russia_subset": "the DPRK–Russia targets of a larger package",
    "whole_package": "the whole package (not comparable)",
}


def _designated(frame: pd.DataFrame) -> pd.Series:
    cols = ["n_individuals", "n_entities"] + (["n_vessels"] if "n_vessels" in frame else [])
    return frame[cols].fillna(0).sum(axis=1).astype(int)


def sanctioning_actions(other: pd.DataFrame, us: pd.DataFrame) -> pd.DataFrame:
    """Every action of both tables on one frame: state, date, tie, what was designated and whether that count is
    comparable (the targets tied to DPRK–Russia cooperation, not a whole package), with the source's name."""
    mine = other.assign(
        designated=_designated(other),
        counted=other["count_scope"] != "whole_package",
        counts_cover=other["count_scope"].map(COUNT_SCOPE),
        n_vessels=other["n_vessels"],
    )
    theirs = us.assign(
        state=US,
        announced_by=us["agency"],
        action_id=us["designation_id"],
        designated=_designated(us.rename(columns={"n_vessels_or_aircraft": "_aircraft"})),
        counted=True,
        counts_cover=COUNT_SCOPE["whole_action"],
    )
    cols = ["action_id", "announced_on", "state", "announced_by", "nexus", "n_individuals", "n_entities"]
    cols += ["designated", "counted", "counts_cover", "targets", "source"]
    both = pd.concat([theirs[cols], mine[cols + ["n_vessels"]]], ignore_index=True)
    both["nexus_label"] = both["nexus"].map(NEXUS)
    both["shown_size"] = both["designated"].where(both["counted"])
    return both.sort_values(["announced_on", "state"], ignore_index=True)


def state_order(actions: pd.DataFrame) -> list[str]:
    """The US first, then each other state by the date of its first action."""
    first = actions[actions["state"] != US].groupby("state")["announced_on"].min().reset_index()
    return [US] + first.sort_values(["announced_on", "state"])["state"].tolist()


def other_states_table(other: pd.DataFrame) -> pd.DataFrame:
    """The other states' actions as the chapter's table shows them, oldest first."""
    table = other.sort_values(["announced_on", "state"]).assign(
        announced=other["announced_on"].dt.strftime("%Y-%m-%d"),
        tie=other["nexus"].map(NEXUS),
        counts_cover=other["count_scope"].map(COUNT_SCOPE),
    )
    counts = table[["n_individuals", "n_entities", "n_vessels"]].astype("Int64").astype("string").fillna("–")
    return pd.concat(
        [table[["announced", "state", "announced_by"]], counts, table[["counts_cover", "tie"]]], axis=1
    ).rename(
        columns={
            "announced": "Announced",
            "state": "State",
            "announced_by": "By",
            "n_individuals": "Individuals",
            "n_entities": "Entities",
            "n_vessels": "Vessels",
            "counts_cover": "Counts cover",
            "tie": "Tie",
        }
    )


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def who_sanctioned_facts(other: pd.DataFrame, us: pd.DataFrame) -> dict:
    """The numbers of the section "who sanctioned what, when"."""
    both = sanctioning_actions(other, us)
    states = other.groupby("state")["announced_on"].min().sort_values()
    counted = other[other["count_scope"] != "whole_package"]
    first_troops = other[other["nexus"] == "troop_deployment"].sort_values("announced_on").iloc[0]
    start, end = (pd.Timestamp(d) for d in MAY_2024)
    in_may = both[(both["announced_on"] >= start) & (both["announced_on"] <= end)]
    last = other.sort_values("announced_on").iloc[-1]
    us_after = us[us["announced_on"].dt.year >= 2025]
    return {
        "os_n": len(other),
        "os_n_states": len(states),
        "os_states": _list(states.index.tolist()),
        "os_first": day(other["announced_on"].min()),
        "os_first_state": states.index[0],
        "os_arms": int((other["nexus"] == "arms_transfer").sum()),
        "os_troops": int((other["nexus"] == "troop_deployment").sum()),
        "os_first_troops": day(first_troops["announced_on"]),
        "os_first_troops_state": first_troops["state"],
        "os_counted_ind": int(counted["n_individuals"].fillna(0).sum()),
        "os_counted_ent": int(counted["n_entities"].fillna(0).sum()),
        "os_counted_ves": int(counted["n_vessels"].fillna(0).sum()),
        "os_n_counted": len(counted),
        "os_n_package": int((other["count_scope"] == "whole_package").sum()),
        "may_n": len(in_may),
        "may_n_states": in_may["state"].nunique(),
        "os_last": day(last["announced_on"]),
        "os_last_state": last["state"],
        "us_n_2025": len(us_after),
        "us_last": day(us["announced_on"].max()),
        "os_n_partial": int((other["verification"] == "partial").sum()),
    }
