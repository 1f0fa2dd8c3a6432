"""The page "What changed in this edition" and its JSON download, written from git by code.

``python -m nkbook.present.changes`` (run by ``make data``) compares this edition's files with the
previous edition's commit (:mod:`nkbook.analysis.changes`) and writes ``book/changes.md`` and
``book/_changes.json`` (offered as ``_static/downloads/changes.json``), both committed, so that a
build needs no git history. ``--check`` writes nothing and exits 1 if either differs from a fresh
computation. Where the previous edition's commit is not in the clone (a shallow clone, an archive),
both leave the committed files alone and say so.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from nkbook import __version__
from nkbook.analysis import changes
from nkbook.core.errors import DataError, print_problems
from nkbook.core.formats import number
from nkbook.core.paths import project_root
from nkbook.data import coverage
from nkbook.present import schema_org
from nkbook.present.appendix import _cell, _code, _text

PAGE = "book/changes.md"
JSON_FILE = "book/_changes.json"
DOWNLOAD_NAME = "changes.json"
DOWNLOAD = f"../_static/downloads/{DOWNLOAD_NAME}"  # from book/ (see sphinx_ext._write_downloads)
GENERATED = (
    "<!-- Written by `python -m nkbook.present.changes` (make data) from the previous edition's commit and this "
    "edition's files: run `make data`, do not edit this page. -->"
)
TITLE = "What changed in this edition"
#: How many values of one table, and how many row keys of one change, the page shows (all are in the JSON).
SHOWN_CORRECTIONS = 12
SHOWN_KEYS = 6
LONGEST_VALUE = 120
CONTEXT = 30  # characters kept on either side of what differs in a long value
WHICH = {
    "verdict_at_publication": "as of publication",
    "verdict_at_cutoff": "as of the cut-off",
    "confidence": "confidence",
}
STATED = {
    "x-data-cutoff": ("data cut-off (the day its sources were last read)", coverage.iso_text),
    "x-evidence-through": ("evidence to", coverage.iso_text),
    "x-searched-through": ("searched month by month through", coverage.month_text),
    "x-sources-reach": ("newest relevant page any search found", coverage.iso_text),
}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


def _key_text(key) -> str:
    return ", ".join(str(k) for k in key) if isinstance(key, list) else str(key)


def _shown(text: str) -> str:
    """A value as the page shows it: a word (a key, a code, a number) as code; a text with spaces
    in quotation marks, escaped, since a code box broken over lines reads badly and, printed, runs
    past the column at a line's end."""
    if not any(ch.isspace() for ch in text):
        return _code(text, table=True)
    return f"“{_text(text)}”"


def _value(value: str) -> str:
    if value == "":
        return "*(empty)*"
    text = " ".join(value.split())
    if len(text) > LONGEST_VALUE:
        text = text[: LONGEST_VALUE - 1].rstrip() + "…"
    return _shown(text)


def _pair(was: str, now: str) -> tuple[str, str]:
    """Two values of a cell as the page shows them: whole when short; else the part that differs,
    with a little of what surrounds it, so that two long texts never look the same."""
    was, now = " ".join(was.split()), " ".join(now.split())
    if len(was) <= LONGEST_VALUE and len(now) <= LONGEST_VALUE:
        return _value(was), _value(now)
    head = 0
    while head < min(len(was), len(now)) and was[head] == now[head]:
        head += 1
    tail = 0
    while tail < min(len(was), len(now)) - head and was[-1 - tail] == now[-1 - tail]:
        tail += 1
    start = max(0, head - CONTEXT)

    def cut(text: str) -> str:
        stop = min(len(text), len(text) - tail + CONTEXT)
        part = text[start:stop]
        if len(part) > LONGEST_VALUE:
            part = part[: LONGEST_VALUE - 1]
            stop = start + len(part)
        return _shown(("…" if start else "") + part + ("…" if stop < len(text) else ""))

    return cut(was), cut(now)


def _claim(claim_id: str, linked: bool = True) -> str:
    if not linked:
        return _code(claim_id, table=True)
    href = f"{schema_org.claim_page(claim_id)}.html#claim-{claim_id.lower()}"
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(claim_id)}</a>'


def _keys(keys: list, shown: int = SHOWN_KEYS) -> str:
    text = ", ".join(_text(_key_text(k)) for k in keys[:shown])
    return text + (f" and {number(len(keys) - shown)} more" if len(keys) > shown else "")


def _dates(stated: dict) -> str:
    parts = [f"{STATED[k][0]} {STATED[k][1](v)}" for k, v in stated.items()]  # a key without words: KeyError
    return ", ".join(parts) if parts else "no cut-off date stated"


def first_edition_page(version: str) -> str:
    return "\n".join(
        [
            GENERATED,
            "(what-changed)=",
            f"# {TITLE}",
            "",
            f"This is the first edition of the book (version {_text(version)}): `releases.json` lists no earlier "
            f'release, so there is nothing to compare it with (as data: <a href="{DOWNLOAD}" download>{DOWNLOAD_NAME}</a>).',
            "",
        ]
    )


