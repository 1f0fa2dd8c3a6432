"""``python -m nkbook.etl`` (``make data``): rebuild, validate, refresh the data package.

0. Finish or roll back a ``make refresh`` that was killed while replacing files (its journal,
   ``.refresh-journal.json``, is there; see :mod:`nkbook.etl.refresh.apply`), saying which.
1. Rebuild every derived table from ``../shared/data/snapshots`` (skipped, with a note, where
   that folder is absent: the committed tables then stand as they are).
2. Validate every table against its schema and sources (stats aside).
3. Only then write each resource's ``bytes``, ``hash`` and ``sources`` into
   ``data/datapackage.json``.

``make data`` then rewrites the data appendix's pages from the package
(``python -m nkbook.present.appendix``): pages are presentation, a layer this one does not import.

``--check`` rebuilds in memory and reports any derived table whose bytes differ from the
committed file, changing nothing (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import sys

from nkbook.core.errors import DataError, print_problems
from nkbook.etl.package import rebuild_derived, refresh_package
from nkbook.etl.refresh.apply import Interrupted, recover


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nkbook.etl", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare rebuilt tables with the committed ones; write nothing"
    )
    args = parser.parse_args(argv)
    if not args.check:  # a make refresh killed while replacing files: finished or rolled back first
        try:
            recovered = recover()
        except (Interrupted, OSError) as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 1
        if recovered:
            print(recovered)
    report = rebuild_derived(write=not args.check)
    for line in report.lines:
        print(line)
    if args.check:
        return 1 if report.differs else 0
    try:
        problems = refresh_package()
    except DataError as exc:  # the bibliography every table's sources are checked against is unreadable
        problems = exc.problems
    if problems:
        print_problems(problems, "data/datapackage.json left unchanged")
        return 1
    print("data/datapackage.json refreshed (bytes, hash, sources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
