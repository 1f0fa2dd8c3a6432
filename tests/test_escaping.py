"""Text from the data inside the book's HTML (issue 15): inline scripts and attributes.

Every writer that puts a value from the data into a page is fed hostile text and its output parsed
as a browser parses it. lxml's HTML parser (libxml2 2.14 and later) tokenizes a ``<script>`` element
as an HTML5 browser does, ``<!--<script>`` included (see
:func:`test_the_parser_sees_a_script_swallow_the_page_as_a_browser_does`); Python's ``html.parser``
does not, and would pass the bug this file guards against.

* **Inline scripts** (a chart's spec, the ClaimReview JSON-LD): ``<!--<script>`` in a claim's
  paraphrase kept the JSON-LD element open to the end of the page, swallowing everything after it,
  while the build passed. The page must keep exactly its scripts, the element after them must
  survive, and ``json.loads`` of each script's text must give back the exact text.
* **Attributes** (alt text, aria labels, ids, ``data-*``, links): a value holding ``"``, ``'``,
  ``<``, ``>`` and ``&`` must come back from the parser unchanged, with no attribute or element
  added.
"""

from __future__ import annotations

import json

import altair as alt
import lxml.etree
import lxml.html
import pandas as pd
import pytest

from conftest import HTML, ROOT, built_pages
from nkbook.analysis import claims
from nkbook.present import charts, claim_pages, schema_org
from nkbook.present.glue import show_table
from test_charts import DATA, good_chart

#: Text that ends or derails a script element, or an attribute, if written as itself.
PAYLOADS = {
    "comment-then-script": "<!--<script>",  # the parser then waits for two </script>: the page is swallowed
    "comment-then-script-space": "x <!--<script type=x> y",
    "closing-tag": '</script><p id="injected">injected</p>',
    "closing-tag-upper": "</SCRIPT ><p id=injected>",
    "comment-only": "<!-- not closed",
    "separators-and-entities": "a \u2028 b \u2029 c &amp; &lt; & d",
    "attribute-breakers": '" onmouseover="alert(1)" x=\'<b id=injected>&amp;</b>\'',
}
AFTER = '<p id="nkb-after">after</p>'


def page(fragment: str):
    """A page holding ``fragment`` and a paragraph after it, parsed as a browser parses it."""
    return lxml.html.document_fromstring(f"<!DOCTYPE html><html><head></head><body>{fragment}{AFTER}</body></html>")


def check_scripts(doc, expected: int) -> list:
    """The page kept ``expected`` script elements and the paragraph after them: the elements' texts."""
    scripts = doc.xpath("//script")
    assert len(scripts) == expected, [s.text[:80] for s in scripts]
    after = doc.xpath("//p[@id='nkb-after']")
    assert len(after) == 1 and after[0].text == "after", "the page after the script was swallowed"
    assert doc.xpath("//body/*")[-1] is after[0]
    assert not doc.xpath("//*[@id='injected'] | //b"), "an element came out of the data"
    return [s.text for s in scripts]


def check_attribute(element, name: str, value: str, names: set[str]) -> None:
    """``element`` has exactly the attributes ``names`` and ``name`` reads back as ``value``."""
    assert set(element.attrib) == names, sorted(element.attrib)
    assert element.get(name) == value


def test_the_parser_sees_a_script_swallow_the_page_as_a_browser_does():
    """The tests below are only as good as the parser: it must reproduce the bug on the old output."""
    assert lxml.etree.LIBXML_VERSION >= (2, 14)
    old = '<script type="application/ld+json">[{"claimReviewed":"<!--<script>"}]</script>'
    doc = page(old)
    assert len(doc.xpath("//script")) == 1 and not doc.xpath("//p[@id='nkb-after']")
    with pytest.raises(AssertionError, match="swallowed"):
        check_scripts(doc, 1)


# --------------------------------------------------------------------------------------------- the helper


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_script_json_gives_back_the_exact_value_and_cannot_end_the_element(text):
    from nkbook.present.templating import script_json

    value = {"plain": text, text: [text, 1, None, 2.5, {"nested": text}]}
    body = script_json(value)
    assert not set(body) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(body) == value
    assert json.loads(script_json(value, indent=1)) == value
    [got] = check_scripts(page(f'<script type="application/json">{body}</script>'), 1)
    assert json.loads(got) == value


