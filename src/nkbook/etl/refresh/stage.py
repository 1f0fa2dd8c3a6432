"""Step 4 of ``make refresh``: build every file the refresh would write (snapshot, table,
bibliography entry, descriptor) and validate the result in staging copies, before anything is
replaced."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd

from nkbook.core.errors import DataError
from nkbook.core.io import csv_bytes
from nkbook.core.paths import bibliography_path, data_dir, project_root, snapshots_dir
from nkbook.data import package, resource
from nkbook.etl import SnapshotError
from nkbook.etl.package import refresh_package
from nkbook.etl.refresh.check import LISTS, OFAC, UN, Changes, OfficialList, Refused, date_generated, parse_un
from nkbook.etl.refresh.fetch import BadDownload
from nkbook.etl.registry import built

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
OFAC_REFRESH_NOTE = (
    "Copies downloaded later by make refresh add one column each (in_list_YYYY_MM_DD) and their "
    "new entries; an entry first found in such a copy has the end of that day (UTC) as "
    "first_seen_utc, an upper bound, and that copy as first_seen_source_id."
)


@contextmanager
def _staged_shared(new_files: dict[str, bytes]) -> Iterator[Path]:
    """A throw-away ``../shared`` with links to the current copies of both lists and to the
    research tables, plus the new downloads: the builders read it as they will read the real
    folder once the downloads are stored."""
    snapshots = snapshots_dir()
    with tempfile.TemporaryDirectory(prefix="nkbook-refresh-shared-") as tmp:
        staged = Path(tmp) / "data" / "snapshots"
        for official in LISTS:
            (staged / official.folder).mkdir(parents=True)
            for path in (snapshots / official.folder).glob("*"):
                (staged / official.folder / path.name).symlink_to(path.resolve())
        (staged.parent / "research").symlink_to((snapshots.parent / "research").resolve())
        for rel, data in new_files.items():
            (staged / rel).write_bytes(data)
        yield Path(tmp)


@contextmanager
def _staged_project(files: dict[str, bytes]) -> Iterator[Path]:
    """A throw-away copy of the project (data/, the bibliography, _config.yml) with ``files``
    (paths relative to the root) written over it, made the project root while in use."""
    with tempfile.TemporaryDirectory(prefix="nkbook-refresh-project-") as tmp:
        stage = Path(tmp)
        shutil.copytree(data_dir(), stage / "data")
        (stage / "book").mkdir()
        shutil.copy(bibliography_path(), stage / "book" / "references.bib")
        shutil.copy(project_root() / "_config.yml", stage / "_config.yml")
        for rel, data in files.items():
            (stage / rel).write_bytes(data)
        before = os.environ.get("NKBOOK_ROOT")
        os.environ["NKBOOK_ROOT"] = str(stage)
        try:
            yield stage
        finally:
            if before is None:
                os.environ.pop("NKBOOK_ROOT", None)
            else:
                os.environ["NKBOOK_ROOT"] = before


def _source_keys(table: bytes) -> set[str]:
    frame = pd.read_csv(io.BytesIO(table), dtype=str, keep_default_na=False)
    return {v for c in frame.columns if c.endswith("source_id") for v in frame[c] if v}


#: What no value written into the bibliography may hold: a brace or a backslash would end or
#: escape the field (and could plant a whole entry), a line break would start a new one.
BIBTEX_UNSAFE = re.compile(r"[{}\\\r\n]")


def _bibtex_value(key: str, name: str, value: str) -> str:
    """``value`` for field ``name`` of entry ``key``, refused if it could break out of its braces."""
    bad = BIBTEX_UNSAFE.search(value)
    if bad:
        raise Refused(
            f"the bibliography entry {key!r} would get {name} = {value[:120]!r}, which holds {bad.group()!r} "
            f"at character {bad.start() + 1}: braces, backslashes and line breaks are not written into BibTeX"
        )
    return value


def _bib_entry(official: OfficialList, dated: str, data: bytes, urldate: str) -> str:
    """The BibTeX entry of a copy of a list, in the style of the entries written by hand; every
    value is refused if it holds a brace, a backslash or a line break."""
    stored = f"{official.folder}/{official.copy_name.format(dated)}"
    digest = hashlib.sha256(data).hexdigest()
    if official is UN:
        try:  # the root's attribute, parsed: never a regex over the raw bytes (a comment could hold one)
            generated = date_generated(parse_un(data, stored)) or dated
        except BadDownload as exc:
            raise Refused(str(exc)) from exc
        author, publisher = "United Nations Security Council", "United Nations Security Council"
        title = f"United Nations Security Council Consolidated List (XML), generated {dated}"
        note = (
            f"Downloaded from the official address by make refresh on {urldate} "
            f"(dateGenerated {generated}); stored as {stored}, sha256 {digest}."
        )
    else:
        author, publisher = (
            "U.S. Department of the Treasury, Office of Foreign Assets Control",
            "U.S. Department of the Treasury",
        )
        title = f"Specially Designated Nationals and Blocked Persons List, sdn.csv (downloaded {dated})"
        note = (
            f"Downloaded from OFAC's Sanctions List Service by make refresh on {urldate}; the file carries no date, "
            f"the day of the download stands for it. Stored as {stored}, sha256 {digest}."
        )
    key = f"{official.source_prefix}{dated}"
    if not re.fullmatch(r"[A-Za-z0-9_.:-]+", key) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dated):
        raise Refused(f"the bibliography entry {key!r}: {dated!r} is not a date (YYYY-MM-DD)")
    v = {
        name: _bibtex_value(key, name, value)
        for name, value in (
            ("author", author),
            ("title", title),
            ("howpublished", publisher),
            ("url", official.url),
            ("urldate", urldate),
            ("note", note),
        )
    }
    return (
        f"@online{{{key},\n  author = {{{{{v['author']}}}}},\n  title = {{{{{v['title']}}}}},\n"
        f"  howpublished = {{{v['howpublished']}}},\n  year = {{{dated[:4]}}},\n  month = {MONTHS[int(dated[5:7]) - 1]},\n"
        f"  date = {{{dated}}},\n  url = {{{v['url']}}},\n  urldate = {{{v['urldate']}}},\n  sourcekind = {{primary}},\n"
        f"  note = {{{v['note']}}},\n}}\n"
    )


def _insert_entry(bib: str, entry: str, prefix: str) -> str:
    """``entry`` after the last entry whose key starts with ``prefix`` (at the end if none)."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"^@\w+\{([^,\s]+),", bib, flags=re.M)]
    after = [i for i, (_, key) in enumerate(starts) if key.startswith(prefix)]
    if after and after[-1] + 1 < len(starts):
        at = starts[after[-1] + 1][0]
        return bib[:at] + entry + "\n" + bib[at:]
    return bib.rstrip("\n") + "\n\n" + entry


def _bibliography(bib: str, tables: dict[str, bytes], staged: Path, new_files: set[str], today: date) -> str:
    """The bibliography with an entry for every copy of a list that a rebuilt table names and
    the bibliography lacks: the new download, or a copy stored by a refresh that was cut short
    (its urldate is then the day the file was stored)."""
    known = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M))
    for key in sorted(set().union(*map(_source_keys, tables.values())) - known):
        official = next((o for o in LISTS if key.startswith(o.source_prefix)), None)
        if official is None:
            continue  # not a copy of a list: the validation names it
        dated = key.removeprefix(official.source_prefix)
        rel = f"{official.folder}/{official.copy_name.format(dated)}"
        path = staged / "data" / "snapshots" / rel
        urldate = (
            today.isoformat()
            if rel in new_files
            else datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()
        )
        bib = _insert_entry(bib, _bib_entry(official, dated, path.read_bytes(), urldate), official.source_prefix)
    return bib


