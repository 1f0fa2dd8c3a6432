"""Making a release (``python -m nkbook.publish.release prepare`` and ``record``), in a throw-away
git repository holding the few files a release touches; every refusal changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from nkbook.core import releases
from nkbook.publish import release

FILES = ("_config.yml", "CITATION.cff", ".zenodo.json", "CHANGELOG.md", "releases.json", "src/nkbook/__init__.py")
FIRST = {"version": "1.0.0", "date": "2026-11-22", "commit": "4151d65d110e8859d95e716000e6834c388ecf63"}
BASE = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def set_version(root: Path, version: str) -> None:
    path = root / release.VERSION_FILE
    path.write_text(release._VERSION_LINE.sub(f'__version__ = "{version}"', path.read_text()), encoding="utf-8")


@pytest.fixture
def repo(tmp_path) -> Path:
    """The release files at 1.0.0 (listed, dated, synced), committed; the CHANGELOG's
    Unreleased section is headed ``## 1.1.0 (2026-12-06)``, ready to prepare."""
    root = tmp_path / "book"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, root / name)
    (root / "releases.json").write_text(json.dumps({"releases": [FIRST]}, indent=2) + "\n", encoding="utf-8")
    set_version(root, "1.0.0")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    head, sep, rest = changelog.partition("\n## 1.0.0 (2026-11-22)")
    head = "\n".join(line for line in head.splitlines() if not line.startswith("## ")) + "\n"
    (root / "CHANGELOG.md").write_text(head + "\n## 1.1.0 (2026-12-06)\n\n- A change.\n" + sep + rest, encoding="utf-8")
    release.sync(root)
    git(root, "init", "-q")
    commit(root, "1.0.0 and the entry of 1.1.0")
    return root


def snapshot(root: Path) -> dict:
    files = {name: (root / name).read_bytes() for name in FILES}
    return {"files": files, "tags": git(root, "tag", "--list"), "head": git(root, "rev-parse", "HEAD")}


def test_prepare_sets_the_version_and_syncs_the_citation_files(repo):
    assert release.prepare(repo, "1.1.0", "2026-12-06") == [release.VERSION_FILE, "CITATION.cff", ".zenodo.json"]
    assert release.package_version(repo) == "1.1.0"
    cff = yaml.safe_load((repo / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], str(cff["date-released"]), cff["url"]) == ("1.1.0", "2026-12-06", f"{BASE}1.1.0/")
    zenodo = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert (zenodo["version"], zenodo["publication_date"]) == ("1.1.0", "2026-12-06")
    assert release.out_of_sync(repo) == []
    assert release.prepare(repo, "1.1.0", "2026-12-06") == []  # again: nothing to change


@pytest.mark.parametrize(
    ("version", "day", "edit", "said"),
    [
        (
            "1.1.0",
            "2026-12-07",
            None,
            "CHANGELOG.md has no heading '## 1.1.0 (2026-12-07)' (it has '## 1.1.0 (2026-12-06)')",
        ),
        ("1.2.0", "2026-12-06", None, "CHANGELOG.md has no heading '## 1.2.0 (2026-12-06)'"),
        ("1.0.0", "2026-11-22", None, "version 1.0.0 is not higher than the newest release in releases.json, 1.0.0"),
        ("0.9.0", "2026-12-06", "## 0.9.0 (2026-12-06)", "version 0.9.0 is not higher than the newest release"),
        (
            "1.1.0",
            "2026-11-21",
            "## 1.1.0 (2026-11-21)",
            "date 2026-11-21 is before the date of the previous release, 1.0.0 (2026-11-22)",
        ),
        ("1.1", "2026-12-06", None, "'1.1' is not a version of the form MAJOR.MINOR.PATCH"),
        ("1.1.0", "2026-13-01", None, "'2026-13-01' is not a date of the form YYYY-MM-DD"),
    ],
)
def test_prepare_refuses_and_changes_nothing(repo, version, day, edit, said, capsys):
    if edit:  # the CHANGELOG's heading says what prepare is asked, so only the other check refuses
        path = repo / "CHANGELOG.md"
        path.write_text(path.read_text(encoding="utf-8").replace("## 1.1.0 (2026-12-06)", edit), encoding="utf-8")
    before = snapshot(repo)
    with pytest.raises(release.ReleaseError) as caught:
        release.prepare(repo, version, day)
    assert said in str(caught.value)
    assert snapshot(repo) == before
    assert release.main(["prepare", version, day], root=repo) == 1
    assert f"release: refused: {said}" in capsys.readouterr().err
    assert snapshot(repo) == before


