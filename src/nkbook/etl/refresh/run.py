"""The command line of ``make refresh``: the steps in order, and one exit status for each way
it can end."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone

from nkbook.core.paths import relative, snapshots_dir
from nkbook.etl.refresh.apply import Interrupted, apply_writes, journal_path, recover
from nkbook.etl.refresh.check import CHECKS, LISTS, Refused, _describe, _order, compare, current, report
from nkbook.etl.refresh.fetch import BadDownload, Fetcher, Offline, download, fetch
from nkbook.etl.refresh.stage import stage_writes

EXIT_OK, EXIT_REFUSED, EXIT_BAD_DOWNLOAD, EXIT_OFFLINE = 0, 1, 65, 75


def _failed(exc: Exception) -> int:
    """Say why the refresh stopped, and return its exit status (one place for every failure)."""
    if isinstance(exc, Offline):
        message, status = str(exc), EXIT_OFFLINE
    elif isinstance(exc, BadDownload):
        message, status = f"refused: {exc}; nothing was changed", EXIT_BAD_DOWNLOAD
    elif isinstance(exc, Refused):
        message, status = f"refused: {exc}\nNothing was changed.", EXIT_REFUSED
    elif isinstance(exc, Interrupted):  # before OSError: an interrupted commit says what it replaced
        message, status = f"interrupted: {exc}", EXIT_REFUSED
    else:
        message, status = f"refused: could not write the files ({exc}); nothing was changed", EXIT_REFUSED
    print(message, file=sys.stderr)
    return status


def main(argv: list[str] | None = None, *, fetcher: Fetcher = fetch, today: date | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nkbook.etl.refresh",
        description=__doc__.splitlines()[0],
        epilog="exit status: 0 done or no change; 1 refused; 65 bad download; 75 offline",
    )
    parser.add_argument("--only", choices=[o.key for o in LISTS], help="refresh one list only")
    parser.add_argument(
        "--accept-removal",
        action="append",
        default=[],
        metavar="ID",
        help="acknowledge that entry ID (a UN reference number or an OFAC entry number) was delisted; repeatable",
    )
    parser.add_argument(
        "--accept-removals", action="store_true", help="acknowledge every entry missing from the downloads"
    )
    parser.add_argument("--dry-run", action="store_true", help="download, check and report; write nothing")
    args = parser.parse_args(argv)
    today = today or datetime.now(timezone.utc).date()
    chosen = [o for o in LISTS if args.only in (None, o.key)]
    accepted = set(args.accept_removal)
    missing = [snapshots_dir() / o.folder for o in chosen if not (snapshots_dir() / o.folder).is_dir()]
    if missing:
        print(
            f"refused: {', '.join(map(str, missing))} not found: the refresh stores its downloads there "
            "(../shared beside the project, or NKBOOK_SHARED); nothing was changed",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if args.dry_run and journal_path().exists():
        print(
            f"refused: {relative(journal_path())}: a refresh was interrupted while replacing files; "
            "run make refresh without --dry-run to finish or roll it back; nothing was changed",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if not args.dry_run:
        try:
            recovered = recover()
        except (Interrupted, OSError) as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        if recovered:
            print(recovered)
    try:
        downloads = [(o, download(o.url, fetcher)) for o in chosen]
        everything = []
        for official, d in downloads:
            checked = CHECKS[official.key](d, today)
            everything.append(compare(checked, *current(official)))
    except (Offline, BadDownload, Refused) as exc:
        return _failed(exc)
    for changes in everything:
        print("\n".join(report(changes, accepted, args.accept_removals)))
    removed = {k for ch in everything for k in ch.removed}
    for key in sorted(accepted - removed, key=_order):
        print(f"note: --accept-removal {key}: no such entry is missing from a download (ignored)")
    unacknowledged = [(ch, k) for ch in everything for k in ch.removed if not (args.accept_removals or k in accepted)]
    if unacknowledged:
        print(
            f"refused: {len(unacknowledged)} entr{'y' if len(unacknowledged) == 1 else 'ies'} of the tables "
            "missing from the downloads; check the UN's or OFAC's delisting notices, then acknowledge each "
            "with --accept-removal ID (or all with --accept-removals); nothing was changed",
            file=sys.stderr,
        )
        for ch, key in unacknowledged:
            print(
                f"  - {key}  {_describe(ch.checked.official, ch.old[key])}  ({ch.checked.official.title})",
                file=sys.stderr,
            )
        return EXIT_REFUSED
    changed = [ch for ch in everything if ch.any]
    if not changed:
        print("Nothing to change: the tables match the downloads; no file was written.")
        return EXIT_OK
    if args.dry_run:
        print("Dry run: nothing was written.")
        return EXIT_OK
    try:
        writes = stage_writes(changed, today)
        apply_writes(writes)
    except (Refused, Interrupted, OSError) as exc:
        return _failed(exc)
    print("Written:")
    for path, _ in writes:
        print(f"  {relative(path)}")
    print("Tables, bibliography and data/datapackage.json refreshed; make data reproduces them from the snapshots.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
