"""Sphinx extension of the book (listed in ``_config.yml`` under ``sphinx: extra_extensions``).

* The edition: the version (read from the package and given to Sphinx as ``version``/``release``,
  so ``_config.yml`` never repeats it), the data cut-off (from ``datapackage.json``) and the
  commit the book was built from, shown in the footer of every page (see :func:`edition`).
* The chart library: vega, vega-lite and vega-embed written once into the book's static
  files from the vl-convert package (no CDN), with the charts' stylesheet; the library and the
  script that draws the charts (``nkbook-charts.js``) are loaded, deferred, only by the pages
  that have a chart (see ``_chart_scripts``).
* No Thebe: its scripts are dropped from every page (see ``_drop_thebe``).
* Repairs made on every built page (see :func:`repair`): two for accessibility (the sidebar's
  section toggles get a name, and the bibliography's entries the list-item role their list
  requires) and one for reproducibility (myst-nb's stylesheet is linked the same way whether the
  page was written by a first build or a later one).
* The pages of claim cards: ``{claim-cards} A`` writes Essay A's page (its opening paragraph,
  the table of verdicts then and now, the list of cards, the cards and their ClaimReview JSON-LD),
  one mechanism for the three pages ``book/claims-a.md`` ... (see :func:`_claim_cards_directive`).
* How to cite: ``{nkbook-edition}`` says which edition this is (version, release date, its own
  address ``<html.baseurl><version>/``) and ``{nkbook-bibtex}`` gives its BibTeX entry, made from
  ``CITATION.cff`` (see :mod:`nkbook.present.citation` and :mod:`nkbook.publish.release`).
* Downloads: every table of ``data/`` and ``datapackage.json`` are copied to ``_static/downloads/``,
  with the claims register as JSON (``claims.json``); the book's stylesheets and scripts are the
  files of ``src/nkbook/static`` (see :mod:`nkbook.present.templating`).
"""

from __future__ import annotations

import os
import re
import subprocess
from html import escape, unescape
from pathlib import Path

from nkbook import __version__
from nkbook.core.paths import data_dir, project_root
from nkbook.core.releases import edition_url
from nkbook.data import coverage, package
from nkbook.present import changes, claim_pages
from nkbook.present.charts import BUNDLE_FILE, javascript_bundle
from nkbook.present.templating import static_files

#: The book's stylesheets and scripts (files in ``src/nkbook/static``), linked on every page.
CSS_FILES = ("nkbook.css", "nkbook-charts.css", "nkbook-claims.css")
JS_FILES = ("nkbook-nav.js", "nkbook-claims.js")
#: The chart library and the script that draws the charts: loaded only by pages with a chart.
CHART_JS_FILES = (BUNDLE_FILE, "nkbook-charts.js")


