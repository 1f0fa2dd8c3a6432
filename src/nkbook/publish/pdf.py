"""The PDF edition: the whole book on one HTML page, printed by headless Chromium, charts drawn.

``python -m nkbook.publish.pdf`` (run by ``make book`` after the HTML build, see :mod:`nkbook.publish.build`):

1. Jupyter Book's ``singlehtml`` builder writes every chapter into one page
   (``_build/singlehtml/edition.html``), taking the chapters' outputs from the execution
   cache that the HTML build has just filled; the print stylesheet
   (``static/nkbook-print.css``) is set into that page's head, so it holds from the first layout;
2. Chromium (Debian's, driven by Playwright, with every request outside the page's folder
   refused) opens it with print media and a window as wide as the A4 column
   (:data:`COLUMN_PX`), so that the charts draw at the width they are printed at (a chart
   drawn wider, a faceted one of fixed width, is scaled down by the stylesheet: SVG scales);
   it waits until every chart has been drawn by vega-embed (and stops if a chart still runs past
   the column; a chart not drawn within :data:`CHART_TIMEOUT_MS`, or Chromium failing at any
   step, is a :class:`PdfError` naming the page, the step and each chart not drawn, never a
   Playwright traceback), moves each chapter's headings one level up (the single page nests the chapters
   under the front page's title), and prints the page to A4 with page numbers, an outline
   (bookmarks: chapters at its first level, their sections below) and tags;
3. the dates are set with pikepdf (which rewrites the cross-reference table: editing the bytes
   in place would break it), the document ID is derived from the content, and the PDF is
   written to ``_build/html/_static/downloads/`` (:data:`PDF_NAME`), where the book links to
   it, through a temporary file. The outline takes the headings' text from the page (Chromium's
   titles lose the space where a heading wraps and sometimes repeat a line).

The edition line (version, evidence cut-off, commit) is set under the title, and links into the
book's own files are made anchors within the PDF (or plain text), never addresses on the
machine that built it. The execution report is
left out: it records when and how long each chapter ran, which differs from build to build, and
without it two builds of the same sources give the same PDF, byte for byte (Chromium's printing
is deterministic once the creation and modification dates are fixed, here to the evidence cut-off,
and the document ID is a digest of the content).
Nothing reaches the network.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from nkbook.core.paths import project_root
from nkbook.data import package
from nkbook.present.templating import STATIC
from nkbook.publish.browser import LAUNCH_ARGS, NoChromium, chromium

PDF_NAME = "north-korea-russia-war-book.pdf"
PRINT_CSS = STATIC / "nkbook-print.css"
# A4's page margins (top, right, bottom, left, in mm), the same as in the print stylesheet's @page.
MARGIN_MM = {"top": 16, "right": 14, "bottom": 18, "left": 14}
# The A4 column in CSS pixels (96 per inch): the window's width while the charts draw.
COLUMN_PX = round((210 - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)


PREPARE_JS = """() => {
  document.querySelectorAll('a[href="#document-book/execution"]').forEach(a => a.closest('li').remove());
  const report = document.getElementById('execution-report');
  if (report) { (report.closest('[id^="document-"]') || report).remove(); }
  const edition = document.querySelector('.nkb-version');
  const title = document.querySelector('h1');
  if (edition && title) { title.after(edition.cloneNode(true)); }
  // Links into the book's own files would print as file:// addresses of the build machine: a
  // link to a place in this document becomes an anchor, any other loses its address.
  document.querySelectorAll('a[href]').forEach(a => {
    const url = new URL(a.getAttribute('href'), document.baseURI);
    if (url.protocol !== 'file:') { return; }
    const id = decodeURIComponent(url.hash.slice(1));
    if (id && document.getElementById(id)) { a.setAttribute('href', '#' + id); } else { a.removeAttribute('href'); }
  });
  // The single page nests every chapter under the front page's title, one heading level down:
  // a chapter's title is an h2 there. Each heading of a chapter goes one level up (once, however
  // deep the chapter's own sections nest), so the outline lists the chapters at its first level.
  const headings = new Set();
  document.querySelectorAll('span[id^="document-book/"]:not([id="document-book/intro"]) + section').forEach(section => {
    section.querySelectorAll('h2, h3, h4, h5, h6').forEach(h => headings.add(h));
  });
  headings.forEach(h => {
    const up = document.createElement('h' + (Number(h.tagName[1]) - 1));
    for (const attr of h.attributes) { up.setAttribute(attr.name, attr.value); }
    while (h.firstChild) { up.appendChild(h.firstChild); }
    h.replaceWith(up);
  });
  // A table's code (table and column names) may break after an underscore, never inside a word.
  document.querySelectorAll('.bd-article table code').forEach(code => {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) { texts.push(walker.currentNode); }
    texts.filter(t => t.data.includes('_')).forEach(t => {
      const parts = t.data.split('_');
      const pieces = document.createDocumentFragment();
      parts.forEach((part, i) => {
        if (i < parts.length - 1) { pieces.append(part + '_', document.createElement('wbr')); } else { pieces.append(part); }
      });
      t.replaceWith(pieces);
    });
  });
}"""

# Charts whose drawing, and tables that are, wider than the column even after the stylesheet (an
# empty list when everything fits): a check before printing. A table is named by its section.
OVERFLOW_JS = """() => [...document.querySelectorAll('.nkb-chart, .bd-article table')].filter(fig => {
  const box = fig.matches('table') ? fig : fig.querySelector('.nkb-chart-view svg');
  if (!box) { return false; }
  const col = fig.closest('article, .bd-article, body').getBoundingClientRect();
  const edges = box.getBoundingClientRect();
  return edges.right > col.right + 1 || edges.left < col.left - 1;
}).map(fig => fig.matches('table') ? 'a table in ' + (fig.closest('section[id]') || {id: '?'}).id : fig.id)"""


# The headings Chromium makes the outline of, in document order, as a reader sees them.
HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')]
  .filter(h => h.getClientRects().length > 0)
  .map(h => h.innerText.replace(/\\s+/g, ' ').trim())"""