def _descriptor(pkg: dict, tables: dict[str, bytes]) -> dict:
    """The data package with the schemas of the rebuilt tables brought up to date."""
    pkg = copy.deepcopy(pkg)
    for res in pkg["resources"]:
        if res["name"] not in tables:
            continue
        frame = pd.read_csv(io.BytesIO(tables[res["name"]]), dtype=str, keep_default_na=False)
        fields = res["schema"]["fields"]
        if res["name"] == UN.table:  # nothing is listed after the list was generated
            dated = frame["source_id"].max().removeprefix(UN.source_prefix)
            next(f for f in fields if f["name"] == "listed_on")["constraints"]["maximum"] = dated
            res["description"] = re.sub(
                r"Consolidated List of \d{4}-\d{2}-\d{2}", f"Consolidated List of {dated}", res["description"], count=1
            )
        elif res["name"] == OFAC.table:  # one in_list_ column per copy, in the table's order
            names = {f["name"] for f in fields}
            at = max(i for i, f in enumerate(fields) if f["name"].startswith("in_list_"))
            for column in [c for c in frame.columns if c.startswith("in_list_") and c not in names]:
                at += 1
                day = column.removeprefix("in_list_").replace("_", "-")
                fields.insert(
                    at,
                    {
                        "name": column,
                        "type": "boolean",
                        "description": f"On the list downloaded from OFAC on {day} (make refresh).",
                        "constraints": {"required": True},
                    },
                )
            if OFAC_REFRESH_NOTE not in res["description"]:
                res["description"] = res["description"].rstrip() + " " + OFAC_REFRESH_NOTE
            newest = max(c for c in frame.columns if c.startswith("in_list_"))[8:12]
            res["title"] = re.sub(r"(\d{4})-\d{4}$", lambda m, newest=newest: f"{m.group(1)}-{newest}", res["title"])
    return pkg


