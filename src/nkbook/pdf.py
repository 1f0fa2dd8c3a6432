"""The PDF edition: the whole book on one HTML page, printed by headless Chromium, charts drawn.

``python -m nkbook.pdf`` (run by ``make book`` after the HTML build, see :mod:`nkbook.book`):

1. Jupyter Book's ``singlehtml`` builder writes every chapter into one page
   (``_build/singlehtml/edition.html``), taking the chapters' outputs from the execution
   cache that the HTML build has just filled;
2. Chromium (Debian's, driven by Playwright, with every request outside the page's folder
   refused) opens it, waits until every chart has been drawn by vega-embed, and prints it to
   A4 with page numbers;
3. the PDF is written to ``_build/html/_static/downloads/`` (:data:`PDF_NAME`), where the book
   links to it, through a temporary file.

The edition line (version, data cut-off, commit) is set under the title, and links into the
book's own files are made anchors within the PDF (or plain text), never addresses on the
machine that built it. The execution report is
left out: it records when and how long each chapter ran, which differs from build to build, and
without it two builds of the same sources give the same PDF, byte for byte (Chromium's printing
is deterministic once the creation and modification dates are fixed, here to the data cut-off).
Nothing reaches the network.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .data import package
from .paths import project_root

PDF_NAME = "north-korea-russia-war-book.pdf"
CHROMIUM = Path("/usr/bin/chromium")
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer-article, .bd-footer-content .prev-next-area,
.header-article-items, .prev-next-area, .bd-search, .sidebar-toggle, .theme-switch-button, .search-button,
.nkb-chart-data, details.hide, .cell_input, .toggle-details { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-page-width { max-width: 100% !important; }
.nkb-chart { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
"""


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
}"""


class PdfError(RuntimeError):
    """The PDF edition could not be made."""


def single_page(root: Path) -> Path:
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", "-W", "-n", "--keep-going", "--builder", "singlehtml", str(root)],
                            cwd=root, capture_output=True, text=True)
    page = root / "_build" / "singlehtml" / "book" / "intro.html"
    if result.returncode != 0 or not page.is_file():
        raise PdfError("the single-page build failed:\n" + (result.stdout[-3000:] + result.stderr[-3000:]))
    # Sphinx writes the page into book/ but links its scripts and styles as if it were at the
    # top of the folder: a copy there finds them.
    top = page.parent.parent / "edition.html"
    top.write_bytes(page.read_bytes())
    return top


def print_pdf(page: Path, target: Path, cutoff: str) -> int:
    """Print a page to ``target``; the number of charts drawn."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise PdfError(f"{CHROMIUM} is missing: `make system-deps` installs Debian's chromium")
    folder = page.parent.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update"])
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1400})
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith((folder, "data:", "blob:")) else r.abort())
            tab = context.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            charts = tab.locator(".nkb-chart").count()
            tab.wait_for_function("n => document.querySelectorAll('.nkb-chart.nkb-drawn').length === n",
                                  arg=charts, timeout=120_000)
            tab.evaluate(PREPARE_JS)
            tab.add_style_tag(content=PRINT_CSS)
            tab.emulate_media(media="print")
            pdf = tab.pdf(format="A4", print_background=True, display_header_footer=True,
                          header_template="<span></span>",
                          footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                                          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                          margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()
    stamp = "D:" + cutoff.replace("-", "") + "000000Z"
    pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[0-9+\-Z']+\)", lambda m: b"/" + m.group(1) + b" (" + stamp.encode() + b")", pdf)
    tmp = target.with_name(target.name + ".tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(pdf)
    tmp.replace(target)
    return charts


def build(root: Path | None = None) -> Path:
    root = root or project_root()
    cutoff = package()["x-data-cutoff"]
    target = root / "_build" / "html" / "_static" / "downloads" / PDF_NAME
    charts = print_pdf(single_page(root), target, cutoff)
    print(f"PDF edition: {target.relative_to(root)} ({target.stat().st_size:,} bytes, {charts} charts drawn)")
    return target


if __name__ == "__main__":
    try:
        build()
    except PdfError as exc:
        print(f"PDF edition not made: {exc}", file=sys.stderr)
        sys.exit(1)
