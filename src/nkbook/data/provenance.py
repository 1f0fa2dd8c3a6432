"""Sources: the entries of ``book/references.bib`` that every data row points at.

Each entry is a BibTeX ``@online`` record with the fields below. ``date`` is the source's
publication date in ISO form (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); ``year`` repeats its
year because the author-year citation labels read it; ``urldate`` is the day we read the page.

``sourcekind`` says how close the entry is to whoever made the statement: ``primary`` (that body's
own publication: a ministry, an agency, a UN document, a monitoring report), ``report`` (a news
organisation's own reporting, on its own site) or ``relay`` (someone else's report copied, rewritten
or mirrored by a third party). Where the book cites an original it read in a relay's copy,
``seenvia`` names the relay's own entry, which then counts as used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from pybtex.database import parse_file
from pybtex.richtext import Text
from pybtex.scanner import PybtexError

from nkbook.core.errors import DataError, Problem
from nkbook.core.paths import bibliography_path, relative

REQUIRED_FIELDS = ("title", "howpublished", "year", "date", "url", "urldate")
ISO_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")  # n.d.: no date shown by the source
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SOURCE_KINDS = ("primary", "report", "relay")
#: Where an entry begins: ``@online{key,`` (the line numbers that problems name are read off these).
ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.M)
NOT_ENTRIES = ("comment", "string", "preamble")
#: What a key may hold: the book cites it inside roles ({cite:t}`key`) and links to it by it.
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+/-]*$")
#: Characters a web address cannot hold unencoded (RFC 3986), besides whitespace and control characters.
NOT_IN_URL = set('<>"\\^`{|}')


@dataclass(frozen=True)
class Source:
    key: str
    author: str
    title: str
    publisher: str
    url: str
    date: str
    accessed: str
    note: str
    keep_reason: str
    sourcekind: str = ""
    seenvia: str = ""


def _plain(text: str) -> str:
    """BibTeX braces protect capitals and corporate names; readers do not need them."""
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


@lru_cache(maxsize=None)
def _latex_error(value: str) -> str | None:
    """Why pybtex cannot read a field as LaTeX, or None (memoised: most of a check's time)."""
    try:
        Text.from_latex(value)
    except PybtexError as exc:
        return str(exc)
    return None


def entry_lines(text: str) -> dict[str, list[tuple[str, int]]]:
    """Each entry's key as spelt and line, by key in lower case (BibTeX keys ignore case)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for m in ENTRY.finditer(text):
        if m.group(1).lower() not in NOT_ENTRIES:
            out.setdefault(m.group(2).lower(), []).append((m.group(2), text.count("\n", 0, m.start()) + 1))
    return out


def _date_problem(value: str) -> str | None:
    """Why an ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) is not a real day or month, or None."""
    try:
        date.fromisoformat(value if len(value) == 10 else (value + "-01-01")[:10])
    except ValueError:
        return f"{value!r} is not a real {({10: 'day', 7: 'month'}).get(len(value), 'year')}"
    return None


def url_problem(url: str) -> str | None:
    """Why a value is not a plain http(s) web address that any link can carry, or None."""
    if re.search(r"\s", url):
        return f"url {url!r} contains whitespace: percent-encode a space as %20"
    if odd := sorted({c for c in url if ord(c) < 32 or ord(c) == 127 or c in NOT_IN_URL}):
        shown = ", ".join(repr(c) for c in odd)
        return f"url {url!r} contains {shown}, which a web address cannot hold unencoded: percent-encode it"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"url {url!r} is not a web address (http:// or https:// and a host)"
    return None


def check_bibliography(path: Path | None = None) -> list[Problem]:
    """Every entry has what a reader needs to find the source again."""
    path = path or bibliography_path()
    name = relative(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return [Problem(name, f"cannot read the bibliography: {exc}")]
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return [
            Problem(
                name, f"byte 0x{exc.object[exc.start]:02X} at line {line} is not UTF-8 ({exc.reason}): save it as UTF-8"
            )
        ]
    lines = entry_lines(text)
    repeated = [
        Problem(
            f"{name} entry '{spelt[0][0]}'",
            f"is defined {len(spelt)} times, at lines {', '.join(str(n) for _, n in spelt[:-1])} and {spelt[-1][1]}"
            + (" (BibTeX keys ignore case)" if len({k for k, _ in spelt}) > 1 else "")
            + ": keep one",
        )
        for spelt in lines.values()
        if len(spelt) > 1
    ]
    if repeated:  # pybtex stops at the first repeat, naming no line
        return repeated
    try:
        bib = parse_file(str(path), bib_format="bibtex")
    except (OSError, PybtexError) as exc:
        return [Problem(name, f"cannot read the bibliography: {exc}")]
    problems = []
    today = date.today().isoformat()
    for key, entry in bib.entries.items():
        line = lines.get(key.lower(), [(key, None)])[0][1]
        here = f"{name} entry '{key}'" + (f" (line {line})" if line else "")
        if not KEY.match(key):
            problems.append(
                Problem(here, "the key may hold only letters, digits and - _ . : + / (the book cites it in roles)")
            )
        if not entry.persons.get("author"):
            problems.append(Problem(here, "has no author (for an organisation, write author = {{Name}})"))
        for field in REQUIRED_FIELDS:
            if not entry.fields.get(field, "").strip():
                problems.append(Problem(here, f"has no {field}", field=field))
        published = entry.fields.get("date", "")
        urldate = entry.fields.get("urldate", "")
        if published and not ISO_DATE.match(published):
            problems.append(Problem(here, f"date {published!r} is not YYYY, YYYY-MM or YYYY-MM-DD", field="date"))
        elif published != "n.d." and published and (why := _date_problem(published)):
            problems.append(Problem(here, f"date {why}", field="date"))
        elif published != "n.d." and published and FULL_DATE.match(urldate) and published > urldate[: len(published)]:
            problems.append(
                Problem(here, f"date {published} is later than urldate {urldate}, the day it was read", field="date")
            )
        elif (
            published
            and entry.fields.get("year")
            and entry.fields["year"] != (published if published == "n.d." else published[:4])
        ):
            problems.append(Problem(here, f"year {entry.fields['year']} disagrees with date {published}", field="year"))
        if urldate and not FULL_DATE.match(urldate):
            problems.append(Problem(here, f"urldate {urldate!r} is not YYYY-MM-DD", field="urldate"))
        elif urldate and (why := _date_problem(urldate)):
            problems.append(Problem(here, f"urldate {why}", field="urldate"))
        elif urldate > today:
            problems.append(
                Problem(
                    here,
                    f"urldate {urldate} is later than today ({today}): it is the day the page was read",
                    field="urldate",
                )
            )
        for field, value in entry.fields.items():
            # the book's bibliography style reads fields as LaTeX: a bare % or brace breaks the build
            if error := _latex_error(value):
                problems.append(
                    Problem(
                        here,
                        f"field {field} is not valid BibTeX text ({error}); escape % as \\% and balance braces",
                        field=field,
                    )
                )
        url = entry.fields.get("url", "")
        if url and (why := url_problem(url)):
            problems.append(Problem(here, why, field="url"))
        kind = entry.fields.get("sourcekind", "")
        if kind not in SOURCE_KINDS:
            problems.append(
                Problem(here, f"sourcekind {kind!r} is not one of {', '.join(SOURCE_KINDS)}", field="sourcekind")
            )
        via = entry.fields.get("seenvia", "")
        if via and (via not in bib.entries or bib.entries[via].fields.get("sourcekind") != "relay"):
            problems.append(Problem(here, f"seenvia {via!r} is not the key of a relay's entry", field="seenvia"))
        if via and kind == "relay":
            problems.append(Problem(here, "a relay is not seen via another relay: cite the original", field="seenvia"))
    return problems


@lru_cache(maxsize=4)
def _sources(path_str: str, stamp: tuple[int, int]) -> dict[str, Source]:
    path = Path(path_str)
    problems = check_bibliography(path)
    if problems:
        raise DataError(problems)
    bib = parse_file(path_str, bib_format="bibtex")
    out = {}
    for key, entry in bib.entries.items():
        f = entry.fields
        out[key] = Source(
            key=key,
            author="; ".join(_plain(str(p)) for p in entry.persons["author"]),
            title=_plain(f["title"]),
            publisher=_plain(f["howpublished"]),
            url=f["url"],
            date=f["date"],
            accessed=f["urldate"],
            note=_plain(f.get("note", "")),
            keep_reason=_plain(f.get("keep_reason", "")),
            sourcekind=f["sourcekind"],
            seenvia=f.get("seenvia", ""),
        )
    return out


def sources(path: Path | None = None) -> dict[str, Source]:
    """All sources by key, after checking the bibliography (cached per file, and read again when
    the file changes: the cache is keyed by its modification time and size)."""
    path = Path(path or bibliography_path())
    try:
        stat = path.stat()
    except OSError as exc:
        raise DataError([Problem(relative(path), f"cannot read the bibliography: {exc}")]) from exc
    return _sources(str(path), (stat.st_mtime_ns, stat.st_size))


def forget() -> None:
    """Drop the cached sources (after a program rewrites the bibliography in place)."""
    _sources.cache_clear()


def sources_table(keys=None) -> pd.DataFrame:
    """The sources (or the ones named) as a table, for a chapter's source list."""
    table = pd.DataFrame([s.__dict__ for s in sources().values()])
    if keys is not None:
        wanted = list(dict.fromkeys(keys))
        table = table.set_index("key").loc[wanted].reset_index()
    return table.sort_values("key", ignore_index=True) if keys is None else table


def seen_via() -> set[str]:
    """The relays the book names as the copies in which it read an original (``seenvia``)."""
    return {s.seenvia for s in sources().values() if s.seenvia}


def relay_rows(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table: its rows, and those resting on a relay (their ``source_id`` is a relay's entry)."""
    known = sources()
    out = []
    for name, frame in frames.items():
        if "source_id" not in frame.columns:
            continue
        ids = frame["source_id"].dropna()
        out.append({"table": name, "rows": len(ids), "relay": int(sum(known[k].sourcekind == "relay" for k in ids))})
    return pd.DataFrame(out, columns=["table", "rows", "relay"])


def short_citation(key: str) -> str:
    """``Publisher (date)``: the name a chart caption or tooltip gives a source."""
    s = sources()[key]
    return f"{s.publisher} ({s.date})"


def with_source_names(frame: pd.DataFrame, column: str = "source_id") -> pd.DataFrame:
    """The table with a ``source`` column (``Publisher (date)``) for tooltips and tables."""
    out = frame.copy()
    out["source"] = out[column].map(short_citation)
    return out
