"""Load the book's tables by name, validated on every load.

``data/datapackage.json`` (a Frictionless data package) describes each table: its schema with
types and constraints, primary key, licence, sources, byte count and sha256 hash. ``load``
checks a table against all of that, and that every ``source_id`` names an entry of
``book/references.bib``, before it returns a typed DataFrame. On bad input it raises one
:class:`~nkbook.core.errors.DataError` listing every problem with its file, row and field:
nothing is silently coerced or dropped.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
from frictionless import Resource

from nkbook.core.csvfile import file_problems, read_table
from nkbook.core.errors import DataError, Problem
from nkbook.core.paths import data_dir, relative
from nkbook.core.trace import note_read
from nkbook.data.cells import cell_problems, show_cell
from nkbook.data.provenance import sources

PACKAGE_FILE = "datapackage.json"
_TRUE = {"true", "True", "TRUE", "1"}


def package_path() -> Path:
    return data_dir() / PACKAGE_FILE


class FrozenDict(dict):
    """A dict that refuses changes: what :func:`package` returns is shared by every caller.
    ``copy.deepcopy`` gives plain, mutable dicts and lists (``etl`` edits such a copy)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("the data package descriptor is read-only: edit copy.deepcopy(package())")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __deepcopy__(self, memo):
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __copy__(self):
        return dict(self)

    def __reduce__(self):
        return (dict, (dict(self),))


class FrozenList(list):
    """A list that refuses changes (see :class:`FrozenDict`)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("the data package descriptor is read-only: edit copy.deepcopy(package())")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = clear = extend = insert = pop = remove = reverse = sort = _refuse

    def __deepcopy__(self, memo):
        return [copy.deepcopy(v, memo) for v in self]

    def __copy__(self):
        return list(self)

    def __reduce__(self):
        return (list, (list(self),))


def _freeze(value):
    if isinstance(value, dict):
        return FrozenDict((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return FrozenList(_freeze(v) for v in value)
    return value


#: The descriptor last read from each path, with the stat it was read at and its resources by
#: name (see :func:`package`).
_PACKAGES: dict[str, tuple[tuple[int, ...], FrozenDict, dict[str, FrozenDict]]] = {}


def _read(path: Path) -> tuple[FrozenDict, dict[str, FrozenDict]]:
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        cached = _PACKAGES.get(str(path))
        if cached and cached[0] == stamp:
            return cached[1], cached[2]
        frozen = _freeze(json.loads(path.read_text(encoding="utf-8")))
        by_name: dict[str, FrozenDict] = {}
        for res in frozen.get("resources", []):
            by_name.setdefault(res["name"], res)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DataError([Problem(relative(path), f"cannot read the data package: {exc}")]) from exc
    _PACKAGES[str(path)] = (stamp, frozen, by_name)
    return frozen, by_name


def package() -> FrozenDict:
    """The data package descriptor, as a read-only dict (``copy.deepcopy`` it to edit).

    Parsed once per version of the file: the descriptor is kept, keyed by the file's path, and
    read again whenever the file's mtime, size, inode or ctime differ (an edit, or a replacement by
    :func:`~nkbook.core.io.write_bytes_atomic`)."""
    return _read(package_path())[0]


def resource_names() -> list[str]:
    return [r["name"] for r in package()["resources"]]


def _resource_at(path: Path, name: str) -> FrozenDict:
    pkg, by_name = _read(path)
    try:
        return by_name[name]
    except KeyError:
        names = ", ".join(r["name"] for r in pkg["resources"])
        raise KeyError(f"no table named {name!r} in {relative(path)}; tables: {names}") from None


def resource(name: str) -> FrozenDict:
    """One table's descriptor, read-only (see :func:`package`)."""
    return _resource_at(package_path(), name)


def frictionless_problems(desc: dict, file: str) -> list[Problem]:
    report = Resource.from_descriptor(desc, basepath=str(data_dir())).validate()
    problems = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            cell = getattr(err, "cell", None)
            detail = getattr(err, "note", "") or err.message
            problems.append(
                Problem(
                    file,
                    f"{err.type}: " + (f"{show_cell(str(cell))}: " if cell is not None else "") + detail,
                    row=row - 1 if row else None,  # frictionless counts the header as row 1
                    field=getattr(err, "field_name", None),
                )
            )
    for err in report.errors:
        problems.append(Problem(file, err.message))
    return problems


