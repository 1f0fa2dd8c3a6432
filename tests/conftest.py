"""Shared fixtures: a throw-away copy of the project for tests that break its data."""
from __future__ import annotations

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
