"""``python -m nkbook.book``: build the HTML book into ``_build/html`` (what ``make book`` runs).

Jupyter Book's execution cache keys on a notebook's code cells only, so a changed data file
would not re-execute the chapters that read it. This driver keeps a digest of everything a
chapter's outputs depend on besides its code (the data, the package, the bibliography, the
lock) and clears the cache and the built HTML when that digest changes. With nothing changed,
the second build reuses both. The build runs with warnings as errors and nitpicky references.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import project_root

STAMP = ".nkbook-inputs"


def input_files(root: Path) -> list[Path]:
    files = [*root.glob("data/*"), *root.glob("src/nkbook/**/*.py"), root / "book" / "references.bib",
             root / "requirements.lock", root / "CITATION.cff",
             root / "_config.yml"]
    return sorted(p for p in files if p.is_file())


def inputs_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(root: Path | None = None) -> int:
    root = root or project_root()
    out = root / "_build"
    stamp = out / STAMP
    digest = inputs_digest(root)
    if not stamp.exists() or stamp.read_text() != digest:
        for stale in (out / ".jupyter_cache", out / "html", out / "jupyter_execute", out / ".doctrees"):
            shutil.rmtree(stale, ignore_errors=True)
        print("inputs changed since the last build: every chapter will be re-executed")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", "-W", "-n", "--keep-going", str(root)], cwd=root)
    if result.returncode == 0:
        out.mkdir(exist_ok=True)
        stamp.write_text(digest)
    return result.returncode


if __name__ == "__main__":
    sys.exit(build())
