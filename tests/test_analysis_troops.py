"""The troops chapter's selections: the chart's estimates and the table's partition, the quarterly
span, the Kursk window, the timeline and the dated milestones."""

from __future__ import annotations

import pandas as pd
import pytest

from nkbook.analysis import troops as deployment
from nkbook.analysis.claims import KURSK_WINDOW
from nkbook.analysis.estimates import bounds
from nkbook.data import load


@pytest.fixture(scope="module")
def troops():
    return load("troop_estimates")


def estimates(rows):
    """Estimates with the columns :func:`bounds` reads: (date, low, high, point, qualifier, estimator type)."""
    df = pd.DataFrame(
        rows, columns=["estimated_on", "figure_low", "figure_high", "figure_point", "qualifier", "estimator_type"]
    )
    return df.astype({"figure_low": "Float64", "figure_high": "Float64", "figure_point": "Float64"}).assign(
        estimated_on=lambda d: pd.to_datetime(d["estimated_on"])
    )


def test_in_place_and_left_out_split_the_table(troops):
    chart, table = deployment.in_place(troops), deployment.left_out(troops)
    assert len(chart) + len(table) == len(troops)
    assert not set(chart["estimate_id"]) & set(table["estimate_id"])
    assert set(chart["scope_norm"]) == {"combat troops"} and set(chart["estimate_kind"]) == {"in_place"}
    assert {"T002", "T003", "T007", "T039"} <= set(chart["estimate_id"])
    # the table says what each left-out estimate is, in words
    kinds = table.set_index("estimate_id")["kind_of_estimate"]
    assert set(kinds) == {"sent or present", "increment", "returned home", "plan or projection"}
    assert kinds["T069"] == "returned home"  # about 3,000 home by February 2026: never subtracted
    assert kinds["T026"] == "plan or projection" and kinds["T040"] == "increment" and kinds["T038"] == "sent or present"
    assert table.set_index("estimate_id").loc["T043", "label"] == "1,000"


def test_quarterly_range_counts_a_floor_as_its_own_value_and_skips_ceilings():
    q = deployment.quarterly_range(
        estimates(
            [
                ("2024-10-18", None, None, 1500, "some", "a"),
                ("2024-12-01", 11000, 12000, None, "", "b"),
                ("2025-01-10", None, None, 14000, "at least", "a"),  # a floor: its own value is the top
                ("2025-02-01", None, None, 30000, "up to", "c"),  # a ceiling has no lower bound: left out
            ]
        )
    )
    assert q.index.tolist() == ["2024Q4", "2025Q1"]
    assert q.loc["2024Q4"].tolist() == [1500, 12000] and q.loc["2025Q1"].tolist() == [14000, 14000]


def test_the_kursk_window_is_the_claims_window_inclusive():
    rows = estimates(
        [
            ("2024-10-31", None, None, 3000, "", "a"),
            ("2024-11-01", None, None, 10000, "about", "a"),
            ("2024-12-31", 11000, 12000, None, "", "b"),
            ("2025-01-01", None, None, 13000, "", "c"),
        ]
    )
    window = deployment.kursk_window(rows)
    assert window["estimated_on"].tolist() == list(KURSK_WINDOW)
    assert deployment.convergence(window) == {"low": 10000, "high": 12000, "estimates": 2, "estimator_types": 2}


def test_convergence_of_late_2024_on_the_real_table(troops):
    late = deployment.convergence(deployment.kursk_window(deployment.in_place(troops)))
    assert (late["low"], late["high"]) == (10000, 12000)
    # T022 (Kyslytsya's 11,000) counts since it was recoded in_place
    assert late["estimates"] == 12 and late["estimator_types"] == 8


def test_casualties_of_one_type_only():
    casualties = load("casualty_estimates")
    killed = deployment.of_type(casualties, "killed")
    assert len(killed) == 12 and set(killed["casualty_type"]) == {"killed"}
    assert "C026" in set(killed["estimate_id"]) and "C008" not in set(killed["estimate_id"])


def test_timeline_and_key_events():
    events = load("milestones")
    recent = deployment.timeline(events)
    assert recent["event_date"].min() >= deployment.TIMELINE_FROM
    assert set(recent["kind"]) <= set(deployment.MILESTONE_KINDS.values())
    assert recent.set_index("event_id").loc["E009", "kind"] == "Summit"
    dates = deployment.key_event_dates(events)
    assert list(dates) == list(deployment.KEY_EVENTS)  # the prose's order
    assert dates["summit"] == pd.Timestamp("2023-09-13") and dates["kp_ack"] == pd.Timestamp("2025-04-28")


def test_an_estimate_dated_for_the_prose():
    rows = pd.DataFrame(
        {
            "estimate_id": ["T1"],
            "estimated_on": pd.to_datetime(["2025-03-27"]),
            "figure_low": pd.array([3000], dtype="Float64"),
            "figure_high": pd.array([None], dtype="Float64"),
            "figure_point": pd.array([None], dtype="Float64"),
            "qualifier": ["more than"],
        }
    )
    assert deployment.dated(bounds(rows).set_index("estimate_id"), "T1") == "more than 3,000 (27 March 2025)"
