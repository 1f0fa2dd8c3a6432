"""Offline link check of the built book: every internal link, anchor and download resolves."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import HTML, built_pages

LINKING = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if (tag, name) in LINKING and value:
                self.links.append(value)


@lru_cache(maxsize=None)
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(page: Path) -> list[str]:
    """The internal links of one built page that point at no file, or at no anchor in it."""
    out = []
    for link in parse(page).links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
            continue  # external: checked by no one offline
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            out.append(f"{link}: no file {target}")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
            out.append(f"{link}: no anchor #{parts.fragment} in {target.name}")
    return out


pages = built_pages()


@pytest.mark.skipif(not pages, reason="the book is not built (make book)")
@pytest.mark.parametrize("page", pages, ids=[str(p.relative_to(HTML)) for p in pages])
def test_internal_links_and_anchors_resolve(page):
    assert broken_links(page) == []


@pytest.mark.skipif(not pages, reason="the book is not built (make book)")
def test_the_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a.html").write_text(
        '<p id="here"></p><a href="b.html">x</a><a href="#gone">y</a><a href="#here">z</a>', encoding="utf-8"
    )
    found = broken_links(tmp_path / "a.html")
    assert len(found) == 2 and "no file" in found[0] and "no anchor #gone" in found[1]


@pytest.mark.parametrize(
    "url",
    [
        "http://world.kbs.co.kr/service/news_view.htm?Seq_Code=188305&lang=e",
        "https://example.org/a?b=1&c=2&d=%3C3%3E",
        "https://example.org/a?copy=1&copy=2&lt=3",
    ],
)
def test_a_markdown_link_keeps_its_address(url):
    """MyST stores a Markdown link's address HTML-escaped (then the writer escapes it again); the
    book's extension gives back the address as written, whatever its ampersands."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.docutils_ import Parser

    from nkbook.publish.sphinx_ext import _unescape_links

    doctree = publish_doctree(f"[source]({url})", parser=Parser(), settings_overrides={"report_level": 5})
    _unescape_links(None, doctree)
    assert [n["refuri"] for n in doctree.findall(nodes.reference)] == [url]


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_no_built_link_carries_a_doubly_escaped_ampersand():
    bad = {
        page.relative_to(HTML).as_posix(): re.findall(r'href="[^"]*&amp;amp;[^"]*"', page.read_text(encoding="utf-8"))
        for page in built_pages()
    }
    assert {k: v for k, v in bad.items() if v} == {}
