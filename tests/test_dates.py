"""Honest dates: how far the evidence reaches and how far the record was searched are computed
from the tables (``nkbook.data.coverage``), stored by ``make data``, and stated the same way in
every place a reader meets a verdict "now": the footer, the cards, the ClaimReview records, the
method chapter, the findings and the data appendix."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from conftest import HTML, ROOT
from nkbook.analysis import claims
from nkbook.data import coverage, load, package, resource, resource_names

LOG_COLUMNS = "search_id,tables,period_start,period_end,searched_on,corpus,queries,rows_added,newest_item_found,note"


def _log(*periods, tables="troop_estimates"):
    rows = [
        {"search_id": f"s{i}", "tables": tables, "period_start": a, "period_end": b, "newest_item_found": ""}
        for i, (a, b) in enumerate(periods)
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the computation


def test_searched_through_is_the_end_of_the_unbroken_run_after_the_newest_row():
    months = [("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28"), ("2025-03-01", "2025-03-31")]
    assert coverage.searched_through(_log(*months), "troop_estimates", "2025-01-20") == "2025-03-31"
    # order does not matter, overlaps join the run
    longer = _log(*reversed(months), ("2025-02-15", "2025-04-30"))
    assert coverage.searched_through(longer, "troop_estimates", "2025-01-20") == "2025-04-30"
    # a month left out after the newest row stops the run, however much was searched after it
    gap = [months[0], months[2], ("2025-04-01", "2026-11-30")]
    assert coverage.searched_through(_log(*gap), "troop_estimates", "2025-01-20") == "2025-01-31"
    # ...and a newest row that falls in the gap, or before every search, was not searched past
    assert coverage.searched_through(_log(*gap), "troop_estimates", "2025-02-10") is None
    assert coverage.searched_through(_log(*gap), "troop_estimates", "2024-06") is None
    # an early search apart from the run does not hold back a table whose newest row is later
    early = _log(("2022-03-01", "2022-03-31"), *months)
    assert coverage.searched_through(early, "troop_estimates", "2025-03") == "2025-03-31"
    # a row newer than every search (found otherwise) leaves the end of the last run
    assert coverage.searched_through(_log(*months), "troop_estimates", "2025-06-01") == "2025-03-31"
    assert coverage.searched_through(_log(*months), "troop_estimates") == "2025-03-31"
    # a table no search names was not searched; a search may feed several tables
    assert coverage.searched_through(_log(*months), "milestones") is None
    assert coverage.searched_through(_log(*months, tables="milestones; troop_estimates"), "troop_estimates") == (
        "2025-03-31"
    )


def test_newest_row_keeps_the_precision_the_table_gives():
    desc = {"x-public-date-field": "on", "x-public-date-precision-field": "precision"}
    frame = pd.DataFrame({"on": ["2025-12-13", "2026-03-01", ""], "precision": ["day", "month", "day"]})
    assert coverage.newest_row(desc, frame) == "2026-03"
    frame.loc[1, "precision"] = "day"
    assert coverage.newest_row(desc, frame) == "2026-03-01"
    assert coverage.newest_row({"x-public-date-field": None}, frame) is None
    assert coverage.newest_row({"x-public-date-field": "on"}, frame.assign(on="")) is None


def test_the_phrases_say_both_dates():
    assert (
        coverage.span_text("2025-12-13", "2026-11-30") == "evidence to 13 December 2025, searched through November 2026"
    )
    assert coverage.span_text("2026-03", None) == "evidence to March 2026"
    assert coverage.iso_text("2024") == "2024"


def test_a_stale_date_is_named(tmp_path):
    (tmp_path / "t.csv").write_text("id,on\n1,2025-01-02\n2,2025-03-04\n", encoding="utf-8")
    (tmp_path / "log.csv").write_text(
        LOG_COLUMNS + "\ns1,t,2025-01-01,2025-12-31,2026-12-06,pages,q,,2025-11-02,n\n", encoding="utf-8"
    )
    pkg = {
        "resources": [
            {"name": "t", "path": "t.csv", "x-public-date-field": "on"},
            {"name": "search_log", "path": "log.csv"},
        ]
    }
    assert coverage.stale(pkg, tmp_path)  # nothing stamped yet
    coverage.stamp(pkg, tmp_path)
    assert pkg["resources"][0]["x-newest-row"] == "2025-03-04"
    assert (pkg["x-evidence-through"], pkg["x-searched-through"], pkg["x-sources-reach"]) == (
        "2025-03-04",
        "2025-12-31",
        "2025-11-02",
    )
    assert coverage.stale(pkg, tmp_path) == []
    (tmp_path / "t.csv").write_text("id,on\n1,2025-01-02\n2,2025-03-04\n3,2025-06-07\n", encoding="utf-8")
    assert coverage.stale(pkg, tmp_path) == [
        "package x-evidence-through: says '2025-03-04', the tables give '2025-06-07'",
        "t x-newest-row: says '2025-03-04', the table gives '2025-06-07'",
    ]


# --------------------------------------------------------------------------- the committed data


def test_the_stored_dates_are_what_the_tables_give():
    assert coverage.stale(package(), ROOT / "data") == []
    assert "x-data-cutoff" not in package()
    # the newest evidence is not the day the sources were read: it is a row's own date
    assert package()["x-evidence-through"] <= package()["x-searched-through"]


def test_the_search_log_names_real_tables_and_rows():
    log = load("search_log")
    searchable = set(resource_names()) - {"search_log", "claims", "claim_history"}
    for row in log.itertuples():
        named = [t.strip() for t in row.tables.split(";")]
        assert set(named) <= searchable, (row.search_id, named)
        assert row.period_start <= row.period_end, row.search_id
        if pd.notna(row.rows_added):
            keys = set()
            for table in named:
                key = resource(table)["schema"]["primaryKey"]
                keys |= set(load(table)[key if isinstance(key, str) else key[0]])
            added = {k.strip() for k in row.rows_added.split(";") if k.strip()}
            assert added <= keys, (row.search_id, sorted(added - keys))
    # every curated evidence table that gained rows in this edition was searched month by month
    for table in ("troop_estimates", "casualty_estimates", "munitions_transfers", "milestones"):
        assert resource(table).get("x-searched-through"), table


def test_each_verdict_now_has_the_dates_of_its_own_evidence():
    register = claims.register()
    for row in register.itertuples():
        tables = {t for t, _ in claims.parse_refs(row.evidence_at_cutoff)}
        if not tables:
            continue
        newest = max(resource(t)["x-newest-row"] for t in tables if resource(t).get("x-newest-row"))
        assert row.evidence_through == newest, row.claim_id
        searched = [resource(t)["x-searched-through"] for t in tables if resource(t).get("x-searched-through")]
        assert row.searched_through == (min(searched) if searched else None), row.claim_id


# --------------------------------------------------------------------------- every place a reader meets them


def _text(page: str, history: bool = True) -> str:
    html = (HTML / page).read_text(encoding="utf-8")
    if not history:  # a card's history quotes what earlier editions said, dates included
        html = re.sub(r'<details class="nkb-claim-history">.*?</details>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.built
def test_every_place_states_the_computed_dates():
    span = claims.cutoff_text()
    assert span.startswith("evidence to ") and ", searched through " in span
    # the footer of every page, the method chapter, the findings and the data appendix
    for page in ("book/intro.html", "book/method.html", "book/claims.html", "book/conclusions.html"):
        assert span in _text(page) or span[:1].upper() + span[1:] in _text(page), page
    assert "Evidence cut-off of this edition: " + span in _text("book/data-appendix.html")
    # each card: its own evidence's dates, in the card and in its ClaimReview
    register = claims.register().set_index("claim_id")
    seen = 0
    for label in "abc":
        page = HTML / "book" / f"claims-{label}.html"
        html = page.read_text(encoding="utf-8")
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        for block in re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', html, re.S):
            for review in json.loads(block):
                row = register.loc[review["identifier"]]
                phrase = coverage.span_text(row["evidence_through"], row["searched_through"])
                assert review["reviewRating"]["ratingExplanation"].endswith(f"as of the {phrase}."), review
                assert f"As of the {phrase}" in text, review["identifier"]
                seen += 1
    assert seen == len(register)
    # no page still prints the old stamp of the day the sources were read
    for page in ("book/intro.html", "book/claims-b.html", "book/method.html"):
        assert "22 November 2026" not in _text(page, history=False), page
    assert "as of the data cut-off, 22 November 2026" in _text("book/claims-b.html")  # in the history only
