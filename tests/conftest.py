"""Shared fixtures: a throw-away copy of the project for tests that break its data."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SNAPSHOTS = SHARED / "data" / "snapshots"

needs_shared = pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="../shared/data/snapshots is not beside the project")


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A copy of data/, book/references.bib and _config.yml, made the project root."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data", root / "data")
    (root / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    monkeypatch.setenv("NKBOOK_ROOT", str(root))
    return root


#: The built book the page tests read; NKBOOK_TEST_HTML points them at another build (e.g. a copy of
#: an older release's, to show that a new test fails on it).
HTML = Path(os.environ.get("NKBOOK_TEST_HTML") or ROOT / "_build" / "html").resolve()


def is_redirect(page: Path) -> bool:
    """Jupyter Book's index.html only forwards to the first page."""
    return page.read_text(encoding="utf-8").startswith('<meta http-equiv="Refresh"')


def built_pages(redirects: bool = False) -> list[Path]:
    """The built book's pages (or, with ``redirects``, only the stubs that forward elsewhere)."""
    found = [p for p in HTML.rglob("*.html") if "_static" not in p.parts] if HTML.is_dir() else []
    return sorted(p for p in found if is_redirect(p) == redirects)


SEEDS = SHARED / "seeds"
#: The essays are not redistributed: a reader saves them from their publishers (README, "The raw snapshots and the essays").
SEEDS_MISSING = (
    "../shared/seeds (the essays) is not beside the project: the essays are not redistributed; save each "
    "from its publisher under the file name data/essays.csv gives (seed_file, url; README: 'The raw snapshots and the essays')"
)
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=SEEDS_MISSING)


# --------------------------------------------------------------------------- tiers
# Every test gets exactly one tier marker (registered in pyproject.toml), from what it needs:
#   unit      nothing beyond the repository (`make check` runs these: `pytest -m unit`)
#   data      ../shared beside the project: the raw snapshots or the essays' seeds
#   built     the built book in _build/html (or NKBOOK_TEST_HTML): `make book` first
#   browser   the built book in headless Chromium (marked by hand in the test modules)
#   notebooks the chapters under nbval (the root conftest.py marks those)
#   env       installs or starts an environment: the lab's server, a throw-away Binder venv
#             (marked by hand; `make test` installs the lab first)
# A test's needs are read off its skip markers (``needs_shared``, ``needs_seeds``, or a skip whose
# reason says the book is not built) and the built-book globals its function uses (``HTML``,
# ``built_pages``). Under CI (``CI=true``) a test whose needs are missing fails instead of skipping.

TIERS = ("unit", "data", "built", "browser", "notebooks", "env")
#: Each need: what the failure names, and whether it is there.
NEEDS = {
    "shared": (f"{SNAPSHOTS} (the raw snapshots of ../shared)", lambda: SNAPSHOTS.is_dir()),
    "seeds": (f"{SEEDS} (the essays of ../shared)", lambda: SEEDS.is_dir()),
    "built": (f"the built book {HTML / 'index.html'} (run `make book`)", lambda: (HTML / "index.html").is_file()),
}
_BUILT_REASON = re.compile(r"built book|book is not built|make book")
_BUILT_NAMES = {"HTML", "built_pages", "PDF_HTML"}


def needs(item) -> set[str]:
    """What a test needs beyond the repository: a subset of :data:`NEEDS`."""
    out = set()
    for mark in item.iter_markers():
        if mark == needs_shared.mark:
            out.add("shared")
        elif mark == needs_seeds.mark:
            out.add("seeds")
        elif mark.name in ("skip", "skipif") and _BUILT_REASON.search(str(mark.kwargs.get("reason", ""))):
            out.add("built")
        elif mark.name == "browser":
            out.add("built")
    code = getattr(getattr(item, "function", None), "__code__", None)
    if code is not None and _BUILT_NAMES & set(code.co_names):
        out.add("built")
    return out


def tier(item) -> str:
    """The one tier of a test: a tier marker it carries, else the first of browser, built, data, unit
    that its needs call for."""
    marked = [m.name for m in item.iter_markers() if m.name in TIERS]
    if len(set(marked)) > 1:
        raise pytest.UsageError(f"{item.nodeid} has more than one tier marker: {sorted(set(marked))}")
    if marked:
        return marked[0]
    found = needs(item)
    return "built" if "built" in found else "data" if found else "unit"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def excused() -> set[str]:
    """Needs a CI may lack on purpose: ``NKBOOK_NO_ESSAYS=1`` says the essays are not there because
    they are not redistributed (a public CI), so their tests skip, saying how to get them, instead
    of failing. The project's own CI (``.ci/run``) has them and does not set it."""
    return {"seeds"} if os.environ.get("NKBOOK_NO_ESSAYS", "").strip().lower() in ("1", "true", "yes") else set()


def missing(item) -> list[str]:
    """The needs of a test that are not there, as the failure names them."""
    return [NEEDS[n][0] for n in sorted(needs(item) - excused()) if not NEEDS[n][1]()]


def _ci_message(what: list[str]) -> str:
    return f"CI=true, so this test must run, but {' and '.join(what)} {'is' if len(what) == 1 else 'are'} missing"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            name = tier(item)
            if not any(m.name == name for m in item.iter_markers()):
                item.add_marker(name)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if in_ci() and (what := missing(item)):
        pytest.fail(_ci_message(what), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a skip for want of ../shared, the seeds or the built book is a failure."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        reason = str(call.excinfo.value) if call.excinfo else ""
        what = missing(item)
        if what or _BUILT_REASON.search(reason):  # e.g. the book is built but its PDF edition is not
            report.outcome = "failed"
            said = _ci_message(what) if what else "CI=true, so this test must run"
            report.longrepr = f"{said} (it would have been skipped: {reason})"
    return report


def spec_views(spec):
    """Each single view of a chart spec as (mark type, encoding, data rows): what the plot tests
    assert on."""
    from nkbook.present import charts

    out = []
    for unit, name in charts._datasets_of(spec):
        mark = unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]
        out.append((mark, unit["encoding"], spec["datasets"][name]))
    return out


def spec_fields(encoding):
    """The field each channel of an encoding draws."""
    return {channel: enc.get("field") for channel, enc in encoding.items() if isinstance(enc, dict)}
