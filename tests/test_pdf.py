"""The PDF edition: printed with the book, linked from it, with fixed dates and every chart drawn."""
from __future__ import annotations

import re

import pytest

from conftest import HTML, ROOT
from nkbook.book import pages_digest
from nkbook.pdf import PDF_NAME

PDF = HTML / "_static" / "downloads" / PDF_NAME
built = pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")


@built
def test_pdf_edition_is_printed_with_the_book():
    data = PDF.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 300 < pages < 600, pages  # chapters, claim cards, appendix and references
    assert b"/Title (North Korea and Russia" in data or b"/Title <" in data
    # dates fixed to the data cut-off, so that two builds give the same bytes
    assert re.findall(rb"/CreationDate \((D:[0-9Z]+)\)", data) == [b"D:20261122000000Z"]
    assert re.findall(rb"/ModDate \((D:[0-9Z]+)\)", data) == [b"D:20261122000000Z"]
    assert (ROOT / "_build" / ".nkbook-pdf").read_text() == pages_digest(ROOT)
    assert b"file:" not in data  # no address on the machine that built it
    assert len(re.findall(rb"/S /GoTo|/Dest", data)) > 100  # links within the book stay links


@built
@pytest.mark.parametrize("page", ["book/intro.html", "book/how-to-cite.html"])
def test_book_links_to_the_pdf(page):
    assert f'href="../_static/downloads/{PDF_NAME}" download' in (HTML / page).read_text(encoding="utf-8")


def test_pdf_is_printed_again_only_when_its_pages_change(tmp_path):
    pages = tmp_path / "_build" / "html" / "book"
    pages.mkdir(parents=True)
    (pages / "intro.html").write_text("<p>one</p>")
    (pages / "execution.html").write_text("<p>ran at 03:08</p>")
    before = pages_digest(tmp_path)
    (pages / "execution.html").write_text("<p>ran at 03:09</p>")  # not in the PDF
    assert pages_digest(tmp_path) == before
    (pages / "intro.html").write_text("<p>two</p>")
    assert pages_digest(tmp_path) != before
