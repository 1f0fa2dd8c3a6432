"""``make snapshots``: fetch the raw public files ``make data`` reads, each checked against the
sha256 registry the project commits (``data/snapshots.json``).

Each file of the registry is in one of three states in the snapshots folder
(``../shared/data/snapshots``, or ``$NKBOOK_SHARED/data/snapshots``, or ``--dest``):

- present with the registry's hash: left alone (a second run downloads nothing);
- missing: downloaded by pooch into a temporary file beside its target, its sha256 checked, then
  renamed into place; a download that fails or does not match leaves nothing behind;
- present with another hash: reported and left alone, unless ``--force`` replaces it.

Addresses: each file's ``url`` in the registry (a public repository's copy at a fixed commit:
the publishers serve only their current versions); ``NKBOOK_SNAPSHOTS_BASE_URL`` (or ``--base-url``)
fetches every file from ``<base>/<path>`` instead, e.g. a mirror of the whole folder. A file
without a public address (``url`` null: a copy converted from R data, a commit history) is
fetched only from such a mirror; otherwise it is named, with where it came from, and the run
ends incomplete.

Exit status: 0 every file present and verified; 1 incomplete (a file without an address, a
present file with the wrong hash left alone, or a folder that cannot take a file); 65 a bad download (hash mismatch, truncated, or an
address that does not serve the file), naming the file and its address; 75 offline (no network,
connection refused, the server failing): it says so and changes nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nkbook.core.errors import DataError, Problem
from nkbook.core.paths import data_dir, relative, snapshots_dir

REGISTRY = "snapshots.json"  # under data/
BASE_URL_ENV = "NKBOOK_SNAPSHOTS_BASE_URL"
TIMEOUT = 60  # seconds without an answer before a download is given up
EXIT_OK, EXIT_INCOMPLETE, EXIT_BAD_DOWNLOAD, EXIT_OFFLINE = 0, 1, 65, 75
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[^@\s]+/[^@\s]+@[0-9a-f]{40}$")


@dataclass(frozen=True)
class Snapshot:
    """One file of the registry."""

    path: str  # under the snapshots folder, with /
    sha256: str
    bytes: int
    url: str | None  # None: no public address serves these bytes
    publisher: str
    repository: str  # owner/name@commit of the copy read
    repository_path: str | None = None
    confirmed: str | None = None  # what was checked, offline, against a stored index of GitHub
    note: str | None = None


class Offline(Exception):
    """The network is absent, or the server refused or failed: nothing was changed."""


class BadDownload(Exception):
    """A download does not match the registry (or its address does not serve the file)."""


def registry_path() -> Path:
    return data_dir() / REGISTRY


def load_registry(path: Path | None = None) -> list[Snapshot]:
    """The registry's files, checked: every problem is named (file, row = entry number, field)."""
    path = path or registry_path()
    shown = relative(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(shown, "registry missing")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(shown, f"not valid UTF-8 JSON ({exc})")]) from None
    entries = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError([Problem(shown, "expected an object with a list 'files'")])
    problems: list[Problem] = []
    out: list[Snapshot] = []
    seen: set[str] = set()
    for row, entry in enumerate(entries, start=1):
        found = _check_entry(entry, shown, row)
        if isinstance(found, Snapshot):
            if found.path in seen:
                problems.append(Problem(shown, f"{found.path!r} is listed twice", row, "path"))
            seen.add(found.path)
            out.append(found)
        else:
            problems.extend(found)
    if problems:
        raise DataError(problems)
    return out


