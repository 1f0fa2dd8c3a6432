"""Writing files so that no half-written file is ever left, and tables as their exact committed bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The exact bytes a table is committed as."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write through a temporary file, so that no half-written file is ever left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
