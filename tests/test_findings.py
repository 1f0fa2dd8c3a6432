"""The book's answer (nkbook.analysis.findings, nkbook.present.findings): tallies from the register, the findings chart, the claims
each chapter of evidence bears on, and the built pages that show them.

The built-page tests read ``_build/html`` (or the folder ``NKBOOK_TEST_HTML`` names, e.g. an older
release's build, to show that they fail on it).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from conftest import HTML, ROOT, SEEDS, needs_seeds
from nkbook.analysis import claims, findings
from nkbook.data import essays
from nkbook.present import charts, claim_pages
from nkbook.present.findings import chapter_claims_html, essay_tallies, tally_phrase
from nkbook.present.plots import findings as plots
from test_claims import _shingles

needs_build = pytest.mark.skipif(
    not (HTML / "book" / "intro.html").is_file(), reason="no built book: run `make book` first"
)


@pytest.fixture(scope="module")
def register():
    return claims.register()


def _csv_tally(essay_id: str, column: str) -> Counter:
    """Straight from data/claims.csv, without the package's loader."""
    with open(ROOT / "data" / "claims.csv", newline="", encoding="utf-8") as f:
        return Counter(r[column] for r in csv.DictReader(f) if r["essay_id"] == essay_id)


# --------------------------------------------------------------------------- tallies


def test_tally_of_essay_b_at_the_cutoff_is_what_the_register_says(register):
    expected = _csv_tally("staying-power", "verdict_at_cutoff")
    got = findings.tally(register, "B", "cutoff")
    assert got == {v: expected.get(v, 0) for v in claims.VERDICTS}
    assert got == {
        "Supported": 11,
        "Partly supported": 11,
        "Contradicted": 4,
        "Not enough evidence": 8,
        "Not checkable": 3,
    }


def test_tallies_cover_every_essay_date_and_verdict(register):
    t = findings.tallies(register)
    assert list(t.columns) == ["label", "verdict", "claims", "when"]
    assert (t["claims"] > 0).all()  # a verdict without claims has no row (and no bar segment)
    for (label, _when), group in t.groupby(["label", "when"]):
        assert group["claims"].sum() == (register["label"] == label).sum()
    essay_ids = dict(zip(register["label"], register["essay_id"]))
    for label in "ABC":
        for when in claims.WHEN:
            csv_counts = _csv_tally(essay_ids[label], claims.verdict_column(when))
            assert findings.tally(register, label, when) == {v: csv_counts.get(v, 0) for v in claims.VERDICTS}


def test_tallies_by_type_are_ordered_by_date_then_type_then_verdict(register):
    t = findings.tallies(register, "claim_type")
    first = t.iloc[0]
    assert (first["claim_type"], first["verdict"], first["claims"], first["when"]) == (
        "causal",
        "Not enough evidence",
        6,
        "publication",
    )
    assert list(t["when"]) == sorted(t["when"], key=list(claims.WHEN).index)
    now = t[t["when"] == "cutoff"]
    factual = dict(
        zip(now.loc[now["claim_type"] == "factual", "verdict"], now.loc[now["claim_type"] == "factual", "claims"])
    )
    assert factual == {"Contradicted": 6, "Not enough evidence": 1, "Partly supported": 13, "Supported": 17}
    assert t["claims"].sum() == 2 * len(register)


def test_tally_without_a_label_counts_the_whole_register(register):
    assert findings.tally(register) == {
        "Supported": 28,
        "Partly supported": 26,
        "Contradicted": 8,
        "Not enough evidence": 15,
        "Not checkable": 13,
    }


def test_essay_a_is_the_one_whose_verdicts_moved(register):
    assert findings.tally(register, "A", "publication") == {
        "Supported": 6,
        "Partly supported": 5,
        "Contradicted": 0,
        "Not enough evidence": 5,
        "Not checkable": 6,
    }
    assert list(findings.changed(register)["claim_id"]) == ["A01", "A13", "A18", "A19", "B37"]


def test_a_tally_in_words_names_every_verdict_and_says_zeros():
    assert tally_phrase(
        {"Supported": 7, "Partly supported": 7, "Contradicted": 0, "Not enough evidence": 3, "Not checkable": 3}
    ) == ("7 supported, 7 partly supported, none contradicted, 3 with not enough evidence and 3 not checkable")


