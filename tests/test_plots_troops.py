"""The troops chapter's figures and table, built from the real tables without a kernel: marks,
fields, titles, the rows drawn, the book's chart rules, and the captions a reader sees."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest

from nkbook.analysis import troops as deployment
from nkbook.data import load
from nkbook.data.provenance import with_source_names
from nkbook.present import charts
from nkbook.present.plots import troops as figures


@pytest.fixture(scope="module")
def troops():
    return with_source_names(load("troop_estimates"))


@pytest.fixture(scope="module")
def casualties():
    return with_source_names(load("casualty_estimates"))


def units(spec):
    """Each single view of a (possibly layered) spec."""
    return spec.get("layer", [spec])


def marks(spec):
    return [u["mark"]["type"] for u in units(spec)]


def fields(unit):
    return {channel: e.get("field") for channel, e in unit["encoding"].items() if isinstance(e, dict)}


def tooltip_fields(unit):
    return [t["field"] for t in unit["encoding"]["tooltip"]]


def rows(spec):
    return spec["datasets"][spec["data"]["name"]]


def test_troop_chart_draws_every_combat_estimate_as_stated(troops):
    fig = figures.troops_in_place(deployment.in_place(troops))
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["text"] == "North Korean troops in Russia: estimates by date and estimator"
    assert marks(spec) == ["rule", "point"]  # ranges as bars, every estimate as a mark
    rule, point = units(spec)
    assert fields(rule)["y"] == "lower" and fields(rule)["y2"] == "upper"
    assert fields(point).items() >= {"x": "estimated_on", "y": "shown", "color": "group", "shape": "form"}.items()
    assert "scope" in tooltip_fields(point) and "source" in tooltip_fields(point)
    drawn = {r["estimate_id"]: r for r in rows(spec)}
    assert len(drawn) == 41 and {r["estimate_kind"] for r in drawn.values()} == {"in_place"}
    assert drawn["T003"]["label"] == "some 12,000" and drawn["T003"]["group"] == "South Korea"
    assert drawn["T007"]["form"] == "at least" and drawn["T007"]["shown"] == 3000
    # 8,000: HUR's count of those still fighting in Kursk (T058)
    assert "2024Q4: 1,500 to 12,000; 2025Q1: 8,000 to 12,000" in spec["description"]
    assert [p["name"] for p in spec["params"]] == ["pick_troop_estimator"]  # a legend that selects
    assert fig.caption.endswith("(estimate_kind = in_place). Data to 11 February 2026.")


def test_left_out_table_shows_the_others_as_stated(troops):
    html = figures.left_out_table(deployment.left_out(troops)).data
    table = pd.read_html(StringIO(html))[0]
    assert table.columns.tolist() == ["Date", "Estimator", "Personnel", "Kind", "Figure as stated", "Scope as stated"]
    assert len(table) == 27
    first = table.iloc[0]
    assert (first["Date"], first["Kind"], first["Figure as stated"]) == (
        "2024-10-23",
        "plan or projection",
        "a total of 10,000",
    )
    assert "<caption>Estimates left out of the chart: engineers, builders, workers" in html


@pytest.mark.parametrize(
    ("build", "casualty_type", "n", "n_drawn", "title", "extra"),
    [
        (figures.killed_or_wounded, "killed_or_wounded", 21, 20, "killed or wounded", None),
        (figures.killed, "killed", 12, 12, "killed", "verification"),
    ],
)
def test_casualty_charts_keep_one_type_each(casualties, build, casualty_type, n, n_drawn, title, extra):
    fig = build(deployment.of_type(casualties, casualty_type))
    spec = fig.spec
    charts.check_rules(spec)
    assert spec["title"]["text"] == f"North Korean soldiers {title}: estimates by date and estimator"
    assert "point" in marks(spec)
    drawn = rows(spec)
    assert len(drawn) == n_drawn and {r["casualty_type"] for r in drawn} == {casualty_type}  # no figure, no mark
    assert spec["description"].startswith(f"Chart of {n} estimates of North Korean soldiers {title}, from ")
    point = units(spec)[-1]
    assert (extra in tooltip_fields(point)) if extra else tooltip_fields(point)[-1] == "source"
    assert "Data: <code>casualty_estimates</code>" in fig.caption


def test_killed_or_wounded_chart_states_each_estimate(casualties):
    spec = figures.killed_or_wounded(deployment.of_type(casualties, "killed_or_wounded")).spec
    by_id = {r["estimate_id"]: r for r in rows(spec)}
    assert by_id["C009"]["label"] == "more than 3,000" and by_id["C009"]["form"] == "at least"
    assert by_id["C008"]["label"] == "around 1,100" and by_id["C008"]["form"] == "figure"
    assert "South Korea military (JCS/MND) 23 Dec 2024: around 1,100" in spec["description"]


def test_milestone_chart_puts_each_kind_on_its_row():
    fig = figures.milestones(deployment.timeline(with_source_names(load("milestones"))))
    spec = fig.spec
    charts.check_rules(spec)
    assert marks(spec) == ["point"]
    assert fields(spec).items() >= {"x": "event_date", "y": "kind", "color": "kind"}.items()
    assert spec["encoding"]["y"]["sort"] == list(deployment.MILESTONE_KINDS.values())
    assert spec["title"] == {
        "text": "From summit to acknowledgement: the deployment's milestones",
        "subtitle": "September 2023 to December 2025",
    }
    drawn = {r["event_id"]: r for r in rows(spec)}
    assert len(drawn) == 42 and drawn["E009"]["kind"] == "Summit"
    assert spec["description"].startswith("Timeline of 42 events by kind: 12 Sep 2023: Summit; 13 Sep 2023: Summit;")
    assert fig.caption.startswith("Dated milestones of the deployment and of the 2024 treaty.")
