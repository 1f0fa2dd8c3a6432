"""Every builder reads exactly what the registry says it reads: run under an audit hook, it opens
no file of ``../shared`` or of the project that it did not declare, and every file it declares is
opened (a folder counts as opened when a file in it is; a project file may come from the data
loader's cache instead)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, needs_seeds, needs_shared
from nkbook.data import provenance
from nkbook.etl.registry import DERIVED

_OPENED: list[Path] | None = None


def _hook(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(Path(os.fsdecode(args[0])))


sys.addaudithook(_hook)  # audit hooks cannot be removed: it records only while _OPENED is a list


def files_opened(call) -> set[str]:
    """What ``call()`` opened under ../shared (``shared:...``) and the project (``project:...``),
    apart from the environment and the package's own code."""
    global _OPENED
    _OPENED = []
    try:
        call()
    finally:
        opened, _OPENED = _OPENED, None
    out = set()
    for path in opened:
        path = path.resolve()
        if path.is_relative_to(SHARED.resolve()):
            out.add("shared:" + path.relative_to(SHARED.resolve()).as_posix())
        elif path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / ".venv") and "__pycache__" not in path.parts:
            if not path.is_relative_to(ROOT / "src"):
                out.add("project:" + path.relative_to(ROOT).as_posix())
    return out


def covered(opened: str, declared: list[str]) -> bool:
    return any(opened == d or opened.startswith(d.rstrip("/") + "/") for d in declared)


@needs_shared
@needs_seeds
@pytest.mark.parametrize("name", sorted(DERIVED))
def test_builder_reads_what_it_declares(name):
    builder = DERIVED[name]
    provenance.forget()  # so that a builder reading the bibliography opens it here, not earlier
    declared = [f"shared:{r}" for r in builder.reads] + [f"project:{r}" for r in builder.project_reads]
    opened = files_opened(lambda: builder(SHARED))
    undeclared = sorted(o for o in opened if not covered(o, declared))
    assert undeclared == [], f"{name} reads files the registry does not declare"
    # project files may come from the loader's cache; every declared snapshot must be opened
    unused = sorted(d for d in declared if d.startswith("shared:") and not any(covered(o, [d]) for o in opened))
    assert unused == [], f"{name} declares inputs it never reads"


def test_undeclared_reads_are_caught(tmp_path):
    """The check itself: a read outside the declared inputs is seen."""
    stray = ROOT / "data" / "datapackage.json"
    assert files_opened(lambda: stray.read_bytes()) == {"project:data/datapackage.json"}
    assert not covered("project:data/datapackage.json", ["project:data/essays.csv", "shared:data/snapshots"])
    assert covered("shared:data/snapshots/ofac-sdn/sdn_2021-08-18.csv", ["shared:data/snapshots/ofac-sdn"])
