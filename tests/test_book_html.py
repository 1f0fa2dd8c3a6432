"""The built book (``_build/html``): version on every page, nothing loaded from the network."""

from __future__ import annotations

import json
import re

import pytest

import nkbook
from conftest import HTML, ROOT, built_pages
from nkbook.analysis import claims
from nkbook.data import coverage
from nkbook.data.provenance import sources
from nkbook.present.charts import BUNDLE_FILE
from test_claims import check_claim_review

pytestmark = pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
NETWORK_LOAD = re.compile(
    r"""<script[^>]+src=["']https?://|<link[^>]+href=["']https?://[^"']+\.css|<img[^>]+src=["']https?://"""
)


def _edition() -> str:
    from nkbook.core.paths import book_config
    from nkbook.publish.sphinx_ext import edition_line

    return edition_line(ROOT, book_config()["repository"]["url"])


EDITION = _edition() if (HTML / "index.html").is_file() else ""


def test_edition_names_version_cutoff_and_commit():
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text())
    through, searched = pkg["x-evidence-through"], pkg["x-searched-through"]
    # both dates computed from the tables by make data: the newest row, and the unbroken run of searches
    top = coverage.computed(pkg, ROOT / "data")[0]
    assert (top["x-evidence-through"], top["x-searched-through"]) == (through, searched)
    assert "x-data-cutoff" not in pkg
    assert EDITION.startswith(
        f'<p class="nkb-version">Version {nkbook.__version__}. Evidence to {coverage.iso_text(through)}, '
        f"searched through {coverage.month_text(searched)}. Built from commit "
    ), EDITION
    assert re.search(
        r"commit (<a href=\"https://github.com/dprk-russia-book/dprk-russia-book/commit/[0-9a-f]{40}\"><code>[0-9a-f]{12}</code></a>"
        r"|<code>[0-9a-f]{12}\+modified</code>|<code>unknown</code>)\.</p>$",
        EDITION,
    ), EDITION


def pages():
    return built_pages()


def test_every_chapter_page_was_built():
    built = {str(p.relative_to(HTML)) for p in pages()}
    assert {
        "book/intro.html",
        "book/sanctions.html",
        "book/data-notes.html",
        "book/how-to-cite.html",
        "book/execution.html",
        "book/references.html",
        "book/essays.html",
        "book/claims.html",
        "book/claims-a.html",
        "book/claims-b.html",
        "book/claims-c.html",
        "book/method.html",
    } <= built


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(HTML)) if hasattr(p, "relative_to") else p)
def test_page_shows_version_and_loads_nothing_from_the_network(page):
    text = page.read_text(encoding="utf-8")
    assert EDITION in text
    assert not NETWORK_LOAD.search(text)
    assert "THEBE_JS_URL" not in text
    # the chart library (about 900 KB) only where there is a chart to draw, and deferred
    has_chart = 'class="nkb-chart"' in text
    assert (
        f'<script defer="defer" src="../_static/{BUNDLE_FILE}' in text
        or f'<script defer="defer" src="_static/{BUNDLE_FILE}' in text
    ) == has_chart
    assert (f"_static/{BUNDLE_FILE}" in text) == has_chart


def test_chart_library_ships_once():
    bundle = HTML / "_static" / BUNDLE_FILE
    assert bundle.stat().st_size > 500_000
    assert len(list(HTML.rglob(BUNDLE_FILE))) == 1
    assert "cdn.jsdelivr" not in (HTML / "book" / "sanctions.html").read_text(encoding="utf-8")


def test_every_chart_has_alt_text_and_a_data_table():
    n = 0
    for page in pages():
        text = page.read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="nkb-chart" id="(nkb-[0-9a-f]{16})">(.*?)</figure>', text, re.S)
        n += len(figures)
        for _, body in figures:
            assert re.search(r'<div class="nkb-chart-view" role="img" aria-label="[^"]{40,}"', body), page.name
            assert '<figcaption class="nkb-caption">' in body and "Source" in body, page.name
            table = re.search(
                r'<details class="nkb-chart-data"><summary>Data behind this chart</summary>(.*?)</details>', body, re.S
            )
            assert table and table.group(1).count("<tr>") >= 2, page.name  # a header and at least one row
            assert '<th scope="col">' in table.group(1)
    assert n == 28  # three maps, and the verdict chart of the first page ("Key findings") is the 28th
    sanctions = (HTML / "book" / "sanctions.html").read_text(encoding="utf-8")
    assert sanctions.count('<figure class="nkb-chart"') == 6
    assert "<td>KOREA" not in sanctions  # tables hold what the charts show, not the raw lists


