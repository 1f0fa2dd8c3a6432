"""``python -m nkbook.etl.refresh`` (``make refresh``): update the UN and OFAC tables from the live lists.

The refresh downloads the lists, checks them, shows what changed, and only then replaces the
derived tables. For each list, the UN Security Council Consolidated List (XML) and OFAC's SDN
list (``sdn.csv``):

1. Download the official file. The UN publishes the list at ``UN_URL``. OFAC now serves its
   list files from its Sanctions List Service (download page:
   https://sanctionslist.ofac.treas.gov/Home/static/sdn.html, file "SDN.CSV"), at ``OFAC_URL``;
   the old address https://www.treasury.gov/ofac/downloads/sdn.csv redirects there.
2. Check that the download is whole and is the list: its length matches ``Content-Length``; the
   UN's XML parses, has the root ``CONSOLIDATED_LIST`` with a ``dateGenerated`` no older than
   the table's copy, and a reference number and listing date on every DPRK entry; every row of
   OFAC's CSV has 12 fields and its last line is whole; both hold at least the ``*_MIN_*``
   entries, overall and under the DPRK programs.
3. Compare the DPRK entries with the current table and print what was added, removed and
   changed. An entry of the table missing from the download (a delisting, which the UN and OFAC
   announce) makes the refresh refuse, naming it, unless the maintainer acknowledges it with
   ``--accept-removal ID`` (repeatable) or ``--accept-removals``.
4. If anything changed: store the download as a new dated snapshot in ``../shared`` (an existing
   snapshot is never overwritten), rebuild the table from the snapshots exactly as ``make data``
   will, add a BibTeX entry for the new copy, bring the schema up to date (the UN table's
   ``listed_on`` maximum; OFAC's new ``in_list_YYYY_MM_DD`` column) and validate the whole data
   package in a staging copy of the project. Only then are files replaced: every new file is
   first written beside its target, then all are renamed in turn, snapshots first and
   ``data/datapackage.json`` (the hashes) last, so that an interruption leaves the old tables,
   or new tables that fail their hash check on load until a rerun completes the refresh.

Exit statuses: 0 refreshed, or nothing to change; 1 refused (an entry would vanish without
acknowledgement, ``../shared`` is missing, or the refreshed data would not validate or could not
be written); 2 wrong arguments; 65 (EX_DATAERR) a download is corrupt, truncated or outside the
sanity bounds; 75 (EX_TEMPFAIL) offline: a list could not be downloaded (no network, time-out,
HTTP error). Whatever the status, no file was changed unless the report ends with the files
written, or, should renaming stop part-way (status 1, "interrupted"), with those replaced.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from nkbook import __version__
from nkbook.core.errors import DataError
from nkbook.core.io import csv_bytes
from nkbook.core.paths import bibliography_path, data_dir, project_root, relative, snapshots_dir
from nkbook.data import package, provenance, resource, validate
from nkbook.etl import SnapshotError
from nkbook.etl.package import refresh_package
from nkbook.etl.registry import DERIVED
from nkbook.etl.steps import ofac_sdn, un_1718

UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
OFAC_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV"
TIMEOUT = 60  # seconds without an answer before a download is given up
USER_AGENT = f"nkbook-refresh/{__version__} (research book; python urllib)"

# Sanity bounds, well below the copies seen (UN 2024-09-26: 875 entries, 155 DPRK; OFAC
# 2024-05-03: 14,965 entries, 484 DPRK): a download below them is cut short or not the list.
UN_MIN_ENTRIES = 500
UN_MIN_DPRK = 100
OFAC_MIN_ENTRIES = 10_000
OFAC_MIN_DPRK = 300

EXIT_OK, EXIT_REFUSED, EXIT_BAD_DOWNLOAD, EXIT_OFFLINE = 0, 1, 65, 75
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
OFAC_REFRESH_NOTE = (
    "Copies downloaded later by make refresh add one column each (in_list_YYYY_MM_DD) and their "
    "new entries; an entry first found in such a copy has the end of that day (UTC) as "
    "first_seen_utc, an upper bound, and that copy as first_seen_source_id."
)


class Offline(Exception):
    """A list could not be downloaded: the network is absent or the server did not deliver."""


class BadDownload(Exception):
    """A download is corrupt, cut short or implausible; the message starts with its address."""


class Refused(Exception):
    """The refresh would lose or break something; nothing has been written."""


class Interrupted(RuntimeError):
    """Replacing the files stopped part-way; the message says which were replaced."""


@dataclass(frozen=True)
class Download:
    url: str
    data: bytes
    content_length: int | None = None  # as the server announced it, if it did


Fetcher = Callable[[str, float], Download]


def fetch(url: str, timeout: float = TIMEOUT) -> Download:
    """Download ``url`` with the standard library; redirects are followed. A connection cut
    mid-file returns what arrived, for the length check to refuse."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        try:
            data = response.read()
        except http.client.IncompleteRead as exc:
            data = exc.partial
    return Download(url, data, int(length) if length.strip().isdigit() else None)


