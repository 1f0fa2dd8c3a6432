"""Builders of the derived tables: one module per table, run by ``make data``.

Each builder reads the read-only snapshots in ``../shared/data/snapshots`` and returns a
DataFrame; :func:`write_table` writes it deterministically (sorted rows, fixed column order,
``\\n`` line ends, UTF-8), so that rebuilding reproduces the committed file byte for byte.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd


class SnapshotError(RuntimeError):
    """A snapshot is missing or does not look like what the builder was written for."""


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The exact bytes a table is committed as."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write through a temporary file, so that no half-written file is ever left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
