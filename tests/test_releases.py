"""The committed list of releases (``releases.json``): git tags do not travel with every clone,
so this list is the record of which commit each release was built from."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date

import pytest

from conftest import ROOT
from nkbook import __version__

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def releases() -> list[dict]:
    return json.loads((ROOT / "releases.json").read_text(encoding="utf-8"))["releases"]


def as_tuple(version: str) -> tuple[int, ...]:
    match = SEMVER.match(version)
    assert match, version
    return tuple(map(int, match.groups()))


def test_each_release_has_a_version_a_date_and_a_whole_commit():
    listed = releases()
    assert listed[0] == {"version": "1.0.0", "date": "2026-11-22", "commit": "4151d65d110e8859d95e716000e6834c388ecf63"}
    for release in listed:
        assert set(release) == {"version", "date", "commit"}, release
        as_tuple(release["version"])
        date.fromisoformat(release["date"])
        assert re.fullmatch(r"[0-9a-f]{40}", release["commit"]), release
    versions = [as_tuple(r["version"]) for r in listed]
    assert versions == sorted(set(versions))  # strictly increasing
    dates = [r["date"] for r in listed]
    assert dates == sorted(dates)
    assert versions[-1] <= as_tuple(__version__)  # the book is at the last release or beyond


def test_each_release_has_its_changelog_heading():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = dict(re.findall(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)$", changelog, re.M))
    expected = {r["version"]: r["date"] for r in releases()}
    if __version__ not in expected and __version__ in headings:
        # the release commit itself: prepared (`release prepare`), listed only by `release record`,
        # which names this commit and so comes after it
        expected[__version__] = headings[__version__]
    assert headings == expected


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


@pytest.mark.parametrize("release", releases(), ids=lambda r: r["version"])
def test_each_release_commit_is_in_the_history_and_carries_its_version(release):
    """Where the history is there (not a shallow clone): the commit is an ancestor of this one,
    and its package version is the release's."""
    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git work tree")
    if git("cat-file", "-e", f"{release['commit']}^{{commit}}").returncode != 0:
        pytest.skip(f"commit {release['commit'][:7]} is not in this clone's history (a shallow clone?)")
    assert git("merge-base", "--is-ancestor", release["commit"], "HEAD").returncode == 0
    source = git("show", f"{release['commit']}:src/nkbook/__init__.py").stdout
    assert f'__version__ = "{release["version"]}"' in source
    cff = git("show", f"{release['commit']}:CITATION.cff").stdout
    assert f'version: "{release["version"]}"' in cff and f'date-released: "{release["date"]}"' in cff