def download(url: str, fetcher: Fetcher) -> Download:
    try:
        return fetcher(url, TIMEOUT)
    except urllib.error.HTTPError as exc:  # the server answered, but not with the file
        raise Offline(f"could not download {url} (HTTP {exc.code}: {exc.reason}); nothing was changed") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Offline(f"offline: could not reach {url} ({reason}); nothing was changed") from exc


# --- the two lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialList:
    key: str  # for --only
    title: str
    url: str
    table: str  # the derived table it feeds
    id_column: str
    fields: tuple[str, ...]  # compared between the table and a download
    folder: str  # under the snapshots folder
    copy_name: str  # file name of a copy, from its date
    source_prefix: str  # BibTeX key of a copy, less its date


UN = OfficialList(
    "un",
    "UN 1718 list (UN Security Council Consolidated List)",
    UN_URL,
    "un_1718_designations",
    "reference_number",
    ("name", "entry_type", "listed_on"),
    un_1718.FOLDER,
    "consolidated_{}.xml",
    un_1718.SOURCE_PREFIX,
)
OFAC = OfficialList(
    "ofac",
    "OFAC SDN list, DPRK programs",
    OFAC_URL,
    "ofac_dprk_sdn_entries",
    "ent_num",
    ("name", "sdn_type", "programs"),
    ofac_sdn.FOLDER,
    "sdn_{}.csv",
    ofac_sdn.SOURCE_PREFIX,
)
LISTS = (UN, OFAC)


@dataclass
class Checked:
    """A download that passed every check, with its DPRK entries."""

    official: OfficialList
    download: Download
    dated: str  # the copy's date: the UN's dateGenerated (UTC), for OFAC the day of the download
    total: int  # entries of the whole list
    entries: dict[str, dict]  # DPRK entries by id: the compared fields

    @property
    def snapshot(self) -> str:
        return f"{self.official.folder}/{self.official.copy_name.format(self.dated)}"


def _check_length(d: Download) -> None:
    if not d.data:
        raise BadDownload(f"{d.url}: the download is empty")
    if d.content_length is not None and len(d.data) != d.content_length:
        raise BadDownload(
            f"{d.url}: truncated download: {len(d.data):,} bytes received, "
            f"{d.content_length:,} announced (Content-Length)"
        )


def _at_least(url: str, count: int, minimum: int, what: str, constant: str) -> None:
    if count < minimum:
        raise BadDownload(
            f"{url}: only {count:,} {what}, fewer than the {minimum:,} expected ({constant}): cut short or not the list"
        )