# The charts not drawn (yet), each as its id and title: what a PDF error names.
UNDRAWN_JS = """() => [...document.querySelectorAll('.nkb-chart:not(.nkb-drawn)')].map(fig => {
  const title = fig.querySelector('.nkb-chart-title');
  return fig.id + (title ? ' (' + title.textContent.trim() + ')' : '');
})"""

#: How long the charts of the single page may take to draw, in milliseconds (all of them together),
#: before the PDF edition is given up as not made.
CHART_TIMEOUT_MS = 120_000


class PdfError(RuntimeError):
    """The PDF edition could not be made."""


def with_print_css(html: str, css: str) -> str:
    """The page with the print stylesheet as the last style of its head."""
    head_end = html.find("</head>")
    if head_end < 0:
        raise PdfError("the single page has no </head>")
    css = css.replace("</", "<\\/")  # nothing in a stylesheet may close the element early
    return html[:head_end] + f'<style id="nkb-print-css">\n{css}</style>\n' + html[head_end:]


def single_page(root: Path) -> Path:
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", "-W", "-n", "--keep-going", "--builder", "singlehtml", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    page = root / "_build" / "singlehtml" / "book" / "intro.html"
    if result.returncode != 0 or not page.is_file():
        raise PdfError("the single-page build failed:\n" + (result.stdout[-3000:] + result.stderr[-3000:]))
    # Sphinx writes the page into book/ but links its scripts and styles as if it were at the
    # top of the folder: a copy there finds them.
    top = page.parent.parent / "edition.html"
    top.write_text(
        with_print_css(page.read_text(encoding="utf-8"), PRINT_CSS.read_text(encoding="utf-8")), encoding="utf-8"
    )
    return top


def pdf_date(cutoff: str) -> str:
    """A PDF date (``D:YYYYMMDDHHmmSSZ``) at midnight UTC of an ISO day."""
    return "D:" + cutoff.replace("-", "") + "000000Z"


def _squeezed(text: str) -> str:
    return "".join(str(text).split())


