"""Two builds of the same sources must be identical, byte for byte, but for an allow-list.

``python -m nkbook.publish.reproducible A B`` compares two built books (``_build/html`` folders) and
prints every difference that the allow-list does not excuse; exit status 1 if there is one.

The allow-list is deliberately narrow: on the execution report only, the time each chapter
was executed and how long it took. Every other byte of every file, including the search
index, the downloads and Sphinx's own ``.buildinfo``, must match.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# page -> (what the pattern masks, pattern); each match's groups 1.. are kept, the rest masked
_CELL = r'(<tr class="row-(?:even|odd)"><td><p><a class="xref doc reference internal" href="[^"]+"><span class="doc">[^<]+</span></a></p></td>\n<td><p>)'
ALLOWED: dict[str, tuple[str, re.Pattern]] = {
    "book/execution.html": (
        "each chapter's execution time and run time in the table of the execution report",
        re.compile(
            _CELL + r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(</p></td>\n<td><p>[a-z]+</p></td>\n<td><p>)\d+(?:\.\d+)?(</p></td>)"
        ),
    ),
}


def masked(relpath: str, data: bytes) -> bytes:
    """A file's bytes with the allowed variable parts replaced by a fixed mark."""
    if relpath not in ALLOWED:
        return data
    _, pattern = ALLOWED[relpath]
    text = data.decode("utf-8")
    return pattern.sub(lambda m: f"{m.group(1)}[time]{m.group(2)}[seconds]{m.group(3)}", text).encode("utf-8")


def allowed_matches(relpath: str, data: bytes) -> int:
    """How many variable parts the allow-list finds in a file (0 for a file not on it)."""
    return len(ALLOWED[relpath][1].findall(data.decode("utf-8"))) if relpath in ALLOWED else 0


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def differences(a: Path, b: Path) -> list[str]:
    """Every difference between two built books that the allow-list does not excuse."""
    fa, fb = _files(Path(a)), _files(Path(b))
    out = [f"{name}: only in {a}" for name in sorted(fa.keys() - fb.keys())]
    out += [f"{name}: only in {b}" for name in sorted(fb.keys() - fa.keys())]
    for name in sorted(fa.keys() & fb.keys()):
        da, db = fa[name].read_bytes(), fb[name].read_bytes()
        if da == db:
            continue
        ma, mb = masked(name, da), masked(name, db)
        if ma != mb:
            at = next((i for i in range(min(len(ma), len(mb))) if ma[i] != mb[i]), min(len(ma), len(mb)))
            out.append(
                f"{name}: differs from byte {at} ({ma[max(0, at - 40) : at + 40]!r} against {mb[max(0, at - 40) : at + 40]!r})"
            )
    return out


def tracked_copy(root: Path, dest: Path) -> Path:
    """A copy of the files git tracks in ``root``, as they are in the working tree: the sources
    of a build, without anything a previous build or a local experiment left behind.
    ``subprocess.CalledProcessError`` (or ``OSError``) if ``root`` is not a git work tree."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (root / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest / name)
    return dest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m nkbook.publish.reproducible BUILT_HTML_A BUILT_HTML_B", file=sys.stderr)
        return 2
    found = differences(Path(args[0]), Path(args[1]))
    for line in found:
        print(line)
    print(f"{len(found)} difference(s) outside the allow-list")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
