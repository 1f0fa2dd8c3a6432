"""``python -m nkbook.publish.execute [NOTEBOOK ...]``: re-execute chapters and store their outputs.

Run after a change to a chapter, to the data or to the package: nbval then compares these
stored outputs with a fresh run. Cells are executed with ``book/`` as working directory (as
Jupyter Book and nbval do); no timing metadata is written, so an unchanged chapter rewrites
to the same bytes.

Each run also records which tables the chapter read (every table is read through
:func:`nkbook.data.package.load`, which notes it where ``NKBOOK_TRACE`` names a file) in
``book/_dependencies.json``. The build driver re-executes exactly the chapters whose tables
changed (:mod:`nkbook.publish.build`); the tests trace every chapter again under nbval and fail if the
file is out of date (``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nkbook.core.paths import project_root
from nkbook.core.trace import TRACE_ENV, read_trace

DEPENDENCIES = "book/_dependencies.json"


def chapters() -> list[Path]:
    return sorted((project_root() / "book").glob("*.ipynb"))


def chapter_name(path: Path) -> str:
    """A chapter as ``book/_dependencies.json`` names it: its path from the project root."""
    return Path(path).resolve().relative_to(project_root()).as_posix()


def read_dependencies(root: Path | None = None) -> dict[str, list[str]]:
    path = (root or project_root()) / DEPENDENCIES
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def dependencies_text(deps: dict[str, list[str]]) -> str:
    return json.dumps({k: sorted(set(v)) for k, v in sorted(deps.items())}, indent=1) + "\n"


def run(nb: nbformat.NotebookNode, folder: Path) -> None:
    """Execute a notebook in memory in the kernel it names (the book's, ``nkbook``: ``make``
    registers it), with ``folder`` as working directory, recording no timings."""
    NotebookClient(nb, timeout=600, record_timing=False, resources={"metadata": {"path": str(folder)}}).execute()


def execute(path: Path) -> list[str]:
    """Execute a chapter, store its outputs, and return the tables it read."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "tables.txt"
        before = os.environ.get(TRACE_ENV)
        os.environ[TRACE_ENV] = str(trace)  # the kernel inherits the environment when it starts
        try:
            run(nb, path.parent)
        finally:
            if before is None:
                os.environ.pop(TRACE_ENV, None)
            else:
                os.environ[TRACE_ENV] = before
        tables = read_trace(trace)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    text = nbformat.writes(nb) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return tables


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or chapters()
    deps = read_dependencies()
    for path in paths:
        print(f"executing {chapter_name(path)}")
        deps[chapter_name(path)] = execute(path)
    existing = {chapter_name(p) for p in chapters()}
    deps = {k: v for k, v in deps.items() if k in existing}
    target = project_root() / DEPENDENCIES
    text = dependencies_text(deps)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
        print(f"{DEPENDENCIES} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
