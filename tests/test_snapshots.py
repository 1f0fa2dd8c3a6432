"""``make snapshots`` (nkbook.etl.snapshots), offline: a local HTTP server on 127.0.0.1 stands in
for the public addresses. Unit tier: small files and a registry of their own; the data tier
checks the committed registry against ../shared and rebuilds the derived tables from a folder
the command filled."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, SNAPSHOTS, needs_shared
from nkbook.core.errors import DataError
from nkbook.core.io import csv_bytes
from nkbook.data import resource
from nkbook.etl import snapshots as snap
from nkbook.etl.registry import DERIVED, built
from nkbook.etl.registry import SNAPSHOTS as SNAPSHOTS_INPUT

FILES = {
    "un-consolidated-list/consolidated_2024-09-26.xml": b"<CONSOLIDATED_LIST dateGenerated='2024-09-26'/>\n",
    "ofac-sdn/sdn_2024-05-03.csv": b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\n' * 50,
    "cns-missile-tests/LICENSE-nagix.txt": b"Apache License, Version 2.0\n",
}
COMMIT = "0" * 40


class Server:
    """Serves ``files`` (path -> bytes) under ``/``; ``serve`` overrides what a path answers:
    ``("corrupt", data)``, ``("truncated", data)`` (announces the full length, sends half, closes)
    or ``("status", code)``. Counts the requests for files."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.serve: dict[str, tuple] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                rel = self.path.lstrip("/")
                outer.requests.append(rel)
                kind, value = outer.serve.get(rel, ("ok", outer.files.get(rel)))
                if kind == "status" or value is None:
                    self.send_error(value if kind == "status" else 404)
                    return
                data = value
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if kind == "truncated":
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "corrupt":
                    data = data[:-2] + b"!!"
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server(FILES)
    yield s
    s.close()


def entry(path: str, data: bytes, url: str | None, **extra) -> dict:
    return {
        "path": path,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "url": url,
        "publisher": "a publisher",
        "repository": f"owner/name@{COMMIT}",
        **extra,
    }


def registry(tmp_path: Path, entries: list[dict]) -> list[snap.Snapshot]:
    path = tmp_path / "snapshots.json"
    path.write_text(json.dumps({"files": entries}), encoding="utf-8")
    return snap.load_registry(path)


@pytest.fixture
def snaps(tmp_path, server):
    """A registry of FILES, each at its address on the local server."""
    return registry(tmp_path, [entry(p, d, f"{server.url}/{p}") for p, d in FILES.items()])


def state(folder: Path) -> dict:
    """Every file and folder under ``folder``: hash, size and modification time."""
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[path.relative_to(folder).as_posix()] = (digest, st.st_size if path.is_file() else 0, st.st_mtime_ns)
    return out


def test_an_empty_folder_is_filled_and_every_file_verified(tmp_path, server, snaps):
    dest = tmp_path / "shared" / "data" / "snapshots"
    report = snap.sync(snaps, dest)
    assert report.status == snap.EXIT_OK, report.lines
    assert sorted(report.fetched) == sorted(FILES)
    for rel, data in FILES.items():
        assert (dest / rel).read_bytes() == data
    assert {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} == set(FILES)  # no temp files
    assert snap.check(snaps, dest).status == snap.EXIT_OK


def test_a_second_run_downloads_nothing(tmp_path, server, snaps):
    dest = tmp_path / "snapshots"
    snap.sync(snaps, dest)
    before, asked = state(dest), len(server.requests)
    report = snap.sync(snaps, dest)
    assert report.status == snap.EXIT_OK and report.fetched == []
    assert len(server.requests) == asked  # not one request
    assert state(dest) == before
    assert all(line.endswith("present, sha256 verified") for line in report.lines)


BAD = [
    ("corrupt", "corrupt", "has sha256"),
    ("truncated", "truncated", "broke off"),
    ("not found", ("status", 404), "answered HTTP 404: it does not serve this file"),
]


