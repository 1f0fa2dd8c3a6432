"""The data appendix: one page per table of ``data/datapackage.json``, written from it.

``python -m nkbook.present.appendix`` (run by ``make data``) writes ``book/appendix/<table>.md`` and the
appendix's contents page ``book/data-appendix.md``; ``--check`` writes nothing and exits 1 if a
committed page differs from what the data package gives (the tests run it). Each page gives the
table's description, size and date range, its columns with types, descriptions and constraints,
its sources (cited, so each links to the full record in the references), its licence and a
download link with the file's size and SHA-256.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from nkbook.core.errors import DataError, print_problems
from nkbook.core.formats import day, number
from nkbook.core.paths import project_root
from nkbook.data import coverage, load, package
from nkbook.data.provenance import relay_rows

FOLDER = "book/appendix"
CONTENTS = "book/data-appendix.md"
DOWNLOADS = "../../_static/downloads"  # from book/appendix/ (see sphinx_ext._write_downloads)
ORIGIN = {
    "derived": "Derived: rebuilt from public snapshots by `make data` (the builder is named in the description).",
    "curated": "Curated: compiled by hand from the sources named in each row, and checked against them.",
}
#: The register's tables: their rows name the essay a claim comes from, not evidence.
REGISTER = ("claims", "claim_history")
GENERATED = (
    "<!-- Written by `python -m nkbook.present.appendix` from data/datapackage.json: edit that file, not this page. -->"
)


#: What Markdown, MyST or a table acts on in plain text: HTML and autolinks (``<``), entities (``&``),
#: code spans and roles (a backtick), links (brackets), substitutions (braces), emphasis, cell breaks.
_ACTIVE = re.compile(r"([\\`*\[\]<>|&{}]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
#: BibTeX's escapes of the characters it reserves (the sources' titles are written in it).
_LATEX_ESCAPE = re.compile(r"\\([$&%_#{}])")


def _text(value, start: bool = False) -> str:
    """Plain text as Markdown that shows it as written, on one line, inside a table cell or not: every
    character Markdown, MyST or a table would act on is escaped, so no text makes HTML, a link, a role
    or a new cell, and (``start``: it may begin a line) none starts a heading, list or quote."""
    text = _ACTIVE.sub(r"\\\1", re.sub(r"\s+", " ", str(value)))
    if start:
        text = re.sub(r"^( ?\d+)([.)])", r"\1\\\2", re.sub(r"^( ?)([#>+=:-])", r"\1\\\2", text))
    return text


def _code(value, table: bool = False) -> str:
    """Text as a code span, whatever backticks it holds (and, in a table cell, its pipes escaped)."""
    text = " ".join(str(value).split())
    if table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _prose(value, table: bool = False, start: bool = False) -> str:
    """Text that may mark code with backticks (``make data``): its code spans kept, the rest as
    :func:`_text`."""
    text, out, at = str(value), [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [_text(text[at : m.start()], start=start and not at), _code(m[2], table)]
        at = m.end()
    out.append(_text(text[at:], start=start and not at))
    return "".join(out)


def _cell(value) -> str:
    """Text safe inside a Markdown table cell (see :func:`_prose`)."""
    return _prose(value, table=True)


def _url(url: str) -> str:
    """A web address as a Markdown link's destination that links to exactly that address: what no
    address may hold unencoded (spaces, ``<``, quotes...) percent-encoded, parentheses and what reads
    as an HTML entity escaped."""
    encoded = quote(str(url), safe="!#$%&'()*+,/:;=?@[]~")
    return re.sub(r"&(?=#?\w+;)", r"\\&", re.sub(r"([()])", r"\\\1", encoded))


def _link(text, url: str) -> str:
    """A Markdown link showing ``text`` (a title as BibTeX writes it, or plain) and going to ``url``."""
    shown = _LATEX_ESCAPE.sub(r"\1", str(text))
    return f"[{_text(shown)}]({_url(url)})"


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if "enum" in c:
        parts.append("one of " + ", ".join(_code(v, table=True) for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"matches {_code(c['pattern'], table=True)}")
    if "minimum" in c and "maximum" in c:
        parts.append(f"from {_text(c['minimum'])} to {_text(c['maximum'])}")
    elif "minimum" in c:
        parts.append(f"at least {_text(c['minimum'])}")
    elif "maximum" in c:
        parts.append(f"at most {_text(c['maximum'])}")
    if "maxLength" in c:
        parts.append(f"at most {c['maxLength']:,} characters")
    return "; ".join(parts)


def _type(field: dict) -> str:
    kind = _text(field["type"])
    return (
        f"{kind} ({_code(field['format'], table=True)})"
        if field.get("format") and field["format"] != "default"
        else kind
    )


def _coverage(res: dict, frame: pd.DataFrame) -> str:
    column = res.get("x-public-date-field")
    if not column or column not in frame or frame[column].dropna().empty:
        return ""
    values = pd.to_datetime(frame[column].dropna(), utc=True)
    first, last = values.min(), values.max()
    text = f" The dates on which its rows became public ({_code(column)}) run from {day(first)} to {day(last)}."
    if res.get("x-searched-through"):
        text += (
            f" Its newest row is of {coverage.iso_text(res['x-newest-row'])}; its sources were searched month by "
            f"month through {coverage.month_text(res['x-searched-through'])} (see `search_log`)."
        )
    elif res.get("x-origin") == "curated":
        text += " Its sources were not searched month by month for later rows (no `search_log` entry names it)."
    return text


def page(res: dict) -> str:
    """The Markdown page of one table."""
    frame = load(res["name"])
    key = res["schema"].get("primaryKey", [])
    key_text = f" Each row is identified by {', '.join(_code(k) for k in key)}." if key else ""
    href = html.escape(f"{DOWNLOADS}/{res['path']}", quote=True)
    lines = [
        GENERATED,
        f"(data-{res['name'].replace('_', '-')})=",
        f"# {_text(res['title'])}",
        "",
        f"Table {_code(res['name'])}: {number(len(frame))} rows, {len(frame.columns)} columns.{key_text}"
        + _coverage(res, frame),
        "",
        _prose(res["description"], start=True),
        "",
        ORIGIN[res["x-origin"]],
        "",
        "## Download",
        "",
        f'<a href="{href}" download>{html.escape(res["path"])}</a> '
        f"(CSV, UTF-8, {number(res['bytes'])} bytes; SHA-256 <code>{html.escape(res['hash'].split(':', 1)[1])}</code>), "
        f'described in the data package <a href="{DOWNLOADS}/datapackage.json" download>datapackage.json</a>.',
        "",
        "## Columns",
        "",
        "| Column | Type | Description | Constraints |",
        "|---|---|---|---|",
    ]
    for field in res["schema"]["fields"]:
        lines.append(
            f"| {_code(field['name'], table=True)} | {_type(field)} | {_cell(field['description'])} | {_constraints(field)} |"
        )
    licences = "; ".join(_link(lic["title"], lic["path"]) for lic in res["licenses"])
    lines += [
        "",
        "## Licence",
        "",
        f"This table: {licences}. The data it is drawn from remain under their producers' terms.",
        "",
        "## Sources",
        "",
        (
            f"The {number(len(res['sources']))} sources its rows name"
            if len(res["sources"]) > 1
            else "The source its rows name"
        )
        + " (column `source_id` and the like), with the full record in the references:",
        "",
    ]
    if not res["sources"] and res.get("x-no-source-note"):
        lines[-2] = _prose(res["x-no-source-note"], start=True)
    for src in sorted(res["sources"], key=lambda s: s["x-bibtex-key"]):
        lines.append(f"- {{cite:t}}`{src['x-bibtex-key']}`: {_link(src['title'], src['path'])}")
    return "\n".join(lines) + "\n"


def contents(pkg: dict) -> str:
    """The appendix's first page: every table, with its size and a link to its page."""
    lines = [
        GENERATED,
        "# Data appendix",
        "",
        f"The book's {len(pkg['resources'])} tables, as described by its data package "
        f'(<a href="../_static/downloads/datapackage.json" download>datapackage.json</a>, a Frictionless '
        f"data package). {_prose(pkg['description'])}",
        "",
        f"Evidence cut-off of this edition: {coverage.span_text(pkg.get('x-evidence-through'), pkg.get('x-searched-through'))}. "
        + (
            f"The newest relevant page any search found is of {coverage.iso_text(pkg['x-sources-reach'])}. "
            if pkg.get("x-sources-reach")
            else ""
        )
        + "The second table below gives each table's own dates, and `search_log` lists every month searched.",
        "",
        "Each page below gives a table's description, its columns, its sources and licence, and a link to "
        "download it. The same files load in Python with `nkbook.data.load(name)`, which checks each one "
        "against its schema, hash and sources first.",
        "",
    ]
    frames = {res["name"]: load(res["name"]) for res in pkg["resources"]}
    relays = relay_rows(frames).set_index("table")
    curated = relays.loc[
        [r["name"] for r in pkg["resources"] if r["x-origin"] == "curated" and r["name"] in relays.index]
    ].drop(index=list(REGISTER), errors="ignore")
    lines += [
        f"How close the sources are: of the {number(curated['rows'].sum())} rows of the curated tables "
        "(the register of claims aside, whose rows cite the essays), "
        f"{number(curated['relay'].sum())} ({curated['relay'].sum() / curated['rows'].sum():.0%}) rest on a *relay*, "
        "someone else's report copied or rewritten by a third party; the others cite the body that made the "
        "statement or a news organisation's own report (each source's kind is in the references' "
        "`sourcekind` field; where the book read an original in a relay's copy, the relay is kept as "
        "`seenvia`). The column *Newest row* gives the date of each table's latest row, and *Searched to* the "
        "month through which its sources were searched month by month, where they were.",
        "",
        "| Table | Title | Rows | Origin |",
        "|---|---|---|---|",
    ]
    reach = ["", "| Table | Newest row | Searched to | On relays |", "|---|---|---|---|"]
    for res in pkg["resources"]:
        name = res["name"]
        newest = coverage.iso_text(res["x-newest-row"]) if res.get("x-newest-row") else "–"
        searched = coverage.month_text(res["x-searched-through"]) if res.get("x-searched-through") else "–"
        share = f"{relays.loc[name, 'relay'] / relays.loc[name, 'rows']:.0%}" if name in relays.index else "–"
        lines.append(
            f"| [`{name}`](appendix/{name}.md) | {_cell(res['title'])} | {number(len(frames[name]))} | {_text(res['x-origin'])} |"
        )
        reach.append(f"| [`{name}`](appendix/{name}.md) | {newest} | {searched} | {share} |")
    return "\n".join(lines + reach) + "\n"