def page(report: dict) -> str:
    """The Markdown page of a report of :func:`nkbook.analysis.changes.report`."""
    previous = report["previous"]
    if previous is None:
        return first_edition_page(report["edition"])
    s = report["summary"]
    ev = report["evidence"]
    kept = [t for t in report["tables"] if t["status"] == "kept"]
    lines = [
        GENERATED,
        "(what-changed)=",
        f"# {TITLE}",
        "",
        f"Edition {_text(report['edition'])} against the previous edition, {_text(previous['version'])} of "
        f"{coverage.iso_text(previous['date'])} (commit {_code(previous['commit'][:12])}). Everything below is "
        "computed by `make data` from that commit's files and this edition's, never typed: the verdicts of "
        "`data/claims.csv`, every table of the data package row by row on its primary key, and the entries of "
        f'the references. The full comparison, with every row, is in <a href="{DOWNLOAD}" download>{DOWNLOAD_NAME}</a>.',
        "",
        "## Summary",
        "",
        f"- Verdicts changed: {number(s['verdicts_changed'])}"
        + (f" (of {_plural(s['claims_with_a_changed_verdict'], 'claim')})" if s["verdicts_changed"] else "")
        + f"; confidence ratings changed: {number(s['confidence_changed'])}.",
        f"- Claims added: {number(s['claims_added'])}; claims withdrawn: {number(s['claims_withdrawn'])}.",
        f"- Rows added: {number(s['rows_added'])}; removed: {number(s['rows_removed'])}; corrected: "
        f"{number(s['rows_corrected'])} (in {_plural(sum(1 for t in kept if t['corrected']), 'table')}); tables added: "
        f"{number(s['tables_added'])}; tables removed: {number(s['tables_removed'])}.",
        f"- Sources added: {number(s['sources_added'])}; sources removed: {number(s['sources_removed'])}.",
        f"- Evidence dates: edition {_text(previous['version'])}: {_dates(ev['before']['stated'])}; this edition: "
        f"{_dates(ev['after']['stated'])}.",
        "",
        "## Verdicts",
        "",
    ]
    if report["verdicts"]:
        lines += ["| Claim | Verdict | Then | Now | Reason |", "|---|---|---|---|---|"]
        lines += [
            f"| {_claim(v['claim_id'])} | {WHICH[v['field']]} | {_cell(v['then'])} | {_cell(v['now'])} | "
            f"{_cell(v['reason']) if v['reason'] else '*(no reason recorded)*'} |"
            for v in report["verdicts"]
        ]
    else:
        lines.append(f"No verdict of a claim judged by edition {_text(previous['version'])} changed.")
    if report["confidence"]:
        lines += ["", "Confidence ratings that changed:", ""]
        lines += ["| Claim | Then | Now | Reason |", "|---|---|---|---|"]
        lines += [
            f"| {_claim(v['claim_id'])} | {_cell(v['then'])} | {_cell(v['now'])} | "
            f"{_cell(v['reason']) if v['reason'] else '*(no reason recorded)*'} |"
            for v in report["confidence"]
        ]
    lines += ["", "## Claims added and withdrawn", ""]
    if not report["claims_added"] and not report["claims_withdrawn"]:
        lines.append("No claim was added or withdrawn.")
    for title, listed, linked in (
        ("Added", report["claims_added"], True),
        ("Withdrawn", report["claims_withdrawn"], False),
    ):
        if listed:
            lines += [f"{title}:", ""]
            lines += [
                f"- {_claim(c['claim_id'], linked)}" + (f": {_text(c['paraphrase'])}" if c["paraphrase"] else "")
                for c in listed
            ]
            lines.append("")
    lines += [
        "",
        "## Tables",
        "",
        "Rows are matched on each table's primary key; a corrected row is one whose key is in both editions and "
        "one of whose values differs. A column only one edition has is listed, not compared.",
        "",
        "| Table | Rows then | Rows now | Added | Removed | Corrected | Corrected fields (rows) | Columns |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in report["tables"]:
        name = _code(t["table"], table=True)
        if t["status"] == "added":
            lines.append(
                f"| {name} | – | {number(t['rows_after'])} | {number(t['rows_after'])} | – | – | – | new table |"
            )
            continue
        if t["status"] == "removed":
            lines.append(
                f"| {name} | {number(t['rows_before'])} | – | – | {number(t['rows_before'])} | – | – | table withdrawn |"
            )
            continue
        fields = ", ".join(f"{_code(f, table=True)} ({number(n)})" for f, n in t["corrected_fields"].items()) or "–"
        columns = (
            "; ".join(
                part
                for part in (
                    "added " + ", ".join(_code(c, table=True) for c in t["columns_added"])
                    if t["columns_added"]
                    else "",
                    "removed " + ", ".join(_code(c, table=True) for c in t["columns_removed"])
                    if t["columns_removed"]
                    else "",
                    "not compared: " + _text(t["not_compared"]) if t.get("not_compared") else "",
                )
                if part
            )
            or "–"
        )
        lines.append(
            f"| {name} | {number(t['rows_before'])} | {number(t['rows_after'])} | {number(len(t['added']))} | "
            f"{number(len(t['removed']))} | {number(t['corrected'])} | {fields} | {columns} |"
        )
    changed = [t for t in kept if t["added"] or t["removed"] or t["corrections"]]
    if changed:
        lines += ["", "## Rows, table by table", ""]
        lines.append(
            "Each correction as field: value then → value now, with the rows (by primary key) it changed; "
            f"long values are shortened here and whole in {DOWNLOAD_NAME}."
        )
    for t in changed:
        lines += ["", f"### {_code(t['table'])}", ""]
        if t["added"]:
            lines.append(f"- Rows added ({number(len(t['added']))}): {_keys(t['added'])}.")
        if t["removed"]:
            lines.append(f"- Rows removed ({number(len(t['removed']))}): {_keys(t['removed'])}.")
        for c in t["corrections"][:SHOWN_CORRECTIONS]:
            was, now = _pair(c["from"], c["to"])
            lines.append(
                f"- {_code(c['field'])}: {was} → {now} ({_plural(len(c['rows']), 'row')}: {_keys(c['rows'])})."
            )
        if len(t["corrections"]) > SHOWN_CORRECTIONS:
            more = len(t["corrections"]) - SHOWN_CORRECTIONS
            lines.append(f"- {_plural(more, 'other correction')} of this table: see {DOWNLOAD_NAME}.")
    lines += ["", "## Sources", ""]
    if report["sources_added"]:
        lines += [f"{_plural(len(report['sources_added']), 'source')} added to the references:", ""]
        lines += [f"- {{cite:t}}`{key}`" for key in report["sources_added"]]
    else:
        lines.append("No source was added to the references.")
    if report["sources_removed"]:
        lines += [
            "",
            f"{_plural(len(report['sources_removed']), 'entry', 'entries')} of the previous edition's references "
            "no longer in them (an entry renamed counts as one removed and one added): "
            + ", ".join(_code(k) for k in report["sources_removed"])
            + ".",
        ]
    lines += ["", "## Evidence dates", ""]
    lines += [
        f"- Edition {_text(previous['version'])}: {_dates(ev['before']['stated'])}.",
        f"- This edition: {_dates(ev['after']['stated'])}.",
    ]
    if ev["tables"] and (ev["before"]["newest_row"] or ev["after"]["newest_row"]):
        then = coverage.iso_text(ev["before"]["newest_row"]) if ev["before"]["newest_row"] else "none"
        now = coverage.iso_text(ev["after"]["newest_row"]) if ev["after"]["newest_row"] else "none"
        lines.append(
            f"- The newest row of the {_plural(len(ev['tables']), 'table')} whose searches `search_log` records "
            f"(this edition's `x-evidence-through`, computed the same way from both editions' files): then {then}, now {now}."
        )
    return "\n".join(lines) + "\n"


def json_text(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


class NoHistory(Exception):
    """The previous edition's commit is not in this clone."""


def outputs(root: Path | None = None, version: str = __version__) -> dict[Path, str]:
    """The page and the JSON, by path, computed afresh; :class:`NoHistory` when the previous
    edition's commit cannot be read here."""
    root = root or project_root()
    previous = changes.previous_release(changes.releases(root), version)
    if previous is not None and not changes.Edition(root, previous["commit"]).has_commit():
        raise NoHistory(
            f"the previous edition {previous['version']}'s commit {previous['commit'][:12]} is not in this clone "
            "(a shallow clone or an archive?)"
        )
    report = changes.report(root, version)
    return {root / PAGE: page(report), root / JSON_FILE: json_text(report)}


def stale(root: Path | None = None, version: str = __version__) -> list[str]:
    """The generated files that differ from a fresh computation (NoHistory as :func:`outputs`)."""
    root = root or project_root()
    return [
        str(p.relative_to(root))
        for p, text in outputs(root, version).items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]


def write(root: Path | None = None, version: str = __version__) -> list[str]:
    """Write the files that changed; the paths written."""
    from nkbook.core.io import write_bytes_atomic

    root = root or project_root()
    out = []
    for path, text in outputs(root, version).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_bytes_atomic(text.encode("utf-8"), path)
            out.append(str(path.relative_to(root)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nkbook.present.changes", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="report generated files that are out of date; write nothing"
    )
    parser.add_argument(
        "--edition",
        default=__version__,
        metavar="VERSION",
        help=f"the edition the files are for (default: this package's version, {__version__}); e.g. to preview a release",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = stale(version=args.edition)
            for name in found:
                print(f"{name}: out of date with the data and the previous edition (run `make data`)")
            return 1 if found else 0
        written = write(version=args.edition)
    except NoHistory as exc:
        print(f"what changed: left unchanged: {exc}", file=sys.stderr)
        return 0
    except DataError as exc:
        print_problems(exc.problems, "what changed: left unchanged")
        return 1
    print(f"what changed: {len(written)} file(s) written" + (f" ({', '.join(written)})" if written else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