@pytest.mark.parametrize("label, serve, said", BAD, ids=[b[0] for b in BAD])
def test_a_bad_download_exits_65_naming_file_and_address_and_leaves_nothing(
    tmp_path, server, snaps, label, serve, said
):
    rel = "ofac-sdn/sdn_2024-05-03.csv"
    server.serve[rel] = serve if isinstance(serve, tuple) else (serve, FILES[rel])
    dest = tmp_path / "snapshots"
    one = [s for s in snaps if s.path == rel]
    report = snap.sync(one, dest)
    assert report.status == snap.EXIT_BAD_DOWNLOAD == 65
    assert report.bad == [rel]
    (line,) = report.lines
    assert line.startswith(f"{rel}: REFUSED: ") and f"{server.url}/{rel}" in line and said in line
    assert not dest.exists()  # neither the file nor a temporary file nor the folders made for it


def test_a_bad_download_leaves_the_other_files_and_nothing_of_itself(tmp_path, server, snaps):
    rel = "ofac-sdn/sdn_2024-05-03.csv"
    server.serve[rel] = ("corrupt", FILES[rel])
    dest = tmp_path / "snapshots"
    report = snap.sync(snaps, dest)
    assert report.status == 65 and report.bad == [rel]
    assert {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} == set(FILES) - {rel}
    assert not (dest / "ofac-sdn").exists()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_server_down_is_offline_exit_75_and_nothing_changes(tmp_path, server, snaps):
    dest = tmp_path / "snapshots"
    (dest / "cns-missile-tests").mkdir(parents=True)
    (dest / "cns-missile-tests" / "LICENSE-nagix.txt").write_bytes(FILES["cns-missile-tests/LICENSE-nagix.txt"])
    before = state(dest)
    report = snap.sync(snaps, dest, base_url=closed_port())
    assert report.status == snap.EXIT_OFFLINE == 75
    assert report.offline.startswith("offline: could not reach http://127.0.0.1:")
    assert "Connection refused" in report.offline
    assert report.fetched == []
    assert state(dest) == before


def test_a_present_file_with_the_wrong_hash_is_reported_not_overwritten(tmp_path, server, snaps):
    rel = "un-consolidated-list/consolidated_2024-09-26.xml"
    dest = tmp_path / "snapshots"
    (dest / rel).parent.mkdir(parents=True)
    (dest / rel).write_bytes(b"<edited by hand/>\n")
    report = snap.sync(snaps, dest)
    assert report.status == snap.EXIT_INCOMPLETE and report.wrong == [rel]
    assert (dest / rel).read_bytes() == b"<edited by hand/>\n"
    assert f"{server.url}/{rel}" not in server.requests
    line = next(x for x in report.lines if x.startswith(rel))
    wrong = hashlib.sha256(b"<edited by hand/>\n").hexdigest()
    assert f"WRONG: present with sha256 {wrong}" in line and "left as it is (--force replaces it)" in line
    assert snap.check(snaps, dest).wrong == [rel]
    # asked to, it replaces it, through a verified download
    assert snap.sync(snaps, dest, force=True).status == snap.EXIT_OK
    assert (dest / rel).read_bytes() == FILES[rel]


def test_a_file_without_an_address_comes_only_from_a_mirror(tmp_path, server):
    rel, data = "ofac-sdn/sdn_2024-05-03.csv", FILES["ofac-sdn/sdn_2024-05-03.csv"]
    snaps = registry(tmp_path, [entry(rel, data, None, note="converted from R data")])
    dest = tmp_path / "snapshots"
    report = snap.sync(snaps, dest)
    assert report.status == snap.EXIT_INCOMPLETE and report.unavailable == [rel]
    assert "no public address serves it: converted from R data" in report.lines[0]
    assert snap.BASE_URL_ENV in report.lines[0] and not dest.exists()
    assert snap.sync(snaps, dest, base_url=server.url + "/").status == snap.EXIT_OK
    assert (dest / rel).read_bytes() == data


