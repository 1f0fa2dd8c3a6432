"""The test tiers of tests/conftest.py, run on a small project of their own: every test gets exactly
one tier from what it needs, and under CI (``CI=true``) a test that would skip because ../shared, the
seeds or the built book is missing fails instead, naming what is missing. Also: the data package is
parsed once per version of its file, and what callers get cannot corrupt the cache."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

TESTS = """
import pytest
from conftest import HTML, built_pages, needs_seeds, needs_shared

built = pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")


def test_plain():
    assert 1 + 1 == 2


@needs_shared
def test_snapshots():
    pass


@needs_seeds
def test_seeds():
    pass


@built
def test_page():
    pass


def test_every_page():  # no skip marker: it would pass on an empty book
    for page in built_pages():
        assert page.read_text()


@pytest.mark.skipif(not built_pages(), reason="the book is not built (make book)")
@pytest.mark.parametrize("page", built_pages())
def test_each_page(page):
    pass


@pytest.mark.skipif(not (HTML / "book.pdf").is_file(), reason="no built book: run `make book` first")
def test_pdf():
    pass


@pytest.mark.browser
def test_in_chromium():
    pass


@pytest.mark.skip(reason="not a git work tree")
def test_other_skip():
    pass
"""

PYPROJECT = """
[tool.pytest.ini_options]
addopts = "-ra --strict-markers -p no:cacheprovider"
markers = ["unit", "data", "built", "browser", "notebooks"]
"""

NAMES = {
    "unit": ["test_plain", "test_other_skip"],
    "data": ["test_snapshots", "test_seeds"],
    "built": ["test_page", "test_every_page", "test_each_page[NOTSET]", "test_pdf"],
    "browser": ["test_in_chromium"],
}


@pytest.fixture
def project(tmp_path):
    """tests/conftest.py in a project without ../shared and without a built book."""
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", root / "tests" / "conftest.py")
    (root / "tests" / "test_sample.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def run(root, *args, ci: bool, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NKBOOK_TEST_HTML", "PYTEST_ADDOPTS")}
    env.update(extra, **({"CI": "true"} if ci else {}))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:nbval", "-p", "no:xdist", "-rA", *args, "tests"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def collected(out: str) -> list[str]:
    return sorted(line.split("::", 1)[1] for line in out.splitlines() if "::" in line)


def failed(out: str) -> set[str]:
    """The tests that failed: a missing input fails a test at its setup, which pytest calls an error."""
    return {line.split("::")[1].split(" ")[0] for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))}


def test_every_test_gets_exactly_the_tier_its_needs_call_for(project):
    for tier, names in NAMES.items():
        result = run(project, "--collect-only", "-q", "-m", tier, ci=False)
        assert collected(result.stdout) == sorted(names), (tier, result.stdout + result.stderr)
    untiered = run(
        project, "--collect-only", "-q", "-m", "not (unit or data or built or browser or notebooks)", ci=False
    )
    assert collected(untiered.stdout) == []
    # two tier markers on one test are an error at collection
    (project / "tests" / "test_two.py").write_text(
        "import pytest\n\n@pytest.mark.unit\n@pytest.mark.browser\ndef test_two():\n    pass\n"
    )
    result = run(project, "--collect-only", "-q", ci=False)
    assert result.returncode != 0 and "more than one tier marker" in result.stdout + result.stderr


def test_without_ci_missing_inputs_skip(project):
    result = run(project, ci=False)
    assert result.returncode == 0, result.stdout
    assert "3 passed, 6 skipped in" in result.stdout  # test_every_page passes on an empty book


def test_under_ci_missing_inputs_fail_and_say_what_is_missing(project):
    result = run(project, ci=True)
    assert result.returncode == 1, result.stdout
    assert failed(result.stdout) == {
        "test_snapshots",
        "test_seeds",
        "test_page",
        "test_every_page",
        "test_each_page[NOTSET]",
        "test_pdf",
        "test_in_chromium",
    }
    out = result.stdout
    assert "CI=true, so this test must run, but" in out
    assert f"{project.parent / 'shared' / 'data' / 'snapshots'} (the raw snapshots of ../shared) is missing" in out
    assert f"{project.parent / 'shared' / 'seeds'} (the essays of ../shared) is missing" in out
    assert f"the built book {project / '_build' / 'html' / 'index.html'} (run `make book`) is missing" in out
    assert "PASSED tests/test_sample.py::test_plain" in out
    assert re.search(r"SKIPPED \[1\] tests/test_sample.py:\d+: not a git work tree", out)  # other skips stay


def test_a_public_ci_without_the_essays_skips_their_tests_and_fails_the_rest(project):
    """The essays are not redistributed: with NKBOOK_NO_ESSAYS=1 a CI without them skips their
    tests (saying how to get them); every other missing input still fails."""
    result = run(project, ci=True, NKBOOK_NO_ESSAYS="1")
    assert "test_seeds" not in failed(result.stdout)
    assert re.search(r"SKIPPED \[1\] tests/test_sample.py:\d+: .*the essays are not redistributed", result.stdout)
    assert {"test_snapshots", "test_page", "test_in_chromium"} <= failed(result.stdout)


def test_under_ci_a_present_input_runs(project, tmp_path):
    html = tmp_path / "html"
    (html / "book").mkdir(parents=True)
    (html / "index.html").write_text("<p>")
    (html / "book" / "intro.html").write_text("<p>intro")
    (project.parent / "shared" / "data" / "snapshots").mkdir(parents=True)
    result = run(project, ci=True, NKBOOK_TEST_HTML=str(html))
    assert failed(result.stdout) == {"test_seeds", "test_pdf"}, result.stdout
    assert "7 passed, 1 skipped, 2 errors" in result.stdout
    assert (
        "CI=true, so this test must run (it would have been skipped: no built book: run `make book` first)"
        in result.stdout
    )


def _notebook(table: str) -> str:
    source = f"from nkbook.core.trace import note_read\nnote_read({table!r})\nprint('read')"
    cell = {"cell_type": "code", "metadata": {}, "source": source, "execution_count": 1, "id": "c1"}
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "read\n"}]
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def chapters(tmp_path):
    """Two chapters (one reads alpha, the other gamma, which book/_dependencies.json records as beta)
    and a test that reads zeta in the test process itself."""
    root = tmp_path / "project"
    (root / "book").mkdir(parents=True)
    (root / "tests").mkdir()
    shutil.copy(ROOT / "conftest.py", root / "conftest.py")
    (root / "pyproject.toml").write_text(
        PYPROJECT.replace('-p no:cacheprovider"', '-p no:cacheprovider --nbval --nbval-current-env --dist loadfile"')
    )
    (root / "book" / "one.ipynb").write_text(_notebook("alpha"))
    (root / "book" / "two.ipynb").write_text(_notebook("gamma"))
    deps = {"book/one.ipynb": ["alpha"], "book/two.ipynb": ["beta"]}
    (root / "book" / "_dependencies.json").write_text(json.dumps(deps))
    (root / "tests" / "test_reads.py").write_text(
        "from nkbook.core.trace import note_read\n\n\ndef test_reads():\n    note_read('zeta')\n"
    )
    return root


@pytest.mark.notebooks  # starts Jupyter kernels
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "two workers"])
def test_stale_dependencies_are_found_in_any_order_and_in_workers(chapters, workers):
    """The controller reports the chapter whose tables differ from book/_dependencies.json, and fails
    the run; a test that runs after a chapter in the same process notes nothing in its trace."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "NKBOOK_TRACE")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *workers, "book/one.ipynb", "book/two.ipynb", "tests/test_reads.py"],
        cwd=chapters,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    report = result.stdout.split("book/_dependencies.json is out of date (run `make notebooks`):\n")[1]
    assert report.splitlines()[0] == "book/two.ipynb read ['gamma'], but book/_dependencies.json records ['beta']"
    assert "book/one.ipynb" not in report and "zeta" not in report