def stage_writes(changed: list[Changes], today: date) -> list[tuple[Path, bytes]]:
    """Every file to write, in the order of replacement, after building and validating the
    result in staging copies. Raises :class:`Refused` if the result would not validate."""
    snapshots = snapshots_dir()
    new_files: dict[str, bytes] = {}
    for ch in changed:
        target, data = snapshots / ch.checked.snapshot, ch.checked.download.data
        if not target.exists():
            new_files[ch.checked.snapshot] = data
        elif target.read_bytes() != data:  # e.g. OFAC changed its file since this morning's refresh
            raise Refused(f"{target} already exists with other bytes; a snapshot is never overwritten")
    names = [ch.checked.official.table for ch in changed]
    with _staged_shared(new_files) as staged:
        try:
            tables = {name: csv_bytes(built(name, staged)) for name in names}
        except SnapshotError as exc:  # named as the file will be once stored
            message = str(exc).replace(str(staged / "data" / "snapshots"), str(snapshots))
            raise Refused(f"the tables could not be rebuilt with the download: {message}") from exc
        bib = _bibliography(bibliography_path().read_text(encoding="utf-8"), tables, staged, set(new_files), today)
    pkg = _descriptor(package(), tables)
    files = {f"data/{resource(n)['path']}": tables[n] for n in names}
    files["book/references.bib"] = bib.encode("utf-8")
    files["data/datapackage.json"] = (json.dumps(pkg, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    with _staged_project(files) as stage:
        try:
            problems = refresh_package()  # validates every table, then records hashes and sources
        except DataError as exc:  # e.g. a bibliography entry the checker rejects
            problems = exc.problems
        if problems:
            raise Refused("the refreshed data would not validate:\n" + "\n".join(f"  - {p}" for p in problems[:25]))
        files["data/datapackage.json"] = (stage / "data" / "datapackage.json").read_bytes()
    root = project_root()
    writes = [(snapshots / rel, data) for rel, data in new_files.items()]
    for rel in ("book/references.bib", *(f"data/{resource(n)['path']}" for n in names), "data/datapackage.json"):
        if not (root / rel).is_file() or (root / rel).read_bytes() != files[rel]:
            writes.append((root / rel, files[rel]))
    return writes
