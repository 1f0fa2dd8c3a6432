"""The book's releases and the address of each edition.

* ``releases.json`` lists every release (version, date, commit): git's tags do not travel with
  every clone, so this list is the record of releases (see :func:`releases`).
* Each release is an edition at its own address, ``<html.baseurl><version>/`` (``html.baseurl`` of
  ``_config.yml``); ``<html.baseurl>latest/`` is a copy of the newest (see :func:`edition_url`).
* The edition of a build is the package's ``__version__``; its date is the date the list gives it,
  or, for a release prepared but not yet recorded in the list (its commit is the one the list will
  name), the date of its CHANGELOG heading ``## <version> (<date>)`` (see :func:`release_date`).
  A version with neither is an unreleased build: it has no date, and none is made up.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from nkbook import __version__
from nkbook.core.errors import DataError, Problem
from nkbook.core.paths import project_root, relative

RELEASES_FILE = "releases.json"
CHANGELOG_FILE = "CHANGELOG.md"
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
#: A release's heading in the CHANGELOG: ``## 1.0.0 (2026-11-22)``.
HEADING = re.compile(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)[ \t]*$", re.M)


def version_key(version: str) -> tuple[int, int, int]:
    """A version as numbers, for ordering (``1.10.0`` after ``1.9.0``)."""
    match = VERSION.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 1.1.0)")
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else project_root()


def parse_releases(text: str, where: str) -> list[dict]:
    """The releases of a ``releases.json`` text, checked: each has a version, a date and a whole
    commit, versions rise and dates do not fall. Every problem is named (file, entry, field)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError([Problem(where, f"not valid JSON: {exc}")]) from None
    listed = doc.get("releases") if isinstance(doc, dict) else None
    if not isinstance(listed, list):
        raise DataError([Problem(where, "expected an object with a list 'releases'")])
    problems: list[Problem] = []
    for i, entry in enumerate(listed, start=1):
        at = f"{where}, release {i}"
        if not isinstance(entry, dict):
            problems.append(Problem(at, "expected an object with version, date and commit"))
            continue
        for name in sorted({"version", "date", "commit"} - set(entry)):
            problems.append(Problem(at, "missing", field=name))
        for name in sorted(set(entry) - {"version", "date", "commit"}):
            problems.append(Problem(at, "not a field of a release (version, date, commit)", field=name))
        if "version" in entry and not (isinstance(entry["version"], str) and VERSION.match(entry["version"])):
            problems.append(Problem(at, f"{entry['version']!r} is not MAJOR.MINOR.PATCH", field="version"))
        if "date" in entry:
            try:
                date.fromisoformat(str(entry["date"]))
            except ValueError:
                problems.append(Problem(at, f"{entry['date']!r} is not a date YYYY-MM-DD", field="date"))
        if "commit" in entry and not (isinstance(entry["commit"], str) and COMMIT.match(entry["commit"])):
            problems.append(
                Problem(at, f"{entry['commit']!r} is not a whole commit id (40 hex digits)", field="commit")
            )
    if not problems:
        for i, (before, after) in enumerate(zip(listed, listed[1:]), start=2):
            if version_key(after["version"]) <= version_key(before["version"]):
                problems.append(
                    Problem(
                        f"{where}, release {i}", f"{after['version']} is not after {before['version']}", field="version"
                    )
                )
            if after["date"] < before["date"]:
                problems.append(
                    Problem(f"{where}, release {i}", f"{after['date']} is before {before['date']}", field="date")
                )
    if problems:
        raise DataError(problems)
    return listed


def releases(root: Path | None = None) -> list[dict]:
    """The listed releases, oldest first (an empty list when there is no ``releases.json``)."""
    path = _root(root) / RELEASES_FILE
    if not path.is_file():
        return []
    return parse_releases(path.read_text(encoding="utf-8"), relative(path))


def listed(version: str, root: Path | None = None) -> dict | None:
    """The release of that version in ``releases.json``, or ``None``."""
    return next((r for r in releases(root) if r["version"] == version), None)


def changelog_dates(text: str) -> dict[str, str]:
    """Each release heading of a CHANGELOG, ``## <version> (<date>)``: version -> date."""
    return dict(HEADING.findall(text))


def release_date(version: str = __version__, root: Path | None = None) -> str | None:
    """The date of a release (``YYYY-MM-DD``): from ``releases.json`` when the version is listed;
    for a release prepared but not yet listed, its CHANGELOG heading's; else ``None`` (an
    unreleased build)."""
    release = listed(version, root)
    if release is not None:
        return release["date"]
    path = _root(root) / CHANGELOG_FILE
    if path.is_file():
        return changelog_dates(path.read_text(encoding="utf-8")).get(version)
    return None


def site_url(root: Path | None = None) -> str:
    """Where the book is published (``html.baseurl`` of ``_config.yml``), ending in ``/``."""
    import yaml

    config = yaml.safe_load((_root(root) / "_config.yml").read_text(encoding="utf-8"))
    return config["html"]["baseurl"].rstrip("/") + "/"


def edition_url(version: str = __version__, root: Path | None = None) -> str:
    """The address of an edition: ``<html.baseurl><version>/`` (by default this build's)."""
    version_key(version)
    return f"{site_url(root)}{version}/"


def latest_url(root: Path | None = None) -> str:
    """The address that always shows the newest edition: ``<html.baseurl>latest/``."""
    return f"{site_url(root)}latest/"
