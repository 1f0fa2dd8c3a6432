"""Each kind of bad input gets one clear error naming file, row and field; nothing is lost.

Every test breaks a copy of the data (see the ``project_copy`` fixture), then re-records the
file's hash and size where the break is not about them, so that only the intended problem shows.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import SNAPSHOTS, needs_shared
from nkbook.core.errors import DataError, Problem
from nkbook.data import load, validate
from nkbook.etl import SnapshotError
from nkbook.etl.package import file_stats, refresh_package
from nkbook.etl.steps import un_1718


def edit_table_bytes(root, name, edit, restat=True):
    """Replace a table's bytes by ``edit(bytes)``; re-record its hash and size unless told not to."""
    pkg_path = root / "data" / "datapackage.json"
    pkg = json.loads(pkg_path.read_text())
    res = next(r for r in pkg["resources"] if r["name"] == name)
    path = root / "data" / res["path"]
    path.write_bytes(edit(path.read_bytes()))
    if restat:
        res["bytes"], res["hash"] = file_stats(path)
        pkg_path.write_text(json.dumps(pkg, indent=2) + "\n")
    return path


def edit_table(root, name, edit, restat=True):
    """Apply ``edit`` to the lines of a table; re-record its hash and size unless told not to."""

    def on_lines(data: bytes) -> bytes:
        return "".join(edit(data.decode("utf-8").splitlines(keepends=True))).encode("utf-8")

    return edit_table_bytes(root, name, on_lines, restat)


def replace_in_row(row_number, old, new):
    """Edit data row ``row_number`` (1 = first row after the header)."""

    def edit(lines):
        assert old in lines[row_number], (old, lines[row_number])
        lines[row_number] = lines[row_number].replace(old, new, 1)
        return lines

    return edit


def only(problems) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_wrong_type(project_copy):
    edit_table(project_copy, "unsc_dprk_actions", replace_in_row(2, ",15,0,0,", ",fifteen,0,0,"))
    p = only(validate("unsc_dprk_actions"))
    assert (p.file, p.row, p.field) == ("data/unsc_dprk_actions.csv", 2, "votes_for")
    assert "type-error" in p.message
    with pytest.raises(DataError, match=r"data/unsc_dprk_actions.csv, row 2 \(line 3\), field 'votes_for'"):
        load("unsc_dprk_actions")


def test_empty_required_field(project_copy):
    edit_table(project_copy, "un_1718_designations", replace_in_row(3, "TANCHON COMMERCIAL BANK", ""))
    p = only(validate("un_1718_designations"))
    assert (p.row, p.field) == (3, "name") and "required" in p.message


def test_duplicate_key(project_copy):
    def duplicate_first_row(lines):
        return [*lines, lines[1]]

    rows = len(load("petroleum_supply"))
    edit_table(project_copy, "petroleum_supply", duplicate_first_row)
    p = only(validate("petroleum_supply"))
    assert p.row == rows + 1 and "primary-key" in p.message


def test_date_out_of_range(project_copy):
    edit_table(project_copy, "un_1718_designations", replace_in_row(1, "2009-04-24", "2005-04-24"))
    p = only(validate("un_1718_designations"))
    assert (p.row, p.field) == (1, "listed_on") and "minimum" in p.message


def test_impossible_date(project_copy):
    edit_table(project_copy, "us_dprk_russia_designations", replace_in_row(1, ",2022-03-11,", ",2022-02-30,"))
    p = only(validate("us_dprk_russia_designations"))
    assert (p.row, p.field) == (1, "announced_on") and "type-error" in p.message


def test_value_outside_enum(project_copy):
    edit_table(project_copy, "petroleum_supply", replace_in_row(1, ",baseline,", ",guess,"))
    p = only(validate("petroleum_supply"))
    assert (p.row, p.field) == (1, "kind") and "enum" in p.message


def test_unknown_source(project_copy):
    edit_table(
        project_copy, "petroleum_supply", replace_in_row(2, "usun-2017-12-22-fact-sheet-res-2397", "usun-2017-typo")
    )
    p = only(validate("petroleum_supply"))
    assert (p.file, p.row, p.field) == ("data/petroleum_supply.csv", 2, "source_id")
    assert "'usun-2017-typo' is not an entry of book/references.bib" in p.message


