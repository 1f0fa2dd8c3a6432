"""``python -m nkbook.publish.build``: build the HTML book into ``_build/html`` (what ``make book`` runs).

Jupyter Book's execution cache keys on a notebook's code cells only, so a changed data file
would not re-execute the chapters that read it. This driver keeps, in ``_build``, digests of
what the chapters' outputs depend on besides their code, and decides before each build:

* **everything** is re-executed (cache and built HTML cleared) when an input every chapter
  shares changes: the package (its templates and static files too), the bibliography, the lock, the book's configuration, the data
  package's own fields (the evidence cut-off) or ``book/_dependencies.json``;
* **exactly the chapters that read a changed table** are re-executed when only tables change
  (a table's bytes or its description in ``datapackage.json``): their cache records are
  removed and their sources marked as changed, so that Sphinx reads them again; every other
  chapter keeps its cached outputs. Which tables a chapter reads is
  recorded in ``book/_dependencies.json`` (see :mod:`nkbook.publish.execute`); a chapter missing
  from it counts as reading every table.

The chapters to execute are then executed in parallel, one per core, into Jupyter Book's
execution cache (:mod:`nkbook.publish.parallel`), while Sphinx starts in this process and
reads the other pages: when it comes to a chapter, it waits for its execution and takes it from
the cache (by itself, it would execute the chapters one after another). A build killed at any
point leaves no stamp, so the next build re-executes everything from a cleared cache; a build
that fails (a chapter or a warning) keeps the chapters it executed, and the next one executes
only those that failed or changed. When no file of the project has changed since the last successful build (and the commit the pages name is the same), Sphinx does not run at all: the pages stand as built. The build runs with
warnings as errors and nitpicky references. ``--dry-run`` prints the decision and builds nothing.

After the HTML, the PDF edition is printed (:mod:`nkbook.publish.pdf`), unless the pages it is made from
are the same as when it was last printed. A PDF that cannot be made (a chart that never draws,
Chromium failing) is an error naming the page and what did not draw, the build's status is 1, and
no stamp says the build is good: the next build runs Sphinx and the PDF step again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from nkbook.core.paths import project_root
from nkbook.publish.execute import DEPENDENCIES, read_dependencies
from nkbook.publish.parallel import Execution, jupyter_book

STAMP = ".nkbook-inputs.json"
PDF_STAMP = ".nkbook-pdf"
SOURCES_STAMP = ".nkbook-sources"
#: The lock a build holds on ``_build`` (one build of a clone at a time), and how long a second
#: build waits for it, in seconds (``NKBOOK_BUILD_WAIT`` overrides) before it gives up.
LOCK = ".nkbook-build.lock"
WAIT = 3600
#: Exit status of a build that gave up waiting for another (EX_TEMPFAIL: try again later).
BUSY = 75
#: Folders of the project that Sphinx never reads: outputs, environments, caches.
NOT_SOURCES = {"_build", ".venv", ".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache"}


def input_files(root: Path) -> list[Path]:
    """Inputs every chapter shares (a change re-executes every chapter)."""
    files = [
        *root.glob("src/nkbook/**/*.py"),
        *root.glob("src/nkbook/present/templates/**/*"),
        *root.glob("src/nkbook/present/static/**/*"),
        root / "book" / "references.bib",
        root / "requirements.lock",
        root / "CITATION.cff",
        root / "_config.yml",
        root / DEPENDENCIES,
    ]
    return sorted(p for p in files if p.is_file())


def _package(root: Path) -> dict:
    return json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


def inputs_digest(root: Path) -> str:
    """The digest of the shared inputs, the data package's own fields among them."""
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    meta = {k: v for k, v in _package(root).items() if k != "resources"}
    digest.update(b"datapackage.json\0" + _canonical(meta))
    return digest.hexdigest()


def table_digests(root: Path) -> dict[str, str]:
    """Each table's digest: its bytes and its description in the data package."""
    out = {}
    for res in _package(root)["resources"]:
        path = root / "data" / res["path"]
        digest = hashlib.sha256(_canonical(res))
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
        out[res["name"]] = digest.hexdigest()
    for extra in sorted((root / "data").glob("*.csv")):  # a table not (yet) in the package
        out.setdefault(extra.stem, hashlib.sha256(extra.read_bytes()).hexdigest())
    return out


