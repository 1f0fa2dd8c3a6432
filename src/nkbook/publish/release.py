"""Making a release: the version everywhere from its one source, ``__version__``.

``python -m nkbook.publish.release <command>``, from the project root:

* ``sync``: write ``CITATION.cff`` and ``.zenodo.json`` from ``__version__`` (in
  ``src/nkbook/__init__.py``) and that version's release date (:func:`nkbook.core.releases.release_date`:
  ``releases.json``, or the CHANGELOG heading of a release prepared but not yet listed). The
  descriptive metadata (title, abstract, authors, licences, keywords) is written by hand in
  ``CITATION.cff``; the code writes its ``version``, ``date-released`` and ``url`` (the edition's
  own address) and the whole of ``.zenodo.json`` (Zenodo's GitHub integration reads it when a
  GitHub release is published). ``check`` says whether the committed files are what ``sync`` writes.
* ``prepare VERSION DATE``: set ``__version__`` to VERSION and sync (``date-released`` = DATE).
  Refused, with nothing changed, unless the CHANGELOG has the heading ``## VERSION (DATE)``,
  VERSION is after the newest listed release and DATE is not before that release's date.
* ``record``: after the prepared release is committed, list HEAD in ``releases.json``
  (version, date, commit) and tag it ``v<version>``. Refused, with nothing changed, unless the
  work tree is clean, HEAD's committed ``__version__`` is not listed yet and is after the newest
  listed release, HEAD's CHANGELOG dates it, its citation files are synced, and any existing tag
  ``v<version>`` points at HEAD. ``releases.json`` is then committed by hand.

Exit status: 0 done; 1 refused or out of sync (the message says why and what to do).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import yaml

from nkbook.core import releases
from nkbook.core.errors import DataError

VERSION_FILE = "src/nkbook/__init__.py"
CITATION_FILE = "CITATION.cff"
ZENODO_FILE = ".zenodo.json"
_VERSION_LINE = re.compile(r'^__version__ = "([^"]*)"$', re.M)
#: The top-level fields of CITATION.cff that the code writes, in this order.
_CFF_FIELDS = ("version", "date-released", "url")


class ReleaseError(Exception):
    """A refusal: the message says what is wrong and what to do; nothing has been changed."""


# --------------------------------------------------------------------------- the version's one source


def read_version(text: str, where: str = VERSION_FILE) -> str:
    """``__version__`` as a package's ``__init__.py`` text sets it."""
    found = _VERSION_LINE.findall(text)
    if len(found) != 1:
        raise ReleaseError(f'{where}: expected one line __version__ = "MAJOR.MINOR.PATCH", found {len(found)}')
    return found[0]


def package_version(root: Path) -> str:
    return read_version((root / VERSION_FILE).read_text(encoding="utf-8"))


def _config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- CITATION.cff and .zenodo.json


def citation_text(text: str, version: str, released: str | None, url: str) -> str:
    """``CITATION.cff`` with its ``version``, ``date-released`` (left out for an unreleased build)
    and ``url`` written in place of the ones it had (at the first of them, or at the end)."""
    lines = text.splitlines()
    keep, at = [], None
    for line in lines:
        if any(line.startswith(f"{name}:") for name in _CFF_FIELDS):
            at = len(keep) if at is None else at
            continue
        keep.append(line)
    ours = [f'version: "{version}"'] + ([f'date-released: "{released}"'] if released else []) + [f'url: "{url}"']
    at = len(keep) if at is None else at
    return "\n".join(keep[:at] + ours + keep[at:]) + "\n"


def _creator(author: dict) -> dict:
    if "name" in author:
        return {"name": author["name"]}
    return {"name": f"{author['family-names']}, {author['given-names']}"}