def test_essay_dates_are_the_dates_judged_as_of(register):
    assert findings.essay_dates(register) == {"A": "17 October 2024", "B": "28 February 2025", "C": "5 January 2026"}


def test_explanation_figures_are_those_of_the_chapters():
    f = findings.explanation_figures()
    assert f["ag_chn_2010s"] == "0.87" and f["ag_rus_2010s"] == "0.79" and f["ag_rus_2025"] == "0.95"
    assert f["es1_auto_no_share"] == "6%"
    assert f["summit_2023"] == "13 September 2023" and f["treaty_signed"] == "19 June 2024"
    assert (f["launch_peak_year"], f["launch_peak"], f["launch_before_invasion"]) == ("2022", "69", "9")


# --------------------------------------------------------------------------- the figures the chapters glue


def test_headline_and_changes_are_the_first_pages_numbers(register):
    assert findings.headline(register) == {
        "cutoff": claims.cutoff_text(),
        "n_claims": 90,
        "n_sup": 28,
        "n_part": 26,
        "n_con": 8,
        "n_nee": 15,
        "n_nc": 13,
    }
    assert findings.changes(register) == {
        "n_changed": 5,
        "changed_ids": "A01, A13, A18, A19, B37",
        "changed_essays": "Essay A and Essay B",
    }


def test_essay_tallies_say_the_same_when_nothing_moved(register):
    got = essay_tallies(register)
    assert list(got)[:4] == ["a_date", "n_a", "a_now", "a_then"]  # the order the first page glues them in
    assert got["n_b"] == 37 and got["b_then"] != "the same" and got["c_then"] == "the same"
    assert got["a_then"] == tally_phrase(findings.tally(register, "A", "publication")) != got["a_now"]


def test_register_figures_count_the_register_as_data_claims_csv_does(register):
    got = findings.register_figures(register)
    rows = list(csv.DictReader(open(ROOT / "data" / "claims.csv", newline="", encoding="utf-8")))
    now = Counter(r["verdict_at_cutoff"] for r in rows)
    assert got["n_claims"] == len(rows) == 90
    assert (got["n_supported"], got["n_partly"], got["n_contradicted"]) == (
        now["Supported"],
        now["Partly supported"],
        now["Contradicted"],
    )
    assert got["n_checkable"] == len(rows) - now["Not checkable"] == 77
    assert got["n_rule"] == sum(r["judged_by"] != "analyst" for r in rows) == 17
    assert got["contra_ids"] == "B04, B12, B33, B34, C07, C12, C22, C23"
    assert (got["b_sup"], got["b_con"], got["b_part"]) == (11, 4, 11)
    assert (got["n_a"], got["n_b"], got["n_c"]) == (22, 37, 31)


def test_type_figures(register):
    assert findings.type_figures(register) == {
        "n_fact": 39,
        "fact_sup": 19,
        "fact_part": 13,
        "fact_con": 6,
        "n_motive": 22,
        "motive_nee": 11,
        "n_cite": 12,
        "cite_bad": 4,
    }
    assert findings.motive_figures(register) == {"n_motive": 22, "motive_nee": 11}
    assert findings.essay_type_figures(register) == {"a_theory": 20, "n_a_all": 22, "b_fact": 23, "n_b_all": 37}


def test_chapter_figures_and_the_last_resolution(register):
    assert findings.chapter_figures(register) == {
        "n_sanctions": 14,
        "sanctions_con": 0,
        "n_troops": 38,
        "troops_con": 4,
        "n_munitions": 4,
        "munitions_con": 0,
        "n_flows": 7,
        "flows_con": 0,
    }
    assert findings.last_sanctions_resolution() == "22 December 2017"  # resolution 2397


def test_tables_of_the_register(register):
    per_essay = findings.claims_per_essay(register)
    assert per_essay.to_dict("records") == [{"Essay A": 22, "Essay B": 37, "Essay C": 31}]
    moves = findings.verdict_moves(register[register["label"] == "A"])
    assert list(moves.columns) == ["at publication ↓ / now →", *claims.VERDICTS]
    assert moves.set_index("at publication ↓ / now →").loc["Not enough evidence", "Partly supported"] == 2
    assert int(moves.drop(columns=moves.columns[0]).to_numpy().sum()) == 22
    table = findings.verdicts_by_type_and_essay(register)
    assert table["All"].sum() == 90 and list(table.columns)[:2] == ["Essay", "Type"]
    types = findings.types_by_essay(register)
    assert list(types.columns) == ["Type of claim", "Essay A", "Essay B", "Essay C", "All"]
    assert types.iloc[-1]["All"] == 90
    rules = findings.rules_table(register)
    assert len(rules) == len(claims.RULES) and rules.iloc[0]["Claims"] == "A01"