def test_script_json_escapes_as_javascript_does_and_refuses_what_is_not_json():
    from nkbook.present.templating import script_json

    assert script_json({"b": "</script>", "a": "&\u2028"}) == '{"a":"\\u0026\\u2028","b":"\\u003c/script\\u003e"}'
    assert script_json(["Kursk, ‘Nordkorea’"]) == '["Kursk, ‘Nordkorea’"]'  # non-ASCII kept as it is
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            script_json({"n": bad})


# --------------------------------------------------------------------------------------------- a chart


def hostile_chart(text: str) -> dict:
    """The chart rules' good chart (tests/test_charts.py) with ``text`` as a source, title, subtitle
    and alt text."""
    chart = good_chart().properties(title=alt.Title(text, subtitle=text), description=text)
    chart.data = DATA.assign(source=[text, "S (2024)"])
    return chart.to_dict()


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_charts_text_from_the_data_stays_inside_its_figure(text):
    """A table cell that reaches a tooltip, a title, a subtitle and the alt text of a chart."""
    spec = hostile_chart(text)
    doc = page(charts.render_html(spec, caption="A caption."))
    [body] = check_scripts(doc, 1)
    drawn = json.loads(body)
    [rows] = drawn["datasets"].values()
    assert rows[0]["source"] == text
    [figure] = doc.xpath("//figure")
    assert figure.get("id").startswith("nkb-") and figure.xpath("string(p[@class='nkb-chart-title'])") == text
    assert figure.xpath("string(p[@class='nkb-chart-subtitle'])") == text
    [view] = doc.xpath("//div[@class='nkb-chart-view']")
    check_attribute(view, "aria-label", text, {"class", "role", "aria-label", "style"})
    [scroll] = doc.xpath("//div[@class='nkb-table-scroll']")
    check_attribute(scroll, "aria-label", f"Data behind the chart: {text}", {"class", "role", "tabindex", "aria-label"})
    assert text in doc.xpath("//table[@class='nkb-data-table']//td/text()")


# --------------------------------------------------------------------------------------------- the claims


@pytest.fixture(scope="module")
def register():
    return claims.register()


def hostile_essay(register, text: str) -> pd.DataFrame:
    """Essay B's first three claims, the first with ``text`` in every field of free text that a page shows."""
    essay = claim_pages.essay_claims("B", register).head(3).copy()
    first = essay.index[0]
    for column in ("paraphrase", "test", "justification", "topic", "claim_type", "title", "publisher", "label"):
        essay[column] = essay[column].astype(object)
        essay.loc[first, column] = text
    return essay


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_claimreview_json_ld_gives_back_the_claims_text(register, text):
    essay = hostile_essay(register, text)
    reviews = [schema_org.claim_review(row, "https://example.org/", "The authors") for _, row in essay.iterrows()]
    [body] = check_scripts(page(schema_org.jsonld_script(reviews)), 1)
    got = json.loads(body)
    assert got == reviews
    assert got[0]["claimReviewed"] == text and got[0]["itemReviewed"]["appearance"]["headline"] == text


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_page_of_claim_cards_keeps_its_script_its_cards_and_their_attributes(register, text):
    """The page ``{claim-cards} B`` writes: the list of cards, the cards and their JSON-LD."""
    essay = hostile_essay(register, text)
    doc = page(claim_pages.essay_page(essay))
    [body] = check_scripts(doc, 1)
    assert [r["claimReviewed"] for r in json.loads(body)] == list(essay["paraphrase"])
    cards = doc.xpath("//section[contains(@class, 'nkb-claim')]")
    assert len(cards) == 3
    card = cards[0]
    check_attribute(card, "data-essay", text, {"class", "id", "data-essay", "data-type", "data-then", "data-now"})
    assert card.get("data-type") == text and card.get("id") == "claim-" + essay["claim_id"].iloc[0].lower()
    assert card.xpath("string(h3)").endswith(" " + text)
    assert [a.get("href") for a in doc.xpath("//nav//a")] == ["#" + claim_pages.anchor(c) for c in essay["claim_id"]]


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_register_keeps_its_rows_filters_and_their_attributes(register, text):
    """The filterable register: the essay's label in the row's data-* and in a filter's option value."""
    essay = hostile_essay(register, text)
    doc = page(claim_pages.table(essay))
    check_scripts(doc, 0)
    rows = doc.xpath("//table[@id='nkb-register']/tbody/tr")
    assert len(rows) == 3
    check_attribute(rows[0], "data-essay", text, {"data-essay", "data-type", "data-then", "data-now"})
    options = doc.xpath("//select[@data-filter='essay']/option")
    assert text in [o.get("value") for o in options] and text in [o.text for o in options]
    assert set(options[1].attrib) == {"value"}


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_chapters_table_keeps_its_caption_and_cells(text):
    frame = pd.DataFrame({text: [text, "plain"]})
    doc = page(show_table(frame, caption=text).data)
    check_scripts(doc, 0)
    [frame_div] = doc.xpath("//div[@class='nkb-table-frame']")
    check_attribute(frame_div, "aria-label", text, {"class", "role", "tabindex", "aria-label"})
    assert doc.xpath("string(//caption)") == text
    assert doc.xpath("//th/text()") == [text] and doc.xpath("//td/text()")[0] == text


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_edition_line_links_to_any_repository_address_safely(tmp_path, monkeypatch, text):
    from nkbook.publish.sphinx_ext import edition_line

    for commit in ("0123456789abcdef" * 2 + "01234567", (text + " ") * 40):  # NKBOOK_COMMIT may say anything
        monkeypatch.setenv("NKBOOK_COMMIT", commit)
        doc = page(edition_line(tmp_path, "https://example.org/" + text))
        check_scripts(doc, 0)
        [link] = doc.xpath("//p[@class='nkb-version']/a")
        check_attribute(link, "href", f"https://example.org/{text}/commit/{commit}", {"href"})
        assert link.xpath("string(code)") == commit[:12]


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_sidebars_toggles_are_named_after_any_title_safely(text):
    """The repair that names a sidebar toggle copies a link's text into an attribute: text that
    the theme leaves with a ``"`` in it must not end the attribute."""
    from html import escape

    from nkbook.publish.sphinx_ext import accessible

    shown = escape(text, quote=False)  # as the theme writes a link's text: " and ' left as they are
    toggle = (
        f'<a class="reference internal" href="claims.html">{shown}</a><details><summary>'
        '<span class="toctree-toggle" role="presentation"></span></summary></details>'
    )
    doc = page(accessible(toggle))
    check_scripts(doc, 0)
    [summary] = doc.xpath("//summary")
    check_attribute(summary, "aria-label", f"Pages under {text}", {"aria-label"})


