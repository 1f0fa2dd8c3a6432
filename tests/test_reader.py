"""What a reader sees, tested in headless Chromium at a phone's, a tablet's and a desktop's size.

Release 1.0.0 passed every test of its machinery and still failed its readers: on a phone no claim
card showed its verdict (the badges sat off-screen), on a desktop the register cut off "Verdict now",
the menu buttons of phones did nothing, and dark mode painted light text on light boxes. These
tests check those outcomes themselves:

* every verdict badge, and every cell of the register, lies inside the screen and is not clipped
  by a scrolling or hidden-overflow ancestor, at 390, 768 and 1280 px, on every page that shows one;
* the navigation drawers ("Site navigation", "On this page") open on a phone and a tablet;
* the register's filters live in the page's address, come back with the Back button, search the
  paraphrases, filter by both verdicts, and say so when nothing matches;
* the header's ".pdf" entry leads to the PDF edition; every page has a description, Open Graph and
  Twitter card metadata and a favicon, and the sitemap lists every page.

axe-core in dark mode is in ``test_accessibility.py``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import HTML, ROOT, built_pages
from test_browser import browser, open_page, server  # noqa: F401 (fixtures)

VIEWPORTS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1280, 800)}
built = pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")


def pages_with(marker: str) -> list[str]:
    return [str(p.relative_to(HTML)) for p in built_pages() if marker in p.read_text(encoding="utf-8")]


#: Elements (by selector) that are outside the screen or clipped by an ancestor that scrolls or
#: hides its overflow. Rows hidden by a filter, folded content and a table header kept for screen
#: readers only are not shown and not counted.
OUT_OF_SIGHT = """(selector) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  let shown = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden], details:not([open])')) { continue; }
    const head = el.closest('thead');  // a header kept only for screen readers (a 1 px box on phones)
    if (head && head.getBoundingClientRect().width <= 1) { continue; }
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) { continue; }
    shown += 1;
    let why = null;
    if (r.left < -0.5 || r.right > width + 0.5) { why = `outside the screen (${Math.round(r.left)} to ${Math.round(r.right)} of ${width} px)`; }
    for (let a = el.parentElement; a && !why; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (/(hidden|auto|scroll|clip)/.test(style.overflowX)) {
        const box = a.getBoundingClientRect();
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5) { why = `clipped by <${a.tagName.toLowerCase()} class="${a.className}">`; }
      }
    }
    if (why) {
      const where = el.closest('[id]');
      found.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" in #${where ? where.id : '?'}: ${why}`);
    }
  }
  return {shown, found};
}"""

VERDICTS = ".nkb-verdict, .nkb-register th, .nkb-register td"


@built
@pytest.mark.browser
@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("page_path", pages_with("nkb-verdict"))
def test_every_verdict_is_in_sight(browser, server, page_path, size):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, page_path, viewport=VIEWPORTS[size])
    try:
        result = page.evaluate(OUT_OF_SIGHT, VERDICTS)
        assert result["shown"] > 0, f"{page_path}: no verdict shown"
        assert result["found"] == [], (
            f"{page_path} at {size} ({len(result['found'])} of {result['shown']}): " + "; ".join(result["found"][:5])
        )
    finally:
        context.close()


@built
@pytest.mark.browser
def test_the_register_shows_both_verdicts_and_the_confidence_for_every_claim(browser, server):  # noqa: F811
    from nkbook.analysis import claims

    register = claims.register().set_index("claim_id")
    for size in ("phone", "desktop"):
        context, page, outside, errors = open_page(browser, server, "book/claims.html", viewport=VIEWPORTS[size])
        try:
            rows = page.evaluate("""() => [...document.querySelectorAll('#nkb-register tbody tr')].map(tr => ({
                id: tr.querySelector('td a').textContent.trim(),
                verdicts: [...tr.querySelectorAll('.nkb-verdict')].map(b => b.innerText.trim()),
                confidence: tr.querySelector('.nkb-register-confidence').innerText.replace('Confidence:', '').trim()}))""")
            assert len(rows) == len(register) == 90
            for row in rows:
                claim = register.loc[row["id"]]
                assert row["verdicts"] == [claim["verdict_at_publication"], claim["verdict_at_cutoff"]], row
                expected = claim["confidence"] if isinstance(claim["confidence"], str) else "–"
                assert row["confidence"] == expected, row
        finally:
            context.close()


@built
@pytest.mark.browser
@pytest.mark.parametrize("size", ["phone", "tablet"])
@pytest.mark.parametrize(
    "toggle, dialog, expect",
    [
        ("primary-toggle", "pst-primary-sidebar-modal", "Claims and verdicts"),
        ("secondary-toggle", "pst-secondary-sidebar-modal", "Killed and wounded"),
    ],
)
def test_navigation_drawers_open_on_small_screens(browser, server, size, toggle, dialog, expect):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, "book/troops.html", viewport=VIEWPORTS[size])
    try:
        buttons = page.locator(f"button.{toggle}")
        visible = [b for b in buttons.all() if b.is_visible()]
        assert len(visible) == 1, f"{len(visible)} visible {toggle} buttons"
        visible[0].click()
        drawer = page.locator(f"#{dialog}")
        drawer.wait_for(state="visible", timeout=5_000)
        assert drawer.evaluate("d => d.open") is True
        assert drawer.get_by_text(expect).first.is_visible()
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => !document.getElementById('{dialog}').open", timeout=5_000)
        assert errors == []
    finally:
        context.close()


@built
@pytest.mark.browser
def test_the_desktop_menu_button_folds_the_sidebar(browser, server):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, "book/troops.html", viewport=VIEWPORTS["desktop"])
    try:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        [button] = [b for b in page.locator("button.primary-toggle").all() if b.is_visible()]
        button.click()
        page.wait_for_function(
            "() => document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')",
            timeout=5_000,
        )
        assert not page.locator("#pst-primary-sidebar-modal").evaluate("d => d.open")
    finally:
        context.close()


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def _visible_ids(page) -> list[str]:
    return page.locator("#nkb-register tbody tr:not([hidden]) td:first-child a").all_inner_texts()


@built
@pytest.mark.browser
def test_register_filters_live_in_the_address_and_survive_back(browser, server):  # noqa: F811
    from nkbook.analysis import claims

    register = claims.register()
    context, page, outside, errors = open_page(browser, server, "book/claims.html")
    try:
        count = page.locator(".nkb-filter-count")
        page.select_option("select[data-filter=essay]", "B")
        assert count.inner_text() == f"{(register['label'] == 'B').sum()} of 90 claims" == "37 of 90 claims"
        assert _query(page) == {"essay": "B"}
        page.select_option("select[data-filter=now]", "contradicted")
        assert _visible_ids(page) == ["B04", "B12", "B33", "B34"]
        assert _query(page) == {"essay": "B", "now": "contradicted"}
        page.go_back()
        page.wait_for_function("() => document.querySelector('select[data-filter=now]').value === ''")
        assert count.inner_text() == "37 of 90 claims"
        # the verdict as of publication is a filter too
        then = register[register["verdict_at_publication"] == "Not enough evidence"]
        page.select_option("select[data-filter=essay]", "")
        page.select_option("select[data-filter=then]", "not-enough-evidence")
        assert _visible_ids(page) == list(then["claim_id"])
        assert errors == [], errors
    finally:
        context.close()
    # a shared address opens the same view
    context, page, outside, errors = open_page(browser, server, "book/claims.html?essay=C&now=supported")
    try:
        expected = register[(register["label"] == "C") & (register["verdict_at_cutoff"] == "Supported")]["claim_id"]
        assert _visible_ids(page) == list(expected) and len(expected) > 0
        assert page.locator("select[data-filter=essay]").input_value() == "C"
        assert errors == [], errors
    finally:
        context.close()


@built
@pytest.mark.browser
def test_register_search_and_no_match(browser, server):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, "book/claims.html")
    try:
        search = page.locator("input[data-filter=q]")
        search.fill("double freeze")
        assert _visible_ids(page) == ["B12"]
        search.fill("b3")  # a claim id
        assert _visible_ids(page) == ["B30", "B31", "B32", "B33", "B34", "B35", "B36", "B37"]
        none = page.locator(".nkb-filter-none")
        assert not none.is_visible()
        search.fill("no claim says this xyzzy")
        assert _visible_ids(page) == []
        assert none.is_visible() and "No claims match" in none.inner_text()
        page.get_by_role("button", name="Show all claims").click()
        assert len(_visible_ids(page)) == 90 and search.input_value() == ""
        assert not none.is_visible()
        page.wait_for_function("() => location.search === ''")
    finally:
        context.close()


@built
@pytest.mark.browser
@pytest.mark.parametrize("page_path", ["book/claims-a.html", "book/claims-b.html", "book/claims-c.html"])
def test_card_pages_list_their_cards_first(browser, server, page_path):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, page_path, viewport=VIEWPORTS["phone"])
    try:
        links = page.locator(".nkb-claim-index a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        cards = page.locator(".nkb-claim").evaluate_all("cs => cs.map(c => '#' + c.id)")
        assert links == cards and len(cards) > 15
        page.locator(".nkb-claim-index a").nth(3).click()
        target = cards[3]
        page.wait_for_function(f"() => location.hash === '{target}'")
        top = page.locator(target).evaluate("c => c.getBoundingClientRect().top")
        assert 0 <= top < 200
    finally:
        context.close()


# -- pages without a browser -------------------------------------------------------------------


@built
def test_the_pdf_button_opens_the_pdf_edition():
    from nkbook.publish.pdf import PDF_NAME

    for page in built_pages():
        text = page.read_text(encoding="utf-8")
        if "btn-download-pdf-button" not in text:
            continue
        assert "window.print()" not in text, page.name
        button = re.search(r'<a href="([^"]+)"[^>]*class="[^"]*btn-download-pdf-button', text)
        assert button, page.name
        assert (page.parent / button.group(1)).resolve() == (HTML / "_static" / "downloads" / PDF_NAME).resolve()


@built
def test_every_page_has_social_metadata_and_a_favicon():
    from nkbook.core.releases import edition_url

    base = edition_url(root=ROOT)  # this edition's own address: <html.baseurl><version>/
    for page in built_pages():
        if page.name in ("genindex.html", "search.html"):  # Sphinx's own index and search pages
            continue
        text = page.read_text(encoding="utf-8")
        meta = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', text))
        name = page.relative_to(HTML).as_posix()
        assert meta.get("og:url") == base + name, name
        assert meta.get("og:title") and len(meta.get("og:description", "")) > 40, name
        assert meta["og:site_name"].startswith("North Korea and Russia"), name
        assert meta.get("description") == meta["og:description"], name
        assert meta.get("twitter:card") == "summary", name
        assert re.search(r'<link rel="icon" href="[^"]*_static/favicon\.svg"', text), name
    assert (HTML / "_static" / "favicon.svg").is_file()


@built
def test_the_sitemap_lists_every_page():
    from nkbook.core.releases import edition_url

    base = edition_url(root=ROOT)
    listed = re.findall(r"<loc>([^<]+)</loc>", (HTML / "sitemap.xml").read_text(encoding="utf-8"))
    assert listed == sorted(set(listed))
    pages = [
        base + p.relative_to(HTML).as_posix() for p in built_pages() if p.name not in ("genindex.html", "search.html")
    ]
    assert sorted(pages) == listed
    assert "lastmod" not in (HTML / "sitemap.xml").read_text()  # no dates: builds stay byte-identical


def test_chapters_fold_their_code_and_show_no_raw_values():
    """A reader opens a chapter on prose, not on code or a Python dictionary: every code cell is
    folded or removed, and no cell's only output is the plain-text repr of a value."""
    import json

    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            tags = set(cell["metadata"].get("tags", []))
            assert tags & {"hide-input", "remove-input", "remove-cell"}, (
                f"{path.name} {cell['id']}: code shown unfolded"
            )
            if "remove-cell" in tags:
                continue
            for out in cell.get("outputs", []):
                if out["output_type"] == "execute_result":
                    assert set(out["data"]) - {"text/plain"}, (
                        f"{path.name} {cell['id']}: a raw value as output: {out['data']['text/plain'][:80]}"
                    )


@built
def test_every_chapter_table_has_a_caption_above_it():
    from bs4 import BeautifulSoup

    missing = []
    for page in built_pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("div.cell_output table"):
            if table.find_parent(class_="nkb-chart"):  # a chart's data table, named by the chart
                continue
            caption = table.find("caption")
            if caption is None or len(caption.get_text(strip=True)) < 10:
                missing.append(
                    f"{page.relative_to(HTML)}: {' | '.join(th.get_text(strip=True) for th in table.select('th')[:4])}"
                )
    assert missing == []
