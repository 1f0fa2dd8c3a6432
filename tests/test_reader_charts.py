"""What a reader sees of the charts, in headless Chromium with the network refused.

On every page with charts, at a phone's (390x844), a tablet's (768x1024) and a desktop's
(1280x800) viewport, opened at a deep link to its last chart:

* every drawn chart lies within its ``.nkb-chart`` box and within the viewport across (nothing
  clipped, no legend or axis cut off), and its legends are drawn wherever the desktop's are;
* nothing moves once the page is shown (cumulative layout shift under 0.05);
* vega writes no warning or error to the console;
* a window widened from 390 to 1280 pixels re-lays out every chart at the new width, as a
  fresh load at 1280 draws it.

Then: the buttons under a chart download it as PNG and SVG and its data as CSV, and clicking a
legend entry of a chart whose legend filters shows that entry alone.

``NKBOOK_TEST_HTML`` serves another built book (e.g. release 1.0.0's, to show that these tests
fail on it).
"""

from __future__ import annotations

import re

import pytest

from conftest import HTML
from test_browser import browser, refuse_outside, server  # noqa: F401  (the shared fixtures)

ROOT = HTML
pytestmark = pytest.mark.browser
if not (ROOT / "index.html").is_file():
    pytestmark = [
        pytest.mark.browser,
        pytest.mark.skip(reason="no built book: run `make book` first (`make test` does)"),
    ]
playwright = pytest.importorskip("playwright.sync_api")

VIEWPORTS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1280, 800)}


def chart_pages() -> list[str]:
    if not ROOT.is_dir():
        return []
    return sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.html")
        if "_static" not in p.parts and 'class="nkb-chart"' in p.read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module")
def site(server):  # noqa: F811
    return server


@pytest.fixture(scope="module")
def context(browser):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block", accept_downloads=True)
    yield ctx
    ctx.close()


class Reader:
    """A page opened as a reader opens it, with what the console said and what was refused."""

    def __init__(self, context, site, path, size):
        self.page = context.new_page()
        self.page.set_viewport_size({"width": size[0], "height": size[1]})
        self.messages, self.outside = [], []
        refuse_outside(self.page, site, self.outside)
        self.page.on(
            "console", lambda m: self.messages.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None
        )
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        # Layout shifts of the article, counted from the first paint (buffered entries included): a
        # shift counts if something in the article moved. The theme scrolls its sidebar to the
        # current page after the first paint, which Chromium reports as a shift of the sidebar's lists
        # (0.07 on a long page at 1280 px); that is not the charts' doing and is left out here.
        self.page.add_init_script("""
            window.__shift = 0;
            const moved = s => s.node && s.node.closest && s.node.closest('.bd-article') &&
              (s.previousRect.x !== s.currentRect.x || s.previousRect.y !== s.currentRect.y ||
               s.previousRect.width !== s.currentRect.width || s.previousRect.height !== s.currentRect.height);
            new PerformanceObserver(l => { for (const e of l.getEntries()) {
              if (!e.hadRecentInput && (e.sources || []).some(moved)) { window.__shift += e.value; } } })
              .observe({type: 'layout-shift', buffered: true});""")
        self.page.goto(f"{site}/{path}", wait_until="load")
        n = self.page.locator(".nkb-chart").count()
        self.page.wait_for_function(
            "n => document.querySelectorAll('.nkb-chart.nkb-drawn').length === n", arg=n, timeout=30_000
        )
        self.page.wait_for_timeout(700)  # a resize re-draw is debounced; let late shifts and messages show

    def boxes(self) -> list[dict]:
        """Each chart: its box, its drawn SVG's box, its legends' boxes, and the viewport's width."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.nkb-chart')].map(f => {
            const r = e => { const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, width: b.width}; };
            const svg = f.querySelector('.nkb-chart-view svg');
            return {id: f.id, figure: r(f), svg: svg ? r(svg) : null,
                    legends: svg ? [...svg.querySelectorAll('.role-legend')].map(r) : [],
                    axes: svg ? [...svg.querySelectorAll('.role-axis')].map(r) : [],
                    viewport: document.documentElement.clientWidth};
        })""")

    def shift(self) -> float:
        return self.page.evaluate("() => window.__shift")

    def close(self):
        self.page.close()