# --------------------------------------------------------------------------------------------- the book as stored and built

JSON_TYPES = ("application/json", "application/ld+json")


def check_page_scripts(html: str, where: str) -> int:
    """Every script element of a page (or a stored output) is whole: as many elements as the text
    opens, each JSON script free of ``<``, ``>``, ``&`` and the line separators, and valid JSON."""
    doc = lxml.html.document_fromstring(html) if "<html" in html[:500] else page(html)
    scripts = doc.xpath("//script")
    assert len(scripts) == html.lower().count("<script"), f"{where}: a script element swallowed another"
    for script in scripts:
        if script.get("type") in JSON_TYPES:
            text = script.text or ""
            assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}, f"{where}: raw text in a JSON script"
            json.loads(text)
    return len(scripts)


def test_every_script_in_the_stored_outputs_is_whole_and_escaped():
    """The charts in the chapters are their stored outputs (``text/html``), rendered at build time
    by :func:`nkbook.present.charts.render_html` into a ``<script type="application/json">``."""
    import nbformat

    found = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html")
                if html and "<script" in html:
                    found += check_page_scripts(html, path.name)
    assert found >= 25  # every chart of the book


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_every_script_of_the_built_pages_is_whole_and_escaped():
    pages = built_pages()
    json_scripts = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        check_page_scripts(text, str(path.relative_to(HTML)))
        json_scripts += sum(text.count(f'<script type="{t}"') for t in JSON_TYPES)
    assert json_scripts >= 28  # the charts and the three pages of claim cards


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_data_appendix_pages_download_link_keeps_its_address(text):
    """The page of a table links to its file by the ``path`` of the data package."""
    from nkbook.data import package
    from nkbook.present import appendix

    res = dict(next(r for r in package()["resources"] if r["name"] == "milestones"), path=text + ".csv")
    [line] = [line for line in appendix.page(res).split("\n") if line.startswith("<a href=")]
    doc = page(line)
    check_scripts(doc, 0)
    first = doc.xpath("//a")[0]
    check_attribute(first, "href", f"{appendix.DOWNLOADS}/{text}.csv", {"href", "download"})
    assert first.text == text + ".csv"