def check_un(d: Download, today: date) -> Checked:
    _check_length(d)
    try:
        root = ET.fromstring(d.data)
    except ET.ParseError as exc:
        raise BadDownload(f"{d.url}: not well-formed XML ({exc}): corrupt or cut short") from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise BadDownload(
            f"{d.url}: root element <{root.tag}>, expected <CONSOLIDATED_LIST>: not the Consolidated List"
        )
    generated = root.get("dateGenerated", "")
    try:
        when = datetime.fromisoformat(generated)
    except ValueError:
        raise BadDownload(f"{d.url}: dateGenerated {generated!r} is missing or not an ISO date and time") from None
    dated = (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).date()
    if dated > today:
        raise BadDownload(f"{d.url}: dateGenerated {generated} lies after today ({today})")
    total = sum(1 for tag in ("INDIVIDUAL", "ENTITY") for _ in root.iter(tag))
    _at_least(d.url, total, UN_MIN_ENTRIES, "entries", "UN_MIN_ENTRIES")
    try:
        rows = un_1718.dprk_entries(root, d.url)
    except SnapshotError as exc:
        raise BadDownload(str(exc)) from exc
    _at_least(d.url, len(rows), UN_MIN_DPRK, "DPRK entries", "UN_MIN_DPRK")
    entries = {r["reference_number"]: {f: r[f] for f in UN.fields} for r in rows}
    if len(entries) != len(rows):
        seen = [r["reference_number"] for r in rows]
        raise BadDownload(f"{d.url}: reference numbers listed twice: {sorted({x for x in seen if seen.count(x) > 1})}")
    return Checked(UN, d, dated.isoformat(), total, entries)


def check_ofac(d: Download, today: date) -> Checked:
    _check_length(d)
    try:
        text = d.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadDownload(f"{d.url}: not UTF-8 text (byte {exc.start:,}): corrupt") from exc
    try:
        total, rows = ofac_sdn.sdn_rows(csv.reader(io.StringIO(text, newline=""), strict=True), d.url)
    except SnapshotError as exc:
        raise BadDownload(str(exc)) from exc
    if not text.rstrip("\x1a").endswith("\n"):  # a last field cut short still makes 12 fields
        raise BadDownload(f"{d.url}: the last line has no line break: cut short")
    _at_least(d.url, total, OFAC_MIN_ENTRIES, "entries", "OFAC_MIN_ENTRIES")
    _at_least(d.url, len(rows), OFAC_MIN_DPRK, "DPRK entries", "OFAC_MIN_DPRK")
    entries = {str(k): {f: r[f] for f in OFAC.fields} for k, r in rows.items()}
    return Checked(OFAC, d, today.isoformat(), total, entries)


CHECKS = {UN.key: check_un, OFAC.key: check_ofac}


def current(official: OfficialList) -> tuple[str, dict[str, dict]]:
    """The date of the copy the committed table was built from, and its entries on that copy."""
    problems = validate(official.table)
    if problems:
        raise Refused(
            "the current table does not validate; fix it (make data) before refreshing:\n"
            + "\n".join(f"  - {p}" for p in problems[:10])
        )
    frame = pd.read_csv(data_dir() / resource(official.table)["path"], dtype=str, keep_default_na=False)
    if official is UN:
        dated = frame["source_id"].max().removeprefix(official.source_prefix)
    else:  # the newest in_list_ column: the entries on the newest copy
        column = max(c for c in frame.columns if c.startswith("in_list_"))
        dated = column.removeprefix("in_list_").replace("_", "-")
        frame = frame[frame[column] == "true"]
    return dated, {r[official.id_column]: {f: r[f] for f in official.fields} for r in frame.to_dict("records")}


# --- what changed --------------------------------------------------------------------------


def _order(key: str):
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


@dataclass
class Changes:
    checked: Checked
    current_date: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # id: (field, old, new)
    old: dict[str, dict] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def compare(checked: Checked, current_date: str, old: dict[str, dict]) -> Changes:
    if checked.official is UN and checked.dated < current_date:
        raise BadDownload(
            f"{checked.download.url}: dateGenerated {checked.dated} is older than the table's copy "
            f"of {current_date}: a stale copy"
        )
    if checked.dated < current_date:  # OFAC: the download day is before the newest copy: a wrong clock
        raise BadDownload(
            f"{checked.download.url}: downloaded on {checked.dated}, before the table's copy of {current_date}"
        )
    new = checked.entries
    changes = Changes(checked, current_date, old=old)
    changes.added = sorted(new.keys() - old.keys(), key=_order)
    changes.removed = sorted(old.keys() - new.keys(), key=_order)
    for key in sorted(new.keys() & old.keys(), key=_order):
        diff = [(f, old[key][f], new[key][f]) for f in checked.official.fields if old[key][f] != new[key][f]]
        if diff:
            changes.changed[key] = diff
    return changes


