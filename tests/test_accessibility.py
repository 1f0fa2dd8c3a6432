"""Automated accessibility check of every page: axe-core in headless Chromium.

Each page is opened as a reader sees it (charts drawn, every chart's data table unfolded, so the
tables are checked too) and axe-core's WCAG 2.0/2.1 A and AA rules and best practices are run on
it, in the theme's light mode and in its dark mode (where colour contrast differs). A page passes if
axe reports no violation of serious or critical impact. axe-core is the copy
that the pinned ``axe-playwright-python`` package ships (its version is asserted below).
"""

from __future__ import annotations

import pytest

from test_browser import browser, open_page, pages, server, wait_for_charts  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
BLOCKING = {"serious", "critical"}


def violations(page) -> list[dict]:
    results = axe_module.Axe().run(page, options={"resultTypes": ["violations"]})
    return results.response["violations"]


def describe(found: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes: {v['nodes'][0]['target']}): {v['help']}" for v in found
    )


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page_path", pages())
def test_page_has_no_serious_accessibility_issue(browser, server, page_path, mode):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, page_path, dark=mode == "dark")
    try:
        assert page.evaluate("() => document.documentElement.dataset.theme") == mode
        wait_for_charts(page)
        # the end state, not a fade-in: the theme animates the opacity of an unfolded code cell
        page.add_style_tag(
            content="*, *::before, *::after { animation: none !important; transition: none !important; }"
        )
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        found = violations(page)
        blocking = [v for v in found if v["impact"] in BLOCKING]
        assert blocking == [], f"{page_path}: {describe(blocking)}"
    finally:
        context.close()


def test_axe_is_the_pinned_version_and_catches_a_missing_label(browser, server):  # noqa: F811
    context, page, outside, errors = open_page(browser, server, "book/intro.html")
    try:
        assert page.evaluate(axe_module.Axe().axe_script + "; axe.version") == "4.12.1"
        page.evaluate(
            "() => { const i = document.createElement('input'); i.type = 'text'; document.body.appendChild(i); }"
        )
        ids = {v["id"]: v["impact"] for v in violations(page)}
        assert ids.get("label") in BLOCKING
    finally:
        context.close()