def chapter_digests(root: Path) -> dict[str, str]:
    """Each chapter's digest: the digests of the tables it reads."""
    tables = table_digests(root)
    deps = read_dependencies(root)
    out = {}
    for path in sorted((root / "book").glob("*.ipynb")):
        name = path.relative_to(root).as_posix()
        read = deps.get(name, sorted(tables))
        out[name] = hashlib.sha256(
            "".join(f"{t}={tables.get(t, 'missing')}\n" for t in sorted(read)).encode()
        ).hexdigest()
    return out


def input_state(root: Path) -> dict:
    """What the chapters' outputs depend on besides their code: the shared inputs' digest and each chapter's."""
    return {"shared": inputs_digest(root), "chapters": chapter_digests(root)}


def rebuild_plan(previous: dict | None, current: dict) -> tuple[str, list[str]]:
    """("all", []) to re-execute every chapter; ("some", chapters) for exactly those; ("none", [])."""
    if not previous or previous.get("shared") != current["shared"]:
        return "all", []
    before = previous.get("chapters", {})
    stale = sorted(name for name, digest in current["chapters"].items() if before.get(name) not in (None, digest))
    return ("some", stale) if stale else ("none", [])


def forget_chapters(root: Path, chapters: list[str]) -> None:
    """Drop the cached execution of these chapters and mark their sources as changed."""
    from jupyter_cache import get_cache

    cache_dir = root / "_build" / ".jupyter_cache"
    cache = get_cache(str(cache_dir)) if cache_dir.is_dir() else None
    for name in chapters:
        path = root / name
        if cache is not None:
            try:
                record = cache.get_cached_project_nb(str(path))
            except KeyError:
                record = None
            if record is not None:
                cache.remove_cache(record.pk)
        os.utime(path)  # newer than the last read: Sphinx reads it again (its bytes are unchanged)


def sources_digest(root: Path) -> str:
    """One digest of every file of the project a build could read (all but outputs, environments
    and caches, listed by walking the folder, so that a new untracked page counts too) and of the
    commit the pages name: equal digests mean the build would write the same pages."""
    from nkbook.publish.sphinx_ext import source_commit

    digest = hashlib.sha256(source_commit(root).encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCES)
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Busy(Exception):
    """Another build of the same clone held ``_build`` for longer than this one would wait."""


@contextmanager
def building(root: Path) -> Iterator[None]:
    """Hold the clone's build lock for as long as a build writes into ``_build``. Two builds at
    once would write the same files (a stylesheet hashed while another process writes it), so a
    second build waits for the first, saying so, and gives up with :class:`Busy` after ``WAIT``
    seconds. The lock is the operating system's (``flock``): it ends with the process that holds
    it, however that process ends, so a killed build never leaves the clone locked."""
    out = root / "_build"
    out.mkdir(exist_ok=True)
    path = out / LOCK
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            wait = float(os.environ.get("NKBOOK_BUILD_WAIT", WAIT))
            print(
                f"another build of this clone holds {path}: waiting up to {wait:.0f} s for it to end", file=sys.stderr
            )
            deadline = time.monotonic() + wait
            while True:
                time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise Busy(f"another build of this clone still holds {path} after {wait:.0f} s") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_book(root: Path | None = None, dry_run: bool = False) -> int:
    """``make book``: the HTML book and its PDF edition, one build of a clone at a time."""
    root = root or project_root()
    try:
        with building(root):
            return _build_book(root, dry_run)
    except Busy as exc:
        print(f"{exc}: not built (run make book again when it has ended)", file=sys.stderr)
        return BUSY


#: The forms a page of the table of contents may take.
PAGE_SUFFIXES = (".md", ".ipynb")


def toc_problems(root: Path) -> list[str]:
    """What is wrong with ``_toc.yml`` before anything is built: a page it names that does not
    exist (with any of :data:`PAGE_SUFFIXES`), a glob that matches nothing, or a file it cannot read."""
    path = root / "_toc.yml"
    try:
        toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path.name}: cannot be read: {exc}"]
    problems: list[str] = []

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("root", "file") and isinstance(value, str):
                    if not any((root / f"{value}{suffix}").is_file() for suffix in PAGE_SUFFIXES):
                        problems.append(f"{path.name} names {value!r}, but no {value}.md or {value}.ipynb exists")
                elif key == "glob" and isinstance(value, str):
                    if not any(p.suffix in PAGE_SUFFIXES for p in root.glob(value)):
                        problems.append(f"{path.name}: the glob {value!r} matches no page")
                else:
                    walk(value)

    walk(toc)
    return problems


