"""``make refresh``, offline: the snapshots stand in for the live downloads.

Every test runs on a copy of the project (``project_copy``) and of the two lists' snapshot
folders (``shared``), never on the real ``../shared``. A fake fetcher serves the download; the
refresh either applies it completely or leaves every file as it was, bytes and times alike.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib
import json
import os
import re
import shutil
import socket
import struct
import threading
import time
import urllib.error
from datetime import date

import pandas as pd
import pytest

from conftest import SHARED, SNAPSHOTS, needs_shared
from nkbook.core.io import csv_bytes
from nkbook.data import resource_names, validate
from nkbook.data.provenance import check_bibliography, sources
from nkbook.etl import refresh
from nkbook.etl.__main__ import main as make_data
from nkbook.etl.registry import built

fetch_module = importlib.import_module("nkbook.etl.refresh.fetch")  # the package's ``fetch`` is the function

pytestmark = needs_shared

TODAY = date(2026, 11, 22)
UN_XML = "un-consolidated-list/consolidated_2024-09-26.xml"
OFAC_CSV = "ofac-sdn/sdn_2024-05-03.csv"
UN_TABLE, OFAC_TABLE = "data/un_1718_designations.csv", "data/ofac_dprk_sdn_entries.csv"


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """A writable copy of the two lists' snapshots and the research tables, made ``../shared``."""
    root = tmp_path / "shared"
    for folder in ("un-consolidated-list", "ofac-sdn"):
        shutil.copytree(SNAPSHOTS / folder, root / "data" / "snapshots" / folder, copy_function=shutil.copyfile)
    shutil.copytree(SHARED / "data" / "research", root / "data" / "research", copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(root):
        os.chmod(folder, 0o755)  # copytree copies the read-only mode of the originals' folders
    monkeypatch.setenv("NKBOOK_SHARED", str(root))
    return root


def original(rel: str) -> bytes:
    return (SNAPSHOTS / rel).read_bytes()


def state(*folders) -> dict:
    """Every file under the folders: its hash, size and modification time."""
    return {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size, p.stat().st_mtime_ns)
        for f in folders
        for p in sorted(f.rglob("*"))
        if p.is_file()
    }


def files_of(project, shared) -> dict:
    return state(project / "data", project / "book", shared / "data" / "snapshots")


def run(capsys, *args, un=None, ofac=None, lengths=None):
    """Run the refresh with ``un`` and ``ofac`` as the downloads (bytes, or an exception to
    raise); by default the current snapshots. Returns (status, stdout, stderr)."""
    served = {
        refresh.UN_URL: original(UN_XML) if un is None else un,
        refresh.OFAC_URL: original(OFAC_CSV) if ofac is None else ofac,
    }

    def fetcher(url, timeout):
        assert timeout == refresh.TIMEOUT
        body = served[url]
        if isinstance(body, BaseException):
            raise body
        return refresh.Download(url, body, (lengths or {}).get(url, len(body)))

    status = refresh.main(list(args), fetcher=fetcher, today=TODAY)
    out = capsys.readouterr()
    return status, out.out, out.err


def un_with(*, generated=None, add=None, drop=None) -> bytes:
    """The UN snapshot with another dateGenerated, an added DPRK individual, a dropped entry."""
    xml = original(UN_XML)
    if generated:
        xml = xml.replace(b"dateGenerated='2024-09-26T00:00:07.514Z'", f"dateGenerated='{generated}'".encode())
    if add:
        ref, first, last, listed = add
        entry = (
            f"<INDIVIDUAL><DATAID>9999999</DATAID><FIRST_NAME>{first}</FIRST_NAME><SECOND_NAME>{last}</SECOND_NAME>"
            f"<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
            f"<LISTED_ON>{listed}</LISTED_ON></INDIVIDUAL>"
        )
        xml = xml.replace(b"<INDIVIDUALS>", b"<INDIVIDUALS>" + entry.encode(), 1)
    if drop:
        pattern = (
            rb"<INDIVIDUAL>(?:(?!</INDIVIDUAL>).)*<REFERENCE_NUMBER>"
            + re.escape(drop.encode())
            + rb"</REFERENCE_NUMBER>.*?</INDIVIDUAL>"
        )
        xml, n = re.subn(pattern, b"", xml, count=1, flags=re.S)
        assert n == 1
    return xml


NEW_SDN_ROW = b'99999,"TEST, Entry",individual,"[DPRK3] [RUSSIA-EO14024]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'


def ofac_with(*, add=False, drop=None) -> bytes:
    data = original(OFAC_CSV)
    if add:
        data = data.replace(b"\x1a", NEW_SDN_ROW + b"\x1a")
    if drop:
        lines = data.split(b"\r\n")
        kept = [line for line in lines if not line.startswith(f"{drop},".encode())]
        assert len(kept) == len(lines) - 1
        data = b"\r\n".join(kept)
    return data


def table(project, rel) -> pd.DataFrame:
    return pd.read_csv(project / rel, dtype=str, keep_default_na=False)