def _write_if_changed(path: Path, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def _write_downloads(folder: Path) -> None:
    """The data package's files, and the claims register as JSON, for readers to download."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(data_dir().glob("*.csv")) + [data_dir() / "datapackage.json"]:
        _write_if_changed(folder / path.name, path.read_bytes())
    register = claim_pages.claims.register()
    _write_if_changed(folder / "claims.json", claim_pages.json_download(register))
    what_changed = project_root() / changes.JSON_FILE  # written by make data, as the page that links to it
    if what_changed.is_file():
        _write_if_changed(folder / changes.DOWNLOAD_NAME, what_changed.read_bytes())


def source_commit(root: Path) -> str:
    """The commit the book is built from; ``+modified`` when tracked files differ from it.

    Outside a git work tree (a downloaded archive) it is ``unknown``; ``NKBOOK_COMMIT``
    overrides it (for builds of an export whose history is elsewhere).
    """
    if os.environ.get("NKBOOK_COMMIT"):
        return os.environ["NKBOOK_COMMIT"]

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+modified" if dirty else "")


def edition_line(root: Path, repository: str | None = None) -> str:
    """The footer line: version, the evidence cut-off (how far the evidence reaches and how far the
    record was searched, both computed from the tables) and commit (linked to the repository)."""
    pkg = package()
    cutoff = coverage.span_text(pkg.get("x-evidence-through"), pkg.get("x-searched-through"))
    built = source_commit(root)
    short = built[:12] + ("+modified" if built.endswith("+modified") else "")
    shown = f"<code>{escape(short)}</code>"
    if repository and len(built) >= 40 and not built.endswith("+modified"):
        shown = f'<a href="{escape(repository.rstrip("/") + "/commit/" + built)}">{shown}</a>'
    return f'<p class="nkb-version">Version {__version__}. {escape(cutoff[:1].upper() + cutoff[1:])}. Built from commit {shown}.</p>'


def _config_inited(app, config) -> None:
    config.version = config.release = __version__
    # The pages' canonical address, Open Graph URL and sitemap are this edition's own address
    # (html.baseurl of _config.yml followed by the version: nkbook.core.releases.edition_url), where
    # the edition stays once released
    if config.html_baseurl:
        config.html_baseurl = edition_url(__version__, Path(app.srcdir))
    # Open Graph: the book's address and title, written once in _config.yml (html.baseurl, title)
    config.ogp_site_url = config.ogp_site_url or config.html_baseurl
    config.ogp_site_name = config.ogp_site_name or config.html_title
    repository = (config.html_theme_options or {}).get("repository_url")
    footer = edition_line(Path(app.srcdir), repository)
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer + options.get("extra_footer", "")
    # Light or dark as the reader's system prefers. Left unset (pydata-sphinx-theme reads it from the
    # page context, not from the theme's options), the page starts from an empty mode and logs an
    # error on a reader's first visit.
    config.html_context = {**(config.html_context or {}), "default_mode": "auto"}
    config.html_theme_options = options
    static = Path(app.outdir).parent / ".nkbook-static"
    static.mkdir(parents=True, exist_ok=True)
    _write_if_changed(static / BUNDLE_FILE, javascript_bundle())
    for path in static_files():
        _write_if_changed(static / path.name, path.read_bytes())
    _write_downloads(static / claim_pages.DOWNLOAD_DIR)
    # Relative to the configuration folder, so that the configuration (and its hash in
    # .buildinfo) is the same in every clone.
    config.html_static_path = [*config.html_static_path, os.path.relpath(static, app.confdir)]


def has_charts(body: str) -> bool:
    return 'class="nkb-chart"' in body


def _chart_scripts(app, pagename, templatename, context, doctree) -> None:
    """The chart library (about 900 KB) and ``nkbook-charts.js``, deferred, on pages with a chart only.

    Deferred scripts run in order once the page is parsed: the library first, then the charts."""
    if has_charts(context.get("body", "")):
        for name in CHART_JS_FILES:
            app.add_js_file(name, loading_method="defer")


def _is_thebe(asset) -> bool:
    return "thebe" in str(asset).lower() or "thebe" in str(getattr(asset, "attributes", {}).get("body", "")).lower()


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts and stylesheet from every page.

    Jupyter Book 1 registers sphinx-thebe twice, so its inline ``const THEBE_JS_URL`` is
    declared twice and raises a script error on every page; and Thebe (live code cells) needs a
    kernel server on the network, which an offline book cannot offer. The book disables it.
    """
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


_TOGGLE = re.compile(
    r'(<a class="[^"]*" href="[^"]*">([^<]*)</a><details[^>]*>)<summary>(<span class="toctree-toggle" role="presentation">)'
)
_ENTRY = re.compile(r'(<div class="citation" id="[^"]+") role="doc-biblioentry"')


def _attribute(text: str) -> str:
    """Text as the value of a double-quoted attribute: ``&``, ``<``, ``>`` and ``"`` escaped
    (``'`` left as it is, so that the repaired pages stay as they were built)."""
    return escape(text, quote=False).replace('"', "&quot;")


def accessible(page: str) -> str:
    """A built page with the two repairs axe-core asks for.

    * sphinx-book-theme's sidebar toggles are ``<summary>`` elements holding only an icon
      (axe ``summary-name``): each is named after the section it opens (the link's text, which
      the theme may leave with a ``"`` in it, escaped again for the attribute).
    * docutils gives the bibliography ``role="list"`` and each entry ``role="doc-biblioentry"``,
      a role ARIA 1.2 deprecates and a list may not hold (axe ``aria-required-children``):
      entries inside such a list become ``listitem``.
    """
    page = _TOGGLE.sub(
        lambda m: f'{m.group(1)}<summary aria-label="{_attribute(f"Pages under {unescape(m.group(2))}")}">{m.group(3)}',
        page,
    )
    if '<div role="list" class="citation-list">' in page:
        page = _ENTRY.sub(r'\1 role="listitem"', page)
    return page


_MYSTNB_CSS = re.compile(r'(_static/mystnb\.[0-9a-f]{64}\.css)\?v=[0-9a-f]+"')


def repair(page: str) -> str:
    """A built page with the repairs of :func:`accessible`, and myst-nb's stylesheet linked
    without a ``?v=`` checksum: Sphinx adds one only if the file is already in the output when
    the page is written, so a page written by a rebuild differed from the same page written by a
    first build. The file's name carries its content hash, so the checksum adds nothing."""
    return _MYSTNB_CSS.sub(r'\1"', accessible(page))


def _repair_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted(Path(app.outdir).rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        fixed = repair(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def _pdf_edition_button(app, pagename, templatename, context, doctree) -> None:
    """The header's ".pdf" entry opens the PDF edition of the whole book, instead of printing one page.

    Runs after sphinx-book-theme has added its buttons (priority 501)."""
    from nkbook.publish.pdf import PDF_NAME

    pathto = context.get("pathto")
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button" and pathto:
                button.update(
                    {
                        "type": "link",
                        "url": pathto(f"_static/{claim_pages.DOWNLOAD_DIR}/{PDF_NAME}", 1),
                        "tooltip": "The PDF edition of the whole book",
                        "text": ".pdf (book)",
                    }
                )
                button.pop("javascript", None)


def sitemap(base: str, pages: list[str]) -> str:
    """``sitemap.xml``: every page at the published address, in a stable order, without dates."""
    urls = "".join(f"  <url><loc>{escape(base + page)}</loc></url>\n" for page in pages)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def _write_sitemap(app, exception) -> None:
    """Written from every document of the book, not from the pages this build happened to write
    (a sitemap extension that collects written pages lists only the changed ones after a rebuild)."""
    if exception is not None or app.builder.name != "html" or not app.config.html_baseurl:
        return
    pages = sorted(app.builder.get_target_uri(doc) for doc in app.env.found_docs)
    _write_if_changed(Path(app.outdir) / "sitemap.xml", sitemap(app.config.html_baseurl, pages))


#: What markdown-it's escapeHtml writes into a Markdown link's address, in the order to undo it
#: (``&amp;`` last, so that ``&amp;lt;`` gives back ``&lt;``).
_MYST_URL_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&"))


def unescape_link(url: str) -> str:
    """The address a Markdown link was written with. MyST (3.0, MyST-Parser issue #760) stores a
    link's address HTML-escaped, and the HTML writer escapes it again, so that ``?a=1&b=2`` reached
    the reader as ``?a=1&amp;amp;b=2``: a link to a page with other parameters (34 source links of
    the data appendix before this repair). Only the four escapes markdown-it makes are undone: ``html.unescape``
    would also read ``&copy=1`` as ``©=1``."""
    for escaped, plain in _MYST_URL_ESCAPES:
        url = url.replace(escaped, plain)
    return url


def _unescape_links(app, doctree) -> None:
    from docutils import nodes

    for node in doctree.findall(nodes.reference):
        if "&" in node.get("refuri", ""):
            node["refuri"] = unescape_link(node["refuri"])


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("doctree-read", _unescape_links)
    app.connect("build-finished", _write_sitemap)
    app.connect("html-page-context", _pdf_edition_button, priority=600)
    app.connect("build-finished", _repair_pages)
    app.connect("html-page-context", _chart_scripts, priority=400)  # before _drop_thebe copies the list
    app.connect("html-page-context", _drop_thebe)
    for name in CSS_FILES:
        app.add_css_file(name)
    for name in JS_FILES:
        app.add_js_file(name)
    app.add_directive("nkbook-bibtex", _bibtex_directive())
    app.add_directive("nkbook-edition", _edition_directive())
    app.add_directive("nkbook-package-versions", _versions_directive())
    app.add_directive("claim-cards", _claim_cards_directive())
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def bibtex_from_citation_cff(path: Path) -> str:
    """The book's BibTeX entry, made from ``CITATION.cff`` (its one source, written by
    ``python -m nkbook.publish.release sync``): the edition's version, release date and own
    address (``url``; the repository's where the file gives none). Without a release date it is
    an unreleased build, and the entry says so instead of giving a date."""
    import yaml

    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    authors = " and ".join(
        "{" + a["name"] + "}" if "name" in a else f"{a['family-names']}, {a['given-names']}" for a in cff["authors"]
    )
    key = "dprk_russia_book_" + cff["version"].replace(".", "_")
    released = str(cff["date-released"]) if cff.get("date-released") else ""
    dated = f"  date = {{{released}}},\n  year = {{{released[:4]}}},\n" if released else ""
    status = "" if released else "Unreleased build. "
    return (
        f"@software{{{key},\n"
        f"  author = {{{authors}}},\n"
        f"  title = {{{{{cff['title']}}}}},\n"
        f"  version = {{{cff['version']}}},\n"
        f"{dated}"
        f"  url = {{{cff.get('url') or cff['repository-code']}}},\n"
        f"  note = {{{status}Code: MIT licence; text and data: CC BY 4.0}},\n"
        f"}}"
    )


def _bibtex_directive():
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class NkbookBibtex(SphinxDirective):
        """``{nkbook-bibtex}``: the BibTeX entry of the book, from CITATION.cff."""

        def run(self):
            path = Path(self.env.srcdir) / "CITATION.cff"
            self.env.note_dependency(str(path))
            text = bibtex_from_citation_cff(path)
            block = nodes.literal_block(text, text)
            block["language"] = "bibtex"
            return [block]

    return NkbookBibtex


def _edition_directive():
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    from nkbook.present import citation

    class NkbookEdition(SphinxDirective):
        """``{nkbook-edition}``: which edition this is (version, release date, its own address, and
        the address of the newest), and how to cite it (:mod:`nkbook.present.citation`)."""

        def run(self):
            root = Path(self.env.srcdir)
            for name in ("releases.json", "CHANGELOG.md", "_config.yml"):
                self.env.note_dependency(str(root / name))
            text = StringList(citation.how_to_cite(root=root).splitlines(), source=self.get_source_info()[0])
            box = nodes.container()
            self.state.nested_parse(text, self.content_offset, box)
            return list(box.children)

    return NkbookEdition


def package_versions(root: Path) -> list[tuple[str, str]]:
    """The interpreter and each top-level requirement of the book, with its installed version."""
    import platform
    import re
    from importlib.metadata import PackageNotFoundError, version

    rows = [("Python", platform.python_version())]
    for path in (root / "requirements.in", root / "requirements-nodeps.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            name = re.split(r"[=<>!~\[ ;]", line.strip(), maxsplit=1)[0]
            if not name or name.startswith("#"):
                continue
            try:
                rows.append((name, version(name)))
            except PackageNotFoundError:
                rows.append((name, "not installed"))
    return rows


def _versions_directive():
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class NkbookPackageVersions(SphinxDirective):
        """``{nkbook-package-versions}``: a table of the versions the book was built with."""

        def run(self):
            root = Path(self.env.srcdir)
            for name in ("requirements.in", "requirements-nodeps.txt", "requirements.lock"):
                self.env.note_dependency(str(root / name))
            table = nodes.table(classes=["colwidths-auto"])
            group = nodes.tgroup(cols=2)
            table += group
            group += [nodes.colspec(colwidth=50), nodes.colspec(colwidth=50)]
            head, body = nodes.thead(), nodes.tbody()
            group += [head, body]
            for parent, cells in [(head, ("Package", "Version"))] + [(body, r) for r in package_versions(root)]:
                row = nodes.row()
                for cell in cells:
                    row += nodes.entry("", nodes.paragraph(text=cell))
                parent += row
            return [table]

    return NkbookPackageVersions


def _claim_cards_directive():
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class ClaimCards(SphinxDirective):
        """``{claim-cards} A``: one essay's page of claim cards, from the register
        (:mod:`nkbook.present.claim_pages`). The page is read again when the register, the essays
        or a table its evidence points at changes."""

        required_arguments = 1

        def run(self):
            essay = claim_pages.essay_claims(self.arguments[0])
            for path in claim_pages.card_page_inputs(essay):
                self.env.note_dependency(path)
            intro = nodes.container()
            text = StringList(claim_pages.card_page_intro(essay).splitlines(), source=self.get_source_info()[0])
            self.state.nested_parse(text, self.content_offset, intro)
            html = claim_pages.verdict_moves_table(essay) + claim_pages.essay_page(essay)
            return [*intro.children, nodes.raw("", html, format="html")]

    return ClaimCards