def zenodo(cff: dict, version: str, released: str | None, url: str, repository: str) -> dict:
    """The ``.zenodo.json`` of a release (Zenodo's deposit metadata, as its GitHub integration reads
    it), made from ``CITATION.cff``'s description of the book."""
    licences = cff.get("license") or []
    licences = [licences] if isinstance(licences, str) else list(licences)
    if licences != ["MIT", "CC-BY-4.0"]:
        raise ReleaseError(f"{CITATION_FILE}: license {licences}: expected MIT (code) and CC-BY-4.0 (text and data)")
    record = {
        "title": cff["title"],
        "description": " ".join(str(cff["abstract"]).split()),
        "version": version,
    }
    if released:
        record["publication_date"] = released
    record |= {
        "upload_type": "software",
        "access_right": "open",
        "license": "MIT",
        "creators": [_creator(a) for a in cff["authors"]],
        "keywords": list(cff.get("keywords", [])),
        "notes": (
            "Code: MIT licence. Text and data tables: CC-BY-4.0 (see LICENSE-text-and-data.md). "
            f"Edition {version} of the book is at {url}"
        ),
        "related_identifiers": [
            {"identifier": repository, "relation": "isSupplementTo", "scheme": "url"},
            {"identifier": url, "relation": "compiles", "scheme": "url"},
        ],
    }
    return record


def written(root: Path, version: str | None = None, released: str | None = None) -> dict[str, str]:
    """What ``sync`` writes: ``{file name: text}`` for ``CITATION.cff`` and ``.zenodo.json``, for
    the package's version and its release date (or the ones given, for ``prepare``)."""
    version = version or package_version(root)
    released = released or releases.release_date(version, root)
    url = releases.edition_url(version, root)
    cff_text = citation_text((root / CITATION_FILE).read_text(encoding="utf-8"), version, released, url)
    repository = _config(root)["repository"]["url"]
    record = zenodo(yaml.safe_load(cff_text), version, released, url, repository)
    return {
        CITATION_FILE: cff_text,
        ZENODO_FILE: json.dumps(record, ensure_ascii=False, indent=2) + "\n",
    }


def out_of_sync(root: Path) -> list[str]:
    """The citation files whose committed text is not what ``sync`` writes."""
    return [name for name, text in written(root).items() if _read(root / name) != text]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _write(root: Path, files: dict[str, str]) -> list[str]:
    changed = [name for name, text in files.items() if _read(root / name) != text]
    for name in changed:
        (root / name).write_text(files[name], encoding="utf-8")
    return changed


def sync(root: Path) -> list[str]:
    """Write ``CITATION.cff`` and ``.zenodo.json``; the names of the files that changed."""
    return _write(root, written(root))


# --------------------------------------------------------------------------- prepare and record


def _listed(root: Path) -> list[dict]:
    try:
        return releases.releases(root)
    except DataError as exc:
        raise ReleaseError(str(exc)) from None


def _after_the_last(version: str, day: str, listed: list[dict]) -> None:
    """Refuse a version that is not after the newest listed release, or a date before its date."""
    if not listed:
        return
    last = listed[-1]
    if releases.version_key(version) <= releases.version_key(last["version"]):
        raise ReleaseError(
            f"version {version} is not higher than the newest release in {releases.RELEASES_FILE}, {last['version']}"
        )
    if day < last["date"]:
        raise ReleaseError(f"date {day} is before the date of the previous release, {last['version']} ({last['date']})")


def _check_version_and_date(version: str, day: str) -> None:
    try:
        releases.version_key(version)
    except ValueError as exc:
        raise ReleaseError(str(exc)) from None
    try:
        if date.fromisoformat(day).isoformat() != day:
            raise ValueError
    except ValueError:
        raise ReleaseError(f"{day!r} is not a date of the form YYYY-MM-DD") from None


def prepare(root: Path, version: str, day: str) -> list[str]:
    """Set ``__version__`` to ``version`` and sync the citation files for a release on ``day``.

    Nothing is written unless every check passes; returns the names of the files changed."""
    _check_version_and_date(version, day)
    heading = f"## {version} ({day})"
    changelog = _read(root / releases.CHANGELOG_FILE) or ""
    dated = releases.changelog_dates(changelog)
    if dated.get(version) != day:
        other = f" (it has '## {version} ({dated[version]})')" if version in dated else ""
        raise ReleaseError(
            f"{releases.CHANGELOG_FILE} has no heading '{heading}'{other}: write the release's entry under "
            "that heading first (the Unreleased section, renamed), then prepare again"
        )
    _after_the_last(version, day, _listed(root))
    init = (root / VERSION_FILE).read_text(encoding="utf-8")
    read_version(init)
    files = {VERSION_FILE: _VERSION_LINE.sub(f'__version__ = "{version}"', init)}
    files |= written(root, version, day)
    return _write(root, files)


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip() if done.returncode == 0 else ""