def descriptor(project, name) -> dict:
    pkg = json.loads((project / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return next(r for r in pkg["resources"] if r["name"] == name)


def assert_project_validates(project, shared):
    """Every table loads, the bibliography is complete, and make data rebuilds the two tables."""
    assert check_bibliography() == []
    assert {n: validate(n) for n in resource_names() if validate(n)} == {}
    for name, rel in (("un_1718_designations", UN_TABLE), ("ofac_dprk_sdn_entries", OFAC_TABLE)):
        assert csv_bytes(built(name, shared)) == (project / rel).read_bytes(), name


# (1) the same lists again: nothing to do -----------------------------------------------------


def test_identical_download_reports_no_change_and_writes_nothing(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    assert out.count("no change in the DPRK entries") == 2
    assert "copy of 2024-09-26, 875 entries, 155 DPRK" in out
    assert "14,965 entries, 484 DPRK" in out
    assert "Nothing to change" in out
    assert files_of(project_copy, shared) == before


def test_newer_list_without_dprk_changes_stores_nothing(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    status, out, _ = run(capsys, "--only", "un", un=un_with(generated="2026-11-20T00:00:05.000Z"))
    assert status == 0 and "copy of 2026-11-20" in out and "no change in the DPRK entries" in out
    assert files_of(project_copy, shared) == before


# (2) an entry added ----------------------------------------------------------------------------


def test_un_entry_added_updates_table_package_and_bibliography(project_copy, shared, capsys):
    ofac_before = (project_copy / OFAC_TABLE).read_bytes()
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    status, out, err = run(capsys, un=download)
    assert status == 0, err
    assert "added (1):\n    + KPi.081  KIM TEST (individual, listed 2026-06-01)" in out
    assert "copy of 2026-11-20, 876 entries, 156 DPRK" in out
    # the download is stored as a new snapshot; the old ones are untouched
    new = shared / "data" / "snapshots" / "un-consolidated-list" / "consolidated_2026-11-20.xml"
    assert new.read_bytes() == download
    assert (shared / "data" / "snapshots" / UN_XML).read_bytes() == original(UN_XML)
    un = table(project_copy, UN_TABLE)
    assert len(un) == 156 and set(un["source_id"]) == {"unsc-consolidated-list-2026-11-20"}
    row = un.set_index("reference_number").loc["KPi.081"]
    assert row.to_dict() == {
        "name": "KIM TEST",
        "entry_type": "individual",
        "listed_on": "2026-06-01",
        "in_list_2020_03_20": "false",
        "source_id": "unsc-consolidated-list-2026-11-20",
    }
    assert un.set_index("reference_number").loc["KPi.033", "name"] == "RI WON HO"
    res = descriptor(project_copy, "un_1718_designations")
    listed_on = next(f for f in res["schema"]["fields"] if f["name"] == "listed_on")
    assert listed_on["constraints"]["maximum"] == "2026-11-20"
    assert "from the Consolidated List of 2026-11-20" in res["description"]
    assert [s["x-bibtex-key"] for s in res["sources"]] == ["unsc-consolidated-list-2026-11-20"]
    assert res["bytes"] == (project_copy / UN_TABLE).stat().st_size
    source = sources()["unsc-consolidated-list-2026-11-20"]
    assert (source.url, source.date, source.accessed) == (refresh.UN_URL, "2026-11-20", "2026-11-22")
    assert hashlib.sha256(download).hexdigest() in source.note
    assert (project_copy / OFAC_TABLE).read_bytes() == ofac_before  # no change there: not rewritten
    assert_project_validates(project_copy, shared)
    assert not list(project_copy.rglob("*.refresh-tmp")) and not list(shared.rglob("*.refresh-tmp"))
    # a second run with the same download finds nothing to do
    status, out, _ = run(capsys, un=download)
    assert status == 0 and "no change in the DPRK entries" in out and "Nothing to change" in out


def test_dry_run_reports_but_writes_nothing(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    status, out, _ = run(capsys, "--dry-run", un=download)
    assert status == 0 and "+ KPi.081" in out and "Dry run: nothing was written." in out
    assert files_of(project_copy, shared) == before


# (3) an entry removed --------------------------------------------------------------------------


def test_un_removal_is_refused_unless_acknowledged(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    download = un_with(generated="2026-11-20T00:00:05.000Z", drop="KPi.033")
    status, out, err = run(capsys, un=download)
    assert status == refresh.EXIT_REFUSED
    assert "- NOT ACKNOWLEDGED KPi.033  RI WON HO (individual, listed 2016-11-30)" in out
    assert "refused: 1 entry of the tables missing from the downloads" in err
    assert "  - KPi.033  RI WON HO" in err and "--accept-removal" in err
    assert files_of(project_copy, shared) == before
    # another entry acknowledged is not enough
    assert run(capsys, "--accept-removal", "KPi.034", un=download)[0] == refresh.EXIT_REFUSED
    assert files_of(project_copy, shared) == before

    status, out, err = run(capsys, "--accept-removal", "KPi.033", un=download)
    assert status == 0, err
    assert "removed (1):\n    - KPi.033  RI WON HO" in out
    un = table(project_copy, UN_TABLE)
    assert len(un) == 154 and "KPi.033" not in set(un["reference_number"])
    assert_project_validates(project_copy, shared)


def test_accept_removals_acknowledges_every_one(project_copy, shared, capsys):
    status, _, err = run(capsys, "--accept-removals", "--only", "ofac", ofac=ofac_with(drop=41736))
    assert status == 0, err
    sdn = table(project_copy, OFAC_TABLE).set_index("ent_num")
    assert sdn.loc["41736", ["in_list_2024_05_03", "in_list_2026_11_22"]].tolist() == ["true", "false"]


# (4) a corrupt download ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, what",
    [
        (b"\x00\xff\xfe garbage " * 500, "not well-formed XML"),
        (
            b"<?xml version='1.0'?><html><body>Service unavailable</body></html>",
            "root element <html>, expected <CONSOLIDATED_LIST>",
        ),
        (b"<?xml version='1.0'?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", "dateGenerated '' is missing"),
    ],
)
def test_corrupt_un_download_changes_nothing(project_copy, shared, capsys, body, what):
    before = files_of(project_copy, shared)
    status, out, err = run(capsys, un=body)
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert err.startswith(f"refused: {refresh.UN_URL}: ") and what in err
    assert err.rstrip().endswith("nothing was changed")
    assert files_of(project_copy, shared) == before


def test_dprk_entry_without_listing_date_is_refused(project_copy, shared, capsys):
    body = original(UN_XML).replace(b"<LISTED_ON>2009-04-24</LISTED_ON>", b"<LISTED_ON></LISTED_ON>", 1)
    before = files_of(project_copy, shared)
    status, _, err = run(capsys, un=body)
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert "a DPRK ENTITY (DATAID" in err and "lacks a reference number or listing date" in err
    assert files_of(project_copy, shared) == before


def test_stale_un_list_is_refused(project_copy, shared, capsys):
    status, _, err = run(capsys, un=original("un-consolidated-list/consolidated_2020-03-20.xml"))
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert "dateGenerated 2020-03-20 is older than the table's copy of 2024-09-26" in err


def test_existing_snapshot_is_never_overwritten(project_copy, shared, capsys):
    """Changed entries under the date of a stored copy: refused, the stored copy kept."""
    before = files_of(project_copy, shared)
    status, out, err = run(capsys, un=un_with(add=("KPi.081", "KIM", "TEST", "2018-01-01")))
    assert status == refresh.EXIT_REFUSED and "+ KPi.081" in out
    assert "consolidated_2024-09-26.xml already exists with other bytes" in err
    assert files_of(project_copy, shared) == before


# (5) a truncated download ----------------------------------------------------------------------


def test_truncated_un_xml_is_refused(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    body = original(UN_XML)
    status, _, err = run(capsys, un=body[: len(body) // 2])
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert f"{refresh.UN_URL}: not well-formed XML" in err and "cut short" in err
    assert files_of(project_copy, shared) == before


def ofac_cuts() -> dict[str, tuple[int, str]]:
    """Where to cut the OFAC snapshot, and what the refusal then says."""
    body = original(OFAC_CSV)
    half = len(body) // 2
    row = body.index(b"-0- \r\n", half)  # a row whose last field is unquoted
    start = body.rindex(b"\r\n", 0, row) + 2
    line = body[:start].count(b"\n") + 1
    quoted = body.index(b',"', half) + 5  # inside a quoted field
    return {
        "inside a quoted field": (quoted, "not a well-formed CSV file (unexpected end of data)"),
        "between fields": (start + body[start:].index(b",") + 1, f", line {line}: expected 12 fields, found 2"),
        "inside the last field": (row + 2, "the last line has no line break: cut short"),
        "at a row's end": (
            body.index(b"\r\n", half) + 2,
            "only 8,078 entries, fewer than the 10,000 expected (OFAC_MIN_ENTRIES): cut short",
        ),
    }


@pytest.mark.parametrize("cut", ["inside a quoted field", "between fields", "inside the last field", "at a row's end"])
def test_truncated_ofac_csv_is_refused(project_copy, shared, capsys, cut):
    at, what = ofac_cuts()[cut]
    before = files_of(project_copy, shared)
    status, _, err = run(capsys, ofac=original(OFAC_CSV)[:at])
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert err.startswith(f"refused: {refresh.OFAC_URL}") and what in err
    assert files_of(project_copy, shared) == before


@pytest.mark.parametrize("url", [refresh.UN_URL, refresh.OFAC_URL])
def test_content_length_mismatch_is_refused(project_copy, shared, capsys, url):
    full = original(UN_XML if url == refresh.UN_URL else OFAC_CSV)
    partial = full[:-1000]  # the connection closed early: a plausible file, but shorter than announced
    before = files_of(project_copy, shared)
    kwargs = {"un": partial} if url == refresh.UN_URL else {"ofac": partial}
    status, _, err = run(capsys, lengths={url: len(full)}, **kwargs)
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert (
        f"{url}: truncated download: {len(partial):,} bytes received, {len(full):,} announced (Content-Length)" in err
    )
    assert files_of(project_copy, shared) == before


# (6) offline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure, reason",
    [
        (urllib.error.URLError(OSError(101, "Network is unreachable")), "Network is unreachable"),
        (OSError(-3, "Temporary failure in name resolution"), "Temporary failure in name resolution"),
        (TimeoutError("timed out"), "timed out"),
    ],
)
def test_offline_says_so_and_changes_nothing(project_copy, shared, capsys, failure, reason):
    before = files_of(project_copy, shared)
    status, out, err = run(capsys, un=failure)
    assert status == refresh.EXIT_OFFLINE == 75
    assert out == ""
    assert err.startswith(f"offline: could not reach {refresh.UN_URL} (") and reason in err
    assert err.rstrip().endswith("; nothing was changed")
    assert files_of(project_copy, shared) == before


def test_one_list_offline_applies_neither(project_copy, shared, capsys):
    """All or nothing: a good UN download is not applied while OFAC cannot be reached."""
    before = files_of(project_copy, shared)
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    status, _, err = run(capsys, un=download, ofac=urllib.error.URLError("timed out"))
    assert status == refresh.EXIT_OFFLINE and f"could not reach {refresh.OFAC_URL} (timed out)" in err
    assert files_of(project_copy, shared) == before


def test_http_error_is_a_temporary_failure(project_copy, shared, capsys):
    error = urllib.error.HTTPError(refresh.OFAC_URL, 503, "Service Unavailable", {}, None)
    status, _, err = run(capsys, ofac=error)
    assert status == refresh.EXIT_OFFLINE
    assert f"could not download {refresh.OFAC_URL} (HTTP 503: Service Unavailable); nothing was changed" in err


def test_fetch_reads_a_url_with_its_length(server):
    """The real fetcher, on a local HTTP server (no network needed)."""
    got = refresh.fetch(server.url("/ok"), timeout=5)
    assert (got.url, got.data, got.content_length) == (server.url("/ok"), b"36,x\r\n", 6)


# (7) OFAC ----------------------------------------------------------------------------------------


def test_ofac_entry_added_gets_a_column_and_a_bounded_first_seen(project_copy, shared, capsys):
    un_before = (project_copy / UN_TABLE).read_bytes()
    status, out, err = run(capsys, ofac=ofac_with(add=True))
    assert status == 0, err
    assert "added (1):\n    + 99999  TEST, Entry (individual; DPRK3, RUSSIA-EO14024)" in out
    assert (shared / "data" / "snapshots" / "ofac-sdn" / "sdn_2026-11-22.csv").read_bytes() == ofac_with(add=True)
    sdn = table(project_copy, OFAC_TABLE)
    assert list(sdn.columns) == [
        "ent_num",
        "name",
        "sdn_type",
        "programs",
        "in_list_2021_08_18",
        "in_list_2024_05_03",
        "in_list_2026_11_22",
        "first_seen_utc",
        "first_seen_commit",
        "first_seen_source_id",
        "source_id",
    ]
    assert len(sdn) == 487
    sdn = sdn.set_index("ent_num")
    assert sdn.loc["99999"].to_dict() == {
        "name": "TEST, Entry",
        "sdn_type": "individual",
        "programs": "DPRK3;RUSSIA-EO14024",
        "in_list_2021_08_18": "false",
        "in_list_2024_05_03": "false",
        "in_list_2026_11_22": "true",
        "first_seen_utc": "2026-11-22T23:59:59Z",
        "first_seen_commit": "",
        "first_seen_source_id": "ofac-sdn-2026-11-22",
        "source_id": "ofac-sdn-2026-11-22",
    }
    # entries seen by the scrape keep its times; the two dropped before 2024 stay, from their copy
    assert sdn.loc["41736", ["first_seen_utc", "in_list_2026_11_22"]].tolist() == ["2023-03-30T18:43:33Z", "true"]
    assert sdn.loc["22611", ["in_list_2024_05_03", "in_list_2026_11_22", "source_id"]].tolist() == [
        "false",
        "false",
        "ofac-sdn-2021-08-18",
    ]
    assert int((sdn["in_list_2026_11_22"] == "true").sum()) == 485
    res = descriptor(project_copy, "ofac_dprk_sdn_entries")
    fields = [f["name"] for f in res["schema"]["fields"]]
    assert fields[4:7] == ["in_list_2021_08_18", "in_list_2024_05_03", "in_list_2026_11_22"]
    assert res["title"].endswith("2021-2026") and refresh.OFAC_REFRESH_NOTE in res["description"]
    assert sources()["ofac-sdn-2026-11-22"].url == refresh.OFAC_URL
    assert (project_copy / UN_TABLE).read_bytes() == un_before
    assert_project_validates(project_copy, shared)


def test_ofac_removal_is_refused_then_applied(project_copy, shared, capsys):
    before = files_of(project_copy, shared)
    download = ofac_with(drop=41736)
    status, _, err = run(capsys, ofac=download)
    assert status == refresh.EXIT_REFUSED
    assert "  - 41736  MKRTYCHEV, Ashot (individual; DPRK)  (OFAC SDN list, DPRK programs)" in err
    assert files_of(project_copy, shared) == before
    status, out, err = run(capsys, "--accept-removal", "41736", ofac=download)
    assert status == 0, err
    assert "removed (1):\n    - 41736  MKRTYCHEV, Ashot" in out
    sdn = table(project_copy, OFAC_TABLE).set_index("ent_num")
    assert len(sdn) == 486  # the row stays: it was on the 2024 copy
    assert sdn.loc["41736", ["in_list_2024_05_03", "in_list_2026_11_22", "source_id"]].tolist() == [
        "true",
        "false",
        "ofac-sdn-2024-05-03",
    ]
    assert_project_validates(project_copy, shared)


def test_ofac_programme_change_is_reported(project_copy, shared, capsys):
    body = original(OFAC_CSV).replace(
        b'41736,"MKRTYCHEV, Ashot","individual","DPRK"',
        b'41736,"MKRTYCHEV, Ashot","individual","DPRK] [RUSSIA-EO14024"',
    )
    status, out, err = run(capsys, ofac=body)
    assert status == 0, err
    assert "changed (1):\n    ~ 41736  programs: 'DPRK' -> 'DPRK;RUSSIA-EO14024'" in out
    assert table(project_copy, OFAC_TABLE).set_index("ent_num").loc["41736", "programs"] == "DPRK;RUSSIA-EO14024"


def test_corrupt_ofac_row_is_named(project_copy, shared, capsys):
    body = original(OFAC_CSV).replace(b'41736,"MKRTYCHEV, Ashot","individual",', b'41736,"MKRTYCHEV, Ashot",', 1)
    before = files_of(project_copy, shared)
    status, _, err = run(capsys, ofac=body)
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert f"{refresh.OFAC_URL}, line 11755: expected 12 fields, found 11" in err
    assert files_of(project_copy, shared) == before


def test_ofac_garbage_is_refused(project_copy, shared, capsys):
    status, _, err = run(capsys, ofac=b"\xff\xfe\x00garbage" * 100)
    assert status == refresh.EXIT_BAD_DOWNLOAD and "not UTF-8 text (byte 0): corrupt" in err


# never half-written ---------------------------------------------------------------------------


def test_failure_while_writing_leaves_every_file_as_it_was(project_copy, shared, capsys, monkeypatch):
    """The disk fills up while the new files are written: no target is replaced, no temporary file stays."""
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 4:  # after both snapshots and the bibliography, on the first table
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    before = files_of(project_copy, shared)
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    status, _, err = run(capsys, un=download, ofac=ofac_with(add=True))
    assert status == refresh.EXIT_REFUSED
    assert "No space left on device" in err and "nothing was changed" in err
    assert files_of(project_copy, shared) == before


def test_without_shared_it_refuses_before_downloading(project_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NKBOOK_SHARED", str(tmp_path / "nowhere"))
    before = state(project_copy)

    def fetcher(url, timeout):
        raise AssertionError("no download without a place to store it")

    assert refresh.main([], fetcher=fetcher, today=TODAY) == refresh.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "nowhere/data/snapshots/un-consolidated-list" in err and "not found" in err
    assert state(project_copy) == before


def test_download_that_breaks_the_schema_is_refused_with_row_and_field(project_copy, shared, capsys):
    """Validated in a staging copy first: a listing dated after the list was generated."""
    before = files_of(project_copy, shared)
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-12-01"))
    status, out, err = run(capsys, un=download)
    assert status == refresh.EXIT_REFUSED and "+ KPi.081" in out
    assert "refused: the refreshed data would not validate:" in err
    assert "data/un_1718_designations.csv, row 156 (line 157), field 'listed_on'" in err
    assert 'cell "2026-12-01": constraint "maximum" is "2026-11-20"' in err
    assert err.rstrip().endswith("Nothing was changed.")
    assert files_of(project_copy, shared) == before


# a local HTTP server: what a real download can do wrong -----------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def head(self, status=200, **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), str(value))
        self.end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a connection the test broke on purpose

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


def _whole(data: bytes):
    def route(h):
        h.head(Content_Length=len(data))
        h.wfile.write(data)

    return route


def _chunked(data: bytes, cut: int | None = None):
    """Chunked transfer; with ``cut``, the connection closes after that many bytes, between
    chunks, without the closing zero-length chunk."""

    def route(h):
        h.head(Transfer_Encoding="chunked")
        body = data if cut is None else data[:cut]
        for at in range(0, len(body), 65536):
            part = body[at : at + 65536]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        if cut is None:
            h.wfile.write(b"0\r\n\r\n")
        h.close_connection = True

    return route


def _close_delimited(data: bytes):
    """No length, no chunks: the body ends when the server closes the connection."""

    def route(h):
        h.head(Connection="close")
        h.wfile.write(data)
        h.close_connection = True

    return route


def _reset(data: bytes, at: int):
    """Announces the whole file, sends ``at`` bytes, then resets the connection."""

    def route(h):
        h.head(Content_Length=len(data))
        h.wfile.write(data[:at])
        time.sleep(0.05)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    return route


def _endless(block: bytes, pause: float = 0.0, **headers):
    def route(h):
        h.head(Connection="close", **headers)
        h.close_connection = True
        while not h.server.stopping.is_set():
            h.wfile.write(block)
            if pause:
                time.sleep(pause)

    return route


def _redirect(location: str):
    def route(h):
        h.head(302, Location=location, Content_Length=0)

    return route


@pytest.fixture
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.stopping = threading.Event()
    srv.routes = {
        "/ok": _whole(b"36,x\r\n"),
        "/chunked-ok": _chunked(b"36,x\r\n" * 50_000),
        "/endless": _endless(b"x" * 65536),
        "/huge": _endless(b"x" * 65536, Content_Length=10**12),
        "/slow": _endless(b"x", pause=0.01),
        "/to-file": _redirect("file:///etc/passwd"),
        "/to-ftp": _redirect("ftp://127.0.0.1:9/sdn.csv"),
        "/to-ok": _redirect("/ok"),
    }
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()


def via(server, **paths):
    """A fetcher that downloads each list from ``paths`` (``un=``, ``ofac=``) on the local server
    with the real :func:`refresh.fetch`, and serves the snapshot for a list not named."""

    def fetcher(url, timeout):
        path = paths.get("un" if url == refresh.UN_URL else "ofac")
        if path is None:
            body = original(UN_XML if url == refresh.UN_URL else OFAC_CSV)
            return refresh.Download(url, body, len(body))
        return refresh.fetch(server.url(path), timeout)

    return fetcher


def run_via(capsys, fetcher, *args):
    status = refresh.main(list(args), fetcher=fetcher, today=TODAY)
    out = capsys.readouterr()
    return status, out.out, out.err


def _ofac_cut_at_a_row() -> tuple[bytes, int]:
    """The OFAC snapshot and a cut after its last whole row but one: no end-of-file byte."""
    body = original(OFAC_CSV)
    return body, body.rindex(b"\r\n", 0, len(body) - 3) + 2


# (8) every download whole, or a bad download (65) ------------------------------------------------


@pytest.mark.parametrize("declared", [True, False])
def test_whole_ofac_file_passes_with_or_without_a_length(project_copy, shared, capsys, declared):
    body = original(OFAC_CSV)
    status, out, err = run(capsys, "--only", "ofac", lengths={refresh.OFAC_URL: len(body) if declared else None})
    assert status == 0 and "Nothing to change" in out, err


def test_ofac_cut_at_a_row_without_a_length_is_refused(project_copy, shared, capsys):
    """Cut after a whole row, no Content-Length: every row has 12 fields, the last line ends
    with a line break; only the missing end-of-file byte tells."""
    body, cut = _ofac_cut_at_a_row()
    before = files_of(project_copy, shared)
    status, out, err = run(capsys, "--only", "ofac", ofac=body[:cut], lengths={refresh.OFAC_URL: None})
    assert status == refresh.EXIT_BAD_DOWNLOAD, out
    assert err.startswith(f"refused: {refresh.OFAC_URL}: cut short: the file does not end with OFAC's end-of-file")
    assert "announced no length (Content-Length)" in err and err.rstrip().endswith("nothing was changed")
    assert files_of(project_copy, shared) == before


def _transport_faults() -> dict:
    body, cut = _ofac_cut_at_a_row()
    xml = original(UN_XML)
    xml_cut = xml.rindex(b"</INDIVIDUAL>") + len(b"</INDIVIDUAL>")
    return {
        "OFAC chunked, cut at a row": ("ofac", _chunked(body, cut), "cut short: the connection ended after"),
        "OFAC close-delimited, cut at a row": ("ofac", _close_delimited(body[:cut]), "does not end with OFAC's end"),
        "OFAC connection reset mid-body": ("ofac", _reset(body, cut), "cut short"),
        "UN chunked, cut after an element": ("un", _chunked(xml, xml_cut), "cut short"),
    }


TRANSPORT_FAULTS = [
    "OFAC chunked, cut at a row",
    "OFAC close-delimited, cut at a row",
    "OFAC connection reset mid-body",
    "UN chunked, cut after an element",
]  # the keys of _transport_faults(), which reads ../shared: named here, so that collecting this
#  module needs nothing beyond the repository (make check collects it)


@pytest.mark.parametrize("fault", TRANSPORT_FAULTS)
def test_download_cut_short_on_the_wire_is_a_bad_download(project_copy, shared, server, capsys, fault):
    faults = _transport_faults()
    assert list(faults) == TRANSPORT_FAULTS
    which, route, what = faults[fault]
    server.routes["/list"] = route
    before = files_of(project_copy, shared)
    status, out, err = run_via(capsys, via(server, **{which: "/list"}), "--only", which)
    assert status == refresh.EXIT_BAD_DOWNLOAD, (out, err)
    assert err.startswith(f"refused: {server.url('/list')}: ") and what in err
    assert err.rstrip().endswith("nothing was changed")
    assert files_of(project_copy, shared) == before


def test_chunked_download_is_read_whole(server):
    got = refresh.fetch(server.url("/chunked-ok"), timeout=5)
    assert (got.data, got.content_length) == (b"36,x\r\n" * 50_000, None)


@pytest.mark.parametrize(
    "path, limit, what",
    [
        ("/endless", ("MAX_BYTES", 200_000), "more than 200,000 bytes (MAX_BYTES) and still coming: not the list"),
        ("/huge", ("MAX_BYTES", 200_000), "1,000,000,000,000 bytes announced (Content-Length), more than the 200,000"),
        ("/slow", ("DEADLINE", 0.5), "the download took more than 0.5 s in all (DEADLINE) and was given up after"),
    ],
)
def test_endless_or_slow_download_is_given_up(project_copy, shared, server, capsys, monkeypatch, path, limit, what):
    """A body that never ends, or drips a byte at a time (each read well within the time-out),
    is given up at the size cap or the overall deadline: a bad download, nothing changed."""
    monkeypatch.setattr(fetch_module, *limit, raising=False)
    before = files_of(project_copy, shared)
    started = time.monotonic()
    status, _, err = run_via(capsys, via(server, ofac=path), "--only", "ofac")
    assert time.monotonic() - started < 10
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert err.startswith(f"refused: {server.url(path)}: ") and what in err
    assert files_of(project_copy, shared) == before


@pytest.mark.parametrize("path, target", [("/to-file", "file:///etc/passwd"), ("/to-ftp", "ftp://127.0.0.1:9/sdn.csv")])
def test_redirect_to_another_scheme_is_a_bad_download(project_copy, shared, server, capsys, path, target):
    before = files_of(project_copy, shared)
    status, out, err = run_via(capsys, via(server, ofac=path), "--only", "ofac")
    assert status == refresh.EXIT_BAD_DOWNLOAD, err
    assert f"refused: {server.url(path)}: HTTP 302 redirect to {target!r}: only http and https addresses" in err
    assert files_of(project_copy, shared) == before


def test_redirect_to_http_is_followed(server):
    assert refresh.fetch(server.url("/to-ok"), timeout=5).data == b"36,x\r\n"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1:9/sdn.csv"])
def test_fetch_reads_http_addresses_only(url):
    with pytest.raises(refresh.BadDownload, match="not an http or https address"):
        refresh.fetch(url, timeout=5)


# (9) XML: no document type declaration, no entity -------------------------------------------------

_LOL = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
XML_ATTACKS = {
    "billion laughs": (f'<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY lol0 "lol">{_LOL}]>', "&lol9;"),
    "external entity": ('<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "internal entity": ('<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY kim "KIM">]>', "&kim;"),
}


@pytest.mark.parametrize("attack", list(XML_ATTACKS))
def test_xml_with_a_dtd_or_entities_is_refused(project_copy, shared, capsys, attack):
    doctype, use = XML_ATTACKS[attack]
    xml = original(UN_XML)
    xml = xml.replace(b"?>\n", b"?>\n" + doctype.encode() + b"\n", 1)
    xml = xml.replace(b"<FIRST_NAME>", f"<FIRST_NAME>{use}".encode(), 1)
    before = files_of(project_copy, shared)
    status, _, err = run(capsys, "--only", "un", un=xml)
    assert status == refresh.EXIT_BAD_DOWNLOAD
    assert err.startswith(f"refused: {refresh.UN_URL}: the XML carries a document type declaration or entities (")
    assert "which the list never has" in err
    assert files_of(project_copy, shared) == before


# (10) BibTeX: dateGenerated from the parsed root; no brace, backslash or line break ------------

PLANTED = (
    "2026-11-20T00:00:05.000Z)},\n}\n\n@online{evil,\n  author = {{Evil Corp}},\n  title = {{Planted}},\n"
    "  howpublished = {Evil},\n  year = {2026},\n  date = {2026-11-20},\n  url = {https://evil.example/},\n"
    "  urldate = {2026-11-22},\n  sourcekind = {primary},\n  note = {(x"
)


def test_comment_before_the_root_plants_nothing_in_the_bibliography(project_copy, shared, capsys):
    download = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    download = download.replace(b"?>\n", f'?>\n<!-- dateGenerated="{PLANTED}" -->\n'.encode(), 1)
    bib_before = (project_copy / "book" / "references.bib").read_text(encoding="utf-8")
    status, _, err = run(capsys, "--only", "un", un=download)
    assert status == 0, err
    bib = (project_copy / "book" / "references.bib").read_text(encoding="utf-8")
    added = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M)) - set(
        re.findall(r"^@\w+\{([^,\s]+),", bib_before, flags=re.M)
    )
    assert added == {"unsc-consolidated-list-2026-11-20"}
    assert "evil" not in bib
    assert "(dateGenerated 2026-11-20T00:00:05.000Z); stored as un-consolidated-list/consolidated_2026-11-20.xml" in bib
    assert_project_validates(project_copy, shared)


@pytest.mark.parametrize(
    "dated, urldate, generated, field, char",
    [
        ("2026-11-20", "2026-11-22}", None, "urldate", "}"),
        ("2026-11-20", "{2026-11-22", None, "urldate", "{"),
        ("2026-11-20", "2026-11-22\\", None, "urldate", "\\"),
        ("2026-11-20", "2026-11-22\n@online{x,", None, "urldate", "\n"),
        ("2026-11-20", "2026-11-22", "2026-11-20T00:00:05Z}", "note", "}"),
        ("2026-11-20", "2026-11-22", "2026-11-20T00:00:05Z&#10;@online{x,", "note", "\n"),
    ],
)
def test_bibtex_values_with_braces_backslashes_or_line_breaks_are_refused(dated, urldate, generated, field, char):
    stage = importlib.import_module("nkbook.etl.refresh.stage")
    xml = original(UN_XML)
    if generated:
        xml = xml.replace(b"dateGenerated='2024-09-26T00:00:07.514Z'", f"dateGenerated='{generated}'".encode())
    with pytest.raises(refresh.Refused) as caught:
        stage._bib_entry(refresh.UN, dated, xml, urldate)
    message = str(caught.value)
    assert message.startswith(f"the bibliography entry 'unsc-consolidated-list-{dated}' would get {field} = ")
    assert f"which holds {char!r}" in message and "braces, backslashes and line breaks are not written" in message


# (11) an interrupted commit is finished or rolled back --------------------------------------------


class Killed(BaseException):
    """The process dies: no handler runs (as with SIGKILL or a power cut)."""


def crash_after(monkeypatch, renames: int, error: BaseException | None = None):
    """Make ``os.replace`` fail once ``renames`` files have been renamed over their targets (the
    journal's own rename is not counted); returns a switch that disarms it."""
    real, done, armed = os.replace, [], [True]

    def replace(src, dst, *args, **kwargs):
        if armed[0] and str(src).endswith(".refresh-tmp") and not str(dst).endswith(".refresh-journal.json"):
            if len(done) == renames:
                armed[0] = False
                raise error or Killed()
            done.append(dst)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return armed


def leftovers(project, shared) -> list:
    return sorted(
        p.name
        for folder in (project, shared)
        for p in folder.rglob("*")
        if p.name.endswith((".refresh-tmp", ".refresh-old")) or p.name == ".refresh-journal.json"
    )


def _new_lists():
    un = un_with(generated="2026-11-20T00:00:05.000Z", add=("KPi.081", "KIM", "TEST", "2026-06-01"))
    return un, ofac_with(add=True)


@pytest.mark.parametrize("renames", [0, 5])
def test_refresh_killed_while_renaming_is_finished_by_the_next(project_copy, shared, capsys, monkeypatch, renames):
    """6 files (2 snapshots, the bibliography, 2 tables, the descriptor); killed after ``renames``
    (5: the tables replaced, not data/datapackage.json). The next refresh completes it."""
    un, ofac = _new_lists()
    crash_after(monkeypatch, renames)
    with pytest.raises(Killed):
        run(capsys, un=un, ofac=ofac)
    capsys.readouterr()
    stopped = files_of(project_copy, shared)
    status, _, err = run(capsys, "--dry-run", un=un, ofac=ofac)  # writes nothing, not even to recover
    assert status == refresh.EXIT_REFUSED and "run make refresh without --dry-run to finish or roll it back" in err
    assert files_of(project_copy, shared) == stopped
    status, out, err = run(capsys, un=un, ofac=ofac)
    assert status == 0, err
    assert out.startswith("finished a refresh interrupted while replacing files: replaced ")
    assert "Nothing to change" in out
    assert_project_validates(project_copy, shared)
    assert leftovers(project_copy, shared) == []
    assert "KPi.081" in set(table(project_copy, UN_TABLE)["reference_number"])
    assert (shared / "data" / "snapshots" / "ofac-sdn" / "sdn_2026-11-22.csv").read_bytes() == ofac


def test_make_data_finishes_an_interrupted_refresh(project_copy, shared, capsys, monkeypatch):
    un, ofac = _new_lists()
    crash_after(monkeypatch, 5)
    with pytest.raises(Killed):
        run(capsys, un=un, ofac=ofac)
    capsys.readouterr()
    assert make_data([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("finished a refresh interrupted while replacing files: replaced data/datapackage.json\n")
    assert_project_validates(project_copy, shared)
    assert leftovers(project_copy, shared) == []


def test_interrupted_refresh_with_a_new_file_missing_is_rolled_back(project_copy, shared, capsys, monkeypatch):
    un, ofac = _new_lists()
    before = files_of(project_copy, shared)
    crash_after(monkeypatch, 3)
    with pytest.raises(Killed):
        run(capsys, un=un, ofac=ofac)
    capsys.readouterr()
    (project_copy / "data" / "datapackage.json.refresh-tmp").unlink()  # e.g. removed by hand
    message = refresh.recover()
    assert message.startswith("rolled back a refresh interrupted while replacing files (data/datapackage.json")
    assert "restored book/references.bib" in message
    assert files_of(project_copy, shared) == before  # bytes and times: the old files themselves
    assert leftovers(project_copy, shared) == []
    assert_project_validates(project_copy, shared)


def test_rename_failing_is_rolled_back_at_once(project_copy, shared, capsys, monkeypatch):
    un, ofac = _new_lists()
    before = files_of(project_copy, shared)
    crash_after(monkeypatch, 4, OSError(5, "Input/output error"))
    status, _, err = run(capsys, un=un, ofac=ofac)
    assert status == refresh.EXIT_REFUSED
    assert err.startswith("interrupted: replacing data/")
    assert (
        "([Errno 5] Input/output error)" in err
        and "; rolled back (" in err
        and err.rstrip().endswith("nothing was changed")
    )
    assert files_of(project_copy, shared) == before
    assert leftovers(project_copy, shared) == []