def test_the_command_reads_the_mirror_from_the_environment_and_says_what_it_did(
    tmp_path, server, project_copy, monkeypatch, capsys
):
    entries = [entry(p, d, "https://example.invalid/" + p) for p, d in FILES.items()]
    (project_copy / "data" / snap.REGISTRY).write_text(json.dumps({"files": entries}), encoding="utf-8")
    monkeypatch.setenv("NKBOOK_SHARED", str(tmp_path / "shared"))
    monkeypatch.setenv(snap.BASE_URL_ENV, server.url)
    assert snap.main([]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'shared' / 'data' / 'snapshots'}: all 3 snapshots present and verified, 3 fetched" in out
    assert snap.main(["--check"]) == 0
    monkeypatch.setenv(snap.BASE_URL_ENV, closed_port())
    shutil.rmtree(tmp_path / "shared")
    assert snap.main([]) == 75
    err = capsys.readouterr().err
    assert "offline: could not reach" in err and "nothing was changed" in err
    assert not (tmp_path / "shared").exists()


GOOD = {"path": "a/b.csv", "bytes": 3, "sha256": "a" * 64, "url": None, "note": "why", "publisher": "P"}
GOOD["repository"] = f"owner/name@{COMMIT}"
BAD_ENTRIES = [
    ({"path": "../etc/passwd"}, "path", "expected a relative path under the snapshots folder, got '../etc/passwd'"),
    ({"path": "/abs.csv"}, "path", "expected a relative path under the snapshots folder, got '/abs.csv'"),
    ({"sha256": "ABC"}, "sha256", "expected 64 lower-case hex digits, got 'ABC'"),
    ({"bytes": 0}, "bytes", "expected a positive whole number of bytes, got 0"),
    ({"bytes": "12"}, "bytes", "expected a positive whole number of bytes, got '12'"),
    ({"url": "ftp://x/y"}, "url", "expected an http(s) address or null, got 'ftp://x/y'"),
    ({"note": None}, "note", "a file without an address must say why (note)"),
    ({"publisher": " "}, "publisher", "the original publisher is required"),
    ({"repository": "owner/name@main"}, "repository", "expected owner/name@<40-hex commit>, got 'owner/name@main'"),
]


