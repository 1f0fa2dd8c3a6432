"""Every page of the built book, opened in headless Chromium with the network refused.

Checks, page by page: no request leaves the machine (the book is served on 127.0.0.1 and any
other request is recorded and aborted; Chromium's resolver maps every other host to nothing as
a second line), no script error, and every chart container was drawn by vega-embed (an SVG or
canvas inside ``.nkb-chart-view``, not only the static fallback). One chart is hovered to show
that its tooltip names a source.
"""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlsplit

import pytest

from conftest import HTML, built_pages
from nkbook.publish.browser import LAUNCH_ARGS, NoChromium, chromium

pytestmark = pytest.mark.browser
if not (HTML / "index.html").is_file():
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(reason="no built book: run `make book` first (`make test` does)"),
    ]
playwright = pytest.importorskip("playwright.sync_api")


def pages(redirects: bool = False) -> list[str]:
    return [str(p.relative_to(HTML)) for p in built_pages(redirects)]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    try:
        executable = chromium()
    except NoChromium as exc:
        pytest.fail(str(exc))
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(executable),
            args=[*LAUNCH_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        yield b
        b.close()


def refuse_outside(target, server: str, outside: list) -> None:
    """Let ``target`` (a browser context or a page) reach only the served book: any other request
    is recorded in ``outside`` and aborted."""
    local = urlsplit(server).netloc

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == local:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    target.route("**/*", route)


def open_page(browser, server, page_path, viewport=(1100, 900), dark=False, console=None):
    """Open a page of the served book in a new context; (context, page, outside requests, errors).

    ``dark`` opens it in the theme's dark mode; ``console``, a list, collects the console's
    warnings and errors."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        service_workers="block",
        color_scheme="dark" if dark else "light",
    )
    if dark:
        context.add_init_script("localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');")
    outside, errors = [], []
    local = urlsplit(server).netloc
    refuse_outside(context, server, outside)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: None if urlsplit(r.url).netloc != local else errors.append(f"failed: {r.url}"))
    if console is not None:
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    page.goto(f"{server}/{page_path}", wait_until="load")
    return context, page, outside, errors


def wait_for_charts(page) -> int:
    """Wait until vega-embed has drawn every chart of the page; the number of charts."""
    n_charts = page.locator(".nkb-chart").count()
    if n_charts:
        page.wait_for_function(
            "n => document.querySelectorAll('.nkb-chart.nkb-drawn').length === n", arg=n_charts, timeout=30_000
        )
    return n_charts


@pytest.mark.parametrize("page_path", pages())
def test_page_draws_its_charts_offline(browser, server, page_path):
    console = []
    context, page, outside, errors = open_page(browser, server, page_path, console=console)
    try:
        wait_for_charts(page)
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.nkb-chart')].map(f => "
            "f.querySelectorAll('.nkb-chart-view svg, .nkb-chart-view canvas').length)"
        )
        assert all(n > 0 for n in drawn), f"{page_path}: charts not drawn: {drawn}"
        page.wait_for_timeout(300)  # let late requests show
        assert outside == [], f"{page_path} tried to reach the network: {outside}"
        assert errors == [], f"{page_path}: {errors}"
        assert console == [], f"{page_path} wrote warnings or errors to the console: {console}"
    finally:
        context.close()


@pytest.mark.parametrize("page_path", pages(redirects=True))
def test_redirect_lands_on_a_page(browser, server, page_path):
    context, page, outside, errors = open_page(browser, server, page_path)
    try:
        page.wait_for_url("**/book/intro.html", timeout=10_000)
        page.wait_for_load_state("load")
        assert page.locator("h1").first.inner_text().startswith("North Korea and Russia")
        assert outside == [] and errors == []
    finally:
        context.close()


def test_the_sanctions_chapter_has_its_charts(browser, server):
    context, page, outside, errors = open_page(browser, server, "book/sanctions.html")
    try:
        assert page.locator(".nkb-chart").count() == 6
        page.wait_for_function("() => document.querySelectorAll('.nkb-chart.nkb-drawn').length === 6", timeout=30_000)
        # Hovering a mark shows a tooltip that names the source.
        first = page.locator(".nkb-chart").first
        first.scroll_into_view_if_needed()
        mark = first.locator(".nkb-chart-view svg path.mark-symbol, .nkb-chart-view svg .mark-symbol path").first
        mark.hover(force=True)
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=10_000)
        assert "Source" in tooltip.inner_text()
    finally:
        context.close()


def test_the_register_filters_by_essay_and_verdict(browser, server):
    context, page, outside, errors = open_page(browser, server, "book/claims.html")
    try:
        count = page.locator(".nkb-filter-count")
        assert count.inner_text() == "90 of 90 claims"
        page.select_option("select[data-filter=essay]", "B")
        assert count.inner_text() == "37 of 90 claims"
        page.select_option("select[data-filter=now]", "contradicted")
        assert count.inner_text() == "4 of 90 claims"
        visible = page.locator("#nkb-register tbody tr:not([hidden]) td:first-child a").all_inner_texts()
        assert visible == ["B04", "B12", "B33", "B34"]
        # A claim's number leads to its card on the essay's page.
        page.locator("#nkb-register a[href$='#claim-b12']").click()
        page.wait_for_url("**/book/claims-b.html#claim-b12")
        assert "double freeze" in page.locator("#claim-b12").inner_text()
        assert outside == [] and errors == []
    finally:
        context.close()