def test_glued_numbers_reach_the_prose():
    text = re.sub(r"<[^>]+>", "", (HTML / "book" / "sanctions.html").read_text(encoding="utf-8"))
    text = re.sub(r"\s+", " ", text)
    assert "The list holds 155 entries: 80 individuals and 75 entities" in text
    assert "On 18 August 2021 the SDN list held 414 entries under DPRK programs; on 3 May 2024, 484." in text


def test_references_page_lists_every_source():
    text = (HTML / "book" / "references.html").read_text(encoding="utf-8")
    for key, source in sources().items():
        assert source.url.replace("&", "&amp;") in text, key


def test_how_to_cite_gives_the_version():
    text = (HTML / "book" / "how-to-cite.html").read_text(encoding="utf-8")
    assert nkbook.__version__ in text and "@software" in text


def test_the_built_book_cites_and_reviews_this_edition_at_its_own_address():
    """How to cite links the edition's own address; each card shows its claim's address in the
    edition; the ClaimReview records point there (``<html.baseurl><version>/book/...``)."""
    from nkbook.core.releases import edition_url

    edition = edition_url()
    cite = (HTML / "book" / "how-to-cite.html").read_text(encoding="utf-8")
    assert f'href="{edition}"' in cite and f"url = {{{edition}}}" in re.sub(r"<[^>]+>", "", cite)
    page = HTML / "book" / "claims-b.html"
    assert f"<code>{edition}book/claims-b.html#claim-b19</code>" in page.read_text(encoding="utf-8")
    assert {r["url"].rsplit("#", 1)[0] for r in _jsonld(page)} == {f"{edition}book/claims-b.html"}


def test_every_chart_caption_gives_sources_and_cutoff():
    captions = []
    for page in pages():
        captions += re.findall(
            r'<figcaption class="nkb-caption">(.*?)</figcaption>', page.read_text(encoding="utf-8"), re.S
        )
    assert len(captions) >= 15
    for caption in captions:
        assert "Source" in caption, caption
        assert re.search(r"Data to \d{1,2} [A-Z][a-z]+ \d{4}\.$", caption.strip()), caption


def _jsonld(page) -> list:
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', text, re.S)
    return [review for block in blocks for review in json.loads(block)]


def test_claim_pages_embed_valid_claim_reviews():
    """Every claim's review is in its essay's page, valid, and points at its own card."""
    register = claims.register()
    seen = {}
    for label in "abc":
        page = HTML / "book" / f"claims-{label}.html"
        text = page.read_text(encoding="utf-8")
        for review in _jsonld(page):
            check_claim_review(review)
            card_id = review["url"].rsplit("#", 1)[1]
            assert review["url"].endswith(f"claims-{label}.html#{card_id}") and f'id="{card_id}"' in text
            seen[review["identifier"]] = review
    assert sorted(seen) == sorted(register["claim_id"])
    by_id = register.set_index("claim_id")
    for cid, review in seen.items():
        assert review["reviewRating"]["alternateName"] == by_id.loc[cid, "verdict_at_cutoff"]
        assert review["claimReviewed"] == by_id.loc[cid, "paraphrase"]


def test_register_downloads_are_in_the_book():
    folder = HTML / "_static" / "downloads"
    assert (folder / "claims.csv").read_bytes() == (ROOT / "data" / "claims.csv").read_bytes()
    doc = json.loads((folder / "claims.json").read_text(encoding="utf-8"))
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text())
    assert (doc["evidence_through"], doc["searched_through"]) == (pkg["x-evidence-through"], pkg["x-searched-through"])
    assert len(doc["claims"]) == len(claims.register())
    b23 = next(c for c in doc["claims"] if c["claim_id"] == "B23")
    assert (
        b23["verdict_at_publication"] == "Supported"
        and b23["claim_review"]["itemReviewed"]["datePublished"] == "2025-02-28"
    )
    assert (folder / "datapackage.json").is_file()
    page = (HTML / "book" / "claims.html").read_text(encoding="utf-8")
    assert 'href="../_static/downloads/claims.csv"' in page and 'href="../_static/downloads/claims.json"' in page