def test_public_date_fields_name_each_tables_column():
    fields = findings.public_date_fields().set_index("Table")
    assert fields.loc["troop_estimates", "Date it became public"] == "published_on"
    assert fields["Meaning"].str.len().min() > 10


def test_chapter_of_is_where_the_cards_link_back_to():
    assert claim_pages.CHAPTER_OF is findings.CHAPTER_OF
    assert findings.chapter_tables("troops") == ["casualty_estimates", "milestones", "troop_estimates"]


# --------------------------------------------------------------------------- the chart


def test_verdict_chart_labels_each_segment_with_its_count(register):
    spec = plots.verdict_chart(register).to_dict()
    charts.check_rules(spec)  # alt text, a tooltip with a source on every mark
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "text"]
    assert spec["layer"][1]["encoding"]["text"]["field"] == "claims"
    data = findings.chart_data(register)
    b_now = data[data["bar"] == "Essay B, cut-off"]
    assert dict(zip(b_now["verdict"], b_now["claims"])) == {
        "Supported": 11,
        "Partly supported": 11,
        "Contradicted": 4,
        "Not enough evidence": 8,
        "Not checkable": 3,
    }
    assert list(b_now["end"]) == [11, 22, 26, 34, 37] and b_now["end"].iloc[-1] == (register["label"] == "B").sum()
    assert "Essay B at the evidence cut-off: 11 supported, 11 partly supported, 4 contradicted" in spec["description"]


def test_claims_chapter_bars_per_essay_and_per_type(register):
    essay = plots.essay_bars(register).to_dict()
    charts.check_rules(essay)
    rows = essay["datasets"][essay["data"]["name"]]
    b_now = {r["verdict"]: r["claims"] for r in rows if r["label"] == "B" and r["when"] == "cutoff"}
    assert b_now == findings.tally(register, "B", "cutoff")  # every verdict of B has claims at the cut-off
    assert {r["source"] for r in rows if r["label"] == "A"} == {findings._essay_sources(register)["A"]}
    types = plots.type_bars(register).to_dict()
    charts.check_rules(types)
    rows = types["datasets"][types["data"]["name"]]
    assert sum(r["claims"] for r in rows) == 2 * len(register)
    assert {r["claim_type"] for r in rows} == set(register["claim_type"])


def test_works_cited_chart_marks_each_work_once():
    from nkbook.data import essays as about
    from nkbook.data import load
    from nkbook.present.plots.essays import CHECK_SHAPES, works_cited_chart

    aged = about.works_with_age(load("essay_works_cited"), load("essays"))
    spec = works_cited_chart(aged).to_dict()
    charts.check_rules(spec)
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == len(aged) == 14
    assert spec["encoding"]["shape"]["scale"]["domain"] == list(CHECK_SHAPES)
    assert min(r["first_published"] for r in rows) == 1532


# --------------------------------------------------------------------------- chapters and claims


def test_claims_of_each_chapter_are_those_whose_evidence_it_presents(register):
    assert findings.claims_of_chapter("munitions", register) == ["A02", "C03", "C06", "C31"]
    assert findings.claims_of_chapter("flows", register) == ["A02", "A05", "B21", "C06", "C10", "C11", "C15"]
    assert len(findings.claims_of_chapter("troops", register)) == 38
    assert "B23" in findings.claims_of_chapter("troops", register)  # about 11,000 troops in Kursk
    assert "B07" in findings.claims_of_chapter("sanctions", register)