def pages(root: Path | None = None) -> dict[Path, str]:
    """Every appendix page, by path, as the data package gives it."""
    root = root or project_root()
    pkg = package()
    out = {root / CONTENTS: contents(pkg)}
    out.update({root / FOLDER / f"{res['name']}.md": page(res) for res in pkg["resources"]})
    return out


def _stale(root: Path, wanted: dict[Path, str]) -> list[str]:
    found = [
        str(p.relative_to(root))
        for p, text in wanted.items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]
    return found + [
        str(p.relative_to(root)) + " (no such table)" for p in sorted((root / FOLDER).glob("*.md")) if p not in wanted
    ]


def stale(root: Path | None = None) -> list[str]:
    """Pages that differ from what the data package gives, or that no table has any more."""
    root = root or project_root()
    return _stale(root, pages(root))


def write(root: Path | None = None) -> list[str]:
    """Write the pages that changed, remove pages of tables that are gone; the paths touched."""
    from nkbook.core.io import write_bytes_atomic

    root = root or project_root()
    wanted = pages(root)
    changed = _stale(root, wanted)
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_bytes_atomic(text.encode("utf-8"), path)
    for path in sorted((root / FOLDER).glob("*.md")):
        if path not in wanted:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nkbook.present.appendix", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="report pages that differ from the data package; write nothing"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = stale()
            for name in found:
                print(f"{name}: out of date with data/datapackage.json (run `make data`)")
            return 1 if found else 0
        changed = write()
    except DataError as exc:  # every page is made before any is written: none is changed
        print_problems(exc.problems, "data appendix left unchanged")
        return 1
    print(f"data appendix: {len(changed)} page(s) written" + (f" ({', '.join(changed)})" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
