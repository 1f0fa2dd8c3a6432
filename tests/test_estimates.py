"""Estimates keep the source's form: ranges, floors, ceilings and points are never confused."""

from __future__ import annotations

import pandas as pd

from nkbook.analysis.estimates import bounds, problems
from nkbook.present import charts
from nkbook.present.plots import estimates_over_time


def table(rows):
    df = pd.DataFrame(rows, columns=["figure_low", "figure_high", "figure_point", "qualifier"])
    return df.astype({"figure_low": "Float64", "figure_high": "Float64", "figure_point": "Float64"})


def test_each_form_gets_its_bounds_and_label():
    b = bounds(
        table(
            [
                (11000, 12000, None, ""),
                (None, None, 12000, "about"),
                (None, None, 10000, "more than"),
                (11000, None, None, "at least"),
                (None, None, 3000, "up to"),
                (None, None, None, "significant number"),
            ]
        )
    )
    assert b["kind"].tolist() == ["range", "point", "floor", "floor", "ceiling", "none"]
    assert b["label"].tolist() == [
        "11,000–12,000",
        "about 12,000",
        "more than 10,000",
        "at least 11,000",
        "up to 3,000",
        "significant number",
    ]
    assert b["lower"].tolist()[:4] == [11000, 12000, 10000, 11000]
    assert pd.isna(b.loc[2, "upper"]) and pd.isna(b.loc[4, "lower"]) and b.loc[4, "upper"] == 3000
    assert b["shown"].tolist()[:5] == [11000, 12000, 10000, 11000, 3000]


def test_problems_finds_inverted_ranges_and_mixed_forms():
    assert problems(table([(5, 3, None, ""), (1, None, 2, ""), (1, 2, None, "")])) == [
        "row 1: figure_low 5.0 > figure_high 3.0",
        "row 2: both a point and a range/floor",
    ]


def test_range_chart_follows_the_rules_and_adds_a_selector_past_four_series():
    df = table([(100 * i, 100 * i + 50, None, "") for i in range(1, 7)]).assign(
        estimated_on=pd.date_range("2024-10-01", periods=6, freq="MS"),
        estimator=[f"E{i}" for i in range(6)],
        estimator_type_norm=["South Korea NIS", "US White House", "Ukraine GUR", "MSMT", "NATO", "DPRK official"],
        source="S (2024)",
    )
    chart = estimates_over_time(
        df,
        date="estimated_on",
        series="estimator_type_norm",
        title="t",
        subtitle="s",
        y_title="y",
        description="alt text",
        selector_name="pick_test",
    )
    spec = chart.to_dict()
    charts.check_rules(spec)
    assert [
        p["name"] for p in spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    ] == ["pick_test"]
    few = estimates_over_time(
        df.head(3),
        date="estimated_on",
        series="estimator_type_norm",
        title="t",
        subtitle="s",
        y_title="y",
        description="alt text",
    )
    assert "params" not in str(few.to_dict())


def test_every_schema_estimator_type_has_a_group():
    from nkbook.analysis.estimates import ESTIMATOR_COLOURS, ESTIMATOR_GROUPS
    from nkbook.data import resource

    enum = next(f for f in resource("troop_estimates")["schema"]["fields"] if f["name"] == "estimator_type")[
        "constraints"
    ]["enum"]
    assert set(enum) == set(ESTIMATOR_GROUPS)
    assert set(ESTIMATOR_GROUPS.values()) <= set(ESTIMATOR_COLOURS)  # one colour each (see test_charts)


def test_select_never_mixes_counts_and_capacity_equivalents():
    import pytest

    from nkbook.analysis.estimates import select
    from nkbook.data import load

    m = load("munitions_transfers")
    counts = select(m, item_norm="artillery shells", measure_kind="count")
    capacity = select(m, item_norm="artillery shells", measure_kind="capacity_equivalent")
    assert set(counts["measure_kind"]) == {"count"} and set(capacity["measure_kind"]) == {"capacity_equivalent"}
    assert set(counts["estimate_id"]).isdisjoint(capacity["estimate_id"])
    with pytest.raises(TypeError):
        select(m, item_norm="artillery shells")  # the kind of measure must be named
    with pytest.raises(ValueError):
        select(m, item_norm="artillery shells", measure_kind="all")


def test_stated_gives_figure_estimator_and_date():
    from nkbook.analysis.estimates import stated
    from nkbook.data import load

    assert stated(load("troop_estimates"), "T003") == "some 12,000 (South Korea NIS (press release), 18 October 2024)"