def outline_items(doc) -> list:
    """The outline's items (pikepdf dictionaries) in document order, each before its children."""
    items, stack = [], []
    node = doc.Root.get("/Outlines")
    node = node.get("/First") if node is not None else None
    while node is not None or stack:
        if node is None:
            node = stack.pop()
            continue
        items.append(node)
        stack.append(node.get("/Next"))
        node = node.get("/First")
    return items


def retitle(doc, headings: list[str]) -> int:
    """Give the outline the headings' text; the number of titles changed.

    Chromium builds an item's title from the heading's painted lines: it drops the space where a
    line wraps and, for some headings, repeats a line. An item takes the heading's text when they
    are the same apart from that: the same characters at both ends once spaces are removed."""
    import pikepdf

    items = outline_items(doc)
    if len(items) != len(headings):
        return 0
    changed = 0
    for item, text in zip(items, headings):
        old, new = _squeezed(item.get("/Title", "")), _squeezed(text)
        if old != new and new and old.startswith(new[:12]) and old.endswith(new[-6:]):
            item.Title = pikepdf.String(text)
            changed += 1
        elif old == new and str(item.get("/Title", "")) != text:
            item.Title = pikepdf.String(text)
            changed += 1
    return changed


def _attribute_dicts(elem) -> list:
    import pikepdf

    attrs = elem.get("/A")
    if attrs is None:
        return []
    if isinstance(attrs, pikepdf.Array):
        return [a for a in attrs if isinstance(a, pikepdf.Dictionary)]
    return [attrs] if isinstance(attrs, pikepdf.Dictionary) else []