# --------------------------------------------------------------------------- the data package


def test_package_is_parsed_once_per_version_of_the_file(project_copy):
    from nkbook.data import package, resource

    first = package()
    assert package() is first  # cached: not parsed again
    assert resource("claims") is next(r for r in first["resources"] if r["name"] == "claims")
    path = project_copy / "data" / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    cutoff = first["x-searched-through"]
    edited = text.replace(f'"x-searched-through": "{cutoff}"', '"x-searched-through": "1999-01-01"', 1)
    assert len(edited) == len(text) and edited != text  # the same size: only the stamp tells
    with open(path, "w", encoding="utf-8") as fh:  # in place: the same inode
        fh.write(edited)
    assert package()["x-searched-through"] == "1999-01-01"
    assert package() is not first and first["x-searched-through"] == cutoff


def test_package_cannot_be_changed_by_a_caller(project_copy):
    from nkbook.data import package, resource

    pkg = package()
    res = resource("claims")
    for change in (
        lambda: pkg.__setitem__("x-searched-through", "1999-01-01"),
        lambda: pkg["resources"].append({}),
        lambda: res.update(name="other"),
        lambda: res["schema"]["fields"].pop(),
        lambda: res["schema"]["fields"][0].setdefault("x", 1),
        lambda: pkg.pop("resources"),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert package() == json.loads((project_copy / "data" / "datapackage.json").read_text(encoding="utf-8"))
    mutable = copy.deepcopy(pkg)  # what etl edits: plain dicts and lists
    assert type(mutable) is dict and type(mutable["resources"]) is list and mutable == pkg
    mutable["resources"][0]["name"] = "changed"
    assert package()["resources"][0]["name"] != "changed"
    assert json.loads(json.dumps(pkg)) == mutable | {"resources": pkg["resources"]}


def test_a_missing_package_is_a_data_error(project_copy):
    from nkbook.core.errors import DataError
    from nkbook.data import package

    (project_copy / "data" / "datapackage.json").unlink()
    with pytest.raises(DataError, match="cannot read the data package"):
        package()


def test_a_broken_package_is_a_data_error(project_copy):
    from nkbook.core.errors import DataError
    from nkbook.data import package

    (project_copy / "data" / "datapackage.json").write_text(textwrap.dedent('{"resources": [1, '))
    with pytest.raises(DataError, match="cannot read the data package"):
        package()


def test_a_missing_essay_says_how_to_obtain_it(project):
    """The essays are not redistributed: a test that needs them skips saying where they come from."""
    result = run(project, "-vv", ci=False)
    assert re.search(
        r"SKIPPED \[1\] tests/test_sample.py:\d+: \.\./shared/seeds \(the essays\) is not beside the project: the "
        r"essays are not redistributed; save each from its publisher under the file name data/essays.csv gives "
        r"\(seed_file, url; README: 'The raw snapshots and the essays'\)",
        result.stdout,
    ), result.stdout