def misfits(boxes: list[dict]) -> list[str]:
    found = []
    for b in boxes:
        if b["svg"] is None:
            found.append(f"{b['id']}: not drawn")
            continue
        f = b["figure"]
        for what, items in (("chart", [b["svg"]]), ("legend", b["legends"]), ("axis", b["axes"])):
            for box in items:
                if box["left"] < f["left"] - 1 or box["right"] > f["right"] + 1:
                    found.append(
                        f"{b['id']}: {what} {box['left']:.0f}–{box['right']:.0f} outside its box {f['left']:.0f}–{f['right']:.0f}"
                    )
                elif box["left"] < -1 or box["right"] > b["viewport"] + 1:
                    found.append(
                        f"{b['id']}: {what} {box['left']:.0f}–{box['right']:.0f} outside the viewport 0–{b['viewport']}"
                    )
    return found


def last_chart(path: str) -> str:
    """The id of the last chart of a page, read from the built file."""
    return re.findall(r'<figure class="nkb-chart" id="(nkb-[0-9a-f]{16})"', (ROOT / path).read_text(encoding="utf-8"))[
        -1
    ]


@pytest.mark.parametrize("path", chart_pages())
def test_charts_fit_every_screen_and_a_widened_window(context, site, path):
    problems, legends, wide = [], {}, {}
    for name in ("desktop", "tablet", "phone"):
        size = VIEWPORTS[name]
        deep = path + "#" + last_chart(path)
        reader = Reader(context, site, deep, size)
        try:
            boxes = reader.boxes()
            problems += [f"{name}: {p}" for p in misfits(boxes)]
            counts = {b["id"]: len(b["legends"]) for b in boxes}
            if name == "desktop":
                legends, wide = counts, {b["id"]: b["svg"]["width"] for b in boxes if b["svg"]}
            else:
                problems += [
                    f"{name}: {i}: {counts.get(i, 0)} legends drawn, {n} on a desktop"
                    for i, n in legends.items()
                    if counts.get(i, 0) < n
                ]
            shift = reader.shift()
            if shift >= 0.05:
                problems.append(f"{name}: layout shift {shift:.3f} on a deep link to the last chart")
            problems += [f"{name}: console: {m}" for m in reader.messages]
            assert reader.outside == []
            if name == "phone":  # widen the window: every chart is drawn again at the new width
                reader.page.set_viewport_size({"width": 1280, "height": 800})
                reader.page.wait_for_timeout(1200)
                after = reader.boxes()
                problems += [f"widened to 1280: {p}" for p in misfits(after)]
                for b in after:
                    if b["svg"] and abs(b["svg"]["width"] - wide[b["id"]]) > 2:
                        problems.append(
                            f"widened to 1280: {b['id']} is {b['svg']['width']:.0f} px wide, "
                            f"{wide[b['id']]:.0f} px when loaded at 1280"
                        )
        finally:
            reader.close()
    assert problems == [], f"{path}:\n" + "\n".join(problems)


def test_a_chart_downloads_as_png_svg_and_csv(context, site, tmp_path):
    reader = Reader(context, site, "book/sanctions.html", VIEWPORTS["desktop"])
    try:
        figure = reader.page.locator(".nkb-chart").first
        cid = figure.get_attribute("id")
        got = {}
        for kind in ("png", "svg", "csv"):
            with reader.page.expect_download(timeout=10_000) as info:
                figure.locator(f"button[data-nkb-download={kind}]").click()
            download = info.value
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            got[kind] = target
        assert got["png"].name == f"{cid}.png" and got["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert got["png"].stat().st_size > 10_000
        svg = got["svg"].read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<text" in svg
        lines = got["csv"].read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        assert header[0] == "Document" and header[-1] == "Source"
        rows = figure.locator(".nkb-data-table tbody tr").count()
        assert len(lines) == rows + 1  # the same rows as the data table under the chart
        link = figure.locator("a.nkb-chart-permalink")
        assert link.get_attribute("href") == f"#{cid}"
        assert reader.messages == []
    finally:
        reader.close()


def test_a_legend_click_shows_one_estimator(context, site):
    reader = Reader(context, site, "book/troops.html", VIEWPORTS["desktop"])
    try:
        figure = reader.page.locator(".nkb-chart").first
        opacities = """f => [...f.querySelectorAll('.nkb-chart-view svg .mark-symbol.role-mark path')].map(p =>
            getComputedStyle(p).opacity === '1' ? Number(p.getAttribute('opacity') ?? p.getAttribute('fill-opacity') ?? 1) : Number(getComputedStyle(p).opacity))"""
        before = figure.evaluate(opacities)
        assert before and len(set(before)) == 1
        entry = figure.locator(".nkb-chart-view svg .role-legend .role-legend-symbol path").first
        entry.click(force=True)
        reader.page.wait_for_timeout(400)
        after = figure.evaluate(opacities)
        assert len(set(after)) == 2 and min(after) < 0.5 < max(after), "a legend click changed nothing"
        assert sum(a > 0.5 for a in after) < len(after)
    finally:
        reader.close()