def _check_entry(entry, shown: str, row: int) -> Snapshot | list[Problem]:
    if not isinstance(entry, dict):
        return [Problem(shown, "expected an object", row)]
    problems = []
    rel = entry.get("path")
    parts = PurePosixPath(rel).parts if isinstance(rel, str) else ()
    if not parts or rel.startswith("/") or "\\" in rel or any(p in ("..", ".") for p in parts):
        problems.append(
            Problem(shown, f"expected a relative path under the snapshots folder, got {rel!r}", row, "path")
        )
    sha = entry.get("sha256")
    if not (isinstance(sha, str) and _SHA256.match(sha)):
        problems.append(Problem(shown, f"expected 64 lower-case hex digits, got {sha!r}", row, "sha256"))
    size = entry.get("bytes")
    if not (isinstance(size, int) and not isinstance(size, bool) and size > 0):
        problems.append(Problem(shown, f"expected a positive whole number of bytes, got {size!r}", row, "bytes"))
    url = entry.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        problems.append(Problem(shown, f"expected an http(s) address or null, got {url!r}", row, "url"))
    if url is None and not entry.get("note"):
        problems.append(Problem(shown, "a file without an address must say why (note)", row, "note"))
    if not (isinstance(entry.get("publisher"), str) and entry["publisher"].strip()):
        problems.append(Problem(shown, "the original publisher is required", row, "publisher"))
    repo = entry.get("repository")
    if not (isinstance(repo, str) and _COMMIT.match(repo)):
        problems.append(Problem(shown, f"expected owner/name@<40-hex commit>, got {repo!r}", row, "repository"))
    if problems:
        return problems
    keys = Snapshot.__dataclass_fields__
    return Snapshot(**{k: v for k, v in entry.items() if k in keys})


def sha256_of(path: Path) -> str:
    """The file's sha256, as pooch computes it to check a download."""
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def address(snap: Snapshot, base_url: str | None) -> str | None:
    """Where ``snap`` is fetched from: the mirror's ``<base>/<path>`` if one is given, else its url."""
    if base_url:
        return base_url.rstrip("/") + "/" + snap.path
    return snap.url


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # present with another hash, left alone
    unavailable: list[str] = field(default_factory=list)  # missing, no address
    bad: list[str] = field(default_factory=list)  # downloads refused
    unwritable: list[str] = field(default_factory=list)  # the folder could not take them
    offline: str | None = None

    @property
    def status(self) -> int:
        if self.offline:
            return EXIT_OFFLINE
        if self.bad:
            return EXIT_BAD_DOWNLOAD
        return EXIT_INCOMPLETE if self.wrong or self.unavailable or self.unwritable else EXIT_OK


def _download(url: str, target: Path, sha256: str, timeout: float) -> None:
    """pooch's download: a temporary file beside ``target``, hash-checked, then renamed; the
    temporary file is removed whatever happens."""
    import pooch
    import requests

    pooch.get_logger().setLevel(logging.WARNING)
    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=target.name,
            path=target.parent,
            downloader=pooch.HTTPDownloader(timeout=timeout, progressbar=False),
        )
    except requests.exceptions.ConnectionError as exc:  # no route, name not resolved, refused
        raise Offline(f"offline: could not reach {url} ({_reason(exc)})") from exc
    except requests.exceptions.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else 0
        if code >= 500 or code in (408, 429):  # the server is failing for now
            raise Offline(f"offline: {url} answered HTTP {code}") from exc
        raise BadDownload(f"{url} answered HTTP {code}: it does not serve this file") from exc
    except requests.exceptions.RequestException as exc:  # cut short mid-file, timed out reading
        raise BadDownload(f"the download from {url} broke off ({_reason(exc)})") from exc
    except ValueError as exc:  # pooch: the hash does not match
        got = re.search(r"but got ([0-9a-f]{64})", str(exc))
        raise BadDownload(
            f"the download from {url} has sha256 {got.group(1) if got else '?'}, not the registry's {sha256}"
            " (corrupt, truncated or a different version)"
        ) from exc


def _reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("Name or service not known", "Temporary failure in name resolution", "Connection refused"):
        if hint in text:
            return hint
    return type(exc).__name__