def renumber_ids(doc) -> int:
    """Give the structure elements' IDs numbers in the order of the elements; how many were renamed.

    Chromium names a tagged element after its DOM node's number (``node00000872``), and that
    number depends on how many nodes were numbered before, which a stray script can change from
    one run to the next: two prints of the same page then differ in every ID after it (the IDs
    are the ``/Headers`` by which a table's cells name their header cells). The names are
    renumbered by the element's position (its object number, which follows the document) and the
    ID tree is rewritten in the new names' order."""
    import pikepdf

    root = doc.Root.get("/StructTreeRoot")
    tree = root.get("/IDTree") if root is not None else None
    if tree is None:
        return 0
    pairs: list[tuple[str, object]] = []

    def walk(node) -> None:
        for kid in node.get("/Kids", []):
            walk(kid)
        names = node.get("/Names")
        if names is not None:
            pairs.extend((str(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2))

    walk(tree)
    if not pairs:
        return 0
    pairs.sort(key=lambda pair: pair[1].objgen)
    new = {old: f"node{n:08d}" for n, (old, _) in enumerate(pairs, 1)}
    for old, elem in pairs:
        elem.ID = pikepdf.String(new[old])
    for obj in doc.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/StructElem":
            continue
        for attr in _attribute_dicts(obj):
            headers = attr.get("/Headers")
            if isinstance(headers, pikepdf.Array):
                attr.Headers = pikepdf.Array([pikepdf.String(new.get(str(h), str(h))) for h in headers])
    ordered = sorted(pairs, key=lambda pair: new[pair[0]])
    names = pikepdf.Array()
    for old, elem in ordered:
        names.append(pikepdf.String(new[old]))
        names.append(elem)
    leaf = pikepdf.Dictionary(
        Names=names, Limits=pikepdf.Array([pikepdf.String(new[ordered[0][0]]), pikepdf.String(new[ordered[-1][0]])])
    )
    for key in ("/Kids", "/Names", "/Limits"):
        if key in tree:
            del tree[key]
    tree.Kids = pikepdf.Array([doc.make_indirect(leaf)])
    return len(pairs)


def finish(pdf: bytes, cutoff: str, headings: list[str] | None = None) -> bytes:
    """The printed PDF with its dates fixed to the evidence cut-off, its outline titled with the
    headings' text (when given), its structure IDs numbered in order (:func:`renumber_ids`) and a
    document ID derived from its content, written anew by
    pikepdf (qpdf), so that its cross-reference table is right."""
    import pikepdf

    stamp = pdf_date(cutoff)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if headings:
            retitle(doc, headings)
        renumber_ids(doc)
        if "/ID" in doc.trailer:  # Chromium's own: the ID is derived from the content alone
            del doc.trailer["/ID"]
        doc.docinfo["/CreationDate"] = pikepdf.String(stamp)
        doc.docinfo["/ModDate"] = pikepdf.String(stamp)
        out = io.BytesIO()
        # object streams: the tags (one dictionary per element, some 29,000) take half the room
        # without them
        doc.save(out, deterministic_id=True, linearize=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def print_pdf(page: Path, target: Path, cutoff: str) -> int:
    """Print a page to ``target``; the number of charts drawn.

    Whatever goes wrong in Chromium (it does not start, the page does not load, a chart is not
    drawn within :data:`CHART_TIMEOUT_MS`, printing fails) is a :class:`PdfError` naming the page,
    the step and, for charts, each one not drawn with the errors the page reported; ``target`` is
    then left as it was."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    try:
        executable = chromium()
    except NoChromium as exc:
        raise PdfError(str(exc)) from None
    folder = page.parent.resolve().as_uri()
    errors: list[str] = []  # what the page reported (a chart that failed says so in the console)
    step = "starting Chromium"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(executable), args=list(LAUNCH_ARGS))
            try:
                context = browser.new_context(viewport={"width": COLUMN_PX, "height": 1100})
                context.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith((folder, "data:", "blob:")) else r.abort(),
                )
                tab = context.new_page()
                tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                tab.on("pageerror", lambda e: errors.append(_first_line(e)))
                tab.emulate_media(media="print")  # before loading: the charts draw in the print layout
                step = "opening the page"
                tab.goto(page.resolve().as_uri(), wait_until="load")
                charts = tab.locator(".nkb-chart").count()
                step = "drawing the charts"
                try:
                    tab.wait_for_function(
                        "n => document.querySelectorAll('.nkb-chart.nkb-drawn').length === n",
                        arg=charts,
                        timeout=CHART_TIMEOUT_MS,
                    )
                except PlaywrightTimeoutError:
                    undrawn = tab.evaluate(UNDRAWN_JS)
                    said = f"; the page reported: {' | '.join(errors[:5])}" if errors else ""
                    raise PdfError(
                        f"{page}: {len(undrawn)} of {charts} charts not drawn after {CHART_TIMEOUT_MS / 1000:g} s: "
                        f"{', '.join(undrawn) or '(none left: drawn again while measured)'}{said}"
                    ) from None
                step = "laying out the page"
                tab.evaluate(PREPARE_JS)
                tab.evaluate("() => document.fonts.ready.then(() => true)")
                headings = tab.evaluate(HEADINGS_JS)
                wide = tab.evaluate(OVERFLOW_JS)
                if wide:
                    raise PdfError(f"{page}: charts or tables wider than the A4 column: {', '.join(wide)}")
                step = "printing"
                pdf = tab.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    outline=True,
                    tagged=True,
                    header_template="<span></span>",
                    footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                    margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:  # TimeoutError included: a page that never loads, a print that never ends
        raise PdfError(f"{page}: Chromium failed while {step}: {_first_line(exc)}") from None
    import pikepdf

    try:
        pdf = finish(pdf, cutoff, headings)
    except pikepdf.PdfError as exc:
        raise PdfError(f"{page}: Chromium printed a PDF that cannot be read: {_first_line(exc)}") from None
    tmp = target.with_name(target.name + ".tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(pdf)
    tmp.replace(target)
    return charts


def build_pdf(root: Path | None = None) -> Path:
    root = root or project_root()
    cutoff = package()["x-searched-through"]
    target = root / "_build" / "html" / "_static" / "downloads" / PDF_NAME
    start = time.monotonic()
    page = single_page(root)
    printing = time.monotonic()
    charts = print_pdf(page, target, cutoff)
    done = time.monotonic()
    print(
        f"PDF edition: {target.relative_to(root)} ({target.stat().st_size:,} bytes, {charts} charts drawn; "
        f"single page {printing - start:.0f} s, printing {done - printing:.0f} s)"
    )
    return target


if __name__ == "__main__":
    try:
        build_pdf()
    except PdfError as exc:
        print(f"PDF edition not made: {exc}", file=sys.stderr)
        sys.exit(1)
