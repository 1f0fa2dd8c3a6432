"""Step 5 of ``make refresh``: replace the files, each written beside its target first, then
renamed in order, so that an interruption leaves the project whole."""

from __future__ import annotations

import os
from pathlib import Path

from nkbook.core.paths import relative
from nkbook.data import provenance


class Interrupted(RuntimeError):
    """Replacing the files stopped part-way; the message says which were replaced."""


def apply_writes(writes: list[tuple[Path, bytes]]) -> None:
    """Write every file beside its target first, then rename them all in the order given; a
    failure while writing removes the temporary files and leaves every target as it was."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in writes:
            tmp = path.with_name(path.name + ".refresh-tmp")
            temps.append((tmp, path))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    done: list[Path] = []
    try:
        for tmp, path in temps:
            tmp.replace(path)
            done.append(path)
    except OSError as exc:  # a rename failing in a folder just written to: most unlikely
        for tmp, _ in temps[len(done) :]:
            tmp.unlink(missing_ok=True)
        raise Interrupted(
            f"replacing {relative(temps[len(done)][1])} failed ({exc}) after "
            f"{', '.join(relative(p) for p in done) or 'nothing'}; rerun make refresh to complete"
        ) from exc
    finally:
        provenance.forget()  # the bibliography may have changed under the same path
