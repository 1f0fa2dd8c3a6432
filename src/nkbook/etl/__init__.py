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


def require(path: Path) -> Path:
    """The path of a snapshot that must exist."""
    if not path.is_file():
        raise SnapshotError(f"{path}: snapshot missing")
    return path


def read_csv(path: Path) -> pd.DataFrame:
    """A snapshot CSV with every cell as text, empty cells as "" (so Namibia's "NA" stays "NA")."""
    return pd.read_csv(require(path), dtype=str, keep_default_na=False)


def require_columns(frame: pd.DataFrame, columns, path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SnapshotError(f"{path}: columns {missing} missing (found {list(frame.columns)[:12]})")
