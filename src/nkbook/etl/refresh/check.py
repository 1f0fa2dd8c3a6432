"""Step 2 and 3 of ``make refresh``: check that a download is whole and is the list, then compare
its DPRK entries with the committed table and report what changed."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from nkbook.core.paths import data_dir
from nkbook.data import resource, validate
from nkbook.etl import SnapshotError
from nkbook.etl.refresh.fetch import OFAC_URL, UN_URL, BadDownload, Download
from nkbook.etl.steps import ofac_sdn, un_1718

# Sanity bounds, well below the copies seen (UN 2024-09-26: 875 entries, 155 DPRK; OFAC
# 2024-05-03: 14,965 entries, 484 DPRK): a download below them is cut short or not the list.
UN_MIN_ENTRIES = 500
UN_MIN_DPRK = 100
OFAC_MIN_ENTRIES = 10_000
OFAC_MIN_DPRK = 300
OFAC_END = b"\x1a"  # the DOS end-of-file byte that closes every sdn.csv: proof that nothing is missing


class Refused(Exception):
    """The refresh would lose or break something; nothing has been written."""


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


def parse_un(data: bytes, url: str) -> ET.Element:
    """The root of a copy of the UN list, parsed with defusedxml: a document type declaration
    (the carrier of entity bombs and external entities, which the list never has) is refused
    whatever the runtime's expat allows, and a document that does not close its root (cut
    short) does not parse."""
    try:
        return parse_xml(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadDownload(
            f"{url}: the XML carries a document type declaration or entities ({type(exc).__name__}: {exc}), "
            "which the list never has (an entity bomb or an external entity?): refused"
        ) from exc
    except ET.ParseError as exc:
        raise BadDownload(f"{url}: not well-formed XML ({exc}): corrupt or cut short") from exc


def date_generated(root: ET.Element) -> str:
    """The ``dateGenerated`` attribute of the parsed root (never read from the raw bytes)."""
    return root.get("dateGenerated", "")


def _at_least(url: str, count: int, minimum: int, what: str, constant: str) -> None:
    if count < minimum:
        raise BadDownload(
            f"{url}: only {count:,} {what}, fewer than the {minimum:,} expected ({constant}): cut short or not the list"
        )


def check_un(d: Download, today: date) -> Checked:
    _check_length(d)
    root = parse_un(d.data, d.url)
    if root.tag != "CONSOLIDATED_LIST":
        raise BadDownload(
            f"{d.url}: root element <{root.tag}>, expected <CONSOLIDATED_LIST>: not the Consolidated List"
        )
    generated = date_generated(root)
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
    if not d.data.endswith(OFAC_END) and d.content_length is None:
        raise BadDownload(
            f"{d.url}: cut short: the file does not end with OFAC's end-of-file byte \\x1a and the server "
            "announced no length (Content-Length) to check it by"
        )
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
