"""Which tables a run reads: noted where ``NKBOOK_TRACE`` names a file.

The data loader calls :func:`note_read` for every table it returns; the executor of the chapters
(:mod:`nkbook.publish.execute`) and the tests set ``NKBOOK_TRACE`` and read the file back. Outside
those runs the variable is unset and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

TRACE_ENV = "NKBOOK_TRACE"


def note_read(name: str) -> None:
    """Note a table read, where ``NKBOOK_TRACE`` names a file: how ``make notebooks`` and the
    tests learn which tables each chapter reads (``book/_dependencies.json``)."""
    target = os.environ.get(TRACE_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")


def read_trace(path: Path) -> list[str]:
    """The tables noted in a trace file, sorted, each once."""
    return sorted(set(Path(path).read_text(encoding="utf-8").split())) if Path(path).is_file() else []
