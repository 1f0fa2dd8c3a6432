"""Shared fixtures: a throw-away copy of the project for tests that break its data."""

from __future__ import annotations

import os
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
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds (the essays) is not beside the project")
