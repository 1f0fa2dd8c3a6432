"""The book's answer (nkbook.present.findings): tallies from the register, the findings chart, the claims
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
from nkbook.analysis import claims
from nkbook.data import essays
from nkbook.present import charts, claim_pages, findings
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
        "Supported": 9,
        "Partly supported": 11,
        "Contradicted": 4,
        "Not enough evidence": 8,
        "Not checkable": 2,
    }


def test_tallies_cover_every_essay_date_and_verdict(register):
    t = findings.tallies(register)
    assert len(t) == 3 * len(claims.WHEN) * len(claims.VERDICTS)
    for (label, _when), group in t.groupby(["label", "when"]):
        assert group["claims"].sum() == (register["label"] == label).sum()
    essay_ids = dict(zip(register["label"], register["essay_id"]))
    for label in "ABC":
        for when in claims.WHEN:
            csv_counts = _csv_tally(essay_ids[label], claims.verdict_column(when))
            assert findings.tally(register, label, when) == {v: csv_counts.get(v, 0) for v in claims.VERDICTS}


def test_essay_a_is_the_one_whose_verdicts_moved(register):
    assert findings.tally(register, "A", "publication") == {
        "Supported": 6,
        "Partly supported": 4,
        "Contradicted": 0,
        "Not enough evidence": 5,
        "Not checkable": 5,
    }
    assert list(findings.changed(register)["claim_id"]) == ["A01", "A13", "A18", "A19"]


def test_a_tally_in_words_names_every_verdict_and_says_zeros():
    assert findings.tally_phrase(
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


# --------------------------------------------------------------------------- the chart


def test_verdict_chart_labels_each_segment_with_its_count(register):
    spec = findings.verdict_chart(register).to_dict()
    charts.check_rules(spec)  # alt text, a tooltip with a source on every mark
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "text"]
    assert spec["layer"][1]["encoding"]["text"]["field"] == "claims"
    data = findings.chart_data(register)
    b_now = data[data["bar"] == "Essay B, cut-off"]
    assert dict(zip(b_now["verdict"], b_now["claims"])) == {
        "Supported": 9,
        "Partly supported": 11,
        "Contradicted": 4,
        "Not enough evidence": 8,
        "Not checkable": 2,
    }
    assert list(b_now["end"]) == [9, 20, 24, 32, 34] and b_now["end"].iloc[-1] == (register["label"] == "B").sum()
    assert "Essay B at the data cut-off: 9 supported, 11 partly supported, 4 contradicted" in spec["description"]


# --------------------------------------------------------------------------- chapters and claims


def test_claims_of_each_chapter_are_those_whose_evidence_it_presents(register):
    assert findings.claims_of_chapter("munitions", register) == ["C03", "C06"]
    assert findings.claims_of_chapter("flows", register) == ["A02", "A05", "B21", "C06", "C10", "C11", "C15"]
    assert len(findings.claims_of_chapter("troops", register)) == 26
    assert "B23" in findings.claims_of_chapter("troops", register)  # about 11,000 troops in Kursk
    assert "B07" in findings.claims_of_chapter("sanctions", register)


def test_chapter_list_links_each_claim_to_its_card(register):
    html = findings.chapter_claims_html("flows", register)
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
    assert claims.cutoff().strftime("%-d %B %Y") in text
    for label in "ABC":
        assert findings.tally_phrase(findings.tally(register, label, "cutoff")) in text, f"Essay {label}'s tally"
    assert findings.tally_phrase(findings.tally(register, "A", "publication")) in text
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
