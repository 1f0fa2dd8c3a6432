"""Step 5 of ``make refresh``: replace the files so that an interruption at any point is
survived: the next refresh (or ``make data``) finishes what was begun, or rolls it back.

1. Every new file is written beside its target (``NAME.refresh-tmp``) and flushed to disk.
2. Every target that exists gets a hard link beside it (``NAME.refresh-old``): the old bytes,
   kept until the end for a roll-back.
3. A journal (``.refresh-journal.json`` at the project root) records each target, in order,
   with the hashes of its old and new bytes; it is written whole (a rename) before the first
   target is replaced.
4. The files are renamed over their targets in order, snapshots first and
   ``data/datapackage.json`` (the hashes) last; then the old copies and, last, the journal
   are removed.

A run that stops in step 4 (killed, power lost) leaves the journal: :func:`recover` then renames
the rest if every new file is still there and whole, and otherwise puts every old file back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from nkbook.core.paths import project_root, relative, shared_dir
from nkbook.data import provenance

JOURNAL = ".refresh-journal.json"
TEMP = ".refresh-tmp"
OLD = ".refresh-old"


class Interrupted(RuntimeError):
    """Replacing the files stopped part-way; the message says what was replaced or restored."""


def journal_path() -> Path:
    return project_root() / JOURNAL


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _where(path: Path) -> dict[str, str]:
    """A target as the journal names it: relative to the project or to ``../shared``, so that
    the journal stays right if the two are found under other absolute paths."""
    for base, folder in (("project", project_root()), ("shared", shared_dir())):
        try:
            return {"base": base, "path": path.resolve().relative_to(folder.resolve()).as_posix()}
        except ValueError:
            continue
    return {"base": "absolute", "path": str(path.resolve())}


def _resolve(entry: dict) -> Path:
    base = {"project": project_root, "shared": shared_dir}.get(entry["base"])
    return base() / entry["path"] if base else Path(entry["path"])


def _write_journal(entries: list[dict]) -> None:
    path = journal_path()
    tmp = _beside(path, TEMP)
    body = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": entries}
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(body, fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _finish(path: Path, targets: list[Path]) -> None:
    """The last step: the old copies, then the journal, are removed."""
    for target in targets:
        _beside(target, OLD).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def apply_writes(writes: list[tuple[Path, bytes]]) -> None:
    """Replace every file of ``writes`` (in the order given) so that an interruption can be
    finished or rolled back (see the module). A failure before the first rename leaves every
    target as it was and no temporary file; a rename failing is rolled back at once."""
    if journal_path().exists():
        raise Interrupted(
            f"{relative(journal_path())}: an interrupted refresh must be finished first (rerun make refresh)"
        )
    temps: list[tuple[Path, Path]] = [(_beside(path, TEMP), path) for path, _ in writes]
    olds: list[Path] = []
    try:
        for (tmp, _), (_, data) in zip(temps, writes):
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for _, path in temps:
            if path.exists():
                old = _beside(path, OLD)
                old.unlink(missing_ok=True)
                try:
                    os.link(path, old)  # the old bytes stay reachable until the end, at no cost
                except OSError:  # a file system without hard links
                    shutil.copy2(path, old)
                olds.append(old)
        entries = [
            {**_where(path), "new": hashlib.sha256(data).hexdigest(), "old": _sha256(path)} for path, data in writes
        ]
        _write_journal(entries)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        for old in olds:
            old.unlink(missing_ok=True)
        _beside(journal_path(), TEMP).unlink(missing_ok=True)
        journal_path().unlink(missing_ok=True)
        raise
    done: list[Path] = []
    try:
        for tmp, path in temps:
            os.replace(tmp, path)
            done.append(path)
        for folder in {path.parent for _, path in temps}:
            _fsync_dir(folder)
    except OSError as exc:  # a rename failing in a folder just written to: most unlikely
        failed = relative(temps[len(done)][1])
        try:
            restored = _roll_back(_read_journal())
        except (OSError, Interrupted) as again:
            raise Interrupted(
                f"replacing {failed} failed ({exc}) after {', '.join(relative(p) for p in done) or 'nothing'}, "
                f"and rolling back failed too ({again}); rerun make refresh: it finishes or rolls back the "
                f"refresh recorded in {relative(journal_path())}"
            ) from exc
        raise Interrupted(f"replacing {failed} failed ({exc}); rolled back ({restored}): nothing was changed") from exc
    finally:
        provenance.forget()  # the bibliography may have changed under the same path
    _finish(journal_path(), [path for _, path in temps])


# --- after an interruption ---------------------------------------------------------------------


def _read_journal() -> list[dict]:
    path = journal_path()
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return [{**e, "target": _resolve(e)} for e in files]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Interrupted(
            f"{relative(path)}: the journal of an interrupted refresh cannot be read ({exc}); compare the files "
            f"ending in {TEMP} and {OLD} with their targets by hand, then remove it"
        ) from exc


def _roll_back(entries: list[dict]) -> str:
    """Put every old file back (its hard link), remove what the refresh added; the journal last."""
    problems = []
    for e in entries:
        target, old = e["target"], _beside(e["target"], OLD)
        now = _sha256(target)
        if e["old"] is None:  # added by the refresh (a new snapshot): removed if it got there
            if now not in (None, e["new"]):
                problems.append(f"{relative(target)} was changed since")
        elif now != e["old"] and _sha256(old) != e["old"]:
            problems.append(f"{relative(target)}: its old bytes are gone ({relative(old)} missing or changed)")
    if problems:
        raise Interrupted(
            "cannot roll back the interrupted refresh: " + "; ".join(problems) + f"; resolve by hand, then remove "
            f"{relative(journal_path())}"
        )
    restored = []
    for e in reversed(entries):
        target, old, tmp = e["target"], _beside(e["target"], OLD), _beside(e["target"], TEMP)
        if e["old"] is None:
            if target.exists():
                target.unlink()
                restored.append(f"removed {relative(target)}")
        elif _sha256(target) != e["old"]:
            os.replace(old, target)
            restored.append(f"restored {relative(target)}")
        tmp.unlink(missing_ok=True)
    _finish(journal_path(), [e["target"] for e in entries])
    provenance.forget()
    return ", ".join(reversed(restored)) or "no file had been replaced yet"


def _sweep() -> str | None:
    """Without a journal no target was replaced: files left beside the targets by a refresh
    killed before its first rename are only copies, and are removed."""
    root, snapshots = project_root(), shared_dir() / "data" / "snapshots"
    folders = [root, root / "data", root / "book"]
    folders += sorted(p for p in snapshots.iterdir() if p.is_dir()) if snapshots.is_dir() else []
    left = sorted(p for f in folders for suffix in (TEMP, OLD) for p in f.glob(f"*{suffix}") if p.is_file())
    for p in left:
        p.unlink()
    if not left:
        return None
    return f"removed {len(left)} file(s) left by a refresh interrupted before it replaced anything: " + ", ".join(
        relative(p) for p in left
    )


def recover() -> str | None:
    """Finish or roll back a refresh that was interrupted while replacing files (its journal is
    there), and say which; ``None`` if there was nothing to do. Raises :class:`Interrupted` if
    neither is possible (a file changed by hand since), naming the files."""
    path = journal_path()
    if not path.exists():
        return _sweep()
    entries = _read_journal()
    pending = []
    for e in entries:
        target, tmp = e["target"], _beside(e["target"], TEMP)
        if _sha256(target) == e["new"]:
            continue  # replaced already
        if _sha256(tmp) == e["new"] and _sha256(target) == e["old"]:
            pending.append(e)
            continue
        restored = _roll_back(entries)  # a new file is missing or damaged: the old state comes back
        return (
            f"rolled back a refresh interrupted while replacing files ({relative(tmp)} is missing or damaged): "
            f"{restored}; the tables are as before it"
        )
    for e in pending:
        os.replace(_beside(e["target"], TEMP), e["target"])
    for folder in {e["target"].parent for e in entries}:
        _fsync_dir(folder)
    _finish(path, [e["target"] for e in entries])
    provenance.forget()
    names = ", ".join(relative(e["target"]) for e in pending) or "none left"
    return f"finished a refresh interrupted while replacing files: replaced {names}"