def test_record_lists_and_tags_the_prepared_release(repo, capsys):
    release.prepare(repo, "1.1.0", "2026-12-06")
    head = commit(repo, "Release 1.1.0")
    assert release.main(["record"], root=repo) == 0
    assert "listed 1.1.0 (2026-12-06" in capsys.readouterr().out
    listed = releases.releases(repo)
    assert listed == [FIRST, {"version": "1.1.0", "date": "2026-12-06", "commit": head}]
    assert git(repo, "rev-parse", "v1.1.0^{commit}") == head
    assert (repo / "releases.json").read_text(encoding="utf-8").endswith('"\n    }\n  ]\n}\n')
    # once releases.json is committed the citation files stay in sync: the date is the same
    commit(repo, "releases.json: 1.1.0")
    assert release.out_of_sync(repo) == []


def test_record_accepts_a_tag_that_already_points_at_head(repo):
    release.prepare(repo, "1.1.0", "2026-12-06")
    head = commit(repo, "Release 1.1.0")
    git(repo, "tag", "v1.1.0", head)
    assert release.record(repo)["commit"] == head


def _dirty(repo):
    release.prepare(repo, "1.1.0", "2026-12-06")  # prepared, not committed


def _listed_already(repo):
    pass  # HEAD's __version__ is 1.0.0, which is listed


def _tag_elsewhere(repo):
    git(repo, "tag", "v1.1.0", "HEAD")
    release.prepare(repo, "1.1.0", "2026-12-06")
    commit(repo, "Release 1.1.0")


def _not_synced(repo):
    set_version(repo, "1.1.0")  # bumped by hand: CITATION.cff still says 1.0.0
    commit(repo, "1.1.0 by hand")


def _no_heading(repo):
    set_version(repo, "1.2.0")
    release.sync(repo)
    commit(repo, "1.2.0 without an entry")


def _not_after_the_last(repo):
    listed = [FIRST, {"version": "1.2.0", "date": "2026-12-01", "commit": "b" * 40}]
    (repo / "releases.json").write_text(json.dumps({"releases": listed}, indent=2) + "\n", encoding="utf-8")
    set_version(repo, "1.1.0")
    release.sync(repo)
    commit(repo, "1.1.0 after 1.2.0")


@pytest.mark.parametrize(
    ("arrange", "said"),
    [
        (_dirty, "the work tree has changes that are not committed"),
        (_listed_already, "1.0.0 (the __version__ committed at HEAD) is already listed in releases.json"),
        (_tag_elsewhere, "tag v1.1.0 already exists and points at"),
        (
            _not_synced,
            "CITATION.cff and .zenodo.json at HEAD are not what `python -m nkbook.publish.release sync` writes",
        ),
        (_no_heading, "CHANGELOG.md at HEAD has no heading '## 1.2.0 (YYYY-MM-DD)'"),
        (_not_after_the_last, "version 1.1.0 is not higher than the newest release in releases.json, 1.2.0"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:],
)
def test_record_refuses_and_changes_nothing(repo, arrange, said, capsys):
    arrange(repo)
    before = snapshot(repo)
    with pytest.raises(release.ReleaseError) as caught:
        release.record(repo)
    assert said in str(caught.value)
    assert snapshot(repo) == before
    assert release.main(["record"], root=repo) == 1
    assert "release: refused: " + said in capsys.readouterr().err
    assert snapshot(repo) == before