def _describe(official: OfficialList, entry: dict) -> str:
    if official is UN:
        return f"{entry['name']} ({entry['entry_type']}, listed {entry['listed_on']})"
    return f"{entry['name']} ({entry['sdn_type']}; {entry['programs'].replace(';', ', ')})"


def report(changes: Changes, accepted: set[str], accept_all: bool) -> list[str]:
    c, o = changes.checked, changes.checked.official
    lines = [
        f"{o.title}: {c.download.url}",
        f"  download: {len(c.download.data):,} bytes, sha256 {hashlib.sha256(c.download.data).hexdigest()[:16]}..., "
        f"copy of {c.dated}, {c.total:,} entries, {len(c.entries)} DPRK",
        f"  table data/{resource(o.table)['path']}: copy of {changes.current_date}, {len(changes.old)} DPRK entries",
    ]
    if not changes.any:
        return lines + ["  no change in the DPRK entries"]
    for label, keys in (("added", changes.added), ("removed", changes.removed)):
        if keys:
            lines.append(f"  {label} ({len(keys)}):")
            for key in keys:
                entry = (c.entries if label == "added" else changes.old)[key]
                mark = "+" if label == "added" else ("-" if accept_all or key in accepted else "- NOT ACKNOWLEDGED")
                lines.append(f"    {mark} {key}  {_describe(o, entry)}")
    if changes.changed:
        lines.append(f"  changed ({len(changes.changed)}):")
        for key, diff in changes.changed.items():
            lines.append(f"    ~ {key}  " + "; ".join(f"{f}: {a!r} -> {b!r}" for f, a, b in diff))
    return lines


# --- staging: build and validate everything before anything is replaced --------------------


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