def _cleanup(target: Path, created: list[Path]) -> None:
    """Remove the folders this run created for ``target`` and left empty."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            break


def sync(
    snaps: list[Snapshot],
    dest: Path,
    *,
    base_url: str | None = None,
    force: bool = False,
    timeout: float = TIMEOUT,
) -> Report:
    """Bring ``dest`` to the registry: see the module's docstring."""
    report = Report()
    for snap in snaps:
        target = dest / snap.path
        if target.exists() and not target.is_file():
            report.wrong.append(snap.path)
            report.lines.append(f"{snap.path}: WRONG: {target} is not a file; left as it is")
            continue
        if target.is_file():
            found = sha256_of(target)
            if found == snap.sha256:
                report.lines.append(f"{snap.path}: present, sha256 verified")
                continue
            if not force:
                report.wrong.append(snap.path)
                report.lines.append(
                    f"{snap.path}: WRONG: present with sha256 {found} ({target.stat().st_size:,} bytes), not the "
                    f"registry's {snap.sha256} ({snap.bytes:,} bytes); left as it is (--force replaces it)"
                )
                continue
        url = address(snap, base_url)
        if url is None:
            report.unavailable.append(snap.path)
            report.lines.append(
                f"{snap.path}: MISSING, and no public address serves it: {snap.note} "
                f"(copy read: {snap.repository}; set {BASE_URL_ENV} to a mirror of the snapshots folder)"
            )
            continue
        created = [p for p in reversed(target.parents) if not p.exists()]  # removed again on failure
        try:
            _download(url, target, snap.sha256, timeout)
        except Offline as exc:
            _cleanup(target, created)
            report.offline = str(exc)
            report.lines.append(f"{snap.path}: not fetched: {exc}")
            break  # without a network the other files fail the same way
        except BadDownload as exc:
            _cleanup(target, created)
            report.bad.append(snap.path)
            report.lines.append(f"{snap.path}: REFUSED: {exc}; nothing was written")
            continue
        except OSError as exc:  # the folder cannot take the file (not writable, a file in the way)
            _cleanup(target, created)
            report.unwritable.append(snap.path)
            report.lines.append(f"{snap.path}: NOT WRITTEN: could not write {target} ({exc})")
            continue
        report.fetched.append(snap.path)
        report.lines.append(f"{snap.path}: fetched from {url} ({snap.bytes:,} bytes, sha256 verified)")
    return report


def check(snaps: list[Snapshot], dest: Path) -> Report:
    """The state of ``dest`` without any download: missing and wrong files are reported."""
    report = Report()
    for snap in snaps:
        target = dest / snap.path
        if not target.is_file():
            report.unavailable.append(snap.path)
            report.lines.append(f"{snap.path}: MISSING")
        elif (found := sha256_of(target)) != snap.sha256:
            report.wrong.append(snap.path)
            report.lines.append(f"{snap.path}: WRONG: sha256 {found}, not the registry's {snap.sha256}")
        else:
            report.lines.append(f"{snap.path}: present, sha256 verified")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nkbook.etl.snapshots",
        description=__doc__.splitlines()[0].replace("``", ""),
        epilog="exit status: 0 complete and verified; 1 incomplete; 65 bad download; 75 offline",
    )
    parser.add_argument("--dest", type=Path, help="the snapshots folder (default: ../shared/data/snapshots)")
    parser.add_argument("--base-url", help=f"fetch every file from <BASE_URL>/<path> (default: ${BASE_URL_ENV})")
    parser.add_argument("--force", action="store_true", help="replace present files whose hash is wrong")
    parser.add_argument("--check", action="store_true", help="verify the folder against the registry; no download")
    args = parser.parse_args(argv)
    dest = (args.dest or snapshots_dir()).resolve()
    try:
        snaps = load_registry()
    except DataError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    if args.check:
        report = check(snaps, dest)
    else:
        base = args.base_url or os.environ.get(BASE_URL_ENV) or None
        report = sync(snaps, dest, base_url=base, force=args.force)
    for line in report.lines:
        print(line)
    total = len(snaps)
    if report.offline:
        print(f"{report.offline}; nothing was changed (run make snapshots again when online)", file=sys.stderr)
    elif report.bad:
        print(f"{len(report.bad)} download(s) refused: {', '.join(report.bad)}", file=sys.stderr)
    elif report.wrong or report.unavailable or report.unwritable:
        print(
            f"{dest}: incomplete: {len(report.unavailable) + len(report.unwritable)} missing, "
            f"{len(report.wrong)} wrong",
            file=sys.stderr,
        )
    else:
        fetched = f", {len(report.fetched)} fetched" if report.fetched else ""
        print(f"{dest}: all {total} snapshots present and verified{fetched}")
    return report.status


if __name__ == "__main__":
    sys.exit(main())