@pytest.mark.parametrize("change, field, message", BAD_ENTRIES, ids=[b[1] + str(i) for i, b in enumerate(BAD_ENTRIES)])
def test_a_bad_registry_entry_is_named_by_row_and_field(tmp_path, change, field, message):
    path = tmp_path / "snapshots.json"
    path.write_text(json.dumps({"files": [GOOD, {**GOOD, "path": "c.csv", **change}]}), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        snap.load_registry(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field, problem.message) == (str(path), 2, field, message)


@pytest.mark.parametrize(
    "text, message",
    [(b"", "not valid UTF-8 JSON"), (b"\xff\xfe", "not valid UTF-8 JSON"), (b"[]", "expected an object with a list")],
)
def test_an_unreadable_registry_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "snapshots.json"
    path.write_bytes(text)
    with pytest.raises(DataError) as caught:
        snap.load_registry(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.message.startswith(message)


def test_a_path_listed_twice_is_refused(tmp_path):
    path = tmp_path / "snapshots.json"
    path.write_text(json.dumps({"files": [GOOD, GOOD]}), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        snap.load_registry(path)
    assert [(p.row, p.field, p.message) for p in caught.value.problems] == [(2, "path", "'a/b.csv' is listed twice")]


def test_the_committed_registry_is_well_formed():
    snaps = snap.load_registry(ROOT / "data" / snap.REGISTRY)
    assert len(snaps) == 23
    for s in snaps:
        if s.url:  # a public repository's copy at the commit the registry names
            repo, commit = s.repository.split("@")
            assert s.url == f"https://raw.githubusercontent.com/{repo}/{commit}/{s.repository_path}", s.path


# --------------------------------------------------------------------------- with ../shared

#: Snapshot files the tests read beyond the builders' inputs, and the licences kept beside them.
TEST_READS = {"cns-missile-tests/cns_database_to_2023-04.csv"}
LICENCES = {
    "cns-missile-tests/LICENSE-nagix.txt",
    "unga-votes/unvotes/LICENSE.txt",
    "unga-votes/unvotes/DESCRIPTION.txt",
    "regime-type/democracydata_DESCRIPTION.txt",
    "alliances/peacesciencer_DESCRIPTION.txt",
}


def builders_read() -> set[str]:
    """Every file under ../shared/data/snapshots that a builder declares (a folder: its files)."""
    out = set()
    for builder in DERIVED.values():
        for read in builder.reads:
            if not read.startswith(SNAPSHOTS_INPUT + "/"):
                continue
            rel = read[len(SNAPSHOTS_INPUT) + 1 :]
            folder = SNAPSHOTS / rel
            out |= (
                {p.relative_to(SNAPSHOTS).as_posix() for p in folder.rglob("*") if p.is_file()}
                if folder.is_dir()
                else {rel}
            )
    return out


@needs_shared
def test_the_registry_lists_every_file_the_builders_read_and_matches_shared():
    snaps = snap.load_registry(ROOT / "data" / snap.REGISTRY)
    assert {s.path for s in snaps} == builders_read() | TEST_READS | LICENCES
    for s in snaps:
        data = (SNAPSHOTS / s.path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (s.bytes, s.sha256), s.path


@pytest.fixture
def mirror():
    """../shared/data/snapshots served on 127.0.0.1."""
    files = {p.relative_to(SNAPSHOTS).as_posix(): p for p in SNAPSHOTS.rglob("*") if p.is_file()}
    s = Server({})
    s.files = LazyFiles(files)
    yield s
    s.close()


class LazyFiles(dict):
    """Reads a served file only when it is asked for."""

    def __init__(self, paths: dict[str, Path]):
        super().__init__()
        self.paths = paths

    def get(self, key, default=None):
        return self.paths[key].read_bytes() if key in self.paths else default


@needs_shared
def test_make_snapshots_fills_an_empty_folder_that_make_data_rebuilds_from_byte_for_byte(tmp_path, mirror, monkeypatch):
    shared = tmp_path / "shared"
    dest = shared / "data" / "snapshots"
    snaps = snap.load_registry(ROOT / "data" / snap.REGISTRY)
    monkeypatch.setenv(snap.BASE_URL_ENV, mirror.url)
    assert snap.main(["--dest", str(dest)]) == snap.EXIT_OK
    assert snap.check(snaps, dest).status == snap.EXIT_OK
    assert {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} == {s.path for s in snaps}
    # the research tables are the team's own compilations, not public snapshots: copied as they are
    shutil.copytree(SHARED / "data" / "research", shared / "data" / "research")
    names = [n for n, b in DERIVED.items() if b.inputs != "seeds"]  # the essays are not redistributed
    assert len(names) == 9
    for name in names:
        committed = (ROOT / "data" / resource(name)["path"]).read_bytes()
        assert csv_bytes(built(name, shared)) == committed, name


def test_something_in_the_way_is_reported_and_left_alone(tmp_path, server, snaps):
    dest = tmp_path / "snapshots"
    (dest / "un-consolidated-list" / "consolidated_2024-09-26.xml").mkdir(parents=True)  # a folder, not the file
    (dest / "ofac-sdn").write_bytes(b"a file where a folder should be")
    before = state(dest)
    report = snap.sync(snaps, dest)
    assert report.status == snap.EXIT_INCOMPLETE
    assert report.wrong == ["un-consolidated-list/consolidated_2024-09-26.xml"]
    assert report.unwritable == ["ofac-sdn/sdn_2024-05-03.csv"]
    assert "NOT WRITTEN: could not write" in next(x for x in report.lines if x.startswith("ofac-sdn/"))
    after = state(dest)
    assert (
        after.pop("cns-missile-tests/LICENSE-nagix.txt")[0]
        == hashlib.sha256(FILES["cns-missile-tests/LICENSE-nagix.txt"]).hexdigest()
    )
    after.pop("cns-missile-tests")
    assert after == before


def test_make_snapshots_runs_the_command():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\nsnapshots: $(STAMP)\n", 1)[1].split("\n\n")[0]
    assert recipe.strip() == "$(BIN)/python -m nkbook.etl.snapshots"
    assert " snapshots " in make.split(".PHONY:", 1)[1].splitlines()[0]