def test_hash_mismatch(project_copy):
    edit_table(project_copy, "petroleum_supply", replace_in_row(3, "500000", "500001"), restat=False)
    problems = validate("petroleum_supply")
    assert {p.message.split(":")[0] for p in problems} == {"hash-count"}
    assert all(p.file == "data/petroleum_supply.csv" and p.row is None for p in problems)


def test_missing_column(project_copy):
    def drop_last_column(lines):
        return [line.rstrip("\n").rsplit(",", 1)[0] + "\n" for line in lines]

    edit_table(project_copy, "un_1718_designations", drop_last_column)
    problems = validate("un_1718_designations")
    assert any(p.field == "source_id" and "missing-label" in p.message for p in problems)


def test_missing_file(project_copy):
    (project_copy / "data" / "petroleum_supply.csv").unlink()
    p = only(validate("petroleum_supply"))
    assert p.file == "data/petroleum_supply.csv" and "missing" in p.message


def test_broken_bibliography_entry(project_copy):
    bib = project_copy / "book" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@online{ofac-sdn-2021-08-18,")
    url_line = text.index("  url = ", start)
    bib.write_text(text[:url_line] + text[text.index("\n", url_line) + 1 :], encoding="utf-8")
    with pytest.raises(DataError, match=r"book/references.bib entry 'ofac-sdn-2021-08-18'.*field 'url': has no url"):
        load("ofac_dprk_sdn_entries")


def test_bibliography_field_that_breaks_the_book_style(project_copy):
    """A bare % comments out the rest of a field when the book formats it: caught on load."""
    bib = project_copy / "book" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("Expanded over 3\\% in 2023", "Expanded over 3% in 2023"), encoding="utf-8")
    with pytest.raises(
        DataError, match=r"entry 'kbs-2024-07-26-bok-2023-growth'.*field 'title': field title is not valid BibTeX text"
    ):
        load("context_facts")


def test_refresh_refuses_bad_data_and_loses_nothing(project_copy):
    pkg_path = project_copy / "data" / "datapackage.json"
    before = pkg_path.read_bytes()
    path = edit_table(project_copy, "unsc_dprk_actions", replace_in_row(1, ",15,0,0,", ",16,0,0,"), restat=False)
    edited = path.read_bytes()
    problems = refresh_package()
    assert any(p.row == 1 and p.field == "votes_for" and "maximum" in p.message for p in problems)
    assert pkg_path.read_bytes() == before  # stats not rewritten over bad data
    assert path.read_bytes() == edited  # the edit is kept for the maintainer to fix


def test_error_lists_every_problem(project_copy):
    def two_bad_rows(lines):
        lines = replace_in_row(1, ",15,0,0,", ",x,0,0,")(lines)
        return replace_in_row(2, ",15,0,0,", ",y,0,0,")(lines)

    edit_table(project_copy, "unsc_dprk_actions", two_bad_rows)
    with pytest.raises(DataError) as info:
        load("unsc_dprk_actions")
    assert [(p.row, p.field) for p in info.value.problems] == [(1, "votes_for"), (2, "votes_for")]
    assert str(info.value).startswith("2 problem(s) in the data:")


@needs_shared
def test_truncated_snapshot_is_named(tmp_path):
    snaps = tmp_path / "snapshots"
    shutil.copytree(SNAPSHOTS / "un-consolidated-list", snaps / "un-consolidated-list")
    xml = snaps / un_1718.LATEST
    xml.write_bytes(xml.read_bytes()[:50_000])
    with pytest.raises(SnapshotError, match=r"consolidated_2024-09-26.xml: not well-formed XML"):
        un_1718.build(snaps)


@needs_shared
def test_snapshot_declaring_entities_is_refused(tmp_path):
    """make data parses the stored UN list as make refresh parses a download: with defusedxml, so
    an entity declaration (here a billion-laughs seed) is refused, not expanded."""
    snaps = tmp_path / "snapshots"
    shutil.copytree(SNAPSHOTS / "un-consolidated-list", snaps / "un-consolidated-list")
    xml = snaps / un_1718.LATEST
    text = xml.read_bytes()
    start = text.index(b"<CONSOLIDATED_LIST")
    bomb = b'<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    xml.write_bytes(text[:start] + bomb + text[start:])
    with pytest.raises(SnapshotError, match=r"consolidated_2024-09-26.xml: refused: the XML declares entities"):
        un_1718.build(snaps)
