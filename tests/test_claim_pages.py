"""The pages of claim cards (``book/claims-a.md`` ...): one directive, ``{claim-cards} A``, made
from :mod:`nkbook.present.claim_pages`, and the pages it builds."""

from __future__ import annotations

from unittest import mock

import pytest
from bs4 import BeautifulSoup

from conftest import HTML, ROOT
from nkbook.analysis import claims
from nkbook.core.paths import data_dir
from nkbook.data import load
from nkbook.present import claim_pages


@pytest.fixture(scope="module")
def register():
    return claims.register()


def test_each_essay_has_one_short_page_that_names_the_directive():
    for label in "ABC":
        text = (ROOT / "book" / f"claims-{label.lower()}.md").read_text(encoding="utf-8")
        assert f"```{{claim-cards}} {label}\n```" in text
        assert text.startswith(f"# Essay {label}: the claims one by one\n")
        assert not (ROOT / "book" / f"claims-{label.lower()}.ipynb").exists()


def test_the_extension_registers_the_directive():
    from nkbook.publish import sphinx_ext

    app = mock.Mock()
    sphinx_ext.setup(app)
    names = [c.args[0] for c in app.add_directive.call_args_list]
    assert "claim-cards" in names


def test_short_title_drops_the_subtitle():
    assert claim_pages.short_title("North Korea’s Strategic Bet: Why Pyongyang Chose") == "North Korea’s Strategic Bet"
    assert claim_pages.short_title("No subtitle here") == "No subtitle here"


def test_an_unknown_essay_is_an_error_that_names_the_labels(register):
    with pytest.raises(ValueError, match=r"essay 'D'.*\['A', 'B', 'C'\]"):
        claim_pages.essay_claims("D", register)


def test_intro_counts_the_essays_claims_and_cites_it(register):
    essay = claim_pages.essay_claims("A", register)
    text = claim_pages.card_page_intro(essay)
    assert text.startswith("The 22 claims of Essay A, *North Korea’s Shadow in Ukraine* {cite:p}`essay-medium-shadow`")
    assert "as of the latest date the undated text allows, 17 October 2024" in text
    assert f"as of the evidence cut-off\n({claims.cutoff_text()};" in text
    b = claim_pages.card_page_intro(claim_pages.essay_claims("B", register))
    assert "The 37 claims of Essay B" in b and "as of publication, 28 February 2025" in b


def test_a_page_is_read_again_when_a_table_its_evidence_cites_changes(register):
    b = claim_pages.card_page_inputs(claim_pages.essay_claims("B", register))
    a = claim_pages.card_page_inputs(claim_pages.essay_claims("A", register))
    assert str(data_dir() / "troop_estimates.csv") in b  # B23: about 11,000 troops in Kursk
    assert str(data_dir() / "troop_estimates.csv") not in a
    assert {str(data_dir() / n) for n in ("claims.csv", "essays.csv", "datapackage.json")} <= set(a)


def test_the_verdict_table_has_its_caption_and_counts(register):
    html = claim_pages.verdict_moves_table(claim_pages.essay_claims("A", register))
    soup = BeautifulSoup(html, "html.parser")
    assert (
        soup.find("caption").get_text() == "Verdicts as of publication (rows) and as of the evidence cut-off (columns)"
    )
    rows = {
        tr.find_all(["th", "td"])[0].get_text(): [td.get_text() for td in tr.find_all("td")[1:]]
        for tr in soup.select("tbody tr")
    }
    assert rows["Not enough evidence"] == ["0", "2", "0", "3", "0"]  # two of A's claims gained support


# --------------------------------------------------------------------------- the built pages

needs_build = pytest.mark.skipif(
    not (HTML / "book" / "claims-a.html").is_file(), reason="no built book: run `make book` first"
)


@needs_build
@pytest.mark.parametrize("label", ["A", "B", "C"])
def test_built_page_holds_every_card_once_with_its_review(label, register):
    soup = BeautifulSoup((HTML / "book" / f"claims-{label.lower()}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    assert article.find("h1").get_text(" ", strip=True).startswith(f"Essay {label}: the claims one by one")
    ids = list(register.loc[register["label"] == label, "claim_id"])
    cards = [a for a in article.select("[id^=claim-]") if a["id"] in {claim_pages.anchor(c) for c in ids}]
    assert [c["id"] for c in cards] == [claim_pages.anchor(c) for c in ids]
    assert article.select_one("caption").get_text(strip=True).startswith("Verdicts as of publication")
    assert len(article.select('script[type="application/ld+json"]')) == 1
    assert article.select_one("a.bibtex, a[href*='references']") is not None  # the essay's citation links
    assert "{cite" not in article.get_text() and "{doc" not in article.get_text()  # roles were parsed


# --------------------------------------------------------------------------- each card's history


def test_a_card_shows_how_earlier_editions_judged_its_claim(register):
    row = register.set_index("claim_id", drop=False).loc["A01"].copy()
    past = claims.history("A01")
    assert [h["edition"] for h in past] == ["1.0.0"]
    assert claim_pages.history_view(row)["summary"] == "Unchanged since edition 1.0.0" or row["change_reason"]
    # a changed verdict is named, old -> new, with the reason the register gives
    moved = row.copy()
    moved["verdict_at_cutoff"], moved["change_reason"] = "Partly supported", "A new row qualifies it."
    view = claim_pages.history_view(moved)
    assert (
        view["summary"] == f"Changed since edition 1.0.0: verdict now {past[0]['verdict_at_cutoff']} → Partly supported"
    )
    html = claim_pages.card(moved)
    assert "Why it changed: A new row qualifies it." in html
    assert "Edition 1.0.0, reviewed 22 November 2026" in html and "the data cut-off, 22 November 2026" in html
    # a claim no earlier edition judged is new
    fresh = moved.copy()
    fresh["claim_id"] = "A99"
    assert claim_pages.history_view(fresh)["summary"].startswith("New in this edition")


def test_every_change_since_the_last_edition_has_a_reason(register):
    """A verdict or confidence that differs from the last edition's needs a reason in
    claims.change_reason, and an unchanged one has none (so a reason never outlives its change)."""
    assert "change_reason" in register.columns
    history_ids = set(load("claim_history")["claim_id"])
    assert history_ids <= set(register["claim_id"]), sorted(history_ids - set(register["claim_id"]))
    for row in register.to_dict("records"):
        changed = claims.changed_fields(row, claims.history(row["claim_id"]))
        reason = row["change_reason"]
        has_reason = isinstance(reason, str) and bool(reason.strip())
        assert has_reason == bool(changed), (row["claim_id"], changed, reason)


# --------------------------------------------------------------------------- each card's address in its edition


def test_a_card_shows_its_address_in_this_edition(register):
    """The permalink names the edition: ``<html.baseurl><version>/book/claims-b.html#claim-b19``,
    as text to copy, with the edition's version said before it."""
    import yaml

    import nkbook

    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]
    address = f"{base}{nkbook.__version__}/book/claims-b.html#claim-b19"
    html = claim_pages.card(register.set_index("claim_id", drop=False).loc["B19"])
    link = BeautifulSoup(html, "html.parser").select_one("section#claim-b19 p.nkb-claim-permalink")
    assert link is not None, html[:600]
    assert link.get_text() == f"Link to this claim in edition {nkbook.__version__}: {address}"
    assert link.code.get_text() == address and f"/{nkbook.__version__}/" in address