def _bib_entry(official: OfficialList, dated: str, data: bytes, urldate: str) -> str:
    """The BibTeX entry of a copy of a list, in the style of the entries written by hand."""
    stored = f"{official.folder}/{official.copy_name.format(dated)}"
    digest = hashlib.sha256(data).hexdigest()
    if official is UN:
        generated = re.search(rb"""dateGenerated=["']([^"']+)""", data[:2000])
        author, publisher = "United Nations Security Council", "United Nations Security Council"
        title = f"United Nations Security Council Consolidated List (XML), generated {dated}"
        note = (
            f"Downloaded from the official address by make refresh on {urldate} "
            f"(dateGenerated {generated.group(1).decode() if generated else dated}); stored as {stored}, sha256 {digest}."
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
    return (
        f"@online{{{official.source_prefix}{dated},\n  author = {{{{{author}}}}},\n  title = {{{{{title}}}}},\n"
        f"  howpublished = {{{publisher}}},\n  year = {{{dated[:4]}}},\n  month = {MONTHS[int(dated[5:7]) - 1]},\n"
        f"  date = {{{dated}}},\n  url = {{{official.url}}},\n  urldate = {{{urldate}}},\n  note = {{{note}}},\n}}\n"
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


def plan(changed: list[Changes], today: date) -> list[tuple[Path, bytes]]:
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
            tables = {name: csv_bytes(DERIVED[name](staged)) for name in names}
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


def commit(writes: list[tuple[Path, bytes]]) -> None:
    """Write every file beside its target first, then rename them all in the order given; a
    failure while writing removes the temporary files and leaves every target as it was."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in writes:
            tmp = path.with_name(path.name + ".refresh-tmp")
            temps.append((tmp, path))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    done: list[Path] = []
    try:
        for tmp, path in temps:
            tmp.replace(path)
            done.append(path)
    except OSError as exc:  # a rename failing in a folder just written to: most unlikely
        for tmp, _ in temps[len(done) :]:
            tmp.unlink(missing_ok=True)
        raise Interrupted(
            f"replacing {relative(temps[len(done)][1])} failed ({exc}) after "
            f"{', '.join(relative(p) for p in done) or 'nothing'}; rerun make refresh to complete"
        ) from exc
    finally:
        provenance._sources.cache_clear()  # the bibliography may have changed under the same path


# --- command line --------------------------------------------------------------------------


def _failed(exc: Exception) -> int:
    """Say why the refresh stopped, and return its exit status (one place for every failure)."""
    if isinstance(exc, Offline):
        message, status = str(exc), EXIT_OFFLINE
    elif isinstance(exc, BadDownload):
        message, status = f"refused: {exc}; nothing was changed", EXIT_BAD_DOWNLOAD
    elif isinstance(exc, Refused):
        message, status = f"refused: {exc}\nNothing was changed.", EXIT_REFUSED
    elif isinstance(exc, Interrupted):  # before OSError: an interrupted commit says what it replaced
        message, status = f"interrupted: {exc}", EXIT_REFUSED
    else:
        message, status = f"refused: could not write the files ({exc}); nothing was changed", EXIT_REFUSED
    print(message, file=sys.stderr)
    return status


def main(argv: list[str] | None = None, *, fetcher: Fetcher = fetch, today: date | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nkbook.etl.refresh",
        description=__doc__.splitlines()[0],
        epilog="exit status: 0 done or no change; 1 refused; 65 bad download; 75 offline",
    )
    parser.add_argument("--only", choices=[o.key for o in LISTS], help="refresh one list only")
    parser.add_argument(
        "--accept-removal",
        action="append",
        default=[],
        metavar="ID",
        help="acknowledge that entry ID (a UN reference number or an OFAC entry number) was delisted; repeatable",
    )
    parser.add_argument(
        "--accept-removals", action="store_true", help="acknowledge every entry missing from the downloads"
    )
    parser.add_argument("--dry-run", action="store_true", help="download, check and report; write nothing")
    args = parser.parse_args(argv)
    today = today or datetime.now(timezone.utc).date()
    chosen = [o for o in LISTS if args.only in (None, o.key)]
    accepted = set(args.accept_removal)
    missing = [snapshots_dir() / o.folder for o in chosen if not (snapshots_dir() / o.folder).is_dir()]
    if missing:
        print(
            f"refused: {', '.join(map(str, missing))} not found: the refresh stores its downloads there "
            "(../shared beside the project, or NKBOOK_SHARED); nothing was changed",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        downloads = [(o, download(o.url, fetcher)) for o in chosen]
        everything = []
        for official, d in downloads:
            checked = CHECKS[official.key](d, today)
            everything.append(compare(checked, *current(official)))
    except (Offline, BadDownload, Refused) as exc:
        return _failed(exc)
    for changes in everything:
        print("\n".join(report(changes, accepted, args.accept_removals)))
    removed = {k for ch in everything for k in ch.removed}
    for key in sorted(accepted - removed, key=_order):
        print(f"note: --accept-removal {key}: no such entry is missing from a download (ignored)")
    unacknowledged = [(ch, k) for ch in everything for k in ch.removed if not (args.accept_removals or k in accepted)]
    if unacknowledged:
        print(
            f"refused: {len(unacknowledged)} entr{'y' if len(unacknowledged) == 1 else 'ies'} of the tables "
            "missing from the downloads; check the UN's or OFAC's delisting notices, then acknowledge each "
            "with --accept-removal ID (or all with --accept-removals); nothing was changed",
            file=sys.stderr,
        )
        for ch, key in unacknowledged:
            print(
                f"  - {key}  {_describe(ch.checked.official, ch.old[key])}  ({ch.checked.official.title})",
                file=sys.stderr,
            )
        return EXIT_REFUSED
    changed = [ch for ch in everything if ch.any]
    if not changed:
        print("Nothing to change: the tables match the downloads; no file was written.")
        return EXIT_OK
    if args.dry_run:
        print("Dry run: nothing was written.")
        return EXIT_OK
    try:
        writes = plan(changed, today)
        commit(writes)
    except (Refused, Interrupted, OSError) as exc:
        return _failed(exc)
    print("Written:")
    for path, _ in writes:
        print(f"  {relative(path)}")
    print("Tables, bibliography and data/datapackage.json refreshed; make data reproduces them from the snapshots.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
