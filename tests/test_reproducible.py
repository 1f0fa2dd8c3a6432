"""Two builds of the same sources give the same book, byte for byte, but for the allow-list;
``make data`` in a fresh copy gives the committed tables and data package."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import HTML, ROOT, SHARED, needs_shared
from nkbook.publish.reproducible import ALLOWED, allowed_matches, differences, masked, tracked_copy
from nkbook.publish.sphinx_ext import source_commit

ROW = (
    '<tr class="row-even"><td><p><a class="xref doc reference internal" href="bloc.html"><span class="doc">book/bloc</span></a></p></td>\n'
    "<td><p>{when}</p></td>\n<td><p>cache</p></td>\n<td><p>{secs}</p></td>\n<td><p>✅</p></td>\n</tr>"
)


def make_data(copy, env) -> subprocess.CompletedProcess:
    """What ``make data`` runs: the tables and the package, then the appendix pages."""
    tables = subprocess.run([sys.executable, "-m", "nkbook.etl"], cwd=copy, env=env, capture_output=True, text=True)
    if tables.returncode:
        return tables
    return subprocess.run(
        [sys.executable, "-m", "nkbook.present.appendix"], cwd=copy, env=env, capture_output=True, text=True
    )


def _book(folder, report_row, other="<p>text</p>"):
    (folder / "book").mkdir(parents=True)
    (folder / "book" / "execution.html").write_text(f"<table>{report_row}</table>{other}", encoding="utf-8")
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    return folder


def test_allow_list_excuses_only_execution_times(tmp_path):
    a = _book(tmp_path / "a", ROW.format(when="2026-11-22 03:08", secs="6.07"))
    assert differences(a, _book(tmp_path / "b", ROW.format(when="2027-01-02 10:11", secs="12"))) == []
    # a changed status, document or any other text on the page is a difference
    changed = differences(
        a, _book(tmp_path / "c", ROW.format(when="2026-11-22 03:08", secs="6.07").replace("✅", "❌"))
    )
    assert len(changed) == 1 and changed[0].startswith("book/execution.html: differs from byte")
    assert (
        len(differences(a, _book(tmp_path / "d", ROW.format(when="2026-11-22 03:08", secs="6.07"), "<p>other</p>")))
        == 1
    )
    # any other file must match exactly, and a file missing on either side is reported
    e = _book(tmp_path / "e", ROW.format(when="2026-11-22 03:08", secs="6.07"))
    (e / "index.html").write_text("<p>index 2</p>", encoding="utf-8")
    (e / "extra.js").write_text("1", encoding="utf-8")
    assert [d.split(":")[0] for d in differences(a, e)] == ["extra.js", "index.html"]
    assert list(ALLOWED) == ["book/execution.html"]
    assert masked("index.html", b"2026-11-22 03:08") == b"2026-11-22 03:08"


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_allow_list_matches_each_chapter_of_the_built_report():
    report = (HTML / "book" / "execution.html").read_bytes()
    assert (
        allowed_matches("book/execution.html", report) == len(list((ROOT / "book").glob("*.ipynb"))) == 10
    )  # the card pages are not notebooks
    assert b"[time]" in masked("book/execution.html", report)


def _tracked_copy(dest):
    try:
        return tracked_copy(ROOT, dest)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git work tree: cannot tell which files make up the sources")


@needs_shared
@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_a_second_copy_builds_the_same_book_and_the_same_data(tmp_path):
    """A fresh copy of the tracked files, its own package and a cold build: the book that
    ``make book`` built here, byte for byte but for the allow-list; ``make data`` there
    rewrites every table and ``datapackage.json`` to the committed bytes."""
    copy = _tracked_copy(tmp_path / "copy")
    env = {
        **os.environ,
        "PYTHONPATH": str(copy / "src"),
        "NKBOOK_SHARED": str(SHARED),
        "NKBOOK_COMMIT": source_commit(ROOT),
    }
    env.pop("NKBOOK_ROOT", None)
    data = make_data(copy, env)
    assert data.returncode == 0, data.stdout + data.stderr
    assert differences(ROOT / "data", copy / "data") == []
    build = subprocess.run(
        [sys.executable, "-m", "nkbook.publish.build"], cwd=copy, env=env, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert differences(HTML, copy / "_build" / "html") == []
    # Then a table changes: exactly the chapter that reads it runs again, and its page shows the
    # new value; every other chapter keeps its cached execution, and its page, byte for byte.
    from jupyter_cache import get_cache

    def records():
        cache = get_cache(str(copy / "_build" / ".jupyter_cache"))
        return {r.uri.rsplit("/", 1)[-1]: r.pk for r in cache.list_cache_records()}

    cached = records()
    table = copy / "data" / "dprk_trade.csv"
    table.write_text(table.read_text().replace("6390000000,US$6.39 billion", "6391000000,US$6.39 billion", 1))
    data = make_data(copy, env)
    assert data.returncode == 0, data.stdout + data.stderr
    build = subprocess.run(
        [sys.executable, "-m", "nkbook.publish.build"], cwd=copy, env=env, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "re-executing the 1 chapter(s) that read them: book/flows.ipynb" in build.stdout
    after = records()
    assert after.keys() == cached.keys() and after["flows.ipynb"] != cached["flows.ipynb"]
    assert {k: v for k, v in after.items() if k != "flows.ipynb"} == {
        k: v for k, v in cached.items() if k != "flows.ipynb"
    }
    changed = sorted(d.split(":")[0] for d in differences(HTML, copy / "_build" / "html"))
    assert changed == [
        "_sources/book/appendix/dprk_trade.md",
        "_static/downloads/datapackage.json",
        "_static/downloads/dprk_trade.csv",
        "_static/downloads/north-korea-russia-war-book.pdf",
        "book/appendix/dprk_trade.html",
        "book/flows.html",
        "searchindex.js",
    ], changed
    assert "6391000000" in (copy / "_build" / "html" / "_static" / "downloads" / "dprk_trade.csv").read_text()
    assert '"value_m":6391.0' in (copy / "_build" / "html" / "book" / "flows.html").read_text()