def test_chapter_list_links_each_claim_to_its_card(register):
    html = chapter_claims_html("flows", register)
    soup = BeautifulSoup(html, "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert hrefs == [claim_pages.card_href(c) for c in findings.claims_of_chapter("flows", register)]
    assert claim_pages.card_href("B12") == "claims-b.html#claim-b12"
    assert len(soup.select(".nkb-verdict")) == 2 * len(hrefs)


# --------------------------------------------------------------------------- the built book


def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup((HTML / page).read_text(encoding="utf-8"), "html.parser")


def _section_text(soup: BeautifulSoup, h2) -> str:
    section = h2.find_parent("section")
    return " ".join(section.get_text(" ").split())


@needs_build
def test_intro_opens_with_key_findings_that_match_the_register(register):
    soup = _soup("book/intro.html")
    h2s = soup.select("article.bd-article h2")  # the page's own headings, not the theme's
    assert h2s, "the first page has no h2"
    first = h2s[0].get_text(" ").replace("#", "").strip()
    assert first == "Key findings", f"the first h2 of the intro is {first!r}"
    text = _section_text(soup, h2s[0])
    now = register["verdict_at_cutoff"].value_counts()
    assert f"{len(register)} claims" in text
    assert (
        f"{now['Supported']} are supported, {now['Partly supported']} partly supported and "
        f"{now['Contradicted']} contradicted"
    ) in text
    assert claims.cutoff_text() in text
    for label in "ABC":
        assert tally_phrase(findings.tally(register, label, "cutoff")) in text, f"Essay {label}'s tally"
    assert tally_phrase(findings.tally(register, "A", "publication")) in text
    # the chart of the verdicts is in the section, with its counts in its data table
    figure = h2s[0].find_parent("section").select_one("figure.nkb-chart")
    assert figure is not None and "What the register finds in each essay" in figure.get_text(" ")


@needs_build
@pytest.mark.parametrize("chapter", findings.EVIDENCE_CHAPTERS)
def test_each_chapter_of_evidence_links_to_the_cards_of_its_claims(chapter, register):
    soup = _soup(f"book/{chapter}.html")
    heading = next((h for h in soup.select("h2") if "What this means for the essays" in h.get_text()), None)
    assert heading is not None, f"{chapter}: no section 'What this means for the essays'"
    hrefs = {a["href"] for a in heading.find_parent("section").select("a[href]")}
    expected = {claim_pages.card_href(c) for c in findings.claims_of_chapter(chapter, register)}
    assert expected and expected <= hrefs, f"{chapter}: missing links {sorted(expected - hrefs)}"
    for href in expected:  # and each card exists and links back to this chapter
        page, anchor = href.split("#")
        card = _soup(f"book/{page}").find(id=anchor)
        assert card is not None, href
        assert card.find("a", href=f"{chapter}.html") is not None, f"{href} does not link back to {chapter}"


@needs_build
def test_glossary_defines_the_terms_the_chapters_link():
    glossary = _soup("book/glossary.html")
    defined = {dt.get("id") for dt in glossary.select("dl.glossary dt")}
    assert {"term-NIS", "term-OFAC", "term-SDN", "term-1718-Committee", "term-ES-11"} <= defined
    troops = _soup("book/troops.html")
    assert troops.find("a", href="glossary.html#term-NIS") is not None


# --------------------------------------------------------------------------- our words, not theirs


def _our_prose() -> dict[str, str]:
    """The prose this module's pages add: the intro, the conclusions, the glossary, and the
    closing sections of the chapters of evidence."""
    out = {}
    for name in ("intro", "conclusions"):
        nb = json.loads((ROOT / "book" / f"{name}.ipynb").read_text(encoding="utf-8"))
        out[name] = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    out["glossary"] = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    for chapter in findings.EVIDENCE_CHAPTERS:
        nb = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
        out[chapter] = " ".join("".join(c["source"]) for c in nb["cells"] if c.get("id") == "fx1")
    return out


@needs_seeds
def test_the_findings_prose_does_not_copy_the_essays():
    theirs = _shingles(" ".join(essays.read(p) for p in SEEDS.glob("*.txt")), 8)
    for name, text in _our_prose().items():
        text = re.sub(r"\{[a-z:]+\}`[^`]*`", " ", text)  # roles: glued values, citations, links
        text = re.sub(r"\*[^*\n]+\*", " ", text)  # titles, in italics, name a work; they do not copy it
        copied = _shingles(text, 8, quotes_allowed=True) & theirs
        assert not copied, f"{name} copies an essay: {' '.join(sorted(copied)[0])}"
