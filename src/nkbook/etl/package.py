"""Keep ``data/datapackage.json`` true to the files it describes.

The schemas, descriptions and licences in the descriptor are written by hand; ``bytes``,
``hash`` and ``sources`` are derived here from the files and from ``book/references.bib``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nkbook.core.csvfile import read_table
from nkbook.core.errors import Problem
from nkbook.core.io import csv_bytes, write_bytes_atomic
from nkbook.core.paths import data_dir, shared_dir
from nkbook.data import coverage
from nkbook.data.package import package, package_path, validate_descriptor
from nkbook.data.provenance import sources
from nkbook.etl import SnapshotError
from nkbook.etl.registry import DERIVED, built


@dataclass
class RebuildReport:
    lines: list[str] = field(default_factory=list)
    differs: bool = False


def rebuild_derived(write: bool = True) -> RebuildReport:
    report = RebuildReport()
    shared = shared_dir()
    desc = {r["name"]: r for r in package()["resources"]}
    for name, build in DERIVED.items():
        path = data_dir() / desc[name]["path"]
        if not (shared / build.inputs).is_dir():
            report.lines.append(f"{name}: {shared / build.inputs} not found: not rebuilt, committed table kept")
            continue
        try:
            new = csv_bytes(built(name, shared))
        except SnapshotError as exc:
            report.lines.append(f"{name}: NOT rebuilt: {exc}")
            report.differs = True
            continue
        old = path.read_bytes() if path.exists() else b""
        same = new == old
        report.differs |= not same
        report.lines.append(
            f"{name}: {'unchanged' if same else ('differs from committed file' if not write else 'rewritten')} ({len(new):,} bytes)"
        )
        if write and not same:
            write_bytes_atomic(new, path)
    return report


def file_stats(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), "sha256:" + hashlib.sha256(data).hexdigest()


def _source_entries(frame: pd.DataFrame) -> list[dict]:
    keys = sorted({v for c in frame.columns if c.endswith("source_id") for v in frame[c] if v})
    known = sources()
    return [
        {"title": f"{known[k].publisher}: {known[k].title}", "path": known[k].url, "x-bibtex-key": k}
        for k in keys
        if k in known
    ]


def refresh_package() -> list[Problem]:
    """Validate every table (stats aside); if all is well, rewrite the stats, the sources and the
    dates computed from the tables (each table's newest row, how far it was searched: see
    :mod:`nkbook.data.coverage`)."""
    pkg = package()
    problems: list[Problem] = []
    new = copy.deepcopy(pkg)
    for res in new["resources"]:
        path = data_dir() / res["path"]
        found = validate_descriptor(res, check_stats=False)
        problems += found
        if found:  # nothing is written: the stats of a table that does not validate are not needed
            continue
        res["bytes"], res["hash"] = file_stats(path)
        res["sources"] = _source_entries(read_table(path))
    if not problems:
        coverage.stamp(new, data_dir())
        text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
        write_bytes_atomic(text.encode("utf-8"), package_path())
    return problems
