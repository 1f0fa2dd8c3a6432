"""Where the project's files are, whatever the working directory.

A notebook runs with ``book/`` as its working directory, the tests with the project root, a
reader's Jupyter from anywhere: everything resolves from the project root instead.
``NKBOOK_ROOT`` and ``NKBOOK_SHARED`` override the defaults (tests use them for fixtures).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def _looks_like_root(path: Path) -> bool:
    return (path / "_config.yml").is_file() and (path / "data" / "datapackage.json").is_file()


def project_root() -> Path:
    """The folder holding ``_config.yml`` and ``data/datapackage.json``."""
    return _project_root(os.environ.get("NKBOOK_ROOT") or "", os.getcwd())


@lru_cache(maxsize=16)
def _project_root(env: str, cwd: str) -> Path:
    """Found once per ``NKBOOK_ROOT`` and working directory (the register's checks ask ~1,800 times)."""
    if env:
        return Path(env).resolve()
    for start in (Path(__file__).resolve(), Path(cwd).resolve()):
        for candidate in (start, *start.parents):
            if _looks_like_root(candidate):
                return candidate
    raise FileNotFoundError(
        "cannot find the project root (a folder with _config.yml and data/datapackage.json); set NKBOOK_ROOT"
    )


def book_config() -> dict:
    """``_config.yml``: the book's title, author and addresses."""
    import yaml

    return yaml.safe_load((project_root() / "_config.yml").read_text(encoding="utf-8"))


def data_dir() -> Path:
    return project_root() / "data"


def bibliography_path() -> Path:
    return project_root() / "book" / "references.bib"


def shared_dir() -> Path:
    """``../shared`` beside the project: the raw snapshots and the essays (not committed)."""
    env = os.environ.get("NKBOOK_SHARED")
    return Path(env).resolve() if env else project_root().parent / "shared"


def snapshots_dir() -> Path:
    return shared_dir() / "data" / "snapshots"


def relative(path: Path) -> str:
    """A path as error messages show it: relative to the project root where it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(project_root()))
    except (ValueError, FileNotFoundError):
        return str(path)