def record(root: Path) -> dict:
    """List HEAD as the release of its ``__version__`` in ``releases.json`` and tag it ``v<version>``.

    Nothing is written, and no tag made, unless every check passes; returns the new entry."""
    head = _git(root, "rev-parse", "--verify", "HEAD^{commit}")
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    if dirty:
        raise ReleaseError(
            "the work tree has changes that are not committed: commit the prepared release first, then record it\n"
            + dirty
        )
    version = read_version(_git(root, "show", f"HEAD:{VERSION_FILE}"), f"HEAD:{VERSION_FILE}")
    try:
        releases.version_key(version)
    except ValueError as exc:
        raise ReleaseError(f"HEAD:{VERSION_FILE}: {exc}") from None
    listed = _listed(root)
    if any(r["version"] == version for r in listed):
        raise ReleaseError(
            f"{version} (the __version__ committed at HEAD) is already listed in {releases.RELEASES_FILE}: "
            "prepare the next version first"
        )
    dated = releases.changelog_dates(_git(root, "show", f"HEAD:{releases.CHANGELOG_FILE}", check=False))
    if version not in dated:
        raise ReleaseError(
            f"{releases.CHANGELOG_FILE} at HEAD has no heading '## {version} (YYYY-MM-DD)': "
            f"run `python -m nkbook.publish.release prepare {version} DATE` and commit"
        )
    day = dated[version]
    _after_the_last(version, day, listed)
    stale = out_of_sync(root)
    if stale:
        raise ReleaseError(
            f"{' and '.join(stale)} at HEAD are not what `python -m nkbook.publish.release sync` writes for "
            f"{version}: run it (or prepare), commit, then record"
        )
    tag = f"v{version}"
    tagged = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}", check=False)
    if tagged and tagged != head:
        raise ReleaseError(f"tag {tag} already exists and points at {tagged}, not at HEAD ({head})")
    entry = {"version": version, "date": day, "commit": head}
    path = root / releases.RELEASES_FILE
    doc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"releases": []}
    doc["releases"].append(entry)
    if not tagged:
        _git(root, "tag", tag, head)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return entry


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    from nkbook.core.paths import project_root

    parser = argparse.ArgumentParser(prog="python -m nkbook.publish.release", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="write CITATION.cff and .zenodo.json from __version__ and its release date")
    commands.add_parser("check", help="exit 1 if CITATION.cff or .zenodo.json is not what sync writes")
    prep = commands.add_parser("prepare", help="set __version__ to VERSION and sync, for a release on DATE")
    prep.add_argument("version", metavar="VERSION")
    prep.add_argument("date", metavar="DATE", help="YYYY-MM-DD, as in the CHANGELOG heading '## VERSION (DATE)'")
    commands.add_parser("record", help="list HEAD in releases.json as the release of its __version__ and tag it")
    args = parser.parse_args(argv)
    root = Path(root) if root is not None else project_root()
    try:
        if args.command == "sync":
            changed = sync(root)
            print(f"release: wrote {', '.join(changed)}" if changed else "release: citation files already in sync")
        elif args.command == "check":
            stale = out_of_sync(root)
            if stale:
                print(
                    f"release: {', '.join(stale)} not in sync with __version__ {package_version(root)}: "
                    "run `python -m nkbook.publish.release sync`",
                    file=sys.stderr,
                )
                return 1
            print("release: CITATION.cff and .zenodo.json are in sync")
        elif args.command == "prepare":
            changed = prepare(root, args.version, args.date)
            print(f"release: prepared {args.version} ({args.date}); changed {', '.join(changed) or 'nothing'}")
            print("release: next, commit these files, then run `python -m nkbook.publish.release record`")
        else:
            entry = record(root)
            print(
                f"release: listed {entry['version']} ({entry['date']}, {entry['commit']}) and tagged v{entry['version']}"
            )
            print(f"release: next, commit {releases.RELEASES_FILE}")
    except ReleaseError as exc:
        print(f"release: refused: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