def source_problems(desc: dict, file: str, frame: pd.DataFrame) -> list[Problem]:
    """Every row names a source (``source_id``), and every ``*source_id`` value is in the bibliography.
    A table whose rows record the project's own work, not facts (``x-no-source-note`` says why), has none."""
    if "source_id" not in frame.columns and desc.get("x-no-source-note"):
        return []
    if "source_id" not in frame.columns:
        return [Problem(file, "has no source_id column: every row must name its source", field="source_id")]
    known = sources()
    problems = []
    for column in [c for c in frame.columns if c.endswith("source_id")]:
        for i, sid in enumerate(frame[column]):
            if sid and sid not in known:  # an empty source_id is the schema's "required" error
                problems.append(
                    Problem(file, f"{sid!r} is not an entry of book/references.bib", row=i + 1, field=column)
                )
    return problems


def validate_descriptor(desc: dict, *, check_stats: bool = True) -> list[Problem]:
    """Every problem of the table a resource descriptor describes: schema, key, sources and,
    unless ``check_stats`` is off (``make data`` is about to rewrite them), hash and byte count."""
    path = data_dir() / desc["path"]
    file = relative(path)
    if not path.is_file():
        return [Problem(file, f"the file of table {desc['name']!r} is missing")]
    if not check_stats:
        desc = {k: v for k, v in desc.items() if k not in ("bytes", "hash")}
    if problems := file_problems(path):  # not UTF-8, no rows, an unclosed quote: nothing else can be told
        return problems
    # A cell that is not written plainly gets this module's problem instead of Frictionless's
    # (which, if any, would be a second message about the same cell).
    plain = cell_problems(desc, path, file)
    flagged = {(p.row, p.field) for p in plain}
    problems = [p for p in frictionless_problems(desc, file) if p.row is None or (p.row, p.field) not in flagged]
    problems += plain
    if not any(p.row is None and "label" in p.message for p in problems):
        problems += source_problems(desc, file, read_table(path))
    return problems


def validate(name: str) -> list[Problem]:
    """Every problem of one table: schema, key, hash, byte count, sources."""
    return validate_descriptor(resource(name))


def _typed(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    out = {}
    for field in schema["fields"]:
        col = frame[field["name"]]
        empty = col == ""
        kind = field.get("type", "string")
        if kind == "integer":
            out[field["name"]] = pd.array([None if e else int(v) for v, e in zip(col, empty)], dtype="Int64")
        elif kind == "number":
            out[field["name"]] = pd.array([None if e else float(v) for v, e in zip(col, empty)], dtype="Float64")
        elif kind == "boolean":
            out[field["name"]] = pd.array([None if e else v in _TRUE for v, e in zip(col, empty)], dtype="boolean")
        elif kind == "date":
            out[field["name"]] = pd.to_datetime(col.where(~empty), format="%Y-%m-%d")
        elif kind == "datetime":
            out[field["name"]] = pd.to_datetime(col.where(~empty), format="ISO8601", utc=True)
        else:
            out[field["name"]] = col.where(~empty).astype("string")
    return pd.DataFrame(out)


@lru_cache(maxsize=32)
def _load(name: str, stamp: tuple, check_stats: bool) -> pd.DataFrame:
    desc = resource(name)
    problems = validate_descriptor(desc, check_stats=check_stats)
    if problems:
        raise DataError(problems)
    return _typed(read_table(data_dir() / desc["path"]), desc["schema"])


def load(name: str, *, check_stats: bool = True) -> pd.DataFrame:
    """A table by name, validated, with the types its schema gives (a fresh copy each call).

    ``check_stats=False`` skips the hash and byte count only: ``make data`` reads curated tables
    that way while it rebuilds, before it records their new stats."""
    folder = data_dir()  # resolved once: finding the project root is the costly part of a load
    desc = _resource_at(folder / PACKAGE_FILE, name)
    note_read(name)
    path = folder / desc["path"]
    stat = path.stat() if path.exists() else None
    stamp = (str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0, desc.get("hash"))
    return _load(name, stamp, check_stats).copy()
