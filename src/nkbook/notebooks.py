"""``python -m nkbook.notebooks [NOTEBOOK ...]``: re-execute chapters and store their outputs.

Run after a change to a chapter, to the data or to the package: nbval then compares these
stored outputs with a fresh run. Cells are executed with ``book/`` as working directory (as
Jupyter Book and nbval do); no timing metadata is written, so an unchanged chapter rewrites
to the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .paths import project_root


def chapters() -> list[Path]:
    return sorted((project_root() / "book").glob("*.ipynb"))


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    text = nbformat.writes(nb) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or chapters()
    for path in paths:
        print(f"executing {path.relative_to(project_root())}")
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
