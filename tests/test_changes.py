"""What changed since the previous edition (``nkbook.analysis.changes``, ``nkbook.present.changes``):
computed from the previous edition's commit in a throw-away git repository (two listed releases,
one verdict, one row and one source changed between them), the awkward cases (claims added and
withdrawn, a row removed, a column added, a table added, a bad old file), the first edition, and the
committed page and JSON against a fresh computation from this repository's history."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import HTML, ROOT
from nkbook import __version__
from nkbook.analysis import changes
from nkbook.core.errors import DataError
from nkbook.present import changes as page_changes

CLAIMS_HEADER = "claim_id,paraphrase,verdict_at_publication,verdict_at_cutoff,confidence,source_id"
CLAIMS_1 = [
    "A01,The first claim.,Not checkable,Not enough evidence,low,src-a",
    "A02,The second claim.,Supported,Supported,high,src-a",
]
EVENTS_HEADER = "event_id,published_on,value,source_id"
EVENTS_1 = ["E1,2025-01-05,10,src-a", "E2,2025-02-01,20,src-a", "E3,2025-03-01,30,src-a"]
BIB_ENTRY = "@online{{{key},\n  title = {{Source {key}}},\n  url = {{https://example.org/{key}}},\n}}\n"


def package(extra: list[dict] | None = None) -> dict:
    return {
        "name": "tiny",
        "x-evidence-through": "2025-03-01",
        "resources": [
            {"name": "claims", "path": "claims.csv", "schema": {"fields": [], "primaryKey": ["claim_id"]}},
            {
                "name": "events",
                "path": "events.csv",
                "x-public-date-field": "published_on",
                "x-searched-through": "2025-06-30",
                "schema": {"fields": [], "primaryKey": ["event_id"]},
            },
            *(extra or []),
        ],
    }


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write_edition(
    root: Path,
    claims: list[str],
    events: list[str],
    keys: list[str],
    *,
    claims_header=CLAIMS_HEADER,
    events_header=EVENTS_HEADER,
    pkg=None,
) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "book").mkdir(exist_ok=True)
    (root / "data" / "datapackage.json").write_text(json.dumps(pkg or package(), indent=1), encoding="utf-8")
    (root / "data" / "claims.csv").write_text("\n".join([claims_header, *claims]) + "\n", encoding="utf-8")
    (root / "data" / "events.csv").write_text("\n".join([events_header, *events]) + "\n", encoding="utf-8")
    (root / "book" / "references.bib").write_text("".join(BIB_ENTRY.format(key=k) for k in keys), encoding="utf-8")


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def list_releases(root: Path, *releases: tuple[str, str]) -> None:
    listed = [{"version": v, "date": f"2026-0{i + 1}-01", "commit": c} for i, (v, c) in enumerate(releases)]
    (root / "releases.json").write_text(json.dumps({"releases": listed}), encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    """A throw-away repository whose first commit is edition 1.0.0."""
    root = tmp_path / "book-repo"
    root.mkdir()
    git(root, "init", "-q")
    write_edition(root, CLAIMS_1, EVENTS_1, ["src-a"])
    first = commit(root, "edition 1.0.0")
    return root, first


def test_two_editions_one_verdict_one_row_and_one_source_changed(repo):
    root, first = repo
    write_edition(
        root,
        ["A01,The first claim.,Not checkable,Supported,medium,src-a,The 2025 report settles it.", CLAIMS_1[1] + ","],
        ["E1,2025-01-05,10,src-a", "E2,2025-04-02,25,src-b", "E3,2025-03-01,30,src-a"],
        ["src-a", "src-b"],
        claims_header=CLAIMS_HEADER + ",change_reason",
    )
    second = commit(root, "edition 1.1.0")
    list_releases(root, ("1.0.0", first), ("1.1.0", second))

    found = changes.compute(root, first, second)
    assert found["verdicts"] == [
        {
            "claim_id": "A01",
            "field": "verdict_at_cutoff",
            "then": "Not enough evidence",
            "now": "Supported",
            "reason": "The 2025 report settles it.",
        }
    ]
    assert found["confidence"] == [
        {
            "claim_id": "A01",
            "field": "confidence",
            "then": "low",
            "now": "medium",
            "reason": "The 2025 report settles it.",
        }
    ]
    events = next(t for t in found["tables"] if t["table"] == "events")
    assert (events["added"], events["removed"], events["corrected"]) == ([], [], 1)
    assert events["corrected_fields"] == {"published_on": 1, "value": 1, "source_id": 1}
    assert {"field": "value", "from": "20", "to": "25", "rows": ["E2"]} in events["corrections"]
    claims = next(t for t in found["tables"] if t["table"] == "claims")
    assert claims["columns_added"] == ["change_reason"] and claims["columns_removed"] == []
    assert (found["sources_added"], found["sources_removed"]) == (["src-b"], [])
    assert found["evidence"]["before"] == {"stated": {"x-evidence-through": "2025-03-01"}, "newest_row": "2025-03-01"}
    assert found["evidence"]["after"]["newest_row"] == "2025-04-02"
    # the working tree is the second commit: the same changes
    assert changes.compute(root, first) == found

    report = changes.report(root, "1.1.0")
    assert report["previous"]["commit"] == first
    assert report["summary"]["verdicts_changed"] == 1 and report["summary"]["rows_corrected"] == 2  # A01 and E2
    text = page_changes.page(report)
    assert "Edition 1.1.0 against the previous edition, 1.0.0 of 1 January 2026" in text
    assert (
        '| <a href="claims-a.html#claim-a01">A01</a> | as of the cut-off | Not enough evidence | Supported | '
        "The 2025 report settles it. |" in text
    )
    assert "- `value`: `20` → `25` (1 row: E2)." in text
    assert "| `events` | 3 | 3 | 0 | 0 | 1 | `published_on` (1), `value` (1), `source_id` (1) | – |" in text
    assert "1 source added to the references:\n\n- {cite:t}`src-b`" in text
    assert "then 1 March 2025, now 2 April 2025" in text


def test_claims_added_and_withdrawn_a_row_removed_a_column_and_a_table_added(repo):
    root, first = repo
    extra = {"name": "notes", "path": "notes.csv", "schema": {"fields": [], "primaryKey": ["note_id"]}}
    write_edition(
        root,
        [CLAIMS_1[0], "A03,A third claim.,Supported,Supported,high,src-a"],
        ["E1,2025-01-05,10,src-a,checked", "E2,2025-02-01,20,src-a,"],
        ["src-a"],
        events_header=EVENTS_HEADER + ",check_note",
        pkg=package([extra]),
    )
    (root / "data" / "notes.csv").write_text("note_id,text\nN1,hello\n", encoding="utf-8")
    list_releases(root, ("1.0.0", first))

    report = changes.report(root, "1.1.0")  # not listed: the newest lower release is the previous edition
    assert report["previous"]["version"] == "1.0.0"
    assert [c["claim_id"] for c in report["claims_added"]] == ["A03"]
    assert report["claims_withdrawn"] == [{"claim_id": "A02", "paraphrase": "The second claim."}]
    assert report["verdicts"] == [] and report["confidence"] == []
    events = next(t for t in report["tables"] if t["table"] == "events")
    assert events["removed"] == ["E3"] and events["added"] == [] and events["corrected"] == 0
    assert events["columns_added"] == ["check_note"]
    assert next(t for t in report["tables"] if t["table"] == "notes") == {
        "table": "notes",
        "status": "added",
        "rows_before": 0,
        "rows_after": 1,
        "columns": ["note_id", "text"],
    }
    s = report["summary"]
    assert (s["claims_added"], s["claims_withdrawn"], s["rows_removed"], s["tables_added"]) == (1, 1, 2, 1)
    text = page_changes.page(report)
    assert "No verdict of a claim judged by edition 1.0.0 changed." in text
    assert '- <a href="claims-a.html#claim-a03">A03</a>: A third claim.' in text
    assert "Withdrawn:\n\n- `A02`: The second claim." in text
    assert "- Rows removed (1): E3." in text
    assert "| `events` | 3 | 2 | 0 | 1 | 0 | – | added `check_note` |" in text
    assert "| `notes` | – | 1 | 1 | – | – | – | new table |" in text

    # and the other way round: the table withdrawn, the column removed
    second = commit(root, "edition 1.1.0")
    back = changes.compute(root, second, first)
    assert next(t for t in back["tables"] if t["table"] == "notes")["status"] == "removed"
    assert next(t for t in back["tables"] if t["table"] == "events")["columns_removed"] == ["check_note"]
    assert "| `notes` | 1 | – | – | 1 | – | – | table withdrawn |" in page_changes.page(
        {
            "edition": "x",
            "previous": {"version": "1.1.0", "date": "2026-02-01", "commit": second},
            **back,
            "summary": changes.summary(back),
        }
    )


def test_a_bad_table_in_the_previous_edition_is_named_with_its_commit(repo):
    root, first = repo
    (root / "data" / "events.csv").write_text(EVENTS_HEADER + '\nE1,2025-01-05,"10,src-a\n', encoding="utf-8")
    bad = commit(root, "a stray quote")
    write_edition(root, CLAIMS_1, EVENTS_1, ["src-a"])
    with pytest.raises(DataError) as caught:
        changes.compute(root, bad)
    (problem,) = caught.value.problems
    assert problem.file == f"data/events.csv at commit {bad[:12]}"
    assert "never closed" in problem.message and problem.field == "value"
    with pytest.raises(DataError, match="is not in this clone's history"):
        changes.compute(root, "0" * 40)


def test_a_claim_history_that_misstates_the_previous_edition_is_refused(repo):
    root, first = repo
    history = {"name": "claim_history", "path": "claim_history.csv", "schema": {"primaryKey": ["claim_id", "edition"]}}
    write_edition(root, CLAIMS_1, EVENTS_1, ["src-a"], pkg=package([history]))
    rows = ["A01,1.0.0,Not checkable,Not enough evidence,low", "A02,1.0.0,Supported,Supported,high"]
    header = "claim_id,edition,verdict_at_publication,verdict_at_cutoff,confidence"
    (root / "data" / "claim_history.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    list_releases(root, ("1.0.0", first))
    assert changes.report(root, "1.1.0")["summary"]["tables_added"] == 1  # the history as published: accepted
    rows[1] = "A02,1.0.0,Supported,Not supported,high"
    (root / "data" / "claim_history.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        changes.report(root, "1.1.0")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("data/claim_history.csv", 2, "verdict_at_cutoff")
    assert "says edition 1.0.0 gave 'Not supported', but that edition's data/claims.csv gave 'Supported'" in str(
        problem
    )


def test_the_previous_edition_follows_releases_json_and_version_order():
    listed = [{"version": v, "date": "2026-01-01", "commit": v} for v in ("1.0.0", "1.9.0", "1.10.0")]
    assert changes.previous_release(listed, "1.10.0")["version"] == "1.9.0"  # listed: the one before it
    assert changes.previous_release(listed, "1.9.0")["version"] == "1.0.0"
    assert changes.previous_release(listed, "1.11.0")["version"] == "1.10.0"  # not listed: the newest lower
    assert changes.previous_release(listed, "1.9.5")["version"] == "1.9.0"
    assert changes.previous_release(listed, "1.0.0") is None
    assert changes.previous_release(listed, "0.9.0") is None
    assert changes.previous_release([], "1.0.0") is None


def test_the_first_edition_says_so(repo):
    root, first = repo
    list_releases(root, ("1.0.0", first))
    report = changes.report(root, "1.0.0")
    assert report == {"edition": "1.0.0", "previous": None}
    text = page_changes.page(report)
    assert "This is the first edition of the book (version 1.0.0)" in text
    assert "## Verdicts" not in text
    (root / "releases.json").unlink()  # no list of releases at all: the first edition too
    assert page_changes.page(changes.report(root, "1.0.0")) == text


def test_the_stale_check_fails_when_the_files_are_out_of_date(repo, capsys, monkeypatch):
    root, first = repo
    write_edition(root, CLAIMS_1, EVENTS_1, ["src-a", "src-b"])
    list_releases(root, ("1.0.0", first))
    assert page_changes.write(root, "1.1.0") == [page_changes.PAGE, page_changes.JSON_FILE]
    assert page_changes.stale(root, "1.1.0") == []
    (root / "data" / "events.csv").write_text("\n".join([EVENTS_HEADER, *EVENTS_1[:2]]) + "\n", encoding="utf-8")
    assert page_changes.stale(root, "1.1.0") == [page_changes.PAGE, page_changes.JSON_FILE]
    monkeypatch.setenv("NKBOOK_ROOT", str(root))
    monkeypatch.setattr(page_changes, "project_root", lambda: root)
    assert page_changes.main(["--check", "--edition", "1.1.0"]) == 1
    assert "book/changes.md: out of date" in capsys.readouterr().out


def test_make_data_writes_the_page():
    recipe = re.search(r"^data: .*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M).group(1)
    assert "$(BIN)/python -m nkbook.present.changes" in recipe


def test_the_committed_page_and_json_match_a_fresh_computation_from_git():
    """The page is committed so that a build needs no history; it must be what the history gives."""
    try:
        found = page_changes.stale(ROOT, __version__)
    except page_changes.NoHistory as exc:
        pytest.skip(f"cannot compare with the previous edition: {exc}")
    assert found == [], "run `make data` (or python -m nkbook.present.changes)"
    assert "- file: book/changes" in (ROOT / "_toc.yml").read_text(encoding="utf-8")


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_the_page_is_in_the_book_and_offers_the_json():
    page = (HTML / "book" / "changes.html").read_text(encoding="utf-8")
    assert "What changed in this edition" in page
    assert '<a href="../_static/downloads/changes.json" download' in page
    download = HTML / "_static" / "downloads" / "changes.json"
    assert download.read_bytes() == (ROOT / page_changes.JSON_FILE).read_bytes()


def test_every_stated_date_the_comparison_reports_has_its_words_on_the_page():
    """The page names each cut-off date a data package may state; one the comparison reports
    without words would otherwise be dropped from the page without a word."""
    assert set(page_changes.STATED) == set(changes.STATED_DATES)