def _build_book(root: Path, dry_run: bool) -> int:
    out = root / "_build"
    if problems := toc_problems(root):  # before anything is wiped or executed
        print("not built: the table of contents is wrong:\n" + "\n".join(f"  - {p}" for p in problems), file=sys.stderr)
        return 1
    stamp = out / STAMP
    sources = sources_digest(root)
    kept = out / SOURCES_STAMP
    if kept.is_file() and kept.read_text() == sources and (out / "html" / "index.html").is_file():
        print("no file of the project changed since the last build: the pages stand as built")
        return 0 if dry_run else finished(root, sources)
    try:
        previous = json.loads(stamp.read_text()) if stamp.is_file() else None
    except ValueError:
        previous = None
    current = input_state(root)
    decision, chapters = rebuild_plan(previous, current)
    if decision == "all":
        print("shared inputs changed since the last build (or no build yet): every chapter will be re-executed")
    elif decision == "some":
        print(f"tables changed: re-executing the {len(chapters)} chapter(s) that read them: {', '.join(chapters)}")
    else:
        print("no input changed since the last build: chapters come from the execution cache")
    if dry_run:
        return 0
    if decision == "all":
        for stale in (out / ".jupyter_cache", out / "html", out / "jupyter_execute", out / ".doctrees"):
            shutil.rmtree(stale, ignore_errors=True)
    elif decision == "some":
        forget_chapters(root, chapters)
    stamp.unlink(missing_ok=True)  # a failed build must not leave a stamp that hides what changed
    kept.unlink(missing_ok=True)
    # the chapters to execute run in parallel from now; Sphinx reads each once it is cached
    with Execution(root) as execution:
        status = jupyter_book(root, before_reading=execution.store)
        failed = execution.finish() if status == 0 else []
    if failed:
        print(f"{len(failed)} chapter(s) failed to execute: {', '.join(failed)}", file=sys.stderr)
    if status != 0 or failed:
        keep_cache_after_failure(root, current)
        return status or 1
    out.mkdir(exist_ok=True)
    # the chapters' cached outputs and the pages match these inputs (true whatever the PDF does)
    stamp.write_text(json.dumps(current, indent=1, sort_keys=True))
    return finished(root, sources)


def finished(root: Path, sources: str) -> int:
    """The PDF edition, then the stamp that says the whole build is good (:data:`SOURCES_STAMP`,
    which lets the next build skip Sphinx): written only once the PDF edition is made, and removed
    before it is tried, so that a PDF that fails (or a build killed while printing) leaves no
    stamp claiming a good build, and the next build runs again."""
    kept = root / "_build" / SOURCES_STAMP
    kept.unlink(missing_ok=True)
    status = pdf_edition(root)
    if status == 0:
        kept.write_text(sources)
    return status


def keep_cache_after_failure(root: Path, current: dict) -> None:
    """After a failed build, keep what it executed: the chapters that executed are in the cache,
    made from the inputs of this build, and a chapter that failed is not (it is executed again
    next time). So the inputs are recorded as the state the cache matches, and the next build
    re-executes only what failed or what changed since. Sphinx's saved environment goes, so that
    the next build reads every page again and reports again every warning of this one; no sources
    stamp is written, so Sphinx runs, and no PDF is printed."""
    out = root / "_build"
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    out.mkdir(exist_ok=True)
    (out / STAMP).write_text(json.dumps(current, indent=1, sort_keys=True))
    print("the chapters that executed are kept in the cache: the next build executes only those that failed or changed")


def pages_digest(root: Path) -> str:
    """The digest of the built pages the PDF edition is printed from (all but the execution report)."""
    digest = hashlib.sha256()
    for path in sorted((root / "_build" / "html" / "book").rglob("*.html")):
        if path.name != "execution.html":
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pdf_edition(root: Path) -> int:
    """Print the PDF edition if the pages changed since it was last printed (or it is missing)."""
    from nkbook.publish.pdf import PDF_NAME, PdfError, build_pdf

    target = root / "_build" / "html" / "_static" / "downloads" / PDF_NAME
    stamp = root / "_build" / PDF_STAMP
    digest = pages_digest(root)
    if target.is_file() and stamp.is_file() and stamp.read_text() == digest:
        print("PDF edition: pages unchanged since it was printed")
        return 0
    stamp.unlink(missing_ok=True)
    try:
        build_pdf(root)
    except PdfError as exc:  # a chart not drawn, Chromium failing: named, never a traceback
        print(f"PDF edition not made: {exc}", file=sys.stderr)
        return 1
    stamp.write_text(digest)
    return 0


if __name__ == "__main__":
    sys.exit(build_book(dry_run="--dry-run" in sys.argv[1:]))
