"""The build driver re-executes every chapter when a shared input changes, and exactly the
chapters that read a table when only that table changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from nkbook.publish.build import input_files, input_state, rebuild_plan
from nkbook.publish.execute import DEPENDENCIES, read_dependencies
from nkbook.publish.parallel import Execution, fill_cache, settings, workers
from nkbook.publish.parallel import chapters as parallel_chapters


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "src", root / "src")
    (root / "book").mkdir()
    for name in ["references.bib", "_dependencies.json", *[p.name for p in (ROOT / "book").glob("*.ipynb")]]:
        shutil.copy(ROOT / "book" / name, root / "book" / name)
    for name in ("CITATION.cff", "requirements.lock", "_config.yml"):
        shutil.copy(ROOT / name, root / name)
    return root


def test_shared_inputs_are_the_package_bibliography_lock_configuration_and_dependency_map():
    names = {str(p.relative_to(ROOT)) for p in input_files(ROOT)}
    assert {
        "book/references.bib",
        "src/nkbook/present/charts.py",
        "requirements.lock",
        "_config.yml",
        DEPENDENCIES,
    } <= names
    assert not any(n.startswith("data/") for n in names)  # tables count chapter by chapter


def test_every_chapter_has_its_tables_recorded():
    deps = read_dependencies(ROOT)
    assert sorted(deps) == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").glob("*.ipynb"))
    # the closing section, "What this means for the essays", reads the register (claims, essays)
    assert deps["book/sanctions.ipynb"] == [
        "claims",
        "essays",
        "ofac_dprk_sdn_entries",
        "other_states_sanctions",
        "petroleum_supply",
        "un_1718_designations",
        "unsc_dprk_actions",
        "us_dprk_russia_designations",
    ]
    assert [c for c, tables in sorted(deps.items()) if "dprk_trade" in tables] == ["book/flows.ipynb"]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_means_nothing_re_executed(copy):
    assert rebuild_plan(input_state(copy), input_state(copy)) == ("none", [])
    assert rebuild_plan(None, input_state(copy)) == ("all", [])


def test_a_table_re_executes_exactly_the_chapters_that_read_it(copy):
    before = input_state(copy)
    _edit(copy / "data" / "dprk_trade.csv", "6390000000,US$6.39 billion", "6391000000,US$6.39 billion")
    assert rebuild_plan(before, input_state(copy)) == ("some", ["book/flows.ipynb"])
    (copy / "data" / "petroleum_supply.csv").touch()  # a newer file with the same bytes is no change
    assert rebuild_plan(before, input_state(copy)) == ("some", ["book/flows.ipynb"])


def test_a_table_description_counts_as_the_table(copy):
    before = input_state(copy)
    pkg = json.loads((copy / "data" / "datapackage.json").read_text())
    next(r for r in pkg["resources"] if r["name"] == "troop_estimates")["title"] = "Retitled"
    (copy / "data" / "datapackage.json").write_text(json.dumps(pkg, indent=1))
    # the munitions chapter's maps read the troop rows that name their places (for their dates)
    assert rebuild_plan(before, input_state(copy)) == ("some", ["book/munitions.ipynb", "book/troops.ipynb"])


@pytest.mark.parametrize(
    "change",
    [
        lambda root: _edit(root / "data" / "datapackage.json", '"x-searched-through": "', '"x-searched-through": "1'),
        lambda root: _edit(root / "src" / "nkbook" / "present" / "charts.py", "PALETTE = [", "PALETTE = [  # edited\n"),
        lambda root: _edit(root / "book" / "references.bib", "@online{", "@online {"),
        lambda root: _edit(root / "book" / "_dependencies.json", '"claims",', '"claims", "dprk_trade",'),
    ],
    ids=["evidence cut-off", "package", "bibliography", "dependency map"],
)
def test_a_shared_input_re_executes_everything(copy, change):
    before = input_state(copy)
    change(copy)
    assert rebuild_plan(before, input_state(copy)) == ("all", [])


def test_a_chapter_missing_from_the_map_reads_every_table(copy):
    deps = json.loads((copy / "book" / "_dependencies.json").read_text())
    del deps["book/flows.ipynb"]
    (copy / "book" / "_dependencies.json").write_text(json.dumps(deps))
    before = input_state(copy)
    text = (copy / "data" / "us_dprk_russia_designations.csv").read_text()
    (copy / "data" / "us_dprk_russia_designations.csv").write_text(text + "\n")
    assert rebuild_plan(before, input_state(copy)) == ("some", ["book/flows.ipynb", "book/sanctions.ipynb"])


def _notebook(path, *sources):
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter"), *map(nbformat.v4.new_code_cell, sources)]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_the_parallel_execution_follows_the_configuration():
    config = settings(ROOT)
    assert (config.mode, config.timeout, config.allow_errors) == ("cache", 600, False)
    chapters = [p.name for p in parallel_chapters(ROOT, config)]
    assert sorted(chapters) == sorted(p.name for p in (ROOT / "book").glob("*.ipynb"))
    sizes = [(ROOT / "book" / name).stat().st_size for name in chapters]
    assert sizes == sorted(sizes, reverse=True)  # the largest notebook starts first
    assert workers(1) == 1 and 1 <= workers(13) <= 4


def test_chapters_are_executed_into_the_cache_that_myst_nb_reads(tmp_path):
    """Each chapter missing from the cache is executed in its folder and cached under its code,
    as myst-nb would cache it; a cached chapter is not executed again; a failure is not cached."""
    import nbformat
    from jupyter_cache import get_cache

    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text("execute:\n  execute_notebooks: cache\n  timeout: 60\n")
    (tmp_path / "book" / "table.csv").write_text("a\n1\n")
    good = _notebook(tmp_path / "book" / "good.ipynb", "import os\nprint(sorted(os.listdir('.')))", "6 * 7")
    other = _notebook(tmp_path / "book" / "other.ipynb", "print('other')")
    with Execution(tmp_path) as execution:  # both chapters execute from now on
        cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
        execution.store(good)  # what Sphinx does before reading a chapter: wait for it, cache it
        assert [Path(r.uri).name for r in cache.list_cache_records()] == ["good.ipynb"]
        execution.store(good)  # once only
        execution.store(tmp_path / "book" / "not-a-chapter.ipynb")
        assert execution.finish() == []  # the rest
    _, merged = cache.merge_match_into_notebook(nbformat.read(good, as_version=4))  # what myst-nb does
    code = [c for c in merged.cells if c.cell_type == "code"]
    assert code[0].outputs[0].text == "['good.ipynb', 'other.ipynb', 'table.csv']\n"  # run in book/
    assert code[1].outputs[0].data["text/plain"] == "42"
    assert "execution" not in code[0].metadata  # no timings in the outputs
    records = {Path(r.uri).name: r for r in cache.list_cache_records()}
    assert sorted(records) == ["good.ipynb", "other.ipynb"]
    assert all(r.data["execution_seconds"] > 0 for r in records.values())  # the execution report's times
    assert cache.get_cached_project_nb(str(good)).pk == records["good.ipynb"].pk  # as forget_chapters finds it

    # nothing missing: nothing executed; a changed chapter and a failing one are executed
    assert fill_cache(tmp_path) == []
    assert {Path(r.uri).name: r.pk for r in cache.list_cache_records()} == {k: r.pk for k, r in records.items()}
    _notebook(other, "print('changed')")
    bad = _notebook(tmp_path / "book" / "bad.ipynb", "raise ValueError('boom')")
    assert fill_cache(tmp_path) == ["book/bad.ipynb"]
    after = {Path(r.uri).name: r.pk for r in cache.list_cache_records()}
    assert sorted(after) == ["good.ipynb", "other.ipynb"] and after["other.ipynb"] != records["other.ipynb"].pk
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(bad, as_version=4))
    assert "boom" in cache.get_project_record(str(bad)).traceback


def test_the_sources_digest_sees_every_page_but_not_the_outputs(tmp_path):
    """The no-change rebuild skips Sphinx only when no file a build could read has changed."""
    from nkbook.publish.build import sources_digest

    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text("# A page\n", encoding="utf-8")
    first = sources_digest(tmp_path)
    for ignored in ("_build/html/index.html", ".venv/bin/python", "book/__pycache__/x.pyc"):
        (tmp_path / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored).write_text("output", encoding="utf-8")
    assert sources_digest(tmp_path) == first
    (tmp_path / "book" / "page.md").write_text("# A page, edited\n", encoding="utf-8")
    edited = sources_digest(tmp_path)
    assert edited != first
    (tmp_path / "book" / "new.md").write_text("# New\n", encoding="utf-8")  # untracked pages count too
    assert sources_digest(tmp_path) not in (first, edited)


def test_a_second_build_of_the_same_clone_waits_for_the_first_then_refuses_clearly(copy, monkeypatch, capsys):
    """Two builds at once would write the same files: the second waits for the lock on _build,
    says so, and gives up after NKBOOK_BUILD_WAIT seconds with exit status 75 and nothing done."""
    import fcntl
    import time

    from nkbook.publish.build import BUSY, LOCK, build_book

    shutil.copy(ROOT / "_toc.yml", copy / "_toc.yml")  # the whole book, so that the build may go ahead
    shutil.copytree(ROOT / "book" / "appendix", copy / "book" / "appendix")
    for page in (ROOT / "book").glob("*.md"):
        shutil.copy(page, copy / "book" / page.name)
    (copy / "_build").mkdir()
    monkeypatch.setenv("NKBOOK_BUILD_WAIT", "1")
    with open(copy / "_build" / LOCK, "a+") as first:  # the first build, still running
        fcntl.flock(first, fcntl.LOCK_EX)
        started = time.monotonic()
        assert build_book(copy, dry_run=True) == BUSY == 75
        assert time.monotonic() - started >= 1
    err = capsys.readouterr().err
    assert f"another build of this clone holds {copy / '_build' / LOCK}: waiting up to 1 s" in err
    assert "still holds" in err and "not built (run make book again when it has ended)" in err
    assert not (copy / "_build" / "html").exists()
    # once the first build has ended (its lock goes with its process), the next one goes ahead
    assert build_book(copy, dry_run=True) == 0
    assert "every chapter will be re-executed" in capsys.readouterr().out


def test_a_table_of_contents_naming_a_missing_page_fails_before_anything_is_wiped(copy, capsys):
    """A page _toc.yml names but the book lacks, or a glob that matches nothing, stops the build at
    once, naming it: nothing in _build is wiped and no chapter is executed first."""
    from nkbook.publish.build import build_book, toc_problems

    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    (copy / "_toc.yml").write_text(
        toc.replace("- file: book/flows", "- file: book/flows\n      - file: book/no-such-chapter"), encoding="utf-8"
    )
    for page in ("intro", "flows"):
        assert (copy / "book" / f"{page}.ipynb").is_file()
    problems = toc_problems(copy)
    assert (
        "_toc.yml names 'book/no-such-chapter', but no book/no-such-chapter.md or book/no-such-chapter.ipynb exists"
        in problems
    )
    assert "_toc.yml: the glob 'book/appendix/*' matches no page" in problems  # the copy has no appendix
    kept = copy / "_build" / "html" / "index.html"
    kept.parent.mkdir(parents=True)
    kept.write_text("an earlier build", encoding="utf-8")
    assert build_book(copy, dry_run=True) == 1
    assert build_book(copy) == 1
    assert kept.read_text(encoding="utf-8") == "an earlier build"
    err = capsys.readouterr().err
    assert "not built: the table of contents is wrong:" in err and "book/no-such-chapter" in err
    assert toc_problems(ROOT) == []


def test_a_failed_build_keeps_the_chapters_it_executed(copy, monkeypatch, capsys):
    """A build that fails (here Sphinx, after the chapters executed) records the inputs its cache
    was made from: the next build executes only what failed or changed, instead of wiping the
    cache and executing every chapter again. Sphinx's environment goes, so that every page is
    read again and every warning reported again; no PDF is printed."""
    from nkbook.publish import build
    from nkbook.publish.build import STAMP, build_book

    shutil.copy(ROOT / "_toc.yml", copy / "_toc.yml")
    shutil.copytree(ROOT / "book" / "appendix", copy / "book" / "appendix")
    for page in (ROOT / "book").glob("*.md"):
        shutil.copy(page, copy / "book" / page.name)

    class Executed:  # every chapter executed and cached; Sphinx then fails on a warning
        def __init__(self, root):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def store(self, path):
            pass

    def sphinx_fails(root, before_reading=None):
        (root / "_build" / ".doctrees").mkdir(parents=True, exist_ok=True)
        return 1

    monkeypatch.setattr(build, "Execution", Executed)
    monkeypatch.setattr(build, "jupyter_book", sphinx_fails)
    monkeypatch.setattr(build, "pdf_edition", lambda root: pytest.fail("no PDF after a failed build"))
    assert build_book(copy) == 1
    assert json.loads((copy / "_build" / STAMP).read_text()) == input_state(copy)
    assert not (copy / "_build" / ".doctrees").exists()
    capsys.readouterr()
    assert build_book(copy, dry_run=True) == 0
    assert "no input changed since the last build: chapters come from the execution cache" in capsys.readouterr().out


def test_a_chapter_that_finished_before_sphinx_failed_is_cached(tmp_path):
    """When Sphinx fails before it comes to a chapter, the chapter's finished execution is cached
    all the same; one still executing is stopped and not cached."""
    import time

    from jupyter_cache import get_cache

    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text("execute:\n  execute_notebooks: cache\n  timeout: 60\n")
    quick = _notebook(tmp_path / "book" / "quick.ipynb", "6 * 7")
    _notebook(tmp_path / "book" / "slow.ipynb", "import time\ntime.sleep(60)")
    with Execution(tmp_path) as execution:
        quick_job = execution.jobs[quick.resolve()]
        deadline = time.monotonic() + 60
        while not quick_job.done() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert quick_job.done()
    # Sphinx failed here, having stored nothing
    cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
    assert [Path(r.uri).name for r in cache.list_cache_records()] == ["quick.ipynb"]


def test_a_pdf_that_fails_leaves_no_stamp_that_claims_a_good_build(copy, monkeypatch, capsys):
    """The HTML is built, then a chart never draws in Chromium: the build says which chart on
    which page and ends with status 1, not a Playwright traceback, and no stamp says the build
    is good (the next build must not report "the pages stand as built"); the same when the PDF
    fails in a later build of unchanged sources."""
    from nkbook.publish import build, pdf

    if not pdf.CHROMIUM.exists():
        pytest.skip(f"{pdf.CHROMIUM} is missing (make system-deps)")
    shutil.copy(ROOT / "_toc.yml", copy / "_toc.yml")
    shutil.copytree(ROOT / "book" / "appendix", copy / "book" / "appendix")
    for page in (ROOT / "book").glob("*.md"):
        shutil.copy(page, copy / "book" / page.name)

    class NoExecution:  # the chapters are not executed: the HTML build below is a stand-in
        def __init__(self, root):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def store(self, *args, **kwargs):
            pass

        def finish(self):
            return []

    def html_build(root, before_reading=None):
        for name in ("index.html", "book/intro.html"):
            (root / "_build" / "html" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "_build" / "html" / name).write_text("<p>built</p>", encoding="utf-8")
        return 0

    single = copy / "_build" / "singlehtml" / "edition.html"
    single.parent.mkdir(parents=True)
    single.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Edition</title></head><body><h1>Book</h1>'
        '<figure class="nkb-chart" id="nkb-0123456789abcdef"><p class="nkb-chart-title">Launches</p></figure>'
        "</body></html>",
        encoding="utf-8",
    )
    monkeypatch.setattr(build, "Execution", NoExecution)
    monkeypatch.setattr(build, "jupyter_book", html_build)
    monkeypatch.setattr(pdf, "single_page", lambda root: single)
    monkeypatch.setattr(pdf, "CHART_TIMEOUT_MS", 1000, raising=False)
    out = copy / "_build"

    assert build.build_book(copy) == 1
    err = capsys.readouterr().err
    assert f"PDF edition not made: {single}: 1 of 1 charts not drawn after 1 s: nkb-0123456789abcdef (Launches)" in err
    assert "Traceback" not in err
    assert (out / "html" / "index.html").is_file()  # the HTML stands; nothing says the whole build is good
    assert not (out / build.SOURCES_STAMP).exists() and not (out / build.PDF_STAMP).exists()
    assert not (out / "html" / "_static" / "downloads" / pdf.PDF_NAME).exists()
    assert build.build_book(copy, dry_run=True) == 0
    assert "the pages stand as built" not in capsys.readouterr().out

    # a later build of unchanged sources, after a good one, whose PDF fails: the stamp goes
    (out / build.SOURCES_STAMP).write_text(build.sources_digest(copy))

    def fails(page, target, cutoff):
        raise pdf.PdfError(f"{page}: Chromium failed while printing: Target crashed")

    monkeypatch.setattr(pdf, "print_pdf", fails)
    assert build.build_book(copy) == 1
    captured = capsys.readouterr()
    assert "the pages stand as built" in captured.out and "Target crashed" in captured.err
    assert not (out / build.SOURCES_STAMP).exists()
