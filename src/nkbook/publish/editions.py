"""Every release of the book side by side, each at its own address: ``make editions``.

``python -m nkbook.publish.editions`` (run by ``make editions`` after ``make book``) writes
``_build/editions/``:

- ``<version>/`` for every release listed in ``releases.json`` and for this build's version
  (``nkbook.__version__``; the book ``make book`` has just built in ``_build/html``). An older
  release is built from git: its commit is checked out in a worktree under
  ``_build/editions-src/<version>/`` and built there by its own ``make book``, with its own lock
  and environment, exactly as it was released. That build is kept, stamped with its commit, so an
  edition whose commit has not changed is never built again;
- ``latest/``: a copy of the newest edition, the address that always shows the newest;
- ``switcher.json``: the list of editions in pydata-sphinx-theme's version-switcher format;
- ``index.html``: a redirect to ``latest/``.

Each edition's pages are its own build's bytes with one addition, the edition bar set right after
``<body>`` between ``<!-- nkbook-edition -->`` and ``<!-- /nkbook-edition -->`` (so that a test can
take it out again and compare): it names the edition and links to the same page in every other
edition (the page where it exists there, else that edition's front page); on an edition that is
not the newest it also says so, with a link to the page in the newest. The bar is plain HTML with
relative links and its own small style: it works offline, from a file or a local server, which
the theme's own switcher (it fetches its JSON at run time) does not, and it needs nothing from
the edition's own stylesheets, which an old edition does not have.

Nothing reaches the network but the old edition's own ``make book`` (it installs its locked
packages into its own environment, from the pip cache where they are).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nkbook
from nkbook.core.errors import DataError
from nkbook.core.formats import day
from nkbook.core.paths import project_root, shared_dir
from nkbook.core.releases import RELEASES_FILE as RELEASES
from nkbook.core.releases import release_date, releases, site_url, version_key

OUT = Path("_build") / "editions"
SOURCES = Path("_build") / "editions-src"
#: The stamp of an old edition's finished build, in its worktree: the commit it was built from.
BUILT_STAMP = ".nkbook-edition-built"
BEGIN, END = "<!-- nkbook-edition -->", "<!-- /nkbook-edition -->"
#: An edition's page of what changed since the one before (written by nkbook.present.changes).
CHANGES_PAGE = "book/changes.html"
BAR = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + "\n", re.S)
BODY = re.compile(r"<body\b[^>]*>\n?", re.I)


class EditionError(RuntimeError):
    """An edition could not be built or published."""


@dataclass(frozen=True)
class Edition:
    version: str
    date: str | None  # the release's date; None for an unreleased build
    commit: str | None  # None: this working tree's build (``_build/html``)

    @property
    def label(self) -> str:
        return self.version if self.date else f"{self.version} (unreleased)"


def editions(root: Path, current: str | None = None) -> list[Edition]:
    """Every edition, newest first: each listed release and this build's version (built from this
    working tree, whether or not it is listed). This build's date is its release's
    (:func:`nkbook.core.releases.release_date`: the list's, or for the tagged commit, which the list
    names only in the commit after, its CHANGELOG heading's); with neither it is an unreleased
    build, and no date is given. A bad ``releases.json`` is a ``DataError`` naming entry and field."""
    current = current or nkbook.__version__
    out = {
        r["version"]: Edition(r["version"], r["date"], None if r["version"] == current else r["commit"])
        for r in releases(root)
    }
    out.setdefault(current, Edition(current, release_date(current, root), None))
    return sorted(out.values(), key=lambda e: version_key(e.version), reverse=True)


def switcher_json(root: Path, found: list[Edition]) -> str:
    """``switcher.json`` in pydata-sphinx-theme's format: name, version and absolute address of each
    edition (``html.baseurl`` of ``_config.yml`` followed by the version), the newest preferred."""
    base = site_url(root)
    items = [
        {
            "name": e.label + (" (latest)" if k == 0 else ""),
            "version": e.version,
            "url": f"{base}{e.version}/",
            **({"preferred": True} if k == 0 else {}),
        }
        for k, e in enumerate(found)
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


STYLE = (
    "<style>.nkb-edition{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "background:#f3f4f6;color:#1f2937;border-bottom:1px solid #d1d5db;padding:.35rem 1rem;"
    "overflow-wrap:anywhere}.nkb-edition p{margin:0}.nkb-edition a{color:#1d4ed8}"
    ".nkb-edition .nkb-edition-old{background:#fef3c7;border:1px solid #f59e0b;border-radius:4px;"
    "padding:.3rem .5rem;margin:.25rem 0}.nkb-edition ul{display:inline;margin:0;padding:0}"
    ".nkb-edition li{display:inline;margin-right:.75rem}"
    "@media print{.nkb-edition{display:none}}"
    "html[data-theme=dark] .nkb-edition{background:#111827;color:#e5e7eb;border-color:#374151}"
    "html[data-theme=dark] .nkb-edition a{color:#93c5fd}"
    "html[data-theme=dark] .nkb-edition .nkb-edition-old{background:#451a03;border-color:#b45309}</style>"
)


def edition_bar(page: str, this: Edition, found: list[Edition], pages: dict[str, set[str]]) -> str:
    """The edition bar of ``page`` (its path within the edition, e.g. ``book/claims.html``) in the
    edition ``this``: the edition's name and date, a link to the same page in each other edition
    (where it exists there, else that edition's front page), a link to the edition's page of what
    changed (where it has one) and, on an edition that is not the newest, a note saying so."""
    up = "../" * (page.count("/") + 1)

    def address(e: Edition) -> str:
        target = page if page in pages[e.version] else "index.html"
        return html.escape(f"{up}{e.version}/{target}", quote=True)

    latest = found[0]
    when = f" of {day(this.date)}" if this.date else ""
    items = []
    for e in found:
        name = html.escape(e.label + (" (latest)" if e is latest else ""))
        if e is this:
            items.append(f'<li><a aria-current="page"><strong>{name}</strong></a></li>')
        else:
            items.append(f'<li><a href="{address(e)}">{name}</a></li>')
    parts = [
        BEGIN,
        f'<div class="nkb-edition" role="navigation" aria-label="Editions of this book" data-edition="{html.escape(this.version)}">',
        STYLE,
    ]
    if this is not latest:
        latest_when = f" of {day(latest.date)}" if latest.date else ""
        parts.append(
            f'<p class="nkb-edition-old" role="note">You are reading edition {html.escape(this.version)}{when}, '
            "kept as it was published. Its verdicts and data may have changed since: "
            f'<a href="{address(latest)}">this page in the latest edition, {html.escape(latest.version)}'
            f"{latest_when}</a>.</p>"
        )
    changes = ""
    if CHANGES_PAGE in pages[this.version]:  # editions from 1.1.0 on say what changed in them
        href = html.escape(f"{up}{this.version}/{CHANGES_PAGE}", quote=True)
        changes = f' <a class="nkb-edition-changes" href="{href}">What changed in {html.escape(this.version)}</a>'
    parts.append(f'<div class="nkb-edition-list">Editions: <ul>{"".join(items)}</ul>{changes}</div>')
    parts.append("</div>")
    parts.append(END)
    return "\n".join(parts) + "\n"


def with_bar(text: str, bar: str) -> str:
    """The page with the bar right after its ``<body>`` tag (a page without one is left as it is)."""
    match = BODY.search(text)
    if not match:
        return text
    return text[: match.end()] + bar + text[match.end() :]


def without_bar(text: str) -> str:
    """The page as its own build wrote it: the edition bar taken out."""
    return BAR.sub("", text, count=1)


def _html_pages(tree: Path) -> set[str]:
    return {p.relative_to(tree).as_posix() for p in tree.rglob("*.html")}


def _clean_env() -> dict[str, str]:
    """The environment for an old edition's own ``make book``: none of this build's Python."""
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "NKBOOK_ROOT", "MAKEFLAGS", "MAKELEVEL")
    return {k: v for k, v in os.environ.items() if k not in drop} | {"NKBOOK_SHARED": str(shared_dir())}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def source_build(root: Path, edition: Edition) -> tuple[Path, bool]:
    """The built HTML of an old edition, built in its worktree unless a build of the same commit is
    there already; (the folder, whether it was built now)."""
    work = root / SOURCES / edition.version
    built = work / "_build" / "html"
    stamp = work / BUILT_STAMP
    if stamp.is_file() and stamp.read_text().strip() == edition.commit and (built / "index.html").is_file():
        return built, False
    if _git(root, "cat-file", "-e", f"{edition.commit}^{{commit}}").returncode != 0:
        raise EditionError(
            f"{RELEASES}: release {edition.version}: commit {edition.commit} is not in this clone "
            "(a shallow clone? fetch the whole history: git fetch --unshallow)"
        )
    _git(root, "worktree", "prune")
    head = _git(work, "rev-parse", "HEAD") if (work / ".git").exists() else None
    if head is None or head.returncode != 0 or head.stdout.strip() != edition.commit:
        if work.exists():
            _git(root, "worktree", "remove", "--force", str(work))
            shutil.rmtree(work, ignore_errors=True)
            _git(root, "worktree", "prune")
        work.parent.mkdir(parents=True, exist_ok=True)
        added = _git(root, "worktree", "add", "--detach", "--force", str(work), edition.commit)
        if added.returncode != 0:
            raise EditionError(f"edition {edition.version}: git worktree add failed: {added.stderr.strip()}")
    stamp.unlink(missing_ok=True)
    log = work.parent / f"{edition.version}.log"
    print(
        f"edition {edition.version}: building commit {edition.commit[:12]} in {work.relative_to(root)} (log: {log.relative_to(root)})",
        flush=True,
    )
    with open(log, "w") as out:
        made = subprocess.run(["make", "book"], cwd=work, env=_clean_env(), stdout=out, stderr=subprocess.STDOUT)
    if made.returncode != 0 or not (built / "index.html").is_file():
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-25:])
        raise EditionError(
            f"edition {edition.version}: make book failed (exit {made.returncode}); the end of {log}:\n{tail}"
        )
    stamp.write_text(edition.commit + "\n")
    return built, True


def publish(source: Path, target: Path, this: Edition, found: list[Edition], pages: dict[str, set[str]]) -> int:
    """Copy an edition's build to ``target`` with the edition bar on every page, replacing what was
    there only once the copy is whole; the number of pages."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".doctrees", ".nkbook-*"))
    count = 0
    for page in sorted(pages[this.version]):
        path = staging / page
        text = path.read_text(encoding="utf-8")
        path.write_text(with_bar(text, edition_bar(page, this, found, pages)), encoding="utf-8")
        count += 1
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return count


REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Redirecting to the latest edition</title>
<meta http-equiv="refresh" content="0; url=latest/index.html">
<link rel="canonical" href="latest/index.html"></head>
<body><p>The latest edition is at <a href="latest/index.html">latest/</a>.</p></body></html>
"""


def build_editions(root: Path | None = None) -> list[tuple[Edition, bool, int]]:
    """``make editions``: every edition into ``_build/editions``; (edition, built now, pages) each."""
    from nkbook.publish.build import building

    root = root or project_root()
    current_html = root / "_build" / "html"
    if not (current_html / "index.html").is_file():
        raise EditionError(f"{current_html}: no built book: run `make book` first")
    found = editions(root)
    with building(root):
        sources: dict[str, Path] = {}
        built_now: dict[str, bool] = {}
        for e in found:
            if e.commit is None:
                sources[e.version], built_now[e.version] = current_html, False
            else:
                sources[e.version], built_now[e.version] = source_build(root, e)
        pages = {v: _html_pages(src) for v, src in sources.items()}
        out = root / OUT
        out.mkdir(parents=True, exist_ok=True)
        report = []
        for e in found:
            report.append((e, built_now[e.version], publish(sources[e.version], out / e.version, e, found, pages)))
        latest = out / "latest"
        staging = out / "latest.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(out / found[0].version, staging)
        shutil.rmtree(latest, ignore_errors=True)
        staging.rename(latest)
        (out / "switcher.json").write_text(switcher_json(root, found), encoding="utf-8")
        (out / "index.html").write_text(REDIRECT, encoding="utf-8")
        keep = {e.version for e in found} | {"latest", "switcher.json", "index.html"}
        for stale in out.iterdir():
            if stale.name not in keep:
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink()
    return report


def main() -> int:
    start = time.monotonic()
    try:
        report = build_editions()
    except (EditionError, DataError) as exc:
        print(f"editions not made: {exc}", file=sys.stderr)
        return 1
    for e, built, count in report:
        how = "built from its commit now" if built else ("this build" if e.commit is None else "reused (already built)")
        print(f"edition {e.label}: {count} pages, {how}")
    print(f"editions: {len(report)} in {OUT}/ (latest: {report[0][0].version}), {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
